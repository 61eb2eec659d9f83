//===- Module.h - a compiled graph: its code and its signature --*- C++ -*-===//
//
// What the compiler produces and the runtime runs, in memory or as a .tlm
// file: native object code for one graph at fixed shapes, and a manifest
// (format version, compiler build, target CPU and features, the options
// that shaped the code, and the signature: every argument's binding to a
// caller's array or a constant, every result's name and shape). Loading
// checks the file's SHA-256, the format version, the runtime ABI and the
// CPU features before any code is linked (ObjectLoader.h).
//
// A loaded Module is immutable: run() may be called from many threads at
// once (each call builds its own memref descriptors; the generated code
// allocates its temporaries per call). No MLIR or LLVM dependency.
//
// File layout (little-endian):
//   "TLMODULE" | u32 format version | u32 0 | u64 manifest bytes M |
//   u64 object bytes O | manifest (text, M) | object (ELF, O) |
//   SHA-256 of everything before it (32 bytes)
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_MODULE_H
#define TL_RUNTIME_MODULE_H

#include "tl/Runtime/Buffer.h"
#include "tl/Runtime/SparseBuffer.h"

#include "absl/status/statusor.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tl::runtime {

class LoadedObject;
class GpuProgram;

/// The newest version of the .tlm layout and manifest this runtime reads;
/// it reads every version from kOldestModuleFormatVersion on, and writes
/// the oldest one that holds the module (moduleFormatVersion()).
/// 2: shapes may hold symbols (shape-generic code) and `link` lines.
/// 3: sparse layouts (`layout` lines) and results the code returns.
constexpr uint32_t kModuleFormatVersion = 3;
constexpr uint32_t kOldestModuleFormatVersion = 2;
/// The version of the entry points generated code calls (RuntimeABI.h).
/// 2: tl_rt_fixpoint_diverged. 3: tl_rt_closure_f32/f64. 4:
/// tl_rt_fixpoint_limit_reached. 5: tl_rt_linear_rule_f32/f64. A runtime
/// runs modules of every version up to its own.
constexpr uint32_t kRuntimeABIVersion = 5;

/// A dim of shape-generic code is a symbol, known only at run time: in a
/// signature's shapes, -(k + 1) stands for symbol k, and dims with the
/// same symbol must have the same size at each call (G11).
inline bool isSymbolDim(int64_t d) { return d < 0; }
inline int64_t symbolOf(int64_t d) { return -d - 1; }
inline int64_t symbolDim(int64_t k) { return -k - 1; }

/// How the code takes an argument or gives a result (the sparse route,
/// issue 19): dense as one memref descriptor; CSR as three 1-d ones
/// (positions, coordinates, values); DCSR as five (row positions, rows,
/// positions, coordinates, values). Index buffers hold int64.
enum class Layout { dense, csr, dcsr };
/// "dense", "csr" or "dcsr".
const char *layoutName(Layout layout);

/// One argument of the compiled function.
struct ArgBinding {
  std::string slot;               // the graph's name for it (tl.name)
  std::string caller;             // the caller's array that feeds it
  std::optional<double> constant; // a const_<number> slot's value
  std::vector<int64_t> shape;
  /// Shape-generic code: per dim, the op that ties it to another input's
  /// dim ("node 3 (Einsum ...)"), for the message when they differ; empty
  /// when static.
  std::vector<std::string> dimLinks;
  Layout layout = Layout::dense;
};

struct ResultInfo {
  std::string name;
  std::vector<int64_t> shape;
  Layout layout = Layout::dense;
};

/// Where an exposed intermediate value comes from, for messages.
struct IntermediateOrigin {
  std::string node; // "node 3 (ElemBinary divide)"
  std::string op;   // "tl.binary:divide"
};

enum class ResultKind { output, gradient, intermediate };

struct Signature {
  DType dtype = DType::f64;
  std::vector<ArgBinding> args;
  /// Outputs (G4), then, for an adjoint, one gradient per array, then
  /// the intermediates exposed for debugging.
  std::vector<ResultInfo> results;
  /// With exposed intermediates: where each of the last
  /// intermediates.size() results was computed.
  std::vector<IntermediateOrigin> intermediates;
  /// With the `profile` option: the node(s) each span id stands for, and
  /// the shapes of their values ("300x300xf64, 300x300xf64").
  std::vector<std::string> profileNodes;
  std::vector<std::string> profileShapes;
  /// The tl.fixpoint ops the code iterates ("'tl.fixpoint' op at
  /// closure.tle:2:1"), by the site a failure reports (CallStatus.h).
  std::vector<std::string> fixpointSites;
  /// The sparse route's code returns its results (dense ones as
  /// descriptors, sparse ones as their buffers, all in one struct the
  /// packed entry point stores through its last pointer; the code
  /// allocates them) instead of writing preallocated ones.
  bool returnsResults = false;

