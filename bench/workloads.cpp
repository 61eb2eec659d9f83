//===- workloads.cpp - the workloads of shared/bench/workloads.md ---------===//
//
// Google Benchmark programs for W1-W4, W6, W8 and G1, each compiled once
// through the public API and run with runInto (outputs reused, as a
// serving loop would). Counters give GFLOP/s or GB/s the way the peers in
// ../shared/bench report them, so bench/compare.py can set them side by
// side. Threads: TL_NUM_THREADS (default: the machine's).
//
//   tl-bench-workloads [--benchmark_filter=W2] [--benchmark_format=json]
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Runtime/ThreadPool.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

using tl::Buffer;
using tl::DType;

std::string typeOf(const std::vector<int64_t> &shape, DType dtype) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + (dtype == DType::f32 ? "f32>" : "f64>");
}

/// A benchmark fixture's state: the executable, its inputs, its outputs.
struct Workload {
  std::shared_ptr<const tl::Executable> exe;
  std::vector<Buffer> buffers;
  std::map<std::string, const Buffer *> inputs;
  tl::Outputs outputs;
};

Workload compile(const std::string &text,
                 const std::map<std::string, std::vector<int64_t>> &shapes,
                 DType dtype) {
  tl::CompileOptions options;
  options.dtype = dtype;
  options.inputShapes = shapes;
  auto exe = tl::Executable::compile(text, tl::GraphFormat::kMLIR, options);
  if (!exe.ok()) {
    std::fprintf(stderr, "compile failed: %s\n%s\n",
                 std::string(exe.status().message()).c_str(), text.c_str());
    std::exit(1);
  }
  Workload w;
  w.exe = *exe;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dist(-1, 1);
  w.buffers.reserve(shapes.size());
  for (const auto &[name, shape] : shapes) {
    w.buffers.push_back(Buffer::allocate(dtype, shape));
    Buffer &b = w.buffers.back();
    for (int64_t i = 0; i < b.numElements(); ++i) {
      if (dtype == DType::f32)
        static_cast<float *>(b.data())[i] = float(dist(rng));
      else
        static_cast<double *>(b.data())[i] = dist(rng);
    }
    w.inputs[name] = &b;
  }
  w.outputs = w.exe->allocateOutputs();
  return w;
}

void run(benchmark::State &state, Workload &w) {
  for (auto _ : state) {
    absl::Status s = w.exe->runInto(w.inputs, w.outputs);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(w.outputs[0].data());
  }
}

void setRate(benchmark::State &state, double flops, double bytes) {
  if (flops > 0)
    state.counters["FLOP"] = benchmark::Counter(
        flops, benchmark::Counter::kIsIterationInvariantRate);
  if (bytes > 0)
    state.counters["B"] = benchmark::Counter(
        bytes, benchmark::Counter::kIsIterationInvariantRate);
}

// W1: EXISTS projection, row sums of a 4096x4096 f32 relation.
void W1(benchmark::State &state) {
  const int64_t n = 4096;
  static Workload w = compile(
      "func.func @main(%r: " + typeOf({n, n}, DType::f32) +
          " {tl.name = \"R\"}) -> " + typeOf({n}, DType::f32) +
          " {\n  %0 = tl.einsum \"ab->a\" %r : (" + typeOf({n, n}, DType::f32) +
          ") -> " + typeOf({n}, DType::f32) + "\n  return %0 : " +
          typeOf({n}, DType::f32) + "\n}\n",
      {{"R", {n, n}}}, DType::f32);
  run(state, w);
  setRate(state, double(n) * n, 4.0 * n * n);
}
BENCHMARK(W1)->Name("W1/rowsum_f32_4096")->Unit(benchmark::kMillisecond)->UseRealTime();

std::string joinText(int64_t n, DType dtype) {
  std::string t = typeOf({n, n}, dtype);
  return "func.func @main(%p: " + t + " {tl.name = \"P\"}, %q: " + t +
         " {tl.name = \"Q\"}) -> " + t + " {\n  %0 = tl.einsum \"ab,bc->ac\" %p, %q : (" +
         t + ", " + t + ") -> " + t + "\n  return %0 : " + t + "\n}\n";
}

