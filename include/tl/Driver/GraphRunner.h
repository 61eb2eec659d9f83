//===- GraphRunner.h - load, bind, lower and compile a graph ----*- C++ -*-===//
//
// What tl-jit and the library do, one step per method: load a TensorLogic
// JSON graph or a tl MLIR file, bind its arguments to the caller's names
// (G3, G5) and shapes, lower it through the shared pipelines to any stage,
// and either evaluate it with the reference interpreter or JIT-compile it.
// Errors come back as llvm::Error; MLIR diagnostics raised on the way are
// collected into the error's message.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_GRAPHRUNNER_H
#define TL_DRIVER_GRAPHRUNNER_H

#include "tl/Driver/CompileCache.h"
#include "tl/Driver/CompiledGraph.h"
#include "tl/Driver/GradientOptions.h"
#include "tl/Runtime/Reports.h"
#include "tl/ExecutionEngine/JitModule.h"
#include "tl/Pipelines/Pipelines.h"
#include "tl/Target/SourceFormat.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <deque>
#include <map>
#include <optional>

namespace mlir::tl {

struct RunOptions {
  bool useF32 = false;
  /// Whether the dtype was asked for explicitly (an MLIR file must then
  /// have that element type).
  bool dtypeGiven = false;
  std::string functionName = "main";
  /// An input array that binds no argument is an error (G3), not a
  /// warning.
  bool strictInputs = false;
};

/// One step of loading and compiling, on the profiler's clock
/// (tl::runtime::profilerNowUs), for --profile and --trace.
using CompilePhase = runtime::Phase;


/// The name under which the cotangent of output `name` is bound.
std::string cotangentName(llvm::StringRef outputName);

/// The options that change generated code, as (key, value) pairs for a
/// module's manifest and the compile cache key.
std::vector<std::pair<std::string, std::string>>
describeCodegenOptions(const TLCpuPipelineOptions &pipeline,
                       const JitOptions &jit);

/// How far to lower: tl on static shapes, linalg on tensors, LLVM dialect.
enum class Stage { tl, linalg, llvm };

class GraphRunner {
public:
  explicit GraphRunner(MLIRContext *context) : context(context) {}

  /// Loads `path` in its format (detectSourceFormat). JSON imports with
  /// `callerNames` so binding happens at import.
  llvm::Error load(llvm::StringRef path,
                   const std::vector<std::string> &callerNames,
                   const RunOptions &options);
  /// The same from text; `sourceName` appears in messages.
  llvm::Error loadBuffer(llvm::StringRef text, SourceFormat format,
                         llvm::StringRef sourceName,
                         const std::vector<std::string> &callerNames,
                         const RunOptions &options);

  /// Binds every argument to a caller's array (by G3 name) or a constant
  /// slot, records the shapes as tl.input_shapes and drops the other
  /// functions. Fails, naming the argument, when one is unbound.
  llvm::Error bind(const std::map<std::string, std::vector<int64_t>> &shapes);

  /// After bind(): replaces the function with its adjoint (tl-differentiate)
  /// taking one cotangent per output (bound as cotangentName(output)) and
  /// returning one gradient per array in `wrt`, named by the caller's
  /// name; an array bound to several slots gets the sum (G12). The
  /// forward function's sizes are checked (G11) as specialize() checks
  /// them, with the same `inputDensities` (relations stored sparse are
  /// sized by their nonzeros).
  llvm::Error differentiate(const GradientOptions &gradient,
                            const std::vector<std::string> &inputDensities = {},
                            double sparseThreshold = 0.05);

  /// After bind() (and differentiate(), if any): specializes shapes and
  /// appends every value an op computes to the function's results (after
  /// the outputs and gradients, in program order, named by the slot it
  /// writes: "temp_3", "temp_3#2" for a slot's second write, "value<N>"
  /// for ops of MLIR input; tl-expose-intermediates) and records where
  /// each comes from in the signature. Every value is then materialized,
  /// so fusion is limited: for debugging only.
  llvm::Error exposeIntermediates();

  /// Lowers the bound module in place through the shared pipelines.
  llvm::Error lower(Stage stage, const TLCpuPipelineOptions &options);

  /// Binds, lowers to tl and evaluates with the reference interpreter.
  llvm::Expected<NamedBuffers>
  runReference(const std::map<std::string, const runtime::Buffer *> &inputs);

  /// After bind() (and differentiate()): specializes the shapes (tl on
  /// static shapes, what the compile cache hashes) and checks the values'
  /// sizes (G11), those the sparse route stores sparse by their expected
  /// nonzeros when `inputDensities` ("name=D") are given. Idempotent.
  llvm::Error specialize(const std::vector<std::string> &inputDensities = {},
                         double sparseThreshold = 0.05);

  /// After specialize(): marks the arguments bound to `callers` as 0/1
  /// (tl.values), runs tl-boolean-joins, and records in the signature the
  /// inputs a rewrite relied on (the marks are then removed, so the IR is
  /// unchanged when none did).
  llvm::Error assumeBinary(const std::vector<std::string> &callers);

  /// After bind() (and differentiate()): lowers to LLVM, emits object code
  /// and loads it through the runtime. The module's manifest records the
  /// code generation options and `extra` (key, value) pairs.
  llvm::Expected<std::shared_ptr<const CompiledGraph>>
  compile(const TLCpuPipelineOptions &pipeline, const JitOptions &jit,
          std::vector<std::pair<std::string, std::string>> extra = {});

