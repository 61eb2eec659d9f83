//===- Executable.h - compile a TensorLogic graph and run it ----*- C++ -*-===//
//
// The library API, shaped like ONNX Runtime's session and PjRt's loaded
// executable:
//
//   tl::CompileOptions options;
//   options.inputShapes = {{"parent", {5, 5}}};
//   auto exe = tl::Executable::compileFile("grandparent.json", options);
//   if (!exe.ok()) { report(exe.status().message()); }
//   tl::Buffer parent = tl::Buffer::borrow(data, tl::DType::f64, {5, 5});
//   auto outputs = (*exe)->run({{"parent", &parent}});
//   const tl::Buffer *gp = outputs->find("grandparent[ac]");
//
// An Executable is compiled for one element type (G5) and fixed input
// shapes, or with sizes left unknown for shape-generic code whose hot
// shapes are specialized in the background (docs/Tiering.md). Its
// behaviour is immutable: run() may be called from many threads at once. compile() is thread-safe too (each call has its own MLIR context).
// Every error is an absl::Status whose message says what went wrong and
// where, starting with the graph-contract rule (G1-G14) where one applies.
//
// This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_EXECUTABLE_H
#define TL_API_EXECUTABLE_H

#include "tl/API/Tiering.h"
#include "tl/Driver/GradientOptions.h"
#include "tl/Runtime/Buffer.h"
#include "tl/Runtime/SparseBuffer.h"
#include "tl/Runtime/Reports.h"

#include "absl/status/statusor.h"

#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tl {

using runtime::AnyBuffer;
using runtime::Buffer;
using runtime::DType;
using runtime::SparseBuffer;

enum class GraphFormat {
  kAuto,            // a file's extension (.json, .tle), or text starting with '{'
  kTensorLogicJSON, // the Rust tensorlogic compiler's EinsumGraph JSON
  kMLIR,            // a module in the tl dialect
  kTensorEquations, // a Tensor Logic program (docs/TensorEquations.md)
};

/// `format`, or for kAuto the format of `text` (JSON starts with '{', else
/// MLIR: a tensor-equation program is known by its file's extension or
/// named as kTensorEquations).
GraphFormat resolveGraphFormat(std::string_view text, GraphFormat format);

/// A graph's text and format, as read from a file.
struct GraphSource {
  std::string text;
  GraphFormat format = GraphFormat::kAuto;
  std::string name; // the path, for messages
};
/// Reads a graph file; its format from the extension (.json, .mlir), else
/// from its text. "-" reads standard input (once per process: later calls
/// return the same text).
absl::StatusOr<GraphSource> readGraphFile(const std::string &path);

