//===- ExecutionTraitsTest.cpp - batch, async, capabilities ----------------===//
//
// Expected values are worked out by hand (out = 2a + b).
//
//===----------------------------------------------------------------------===//

#include "tl/API/Capabilities.h"
#include "tl/API/Executable.h"
#include "tl/API/Recovery.h"
#include "tl/Runtime/Cuda.h"
#include "tl/Runtime/Profiler.h"

#include <set>

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
  // OpenBLAS is loaded at run time: listed either way, with a reason.
  EXPECT_FALSE(c.blasNote.empty());
  EXPECT_NE(c.text().find(c.blas ? "blas: yes (" : "blas: no ("),
            std::string::npos)
      << c.text();
  // A GPU is listed exactly when the driver sees one.
  bool gpu = ::tl::runtime::cuda::driverInfo().ok();
  EXPECT_EQ(c.cuda, gpu);
  EXPECT_EQ(c.gpus.empty(), !gpu);
  EXPECT_NE(c.json().find("\"available\": true"), std::string::npos);
  EXPECT_NE(c.text().find(gpu ? "devices: cpu, cuda\n" : "devices: cpu\n"),
            std::string::npos);
  if (!gpu) {
    EXPECT_NE(c.text().find("cuda: no (no CUDA driver"), std::string::npos)
        << c.text();
  }
}

//===----------------------------------------------------------------------===//
// Recovery
//===----------------------------------------------------------------------===//

TEST(RecoveryTest, RetriesTransientFailuresWithExponentialBackoff) {
  std::vector<int64_t> waits;
  RetryPolicy policy;
  policy.initialDelay = std::chrono::milliseconds(10);
  policy.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d.count()); };
  int calls = 0;
  RecoveryReport report;
  auto flaky = [&]() -> absl::StatusOr<int> {
    if (++calls < 3)
      return absl::UnavailableError("device busy");
    return 42;
  };
  auto r = retryWithBackoff<int>(flaky, policy, &report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(report.attempts, 3);
  EXPECT_EQ(waits, (std::vector<int64_t>{10, 20}));
  ASSERT_EQ(report.events.size(), 2u);
  EXPECT_NE(report.events[0].find("retrying in 10 ms"), std::string::npos);

  // Not transient: one call, no wait.
  waits.clear();
  calls = 0;
  auto bad = retryWithBackoff<int>(
      [&]() -> absl::StatusOr<int> {
        ++calls;
        return absl::InvalidArgumentError("G3: unbound");
      },
      policy);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(waits.empty());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);

  // Exhausted, with the delay capped.
  policy.initialDelay = std::chrono::milliseconds(400);
  policy.maxDelay = std::chrono::milliseconds(1000);
  policy.maxAttempts = 4;
  RecoveryReport last;
  auto never = retryWithBackoff<int>(
      []() -> absl::StatusOr<int> { return absl::ResourceExhaustedError("oom"); },
      policy, &last);
  EXPECT_EQ(never.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(waits, (std::vector<int64_t>{400, 800, 1000}));
  EXPECT_EQ(last.attempts, 4);
  EXPECT_NE(last.events.back().find("no attempts left"), std::string::npos);
}

TEST(RecoveryTest, FallsBackWhenCodeGenerationFailsAndReportsIt) {
  CompileOptions options;
  options.inputShapes = {{"a", {4}}, {"b", {4}}};
  options.cpu = "no-such-cpu"; // code generation refuses it
  EXPECT_FALSE(Executable::compile(kAxpy, GraphFormat::kMLIR, options).ok());
  RecoveryReport report;
  auto exe = compileWithFallback(kAxpy, GraphFormat::kMLIR, options, &report);
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  EXPECT_TRUE(report.degraded);
  ASSERT_FALSE(report.events.empty());
  EXPECT_NE(report.events[0].find("unknown CPU 'no-such-cpu'"),
            std::string::npos)
      << report.str();
  Buffer a = filled({4}, 1), b = filled({4}, 5);
  auto out = (*exe)->run({{"a", &a}, {"b", &b}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].at(3), 2 * 4.0 + 8.0);

  // An invalid graph is not a code generation failure: its own error.
  RecoveryReport none;
  auto invalid = compileWithFallback(
      "func.func @main(%a: tensor<4xf64> {tl.name = \"a\"}) -> tensor<4xf64> {\n"
      "  %0 = tl.unary bogus %a : tensor<4xf64>\n  return %0 : tensor<4xf64>\n}",
      GraphFormat::kMLIR, options, &none);
  EXPECT_FALSE(invalid.ok());
  EXPECT_TRUE(none.events.empty());
  EXPECT_FALSE(none.degraded);
}