  /// Whether some dim is a symbol (shape-generic code).
  bool isGeneric() const;
  /// Whether some argument or result has a sparse layout.
  bool hasSparseLayouts() const;
  /// Value specialization: inputs (by the caller's name) the code relies
  /// on holding only 0 and 1; bind() refuses a call where one does not.
  std::vector<std::string> binaryInputs;
  /// Adjoints only: the forward outputs whose cotangents the call takes
  /// (bound as "cotangent:<name>"), and how many trailing results are
  /// gradients.
  bool isGradient = false;
  std::vector<ResultInfo> cotangents;
  size_t numGradients = 0;

  ResultKind resultKind(size_t i) const {
    size_t fromEnd = results.size() - i;
    if (fromEnd <= intermediates.size())
      return ResultKind::intermediate;
    return fromEnd <= intermediates.size() + numGradients
               ? ResultKind::gradient
               : ResultKind::output;
  }
};

struct ModuleManifest {
  uint32_t formatVersion = kModuleFormatVersion;
  uint32_t runtimeABI = kRuntimeABIVersion;
  /// "tl <build id>" of the compiler that wrote it.
  std::string compiler;
  std::string triple, cpu, features;
  /// The packed entry point: void entry(void **args).
  std::string entry;
  /// The options that shaped the code (key, value), and the parts of the
  /// compile cache key, for people and for --explain-cache.
  std::vector<std::pair<std::string, std::string>> options;
  /// SHA-256 of the object code.
  std::string objectHash;
  Signature signature;

  /// The value of option `key`, or "".
  std::string option(std::string_view key) const;
};

/// The format version a file holding `manifest` is written in: the
/// oldest that can hold it, so that older runtimes read dense modules.
uint32_t moduleFormatVersion(const ModuleManifest &manifest);

/// `results` with every sparse one in its dense form (RESOURCE_EXHAUSTED,
/// naming it, over the memory limit).
absl::StatusOr<std::vector<std::pair<std::string, Buffer>>>
denseResults(std::vector<std::pair<std::string, AnyBuffer>> results);

/// The name under which the cotangent of output `name` is bound.
std::string cotangentName(std::string_view outputName);

/// "2x3", "scalar" for 0-d; a symbol is "?".
std::string shapeString(const std::vector<int64_t> &shape);

/// The bytes of a module file.
std::string serializeModule(const ModuleManifest &manifest,
                            std::string_view object);
/// Checks and parses a module file; `what` names it in errors. The object
/// code is returned as a view into `bytes`.
absl::StatusOr<std::pair<ModuleManifest, std::string_view>>
parseModule(std::string_view bytes, std::string_view what);
/// Reads only the manifest of the file at `path` (no checksum check).
absl::StatusOr<ModuleManifest> peekManifest(const std::string &path);

/// Writes `bytes` to `path` atomically (a temporary file in the same
/// directory, then rename).
absl::Status writeFileAtomically(const std::string &path,
                                 std::string_view bytes);
absl::StatusOr<std::string> readFile(const std::string &path);

class Module {
public:
  /// Links `object` into this process. Fails, naming them, when this CPU
  /// lacks features the code was compiled for. A module whose manifest
  /// says backend=cuda holds a GPU launch plan (GpuPlan.h) instead: it is
  /// loaded onto device 0 through the CUDA driver, and fails, saying why,
  /// where there is no GPU.
  static absl::StatusOr<std::shared_ptr<const Module>>
  load(ModuleManifest manifest, std::string object);
  /// The same, except that code for another CPU (or a GPU module where
  /// there is no GPU) gives a module that can be saved but not run
  /// (runnable() says why): what a cross-compile makes.
  static absl::StatusOr<std::shared_ptr<const Module>>
  create(ModuleManifest manifest, std::string object);
  /// OK when the code is linked into this process; otherwise why not.
  const absl::Status &runnable() const { return loadStatus; }
  /// parseModule() then load().
  static absl::StatusOr<std::shared_ptr<const Module>>
  loadBytes(std::string_view bytes, std::string_view what);
  static absl::StatusOr<std::shared_ptr<const Module>>
  loadFile(const std::string &path);
  ~Module();

  /// The module file's bytes; save() writes them atomically.
  std::string serialize() const;
  absl::Status save(const std::string &path) const;

  const ModuleManifest &manifest() const { return info; }
  const Signature &signature() const { return info.signature; }
  DType dtype() const { return info.signature.dtype; }
  const std::string &objectCode() const { return object; }