  /// After bind() (and differentiate()): specializes the shapes, records
  /// the results in the signature and lowers through the GPU pipeline
  /// (the module then holds the host function of launches and one
  /// gpu.binary per kernel).
  llvm::Error lowerForGpu(const TLGpuPipelineOptions &options);
  ModuleOp getModule() { return module.get(); }
  /// The bound function's name.
  llvm::StringRef getEntryName() const { return entryName; }
  /// The binding done by bind() (and extended by differentiate()).
  const GraphSignature &getSignature() const { return signature; }
  /// The phases timed so far, in order.
  const std::vector<CompilePhase> &getPhases() const { return phases; }
  /// What bind() found suspicious but not wrong: input arrays that bind no
  /// argument (with the nearest argument's name).
  const std::vector<std::string> &getWarnings() const { return warnings; }
  /// After differentiate(): the forward outputs, whose cotangents the
  /// adjoint takes.
  const std::vector<ResultInfo> &getCotangents() const { return cotangents; }
  func::FuncOp getFunction();

private:
  llvm::Error finishLoad(llvm::StringRef sourceName);
  llvm::Error runPipeline(llvm::function_ref<void(OpPassManager &)> populate,
                          llvm::StringRef what);
  /// Result names and shapes, read once shapes are static (a dynamic dim
  /// by its symbol).
  llvm::Error recordResults();
  /// The sparse route: each argument's and result's layout from its type
  /// once the values are sparse_tensor typed.
  llvm::Error recordLayouts();
  /// After specialization: the arguments' symbols and their links
  /// (tl-specialize-shapes' tl.dims, tl.dim_links) into the signature.
  llvm::Error readSymbols();
  /// Fails, naming the first input with an unknown size, for `what`.
  llvm::Error requireStaticShapes(llvm::StringRef what);

  MLIRContext *context;
  RunOptions options;
  OwningOpRef<ModuleOp> module;
  Stage stage = Stage::tl;
  bool lowered = false;
  bool specialized = false;
  GraphSignature signature;
  std::string entryName; // the bound function (it is an llvm.func later)
  std::vector<ResultInfo> cotangents;
  std::vector<CompilePhase> phases;
  std::vector<std::string> warnings;
};

/// The choices that shape generated code, as plain values. The pipeline's
/// options are built from these and the target in one place
/// (buildPipelineOptions).
struct CodegenOptions {
  bool vectorize = true;
  /// Threads the code is chunked for: 0 = the target's, 1 = serial.
  int64_t threads = 0;
  bool onednn = true;
  bool blas = true;
  bool approximateExp = true;
  bool profile = false;
  bool semiNaive = true;
  /// A folder of tuning records to follow (TuningRecords.h); "" for none.
  std::string tuningRecords;
  /// The cuda backend: the NVIDIA architecture, and the device code's
  /// form ("isa": PTX; "bin": cubin; "": cubin where the toolkit's ptxas
  /// exists, else PTX that the driver compiles at load).
  std::string gpuArch = "sm_90";
  std::string gpuFormat;
  /// The sparse route (issue 19): the measured density of inputs (by the
  /// caller's name; 1 where absent), and the density at or under which a
  /// value is stored sparse. No densities: the dense pipeline.
  std::map<std::string, double> inputDensities;
  double sparseThreshold = 0.05;
};

/// The CPU pipeline's options for `codegen` on `target`.
void buildPipelineOptions(const CodegenOptions &codegen,
                          const TargetDescription &target,
                          TLCpuPipelineOptions &pipeline);
/// `codegen`'s input densities as the pipelines' input-densities entries
/// ("name=D").
std::vector<std::string> densityEntries(const CodegenOptions &codegen);

/// What compileGraph() compiles: a graph's text, how to bind it, and the
/// options of every stage.
struct CompileRequest {
  llvm::StringRef text;
  SourceFormat format = SourceFormat::mlir;
  /// Names the graph in messages.
  llvm::StringRef sourceName = "<graph>";
  RunOptions run;
  /// Every input array's shape by the caller's name (G3).
  std::map<std::string, std::vector<int64_t>> shapes;
  /// Compile the adjoint (G12) instead of the graph.
  std::optional<GradientOptions> gradient;
  /// Return every intermediate value after the results, for debugging
  /// (GraphRunner::exposeIntermediates).
  bool exposeIntermediates = false;
  /// Which code generator (Backend.h): "cpu" or "cuda".
  std::string backend = "cpu";
  CodegenOptions codegen;
  JitOptions jit;
  CacheSettings cache;
  /// A cache miss returns no module instead of compiling (the tiered JIT
  /// loading what an earlier process specialized).
  bool onlyIfCached = false;
  /// Value specialization: inputs (by the caller's name) that hold only 0
  /// and 1 (a value profile); code may rely on it (tl-boolean-joins), and
  /// the module then checks it at each call.
  std::vector<std::string> binaryInputs;
};

struct CompileResult {
  std::shared_ptr<const CompiledGraph> module;
  CacheReport cache;
  /// GraphRunner::getWarnings().
  std::vector<std::string> warnings;
  /// The phases timed (import, specialization, pipeline, LLVM, load).
  std::vector<CompilePhase> phases;
};

/// The one way from a graph to runnable code, for the library and every
/// tool: import, bind, differentiate (if asked), specialize shapes, look
/// the result up in the compile cache, and on a miss lower through the CPU
/// pipeline, emit object code, load it and store it in the cache.
llvm::Expected<CompileResult> compileGraph(const CompileRequest &request);

/// The stages emitGraph() prints for a backend: "tl" (specialized shapes),
/// then the backend's own.
std::vector<std::string> emitStages(llvm::StringRef backend = "cpu");
/// `request`'s graph prepared as compileGraph() prepares it, lowered to
/// `stage` and printed (never cached).
llvm::Expected<std::string> emitGraph(const CompileRequest &request,
                                      llvm::StringRef stage);

} // namespace mlir::tl

#endif // TL_DRIVER_GRAPHRUNNER_H