struct CompileOptions {
  /// The element type every tensor is computed in (G5).
  DType dtype = DType::f64;
  /// MLIR text only: compute in the function's own element type instead
  /// of `dtype` (tl-jit without --dtype).
  bool dtypeFromGraph = false;
  /// A name in inputShapes that binds no input of the graph is an error
  /// (G3); otherwise it is ignored with a warning (Executable::warnings).
  bool strictInputs = false;
  /// The shape of every input array, by the name the caller will bind it
  /// with (G3: a slot's full name or its base name before '['). A size of
  /// -1 is known only at run time, and so is every dynamic dim of an MLIR
  /// argument left out: the code is then shape-generic (tier 0), one
  /// compile for every conforming shape (docs/Tiering.md).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Shape-generic executables: after this many calls with one shape set,
  /// a version specialized to it is compiled in the background and used
  /// from then on (tier 1); 0: never.
  int hotThreshold = 3;
  /// Specialized versions kept per executable (least recently used go).
  int maxVersions = 8;
  /// Tier 2: seconds to tune each hot shape for after it is specialized,
  /// in the background (0: never). Candidate choices for its ops (oneDNN
  /// or generated code, cache blocks around the model's, chunks per
  /// thread) are timed on the hot call's inputs; winners are kept as
  /// tuning records in the cache directory that later compiles follow.
  double tune = 0;
  /// Tier 1 samples the values of a hot call and may rely on them (inputs
  /// of only 0 and 1: EXISTS joins as counting joins), behind a guard
  /// that runs the generic code for inputs that break the assumption.
  bool valueProfiles = true;
  /// The function of an MLIR module to compile.
  std::string function = "main";
  /// Where the code runs: "cpu", or "cuda" (an NVIDIA GPU through the CUDA
  /// driver, opened at run time; compiling needs no GPU, running does).
  /// GPU code is compiled for static shapes: give every input's shape.
  std::string device = "cpu";
  /// cuda: the architecture the code is for, and its form ("ptx": the
  /// driver compiles it at load; "cubin": compiled now by the toolkit's
  /// ptxas; "": cubin where ptxas exists, else ptx).
  std::string gpuArch = "sm_90";
  std::string gpuFormat;
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
  /// Tile and vectorize in MLIR (otherwise LLVM may auto-vectorize loops).
  bool vectorize = true;
  /// Target CPU and features; empty means the host's.
  std::string cpu;
  std::string features;
  /// Threads the code is chunked for: 0 = the machine's, 1 = serial. The
  /// runtime pool runs the chunks (TL_NUM_THREADS sizes it).
  int threads = 0;
  /// Large f32 matmuls run in oneDNN's sgemm where its cost model says so.
  bool onednn = true;
  /// Large f64 matmuls run in OpenBLAS's dgemm (loaded at run time; a
  /// plain loop where it is absent) where the cost model says so.
  bool blas = true;
  /// f32 and f64 exp as vector polynomials, a few ulp from libm (results
  /// below the smallest normal float are 0 or a denormal); false: one libm
  /// call per element.
  bool approximateExp = true;
  /// Transitive-closure fixpoints (R = step(E + R E)) by semi-naive search
  /// over bit rows when E holds only finite values >= 0; false: the plain
  /// loop of dense joins (what the reference evaluator computes).
  bool semiNaive = true;
  /// Per-node timing from the generated code: each node's kernel records a
  /// span while tl::runtime::startRecording() is active (Profiler.h);
  /// profileNodes() names the span ids. Off: no instrumentation at all.
  bool profile = false;
  /// The persistent compile cache (docs/CLI.md, "Compile cache"): consult
  /// it and store what was compiled. cacheDir empty: TL_CACHE_DIR, else
  /// $XDG_CACHE_HOME/tl, else ~/.cache/tl.
  bool cache = true;
  std::string cacheDir;
  uint64_t cacheMaxBytes = uint64_t(1) << 30;
  /// Debugging: every value a node computes is returned too, after the
  /// outputs (and gradients), as described by Executable::intermediates().
  /// Every value is then materialized, so the code is slower.
  bool exposeIntermediates = false;
  /// The sparse route (issue 19): inputs' measured densities (nonzeros /
  /// elements, by array name; 1 where absent). A value whose density is
  /// at or under sparseThreshold is stored and computed sparse (CSR, or
  /// DCSR where nearly every row is expected empty), and run() with sparse
  /// inputs then reads them without a dense copy. Empty: all dense.
  std::map<std::string, double> inputDensities;
  double sparseThreshold = 0.05;
};

/// Parses an input shape as the tools take it: "x=2x3", "x=?x8" (? for a
/// size known only at run time, -1), "x=" or "x=scalar" for 0-d.
absl::StatusOr<std::pair<std::string, std::vector<int64_t>>>
parseShapeSpec(std::string_view spec);

struct TensorInfo {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};

/// A value returned for CompileOptions::exposeIntermediates.
struct IntermediateInfo {
  std::string name; // the slot it writes ("temp_3", "temp_3#2"), value<N>
  std::string node; // "node 3 (ElemBinary divide)"
  std::string op;   // "tl.binary:divide"
  DType dtype;
  std::vector<int64_t> shape;
};

/// A run's outputs in the graph's output order, each under its slot name
/// (G4).
class Outputs {
public:
  size_t size() const { return entries.size(); }
  const std::string &name(size_t i) const { return entries[i].first; }
  const Buffer &operator[](size_t i) const { return entries[i].second; }
  Buffer &operator[](size_t i) { return entries[i].second; }
  /// The output named `name`, or nullptr.
  const Buffer *find(std::string_view name) const;

  std::vector<std::pair<std::string, Buffer>> entries;
};

/// What runGradient() returns.
struct Gradients {
  /// The forward outputs by slot name (empty without withOutputs).
  Outputs outputs;
  /// d(sum_k <output_k, cotangent_k>)/d(array), by the caller's array name;
  /// an array bound to several slots gets the sum over them (G12).
  Outputs gradients;
  /// With CompileOptions::exposeIntermediates: the adjoint's intermediates.
  Outputs intermediates;
};

