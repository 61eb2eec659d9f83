//===- tl-opt.cpp - the tl optimizer driver --------------------------------===//
//
// mlir-opt with the tl dialect, the compiler's dialects and passes: every
// --mlir-* flag, --pass-pipeline, --split-input-file and
// --verify-diagnostics work as users of mlir-opt expect.
//
//===----------------------------------------------------------------------===//

#include "tl/Driver/BuildId.h"
#include "tl/InitTL.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::tl::registerTLCompilerDialects(registry);
  mlir::tl::registerTLCompilerPasses();
  mlir::tl::setVersionPrinter("tl-opt");
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tl optimizer driver\n", registry));
}
