//===- tl-jit.cpp - run a TensorLogic graph --------------------------------===//
//
//   tl-jit GRAPH.json|GRAPH.mlir --inputs=IN.npz [--output=OUT.npz]
//          [--dtype=f64|f32] [--print] [--function=NAME]
//
// Inputs bind by name (G3); every output is written under its slot name
// (G4). Until the JIT lands, graphs run on the reference evaluator.
// Exit status: 0 success, 1 a graph or run error, 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "tl/Driver/GraphRunner.h"
#include "tl/IO/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("tl-jit options");
static cl::opt<std::string> graphPath(cl::Positional, cl::Required,
                                      cl::desc("<graph.json | graph.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string> inputsPath(
    "inputs", cl::desc("An .npz file whose arrays bind to the graph's inputs "
                       "by name"),
    cl::value_desc("file.npz"), cl::cat(category));
static cl::opt<std::string> outputPath(
    "output", cl::desc("Write every output, keyed by slot name, to this .npz"),
    cl::value_desc("file.npz"), cl::cat(category));
namespace {
enum class DTypeOpt { f64, f32 };
}
static cl::opt<DTypeOpt> dtype(
    "dtype", cl::desc("Element type to compute in (G5)"),
    cl::values(clEnumValN(DTypeOpt::f64, "f64", "64-bit floats (default)"),
               clEnumValN(DTypeOpt::f32, "f32", "32-bit floats")),
    cl::init(DTypeOpt::f64), cl::cat(category));
static cl::opt<bool> print("print",
                           cl::desc("Print every output (the default when "
                                    "no --output is given)"),
                           cl::cat(category));
static cl::opt<std::string> functionName(
    "function", cl::desc("The function of an MLIR file to run"),
    cl::init("main"), cl::cat(category));
static cl::opt<unsigned> printLimit(
    "output_max_element_count",
    cl::desc("Print at most this many elements of each output"),
    cl::init(1024), cl::cat(category));

static int fail(const llvm::Twine &msg, int status = 1) {
  llvm::WithColor::error(llvm::errs(), "tl-jit") << msg << "\n";
  return status;
}

/// IREE's layout: "result[i]: NAME" then "2x3xf64=[1 2 3][4 5 6]";
/// a vector prints as "3xf64=1 2 3".
static void printArray(size_t index, const std::string &name,
                       const mlir::tl::io::Array &array) {
  llvm::outs() << "result[" << index << "]: " << name << "\n";
  for (int64_t d : array.shape)
    llvm::outs() << d << "x";
  llvm::outs() << (array.dtype == mlir::tl::io::DType::f32 ? "f32" : "f64") << "=";
  std::vector<double> values = array.toDoubles();
  size_t rank = array.shape.size();
  std::vector<int64_t> idx(rank, 0);
  int64_t n = static_cast<int64_t>(values.size());
  int64_t shown = std::min<int64_t>(n, printLimit);
  if (rank == 0) {
    llvm::outs() << llvm::format("%g", values[0]) << "\n";
    return;
  }
  for (int64_t i = 0; i < shown; ++i) {
    // Open a bracket for every inner dimension whose index just became 0
    // (IREE leaves the outermost level bare: 2x2xf64=[1 2][3 4]).
    for (size_t d = 1; d < rank; ++d)
      if (std::all_of(idx.begin() + d, idx.end(),
                      [](int64_t v) { return v == 0; }))
        llvm::outs() << "[";
    if (idx[rank - 1] != 0 || (rank == 1 && i > 0))
      llvm::outs() << " ";
    llvm::outs() << llvm::format("%g", values[i]);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < array.shape[d])
        break;
      idx[d] = 0;
      if (d > 0)
        llvm::outs() << "]";
    }
  }
  if (shown < n)
    llvm::outs() << "...";
  llvm::outs() << "\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(argc, argv, "tl-jit: run a TensorLogic "
                                               "graph\n",
                                   &llvm::errs()))
    return 2;

  mlir::tl::io::NamedArrays inputs;
  if (!inputsPath.empty()) {
    auto read = mlir::tl::io::readNpz(inputsPath);
    if (!read)
      return fail(llvm::toString(read.takeError()));
    inputs = std::move(*read);
  }

  MLIRContext context;
  mlir::tl::GraphRunner runner(&context);
  mlir::tl::RunOptions options;
  options.useF32 = dtype == DTypeOpt::f32;
  options.dtypeGiven = dtype.getNumOccurrences() > 0;
  options.functionName = functionName;
  if (llvm::Error e = runner.load(graphPath, inputs, options))
    return fail(llvm::toString(std::move(e)));
  auto outputs = runner.run(inputs);
  if (!outputs)
    return fail(llvm::toString(outputs.takeError()));

  if (print || outputPath.empty())
    for (auto [i, named] : llvm::enumerate(*outputs))
      printArray(i, named.first, named.second);
  if (!outputPath.empty())
    if (llvm::Error e = mlir::tl::io::writeNpz(outputPath, *outputs))
      return fail(llvm::toString(std::move(e)));
  return 0;
}