/// A run queued by Executable::runAsync.
class AsyncRun {
public:
  AsyncRun() = default;
  AsyncRun(std::future<absl::StatusOr<Outputs>> future, uint64_t id)
      : future(std::move(future)), id(id) {}
  /// Waits for the run and returns its outputs (once); a run cancelled
  /// before it started returns a CANCELLED status.
  absl::StatusOr<Outputs> get() { return future.get(); }
  void wait() const { future.wait(); }
  /// Waits at most `seconds`; true if the run is done.
  bool waitFor(double seconds) const {
    return future.wait_for(std::chrono::duration<double>(seconds)) ==
           std::future_status::ready;
  }
  /// False for a default-constructed run and after get().
  bool valid() const { return future.valid(); }
  bool ready() const {
    return future.wait_for(std::chrono::seconds(0)) ==
           std::future_status::ready;
  }
  /// Removes the run from the queue if it has not started; true if it was
  /// removed. A started run completes.
  bool cancel();

private:
  std::future<absl::StatusOr<Outputs>> future;
  uint64_t id = 0;
};

/// A call whose arrays were bound once (Executable::bind): names
/// resolved, shapes and outputs checked, the version for these shapes
/// chosen. run() only calls the code on the bound arrays' current
/// contents, so a serving loop refills its input arrays and calls run().
/// The bound Buffer objects and their memory must outlive it. One thread
/// at a time may run a bound call (its outputs are shared); bind one per
/// thread. Bound runs are not counted by stats(). run() fails only for
/// GPU code (a CUDA error: the call and the driver's error name).
class BoundCall {
public:
  absl::Status run() const;
  ~BoundCall();
  struct State; // opaque: defined in Executable.cpp
  BoundCall(const BoundCall &) = delete;
  BoundCall &operator=(const BoundCall &) = delete;

private:
  friend class Executable;
  explicit BoundCall(std::unique_ptr<State> state);
  std::unique_ptr<State> state;
};

class Executable : public std::enable_shared_from_this<Executable> {
public:
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileFile(const std::string &path, const CompileOptions &options);
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compile(std::string_view text, GraphFormat format,
          const CompileOptions &options);

  /// A graph from readGraphFile(), or text with a name: messages start
  /// with `source.name` as they do for compileFile().
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compile(const GraphSource &source, const CompileOptions &options);

  /// The adjoint of the graph: run it with runGradient().
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileGradient(std::string_view text, GraphFormat format,
                  const CompileOptions &options,
                  const GradientOptions &gradient);
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileGradient(const GraphSource &source, const CompileOptions &options,
                  const GradientOptions &gradient);
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileGradientFile(const std::string &path, const CompileOptions &options,
                      const GradientOptions &gradient);

  /// An executable that runs the reference interpreter (slow, no code
  /// generation): the last fallback of compileWithFallback and the check
  /// of runChecked. run() only.
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileReference(std::string_view text, GraphFormat format,
                   const CompileOptions &options);
  /// The same; messages name the source by its path.
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileReference(const GraphSource &source, const CompileOptions &options);
  bool isReference() const;

  /// The arrays run() needs, by the names given in CompileOptions.
  const std::vector<TensorInfo> &inputs() const;
  const std::vector<TensorInfo> &outputs() const;
  /// For an adjoint: the cotangents runGradient() takes, one per forward
  /// output (its name and shape); the gradients it returns.
  const std::vector<TensorInfo> &cotangents() const;
  const std::vector<TensorInfo> &gradients() const;
  bool isGradient() const;
  /// With CompileOptions::exposeIntermediates: the values run() returns
  /// after the outputs (runInto: after the outputs and gradients), in
  /// program order.
  const std::vector<IntermediateInfo> &intermediates() const;
  /// With CompileOptions::profile: the node each span id stands for.
  const std::vector<std::string> &profileNodes() const;
  /// With CompileOptions::profile: the shapes of each span's values.
  const std::vector<std::string> &profileShapes() const;
  /// What compile() found suspicious but not wrong, one message each: an
  /// array of inputShapes that binds no input, with the nearest input's
  /// name (G3).
  const std::vector<std::string> &warnings() const;
  /// What runs on the calling thread reported since the last take, oldest
  /// first, and forgets them: a tl.fixpoint with `warn_at_limit` that
  /// stopped at max_iterations (its results are the last states). Per
  /// thread, as a run's failures are; at most 100 are kept.
  static std::vector<std::string> takeRunWarnings();
  /// Wall time compile() took, from text to callable code.
  double compileSeconds() const;
  /// How the compile cache served this compile: "cache: hit (...)",
  /// "cache: miss: the closest entry of this graph has another shapes
  /// (...)", "cache: off". Empty for loaded and reference executables.
  const std::string &cacheReport() const;