// W2: join = GEMM.
template <int N, DType D> void W2(benchmark::State &state) {
  static Workload w = compile(joinText(N, D), {{"P", {N, N}}, {"Q", {N, N}}}, D);
  run(state, w);
  setRate(state, 2.0 * N * N * N, 0);
}
BENCHMARK(W2<1024, DType::f32>)->Name("W2/join_f32_1024")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(W2<1024, DType::f64>)->Name("W2/join_f64_1024")->Unit(benchmark::kMillisecond)->UseRealTime();

// W3: chain join A 2048x64, B 64x2048, C 2048x64 (order matters 32x).
void W3(benchmark::State &state) {
  std::string a = typeOf({2048, 64}, DType::f32), b = typeOf({64, 2048}, DType::f32);
  static Workload w = compile(
      "func.func @main(%a: " + a + " {tl.name = \"A\"}, %b: " + b +
          " {tl.name = \"B\"}, %c: " + a + " {tl.name = \"C\"}) -> " +
          typeOf({2048, 64}, DType::f32) +
          " {\n  %0 = tl.einsum \"ab,bc,cd->ad\" %a, %b, %c : (" + a + ", " + b +
          ", " + a + ") -> " + a + "\n  return %0 : " + a + "\n}\n",
      {{"A", {2048, 64}}, {"B", {64, 2048}}, {"C", {2048, 64}}}, DType::f32);
  run(state, w);
  setRate(state, 2.0 * (64.0 * 2048 * 64 + 2048.0 * 64 * 64), 0);
}
BENCHMARK(W3)->Name("W3/chain_f32")->Unit(benchmark::kMillisecond)->UseRealTime();

// W4: fused rule sigmoid(A*B + C) - relu(D).
template <int64_t N> void W4(benchmark::State &state) {
  std::string t = typeOf({N}, DType::f32);
  static Workload w = compile(
      "func.func @main(%a: " + t + " {tl.name = \"A\"}, %b: " + t +
          " {tl.name = \"B\"}, %c: " + t + " {tl.name = \"C\"}, %d: " + t +
          " {tl.name = \"D\"}) -> " + t +
          " {\n  %0 = tl.binary multiply %a, %b : " + t + ", " + t + " -> " + t +
          "\n  %1 = tl.binary add %0, %c : " + t + ", " + t + " -> " + t +
          "\n  %2 = tl.unary sigmoid %1 : " + t + "\n  %3 = tl.unary relu %d : " +
          t + "\n  %4 = tl.binary subtract %2, %3 : " + t + ", " + t + " -> " + t +
          "\n  return %4 : " + t + "\n}\n",
      {{"A", {N}}, {"B", {N}}, {"C", {N}}, {"D", {N}}}, DType::f32);
  run(state, w);
  setRate(state, 0, 20.0 * N);
}
BENCHMARK(W4<(4 << 20)>)->Name("W4/fused_rule_f32_4M")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(W4<(64 << 20)>)->Name("W4/fused_rule_f32_64M")->Unit(benchmark::kMillisecond)->UseRealTime();

// W6: batched join + softmax over k, b=64, 128^3.
void W6(benchmark::State &state) {
  std::string x = typeOf({64, 128, 128}, DType::f32), m = typeOf({64, 128}, DType::f32);
  static Workload w = compile(
      "func.func @main(%a: " + x + " {tl.name = \"A\"}, %b: " + x +
          " {tl.name = \"B\"}) -> " + x +
          " {\n  %s = tl.einsum \"bij,bjk->bik\" %a, %b : (" + x + ", " + x + ") -> " + x +
          "\n  %m = tl.einsum \"bik->bi\" reduce max %s : (" + x + ") -> " + m +
          "\n  %d = tl.einsum \"bik,bi->bik\" combine subtract %s, %m : (" + x + ", " + m + ") -> " + x +
          "\n  %e = tl.unary exp %d : " + x +
          "\n  %z = tl.einsum \"bik->bi\" %e : (" + x + ") -> " + m +
          "\n  %r = tl.einsum \"bik,bi->bik\" combine divide %e, %z : (" + x + ", " + m + ") -> " + x +
          "\n  return %r : " + x + "\n}\n",
      {{"A", {64, 128, 128}}, {"B", {64, 128, 128}}}, DType::f32);
  run(state, w);
  setRate(state, 2.0 * 64 * 128 * 128 * 128, 0);
}
BENCHMARK(W6)->Name("W6/batched_join_softmax_f32")->Unit(benchmark::kMillisecond)->UseRealTime();

