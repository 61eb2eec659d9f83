//===- TranslateRegistration.cpp - tl-translate's translations -------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "tl/Dialect/TL/IR/TLDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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

void mlir::tl::registerTensorLogicTranslations() {
  static TranslateToMLIRRegistration importJson(
      "import-tensorlogic-json", "Import a TensorLogic EinsumGraph (JSON)",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ImportOptions options;
        options.useF32 = elementType == ElementType::f32;
        options.sourceName = buf->getBufferIdentifier().str();
        OwningOpRef<ModuleOp> module =
            importTensorLogicJSON(buf->getBuffer(), ctx, options);
        return OwningOpRef<Operation *>(module.release());
      });
  auto dialects = [](DialectRegistry &registry) {
    registry.insert<tl::TLDialect, func::FuncDialect>();
  };
  static TranslateFromMLIRRegistration exportJson(
      "export-tensorlogic-json", "Export a tl function as EinsumGraph JSON",
      [](Operation *op, llvm::raw_ostream &os) {
        return exportTensorLogicJSON(op, os);
      },
      dialects);
  static TranslateFromMLIRRegistration exportDot(
      "export-dot", "Draw a tl function as a Graphviz graph",
      [](Operation *op, llvm::raw_ostream &os) { return tl::exportDot(op, os); },
      dialects);
}
