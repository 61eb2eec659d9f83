//===- tl-translate.cpp - import and export of TensorLogic graphs ----------===//

#include "tl/Driver/BuildId.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::tl::registerTensorLogicTranslations();
  mlir::tl::setVersionPrinter("tl-translate");
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "tl translation driver\n"));
}