  /// The arguments of one call, in order: the caller's buffers where they
  /// can be read in place, copies where not, and the constants.
  struct BoundArgs {
    std::vector<Buffer> copies; // what `args` may point into
    std::vector<const Buffer *> args;
    /// Every result's shape for these inputs.
    std::vector<std::vector<int64_t>> resultShapes;
  };
  /// Binds the caller's arrays by name (G3). An input of the other float
  /// type or with gaps is copied (G5); every other mismatch (a missing
  /// name, a shape the code was not compiled for, sizes that shape-generic
  /// code needs equal and that differ: G11) is an error.
  absl::StatusOr<BoundArgs>
  bind(const std::map<std::string, const Buffer *> &inputs) const;

  /// OK when `inputs` meet the value assumptions of the code
  /// (Signature::binaryInputs); otherwise which element breaks which.
  absl::Status
  checkAssumptions(const std::map<std::string, const Buffer *> &inputs) const;

  /// For an adjoint: adds to `inputs`, for each forward output, its
  /// cotangent from `cotangents` (by output name) or ones where absent
  /// (the gradient of the sum of the outputs); `storage` owns the ones. A
  /// cotangent naming no output, or of the wrong shape, is an error (G12).
  absl::Status
  addCotangents(const std::map<std::string, const Buffer *> &cotangents,
                std::map<std::string, const Buffer *> &inputs,
                std::deque<Buffer> &storage) const;

  /// bind(), then a call with freshly allocated results, named.
  absl::StatusOr<std::vector<std::pair<std::string, Buffer>>>
  run(const std::map<std::string, const Buffer *> &inputs) const;

  /// The same with inputs also given sparse (by name, in either map),
  /// results in the layouts the signature gives them. Code that takes an
  /// argument dense gets a sparse input densified (over the memory limit:
  /// RESOURCE_EXHAUSTED); code that takes it CSR or DCSR gets a dense
  /// input's nonzeros. Dense modules run as run() does.
  absl::StatusOr<std::vector<std::pair<std::string, AnyBuffer>>>
  run(const std::map<std::string, const Buffer *> &inputs,
      const std::map<std::string, const SparseBuffer *> &sparseInputs) const;

  /// Runs on buffers that match the signature exactly: one per argument
  /// (contiguous, of the compute type) and one preallocated per result.
  /// No checks beyond an assert; this is the hot path of a benchmark.
  /// Native code fails only where a fixpoint did not converge (the
  /// results then hold its last states); a GPU module's errors are the
  /// driver's (the call and CUDA's error name).
  absl::Status runUnchecked(const std::vector<const Buffer *> &args,
                            const std::vector<Buffer *> &results) const;

  /// One call's arguments as the code takes them (each buffer's memref
  /// descriptor: pointers, offset, sizes, strides), built once by pack()
  /// for a caller that runs the same buffers many times (a bound call):
  /// runPacked() then only calls the code. Valid while the buffers keep
  /// their storage and shapes; their contents may change between runs.
  struct PackedCall {
    PackedCall() = default;
    // Move-only: `pointers` point into `words`, which a move keeps in
    // place and a copy would not.
    PackedCall(PackedCall &&) = default;
    PackedCall &operator=(PackedCall &&) = default;
    PackedCall(const PackedCall &) = delete;
    PackedCall &operator=(const PackedCall &) = delete;

    std::vector<const Buffer *> args;
    std::vector<Buffer *> results;
    std::vector<int64_t> words;
    std::vector<void *> pointers;
    /// Built by the sparse call (SparseCall.cpp): the last pointer is the
    /// struct the code returns its results in. runPacked refuses a call
    /// to such code that is not.
    bool receivesResults = false;
  };
  PackedCall pack(const std::vector<const Buffer *> &args,
                  const std::vector<Buffer *> &results) const;
  absl::Status runPacked(const PackedCall &call) const;

  /// Whether the code runs on a GPU (the manifest's backend is cuda).
  bool onGpu() const { return isGpuManifest(info); }
  static bool isGpuManifest(const ModuleManifest &manifest);

  /// Result buffers of the right types and shapes, zero-filled. For
  /// shape-generic code the shapes depend on the inputs: the second form.
  std::vector<Buffer> allocateResults() const;
  std::vector<Buffer> allocateResults(const BoundArgs &bound) const;

private:
  Module() = default;
  static absl::StatusOr<std::shared_ptr<const Module>>
  createGpu(ModuleManifest manifest, std::string object);
  /// Fills `constants` from the signature's constant slots.
  void bindConstants();
  ModuleManifest info;
  std::string object;
  std::unique_ptr<LoadedObject> code;
  std::unique_ptr<GpuProgram> gpu;
  absl::Status loadStatus;
  void (*entry)(void **) = nullptr;
  /// 0-d buffers holding the constant slots' values, by argument position.
  std::vector<Buffer> constants;
};

} // namespace tl::runtime

#endif // TL_RUNTIME_MODULE_H