// W8: per-call latency of tiny graphs through the C++ API.
Workload &rowsum100() {
  std::string r = typeOf({100, 100}, DType::f64), o = typeOf({100}, DType::f64);
  static Workload w = compile(
      "func.func @main(%r: " + r + " {tl.name = \"R\"}) -> " + o +
          " {\n  %0 = tl.einsum \"ab->a\" %r : (" + r + ") -> " + o +
          "\n  return %0 : " + o + "\n}\n",
      {{"R", {100, 100}}}, DType::f64);
  return w;
}

void W8rowsum(benchmark::State &state) { run(state, rowsum100()); }
BENCHMARK(W8rowsum)->Name("W8/rowsum_f64_100x100")->Unit(benchmark::kMicrosecond)->UseRealTime();

// The same call pre-bound (Executable::bind): names, shapes and outputs
// checked once, each run only calls the code.
void W8rowsumBound(benchmark::State &state) {
  Workload &w = rowsum100();
  auto call = w.exe->bind(w.inputs, w.outputs);
  if (!call.ok()) {
    state.SkipWithError(std::string(call.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    if (!(*call)->run().ok())
      state.SkipWithError("the bound call failed");
    benchmark::DoNotOptimize(w.outputs[0].data());
  }
}
BENCHMARK(W8rowsumBound)->Name("W8/rowsum_f64_100x100_bound")->Unit(benchmark::kMicrosecond)->UseRealTime();

void W8mul(benchmark::State &state) {
  std::string t = typeOf({1000}, DType::f64);
  static Workload w = compile(
      "func.func @main(%a: " + t + " {tl.name = \"A\"}, %b: " + t +
          " {tl.name = \"B\"}) -> " + t + " {\n  %0 = tl.binary multiply %a, %b : " +
          t + ", " + t + " -> " + t + "\n  return %0 : " + t + "\n}\n",
      {{"A", {1000}}, {"B", {1000}}}, DType::f64);
  run(state, w);
}
BENCHMARK(W8mul)->Name("W8/multiply_f64_1000")->Unit(benchmark::kMicrosecond)->UseRealTime();

// Pool wake-up: a parallel loop of one empty trip per thread, back to
// back, as a graph's fusion groups follow each other (issue 18 item 5:
// under 1 us when the threads are idle).
void poolWake(benchmark::State &state) {
  tl::runtime::ThreadPool &pool = tl::runtime::ThreadPool::global();
  std::vector<int64_t> seen(pool.size());
  std::function<void(int64_t)> body = [&](int64_t i) { seen[i] = i; };
  for (auto _ : state) {
    pool.parallelFor(pool.size(), body);
    benchmark::DoNotOptimize(seen.data());
  }
}
BENCHMARK(poolWake)->Name("pool/wake")->Unit(benchmark::kMicrosecond)->UseRealTime();

// G1: grandparent as TensorLogic compiles it, join to rank 3 then project.
template <int N> void G1(benchmark::State &state) {
  std::string t = typeOf({N, N}, DType::f32), t3 = typeOf({N, N, N}, DType::f32);
  static Workload w = compile(
      "func.func @main(%p: " + t + " {tl.name = \"P\"}, %q: " + t +
          " {tl.name = \"Q\"}) -> " + t +
          " {\n  %0 = tl.einsum \"bc,ca->bca\" %p, %q : (" + t + ", " + t + ") -> " + t3 +
          "\n  %1 = tl.einsum \"bca->ba\" %0 : (" + t3 + ") -> " + t +
          "\n  return %1 : " + t + "\n}\n",
      {{"P", {N, N}}, {"Q", {N, N}}}, DType::f32);
  run(state, w);
  setRate(state, 2.0 * N * N * N, 0);
}
BENCHMARK(G1<512>)->Name("G1/grandparent_f32_512")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(G1<1024>)->Name("G1/grandparent_f32_1024")->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
