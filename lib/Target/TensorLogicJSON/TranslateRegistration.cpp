//===- TranslateRegistration.cpp - tl-translate's translations -------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"
#include "tl/Target/SourceFormat.h"
#include "tl/Target/TensorEquations/TensorEquations.h"

#include "tl/Dialect/TL/IR/ParseSource.h"
#include "tl/Dialect/TL/IR/TLDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {
enum class ElementType { f64, f32 };
} // namespace

static llvm::cl::opt<ElementType> elementType(
    "tl-element-type",
    llvm::cl::desc("Element type of imported TensorLogic graphs (G5)"),
    llvm::cl::values(clEnumValN(ElementType::f64, "f64", "64-bit floats (default)"),
                     clEnumValN(ElementType::f32, "f32", "32-bit floats")),
    llvm::cl::init(ElementType::f64));

/// The options of a JSON import from tl-translate's flags.
static tl::ImportOptions importOptions(const llvm::MemoryBuffer &buffer) {
  tl::ImportOptions options;
  options.useF32 = elementType == ElementType::f32;
  options.sourceName = buffer.getBufferIdentifier().str();
  return options;
}

/// The options of a tensor-equation import from tl-translate's flags.
static tl::TensorEquationOptions
equationOptions(const llvm::MemoryBuffer &buffer) {
  tl::TensorEquationOptions options;
  options.useF32 = elementType == ElementType::f32;
  options.sourceName = buffer.getBufferIdentifier().str();
  return options;
}

/// The graph of tl-translate's input in any format (detectSourceFormat),
/// verified; null after a diagnostic.
static OwningOpRef<ModuleOp> readGraph(llvm::SourceMgr &sourceMgr,
                                       MLIRContext *ctx) {
  DialectRegistry registry;
  registry.insert<tl::TLDialect, func::FuncDialect>();
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();
  const llvm::MemoryBuffer *buf =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OwningOpRef<ModuleOp> module;
  switch (tl::detectSourceFormat(buf->getBufferIdentifier(),
                                 buf->getBuffer())) {
  case tl::SourceFormat::tensorEquations:
    module = tl::importTensorEquations(buf->getBuffer(), ctx,
                                       equationOptions(*buf));
    break;
  case tl::SourceFormat::tensorLogicJSON:
    module =
        tl::importTensorLogicJSON(buf->getBuffer(), ctx, importOptions(*buf));
    break;
  case tl::SourceFormat::mlir:
    module = tl::parseTLSourceFile(sourceMgr, ctx);
    break;
  }
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
}

void mlir::tl::registerTensorLogicTranslations() {
  static TranslateToMLIRRegistration importJson(
      "import-tensorlogic-json", "Import a TensorLogic EinsumGraph (JSON)",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        OwningOpRef<ModuleOp> module =
            importTensorLogicJSON(buf->getBuffer(), ctx, importOptions(*buf));
        return OwningOpRef<Operation *>(module.release());
      });
  static TranslateToMLIRRegistration importEquations(
      "import-tensor-equations",
      "Import a Tensor Logic program (.tle, one equation per line)",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return OwningOpRef<Operation *>(
            importTensorEquations(buf->getBuffer(), ctx, equationOptions(*buf))
                .release());
      });
  // The exports read tl MLIR or, as every tool does, TensorLogic JSON and
  // tensor-equation programs.
  static TranslateRegistration exportJson(
      "export-tensorlogic-json",
      "Export a tl function (or a JSON graph, normalized) as EinsumGraph JSON",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *ctx) -> LogicalResult {
        OwningOpRef<ModuleOp> module = readGraph(*sourceMgr, ctx);
        return success(module && succeeded(exportTensorLogicJSON(*module, os)));
      });
  static TranslateRegistration exportDot(
      "export-dot", "Draw a tl function (or a JSON graph) as a Graphviz graph",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *ctx) -> LogicalResult {
        OwningOpRef<ModuleOp> module = readGraph(*sourceMgr, ctx);
        return success(module && succeeded(tl::exportDot(*module, os)));
      });
}