  /// The steps compile() took (import, specialization, cache lookup,
  /// pipeline, LLVM, load), on the profiler's clock.
  const std::vector<runtime::Phase> &compilePhases() const;
  /// The native object code (an ELF relocatable); empty for a reference
  /// executable.
  std::string_view objectCode() const;
  /// Forgets the modules this process compiled or loaded from the cache
  /// (the next compile reads the disk cache as a new process would).
  static void clearInProcessCache();

  /// For an adjoint run through runInto: adds to `inputs`, for each
  /// forward output, its cotangent from `cotangents` or ones (owned by
  /// `storage`), under the names runInto takes. runGradient does this.
  absl::Status addCotangents(
      const std::map<std::string, const Buffer *> &cotangents,
      std::map<std::string, const Buffer *> &inputs,
      std::deque<Buffer> &storage) const;

  /// Writes the compiled module (a .tlm file: object code and manifest)
  /// that load() and tl-run read, on this or another machine.
  absl::Status save(const std::string &path) const;
  /// Loads a module written by save() or tl-compile. No compiler runs: a
  /// module for a CPU this machine does not match, or a damaged file, is
  /// an error.
  static absl::StatusOr<std::shared_ptr<const Executable>>
  load(const std::string &path);

  /// Runs on the caller's arrays bound by name. Inputs are read in place
  /// when they are contiguous and of the compute type, copied otherwise;
  /// outputs are new owned buffers. Thread-safe.
  absl::StatusOr<Outputs>
  run(const std::map<std::string, const Buffer *> &inputs) const;
  /// The same with some arrays given as sparse tensors (COO or CSR),
  /// each validated first (INVALID_ARGUMENT naming the array and its first
  /// bad entry). Code compiled with CompileOptions::inputDensities reads
  /// them in its own sparse layouts; other code reads a sparse array in
  /// its dense form, made here (RESOURCE_EXHAUSTED over the memory limit).
  /// The outputs are dense (runSparse keeps them sparse). A name in both maps
  /// is an error. Thread-safe.
  absl::StatusOr<Outputs>
  run(const std::map<std::string, const Buffer *> &inputs,
      const std::map<std::string, const SparseBuffer *> &sparseInputs) const;
  /// The same, returning each result the code computes sparse as a CSR
  /// SparseBuffer (it may hold explicit zeros) instead of its dense
  /// form, so a result takes memory for its nonzeros only. Other results
  /// are dense Buffers. Thread-safe.
  absl::StatusOr<std::vector<std::pair<std::string, AnyBuffer>>> runSparse(
      const std::map<std::string, const Buffer *> &inputs,
      const std::map<std::string, const SparseBuffer *> &sparseInputs) const;

  /// Runs an adjoint from compileGradient(): forward and backward in one
  /// call. `cotangents` are keyed by output name; a missing one is ones
  /// (the gradient of the sum of that output). Thread-safe.
  absl::StatusOr<Gradients>
  runGradient(const std::map<std::string, const Buffer *> &inputs,
              const std::map<std::string, const Buffer *> &cotangents = {})
      const;
  /// The same with relations given as sparse tensors (validated as by
  /// run()): an adjoint compiled with CompileOptions::inputDensities
  /// reads them in its sparse layouts, so gradients with respect to dense
  /// arrays flow through relations whose dense forms would not fit;
  /// other code reads their dense forms. Outputs and gradients are dense.
  absl::StatusOr<Gradients>
  runGradient(const std::map<std::string, const Buffer *> &inputs,
              const std::map<std::string, const SparseBuffer *> &sparseInputs,
              const std::map<std::string, const Buffer *> &cotangents) const;