TEST(RecoveryTest, ReferenceExecutableAndCheckedRuns) {
  CompileOptions options;
  options.inputShapes = {{"a", {4}}, {"b", {4}}};
  auto reference =
      Executable::compileReference(kAxpy, GraphFormat::kMLIR, options);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  EXPECT_TRUE((*reference)->isReference());
  ASSERT_EQ((*reference)->outputs().size(), 1u);
  EXPECT_EQ((*reference)->outputs()[0].shape, (std::vector<int64_t>{4}));
  Buffer a = filled({4}, 1), b = filled({4}, 5);
  std::map<std::string, const Buffer *> in = {{"a", &a}, {"b", &b}};
  auto ref = (*reference)->run(in);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  EXPECT_EQ((*ref)[0].at(2), 2 * 3.0 + 7.0);

  // A compiled run that agrees is returned as is.
  auto good = Executable::compile(kAxpy, GraphFormat::kMLIR, options);
  ASSERT_TRUE(good.ok());
  RecoveryReport ok;
  auto checked = runChecked(**good, **reference, in, &ok);
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(ok.degraded);

  // One that disagrees (a different graph stands in for a miscompile) is
  // reported, and the reference's outputs are returned.
  std::string wrong = kAxpy;
  wrong.replace(wrong.find("dense<2.0>"), 10, "dense<2.5>");
  auto bad = Executable::compile(wrong, GraphFormat::kMLIR, options);
  ASSERT_TRUE(bad.ok());
  RecoveryReport report;
  auto fixed = runChecked(**bad, **reference, in, &report);
  ASSERT_TRUE(fixed.ok());
  EXPECT_TRUE(report.degraded);
  EXPECT_NE(report.str().find("result check failed: output 'out' differs at "
                              "element 0"),
            std::string::npos)
      << report.str();
  EXPECT_EQ((*fixed)[0].at(2), 2 * 3.0 + 7.0);
}

TEST(ProfileTest, LibraryProfilingAndParallelBatch) {
  // A product and its sum: two nodes, each with its span in every run.
  const char *kGraph = R"mlir(
func.func @main(%p: tensor<256x256xf64> {tl.name = "p"}) -> (tensor<f64> {tl.name = "s"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %p : (tensor<256x256xf64>, tensor<256x256xf64>) -> tensor<256x256xf64>
  %1 = tl.reduce max %0 axes = [0, 1] : tensor<256x256xf64> -> tensor<f64>
  return %1 : tensor<f64>
}
)mlir";
  CompileOptions options;
  options.inputShapes = {{"p", {256, 256}}};
  options.profile = true;
  auto exe = Executable::compile(kGraph, GraphFormat::kMLIR, options);
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  // The two ops (MLIR input: named by line and the tl ops on it), never
  // by a lowered op ('scf.for', 'vector.fma').
  const std::vector<std::string> &nodes = (*exe)->profileNodes();
  ASSERT_GE(nodes.size(), 2u);
  EXPECT_EQ(nodes[0], "line 3 (tl.einsum)");
  EXPECT_EQ(nodes[1], "line 4 (tl.reduce)");
  for (const std::string &n : nodes)
    EXPECT_EQ(n.find("' op"), std::string::npos) << n;
  EXPECT_EQ((*exe)->profileShapes()[0], "256x256xf64");
  Buffer p = filled({256, 256}, 0);
  const int items = 16;
  std::vector<std::map<std::string, const Buffer *>> batch(items,
                                                           {{"p", &p}});
  runtime::startRecording();
  auto results = (*exe)->runBatch(batch, 2);
  std::vector<runtime::Span> spans = runtime::stopRecording();
  for (auto &r : results)
    ASSERT_TRUE(r.ok());
  // Every item ran each span once (the two nodes; the result is written
  // in place, so no copy at the return has a span of its own), and the
  // items ran on two threads.
  EXPECT_EQ(nodes.size(), 2u);
  EXPECT_EQ(spans.size(), size_t(2 * items));
  for (int64_t id = 0; id < 2; ++id)
    EXPECT_EQ(std::count_if(spans.begin(), spans.end(),
                            [&](const runtime::Span &s) { return s.id == id; }),
              items);
  std::set<uint32_t> threads;
  for (const runtime::Span &s : spans) {
    threads.insert(s.thread);
    EXPECT_GE(s.endUs, s.beginUs);
    EXPECT_LT(s.id, 3);
  }
  EXPECT_EQ(threads.size(), 2u);

  // Without the option: no spans at all.
  options.profile = false;
  auto plain = Executable::compile(kGraph, GraphFormat::kMLIR, options);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)->profileNodes().empty());
  runtime::startRecording();
  ASSERT_TRUE((*plain)->run({{"p", &p}}).ok());
  EXPECT_TRUE(runtime::stopRecording().empty());
}

} // namespace
