//===- SourceFormat.cpp - which front end reads a graph -------------------===//

#include "tl/Target/SourceFormat.h"

#include "tl/Target/TensorEquations/TensorEquations.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

using namespace mlir::tl;

SourceFormat mlir::tl::detectSourceFormat(llvm::StringRef path,
                                          llvm::StringRef text) {
  if (isTensorEquationFile(path))
    return SourceFormat::tensorEquations;
  return isTensorLogicJSON(path, text) ? SourceFormat::tensorLogicJSON
                                       : SourceFormat::mlir;
}

llvm::StringRef mlir::tl::defaultSourceName(SourceFormat format) {
  switch (format) {
  case SourceFormat::mlir:
    return "<mlir>";
  case SourceFormat::tensorLogicJSON:
    return "<json>";
  case SourceFormat::tensorEquations:
    return "<equations>";
  }
  return "<graph>";
}
