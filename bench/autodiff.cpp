//===- autodiff.cpp - forward vs forward+backward (issue 5) ----------------===//
//
// sum(sigmoid(einsum("ab,bc->ac", P, Q))) at 512x512x512: the forward
// function alone, and the adjoint (forward and backward in one compiled
// call, gradients wrt P and Q). bench/autodiff.py runs this next to
// PyTorch autograd on the same sizes.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"

#include "benchmark/benchmark.h"

#include <cstdio>
#include <cstdlib>

using namespace tl;

namespace {
constexpr int64_t kN = 512;

const char *kGraph = R"mlir(
func.func @main(%p: tensor<512x512xT> {tl.name = "P"}, %q: tensor<512x512xT> {tl.name = "Q"}) -> (tensor<T> {tl.name = "loss"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<512x512xT>, tensor<512x512xT>) -> tensor<512x512xT>
  %1 = tl.unary sigmoid %0 : tensor<512x512xT>
  %2 = tl.einsum "ab->" %1 : (tensor<512x512xT>) -> tensor<T>
  return %2 : tensor<T>
}
)mlir";

std::string graph(DType dtype) {
  std::string s = kGraph, t = dtype == DType::f32 ? "f32" : "f64";
  for (size_t i; (i = s.find("xT>")) != std::string::npos;)
    s.replace(i + 1, 1, t);
  for (size_t i; (i = s.find("<T>")) != std::string::npos;)
    s.replace(i + 1, 1, t);
  return s;
}

struct Data {
  Buffer p, q;
  std::map<std::string, const Buffer *> inputs;
  explicit Data(DType dtype)
      : p(Buffer::allocate(dtype, {kN, kN})),
        q(Buffer::allocate(dtype, {kN, kN})) {
    uint64_t s = 1;
    for (Buffer *b : {&p, &q})
      for (int64_t i = 0; i < kN * kN; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double v = (double(s >> 11) / double(1ull << 53) - 0.5) * 0.1;
        if (dtype == DType::f32)
          b->data<float>()[i] = float(v);
        else
          b->data<double>()[i] = v;
      }
    inputs = {{"P", &p}, {"Q", &q}};
  }
};

CompileOptions options(DType dtype) {
  CompileOptions o;
  o.dtype = dtype;
  o.inputShapes = {{"P", {kN, kN}}, {"Q", {kN, kN}}};
  return o;
}

[[noreturn]] void die(const absl::Status &s) {
  std::fprintf(stderr, "error: %s\n", std::string(s.message()).c_str());
  std::exit(1);
}

void BM_Forward(benchmark::State &state, DType dtype) {
  auto exe = Executable::compile(graph(dtype), GraphFormat::kMLIR,
                                 options(dtype));
  if (!exe.ok())
    die(exe.status());
  Data data(dtype);
  Outputs out = (*exe)->allocateOutputs();
  for (auto _ : state)
    if (absl::Status s = (*exe)->runInto(data.inputs, out); !s.ok())
      die(s);
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * kN * kN * kN, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

void BM_ForwardBackward(benchmark::State &state, DType dtype) {
  GradientOptions g;
  g.withOutputs = true;
  auto exe = Executable::compileGradient(graph(dtype), GraphFormat::kMLIR,
                                         options(dtype), g);
  if (!exe.ok())
    die(exe.status());
  Data data(dtype);
  // Like BM_Forward: outputs allocated once, the cotangent (1, the
  // gradient of the loss) bound under its input name.
  Buffer one = Buffer::allocate(dtype, {});
  if (dtype == DType::f32)
    *one.data<float>() = 1;
  else
    *one.data<double>() = 1;
  std::map<std::string, const Buffer *> inputs = data.inputs;
  inputs["cotangent:loss"] = &one;
  Outputs out = (*exe)->allocateOutputs();
  for (auto _ : state)
    if (absl::Status s = (*exe)->runInto(inputs, out); !s.ok())
      die(s);
  // Three 512^3 matmuls: the forward one and one per operand's gradient.
  state.counters["GFLOP/s"] = benchmark::Counter(
      6.0 * kN * kN * kN, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}
} // namespace

BENCHMARK_CAPTURE(BM_Forward, f32, DType::f32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ForwardBackward, f32, DType::f32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Forward, f64, DType::f64)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ForwardBackward, f64, DType::f64)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
