//===- tl-compile.cpp - compile a TensorLogic graph into a module file ----===//
//
//   tl-compile GRAPH.json|GRAPH.mlir|PROGRAM.tle (--inputs=IN.npz | --input-shape=NAME=2x3
//              ...) [--dtype=f64|f32] [--mcpu=CPU] [--mattr=+f,..] [-O N]
//              [--target=cpu|cuda [--gpu-arch=sm_90] [--gpu-format=ptx|cubin]]
//              [--function=NAME] [--grad=NAME,.. [--with-outputs]] [--profile]
//              [--no-cache] [--cache-dir=DIR] -o OUT.tlm
//
// Writes one .tlm file (object code and manifest, tl/Runtime/Module.h) that
// tl-run loads on any machine with the CPU features it was compiled for,
// without LLVM or MLIR; with --target=cuda, kernels (PTX or cubin) and a
// launch plan that tl-run runs on an NVIDIA GPU (compiling needs no GPU). Shapes come from the arrays of --inputs or from
// --input-shape; inputs bind by name (G3) as in tl-jit. Compiles through
// the library (tl::Executable), the same way in as every other path.
// Exit status: 0 success, 1 a graph or compile error, 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Driver/BuildId.h"
#include "tl/IO/Inputs.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory category("tl-compile options");
static cl::opt<std::string> graphPath(cl::Positional, cl::Required,
                                      cl::desc("<graph.json | graph.mlir | program.tle>"),
                                      cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::Required,
                                       cl::desc("The module file to write"),
                                       cl::value_desc("out.tlm"),
                                       cl::cat(category));
static cl::opt<std::string>
    inputsPath("inputs",
               cl::desc("Take the input shapes from the arrays of this .npz"),
               cl::value_desc("in.npz"), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("An input's shape, NAME=2x3 (? for a size known only at run "
             "time: shape-generic code; NAME= or NAME=scalar for 0-d); "
             "repeatable, and overrides --inputs"),
    cl::value_desc("name=dims"), cl::cat(category));
enum class DTypeOpt { f64, f32 };
static cl::opt<DTypeOpt>
    dtype("dtype", cl::desc("The element type of every tensor (G5)"),
          cl::values(clEnumValN(DTypeOpt::f64, "f64", "double (default)"),
                     clEnumValN(DTypeOpt::f32, "f32", "float")),
          cl::init(DTypeOpt::f64), cl::cat(category));
static cl::opt<std::string> functionName(
    "function", cl::desc("The function of an MLIR file to compile"),
    cl::init("main"), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::init(3), cl::Prefix, cl::cat(category));
static cl::opt<std::string>
    mcpu("mcpu", cl::desc("Target CPU (default: this machine's)"),
         cl::cat(category));
static cl::opt<std::string>
    mattr("mattr", cl::desc("Target features, e.g. +avx2,-avx512f"),
          cl::cat(category));
static cl::opt<std::string> target(
    "target",
    cl::desc("Where the module runs: cpu (default), or cuda (an NVIDIA GPU)"),
    cl::init("cpu"), cl::cat(category));
static cl::opt<std::string> gpuArch(
    "gpu-arch", cl::desc("--target=cuda: the NVIDIA architecture"),
    cl::init("sm_90"), cl::cat(category));
static cl::opt<std::string> gpuFormat(
    "gpu-format",
    cl::desc("--target=cuda: ptx (compiled by the driver at load) or cubin "
             "(by the toolkit's ptxas now); default cubin where ptxas exists"),
    cl::cat(category));
static cl::opt<int> threads(
    "num-threads",
    cl::desc("Threads the code is chunked for (0: the machine's, 1: serial)"),
    cl::init(0), cl::cat(category));
static cl::list<std::string> gradNames(
    "grad", cl::CommaSeparated,
    cl::desc("Compile the adjoint with respect to these arrays (G12)"),
    cl::value_desc("name,..."), cl::cat(category));
static cl::opt<bool> withOutputs(
    "with-outputs", cl::desc("With --grad: return the outputs too"),
    cl::cat(category));
static cl::opt<bool> profile(
    "profile", cl::desc("Instrument each node for tl-run --profile"),
    cl::cat(category));
static cl::opt<bool> noCache("no-cache",
                             cl::desc("Compile without the compile cache"),
                             cl::cat(category));
static cl::opt<std::string> cacheDir(
    "cache-dir", cl::desc("The compile cache's directory"),
    cl::value_desc("dir"), cl::cat(category));

static int fail(const llvm::Twine &msg, int status = 1) {
  llvm::WithColor::error(llvm::errs(), "tl-compile") << msg << "\n";
  return status;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  mlir::tl::setVersionPrinter("tl-compile");
  cl::ParseCommandLineOptions(
      argc, argv,
      "tl-compile: compile a TensorLogic graph into a module file for tl-run\n");
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) + " is out of range (0-3)", 2);

  tl::CompileOptions options;
  options.dtype = dtype == DTypeOpt::f32 ? tl::DType::f32 : tl::DType::f64;
  options.function = functionName;
  options.optLevel = optLevel;
  options.cpu = mcpu;
  options.features = mattr;
  options.threads = threads;
  options.device = target;
  options.gpuArch = gpuArch;
  options.gpuFormat = gpuFormat;
  options.profile = profile;
  options.cache = !noCache;
  options.cacheDir = cacheDir;
  if (!inputsPath.empty()) {
    auto arrays = tl::io::readInputArchive(inputsPath.getValue());
    if (!arrays.ok())
      return fail(std::string(arrays.status().message()));
    for (const auto &[name, array] : *arrays)
      options.inputShapes[name] = array.shape;
  }
  for (const std::string &spec : inputShapes) {
    auto parsed = tl::parseShapeSpec(spec);
    if (!parsed.ok())
      return fail("--input-shape=" + std::string(parsed.status().message()),
                  2);
    options.inputShapes[parsed->first] = parsed->second;
  }

  absl::StatusOr<std::shared_ptr<const tl::Executable>> exe;
  if (gradNames.empty()) {
    exe = tl::Executable::compileFile(graphPath, options);
  } else {
    tl::GradientOptions gradient;
    gradient.wrt.assign(gradNames.begin(), gradNames.end());
    gradient.withOutputs = withOutputs;
    exe = tl::Executable::compileGradientFile(graphPath, options, gradient);
  }
  if (!exe.ok())
    return fail(std::string(exe.status().message()));
  if (absl::Status s = (*exe)->save(outputPath); !s.ok())
    return fail(std::string(s.message()));
  return 0;
}
