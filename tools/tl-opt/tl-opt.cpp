//===- tl-opt.cpp - the tl optimizer driver --------------------------------===//
//
// mlir-opt with the tl dialect, the compiler's dialects and passes: every
// --mlir-* flag, --pass-pipeline, --split-input-file and
// --verify-diagnostics work as users of mlir-opt expect. A TensorLogic
// JSON graph (by its extension, or text starting with '{') is imported
// first, as tl-translate --import-tensorlogic-json would.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ParseSource.h"
#include "tl/Driver/BuildId.h"
#include "tl/Driver/GraphRunner.h"
#include "tl/InitTL.h"
#include "tl/Target/SourceFormat.h"
#include "tl/Target/TensorEquations/TensorEquations.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::tl::registerTLCompilerDialects(registry);
  mlir::tl::registerTLCompilerPasses();
  mlir::tl::setVersionPrinter("tl-opt");
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "tl optimizer driver\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::WithColor::error(llvm::errs(), "tl-opt") << error << "\n";
    return 1;
  }
  mlir::tl::SourceFormat format = mlir::tl::detectSourceFormat(
      inputFilename == "-" ? "" : inputFilename, input->getBuffer());
  if (format != mlir::tl::SourceFormat::mlir) {
    // A graph in another format is imported, then optimized as MLIR.
    mlir::MLIRContext context;
    std::string sourceName = inputFilename == "-" ? "<stdin>" : inputFilename;
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (format == mlir::tl::SourceFormat::tensorEquations) {
      mlir::tl::TensorEquationOptions options;
      options.sourceName = sourceName;
      module = mlir::tl::importTensorEquations(input->getBuffer(), &context,
                                               options);
    } else {
      mlir::tl::ImportOptions options;
      options.sourceName = sourceName;
      module = mlir::tl::importTensorLogicJSON(input->getBuffer(), &context,
                                               options);
    }
    if (!module)
      return 1; // the importer reported the error
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
    input = llvm::MemoryBuffer::getMemBufferCopy(text, inputFilename);
  } else {
    // Text that MLIR 19's parser would crash on is refused first.
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBuffer(input->getMemBufferRef(), false),
        llvm::SMLoc());
    mlir::MLIRContext context;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    if (mlir::failed(mlir::tl::checkKnownParserCrashes(sourceMgr, &context)))
      return 1;
  }
  auto output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "tl-opt") << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry,
                                     config)))
    return 1;
  output->keep();
  return 0;
}