  /// Runs every input set in `items` over `threads` worker threads (0: one
  /// per hardware thread), and returns the results in the same order. An
  /// item that fails (a missing array, a wrong shape) gets its error; the
  /// others still run. Thread-safe.
  std::vector<absl::StatusOr<Outputs>>
  runBatch(const std::vector<std::map<std::string, const Buffer *>> &items,
           int threads = 0) const;

  /// Queues run(inputs) on the process's async worker and returns at once.
  /// The buffers must stay alive until the run completes; the executable
  /// is kept alive by the queue. Runs start in the order queued.
  AsyncRun runAsync(std::map<std::string, const Buffer *> inputs) const;

  /// Every compile of this executable (the first, then tier 1's), the
  /// calls per tier and the versions held. Thread-safe.
  ExecutableStats stats() const;
  /// Shape-generic executables: compiles a specialized version for each
  /// shape set now (in this thread), for servers that want no compile
  /// after start-up. An error for fixed-shape executables.
  absl::Status warmUp(
      const std::vector<std::map<std::string, std::vector<int64_t>>> &shapes)
      const;
  /// Tier 2 now, in this thread: times candidate code generation choices
  /// for the shapes of `inputs` on those inputs within `seconds`, keeps
  /// the fastest (the untuned code when nothing beats it by 3%), uses it
  /// from the next call, and writes tuning records to the cache directory
  /// (docs/Tiering.md). The event log says what was tried and won.
  absl::Status tune(const std::map<std::string, const Buffer *> &inputs,
                    double seconds) const;
  /// Blocks until no specialization of this executable is queued or
  /// compiling (tests, benchmarks, a clean exit).
  void waitForBackgroundCompiles() const;

  /// Output buffers for runInto, allocated once and reused across runs.
  /// For an adjoint they hold the outputs (withOutputs) then the
  /// gradients, and runInto takes each cotangent as an input named
  /// "cotangent:<output>" (runGradient does this for you).
  Outputs allocateOutputs() const;
  /// The same for a shape-generic executable, sized for `inputs` (whose
  /// shapes are checked as run() checks them).
  absl::StatusOr<Outputs>
  allocateOutputs(const std::map<std::string, const Buffer *> &inputs) const;
  /// Runs into `outputs` from allocateOutputs(): no allocation on the way
  /// when the inputs are contiguous arrays of the compute type. An output
  /// of the wrong shape or type is an error.
  absl::Status runInto(const std::map<std::string, const Buffer *> &inputs,
                       Outputs &outputs) const;

  /// Binds `inputs` and `outputs` (from allocateOutputs) once for many
  /// run()s: every check runInto makes is made here. Inputs must be read
  /// in place (contiguous, of the compute type): a bound call sees later
  /// changes to them. A shape-generic executable binds the version ready
  /// for these shapes now (specialized or generic, never one that relies
  /// on the values of this moment).
  absl::StatusOr<std::unique_ptr<BoundCall>>
  bind(const std::map<std::string, const Buffer *> &inputs,
       Outputs &outputs) const;

  ~Executable();
  struct Impl; // opaque: defined in Executable.cpp
  Executable(const Executable &) = delete;
  Executable &operator=(const Executable &) = delete;

private:
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileImpl(std::string_view text, GraphFormat format,
              const CompileOptions &options, const GradientOptions *gradient,
              const std::string &sourceName = "");
  static absl::StatusOr<std::shared_ptr<const Executable>>
  compileReferenceImpl(std::string_view text, GraphFormat format,
                       const CompileOptions &options,
                       const std::string &sourceName);
  explicit Executable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// The stages emitGraph() prints: "tl" (shapes specialized), then the
/// backend's ("linalg", "llvm-dialect", "llvm-ir", "asm" for the CPU).
std::vector<std::string> emitStages();
/// The graph prepared as compile() (or, with `gradient`, compileGradient())
/// prepares it, lowered to `stage` and printed: what `tl-jit --emit`
/// shows. Nothing is cached or loaded.
absl::StatusOr<std::string> emitGraph(std::string_view text, GraphFormat format,
                                      const CompileOptions &options,
                                      std::string_view stage,
                                      const GradientOptions *gradient = nullptr);
absl::StatusOr<std::string>
emitGraphFile(const std::string &path, const CompileOptions &options,
              std::string_view stage,
              const GradientOptions *gradient = nullptr);

} // namespace tl

#endif // TL_API_EXECUTABLE_H
