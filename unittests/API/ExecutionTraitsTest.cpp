//===- ExecutionTraitsTest.cpp - batch, async, capabilities ----------------===//
//
// Expected values are worked out by hand (out = 2a + b).
//
//===----------------------------------------------------------------------===//

#include "tl/API/Capabilities.h"
#include "tl/API/Executable.h"

#include "gtest/gtest.h"

#include <algorithm>

using namespace tl;

namespace {

const char *kAxpy = R"mlir(
func.func @main(%a: tensor<4xf64> {tl.name = "a"}, %b: tensor<4xf64> {tl.name = "b"}) -> (tensor<4xf64> {tl.name = "out"}) {
  %two = tl.constant dense<2.0> : tensor<f64>
  %0 = tl.binary multiply %a, %two : tensor<4xf64>, tensor<f64> -> tensor<4xf64>
  %1 = tl.binary add %0, %b : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  return %1 : tensor<4xf64>
}
)mlir";

std::shared_ptr<const Executable> compileAxpy() {
  CompileOptions options;
  options.inputShapes = {{"a", {4}}, {"b", {4}}};
  auto exe = Executable::compile(kAxpy, GraphFormat::kMLIR, options);
  EXPECT_TRUE(exe.ok()) << exe.status().message();
  return exe.ok() ? *exe : nullptr;
}

Buffer filled(std::vector<int64_t> shape, double v) {
  Buffer b = Buffer::allocate(DType::f64, shape);
  for (int64_t i = 0; i < b.numElements(); ++i)
    b.data<double>()[i] = v + i;
  return b;
}

TEST(BatchTest, ResultsInOrderAndAFailingItemKeepsTheOthers) {
  auto exe = compileAxpy();
  ASSERT_TRUE(exe);
  const int n = 9;
  std::vector<Buffer> as, bs;
  for (int i = 0; i < n; ++i) {
    as.push_back(filled({4}, 10.0 * i));
    bs.push_back(filled({4}, -1.0 * i));
  }
  Buffer wrongShape = filled({3}, 0);
  std::vector<std::map<std::string, const Buffer *>> items;
  for (int i = 0; i < n; ++i)
    items.push_back({{"a", &as[i]}, {"b", &bs[i]}});
  items[4] = {{"a", &as[4]}};            // b missing
  items[6] = {{"a", &wrongShape}, {"b", &bs[6]}}; // wrong shape
  for (int threads : {1, 3, 0}) {
    SCOPED_TRACE(threads);
    auto results = exe->runBatch(items, threads);
    ASSERT_EQ(results.size(), size_t(n));
    for (int i = 0; i < n; ++i) {
      if (i == 4 || i == 6) {
        ASSERT_FALSE(results[i].ok());
        EXPECT_NE(results[i].status().message().find(
                      "batch item " + std::to_string(i) + ":"),
                  std::string::npos)
            << results[i].status().message();
        continue;
      }
      ASSERT_TRUE(results[i].ok()) << results[i].status().message();
      const Buffer *out = results[i]->find("out");
      ASSERT_NE(out, nullptr);
      for (int k = 0; k < 4; ++k) // 2 (10i + k) + (-i + k)
        EXPECT_EQ(out->at(k), 2 * (10.0 * i + k) + (-1.0 * i + k))
            << i << "," << k;
    }
  }
  EXPECT_NE(exe->runBatch(items)[4].status().message().find("'b'"),
            std::string::npos);
  EXPECT_TRUE(exe->runBatch({}).empty());
}

TEST(AsyncTest, RunsInTheBackgroundAndCancelsQueuedWork) {
  // A long first run (a 512^3 f64 product) keeps the worker busy while
  // the later runs are still queued, so cancelling them must succeed.
  const char *kSlow = R"mlir(
func.func @main(%p: tensor<512x512xf64> {tl.name = "p"}) -> (tensor<f64> {tl.name = "s"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %p : (tensor<512x512xf64>, tensor<512x512xf64>) -> tensor<512x512xf64>
  %1 = tl.einsum "ab,bc->ac" %0, %p : (tensor<512x512xf64>, tensor<512x512xf64>) -> tensor<512x512xf64>
  %2 = tl.einsum "ab->" %1 : (tensor<512x512xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}
)mlir";
  CompileOptions options;
  options.inputShapes = {{"p", {512, 512}}};
  auto slow = Executable::compile(kSlow, GraphFormat::kMLIR, options);
  ASSERT_TRUE(slow.ok()) << slow.status().message();
  auto exe = compileAxpy();
  ASSERT_TRUE(exe);
  Buffer p = Buffer::allocate(DType::f64, {512, 512});
  for (int64_t i = 0; i < 512; ++i)
    p.data<double>()[i * 512 + i] = 1; // identity: s = 512
  Buffer a = filled({4}, 1), b = filled({4}, 5);

  AsyncRun first = (*slow)->runAsync({{"p", &p}});
  AsyncRun second = exe->runAsync({{"a", &a}, {"b", &b}});
  AsyncRun third = exe->runAsync({{"a", &a}, {"b", &b}});
  AsyncRun fourth = exe->runAsync({{"a", &a}});
  EXPECT_TRUE(third.cancel());
  EXPECT_FALSE(third.cancel()); // already removed

  auto r1 = first.get();
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_EQ((*r1)[0].at(0), 512.0);
  auto r2 = second.get();
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  for (int k = 0; k < 4; ++k)
    EXPECT_EQ((*r2)[0].at(k), 2 * (1.0 + k) + (5.0 + k));
  auto r3 = third.get();
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), absl::StatusCode::kCancelled);
  // A failing run reports its error through the future.
  auto r4 = fourth.get();
  ASSERT_FALSE(r4.ok());
  EXPECT_NE(r4.status().message().find("'b'"), std::string::npos);
  EXPECT_FALSE(second.cancel()); // finished runs cannot be cancelled
}

TEST(CapabilitiesTest, ListsTypesOpsAndTheHost) {
  Capabilities c = queryCapabilities();
  EXPECT_EQ(c.dtypes, (std::vector<std::string>{"f32", "f64"}));
  EXPECT_EQ(c.unaryOps.size(), 16u);
  EXPECT_EQ(c.binaryOps.size(), 18u);
  EXPECT_EQ(c.reduceOps,
            (std::vector<std::string>{"sum", "max", "min", "mean", "prod"}));
  EXPECT_NE(std::find(c.binaryOps.begin(), c.binaryOps.end(), "xor"),
            c.binaryOps.end());
  EXPECT_FALSE(c.cpuName.empty());
  EXPECT_FALSE(c.cpuFeatures.empty());
  EXPECT_GE(c.hardwareThreads, 1u);
  EXPECT_TRUE(c.onednn);
  EXPECT_FALSE(c.cuda);
  EXPECT_NE(c.json().find("\"available\": true"), std::string::npos);
  EXPECT_NE(c.text().find("devices: cpu\n"), std::string::npos);
}

} // namespace
