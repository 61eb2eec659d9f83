//===- SourceFormat.h - the API's graph formats and the driver's -*- C++
//-*-===//
//
// The public GraphFormat (no MLIR in the API's headers) mapped to the
// front end that reads it, in one place.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_API_SOURCEFORMAT_H
#define TL_LIB_API_SOURCEFORMAT_H

#include "tl/API/Executable.h"
#include "tl/Target/SourceFormat.h"

namespace tl {

/// For a resolved format (not kAuto).
inline mlir::tl::SourceFormat toSourceFormat(GraphFormat format) {
  switch (format) {
  case GraphFormat::kTensorLogicJSON:
    return mlir::tl::SourceFormat::tensorLogicJSON;
  case GraphFormat::kTensorEquations:
    return mlir::tl::SourceFormat::tensorEquations;
  case GraphFormat::kAuto:
  case GraphFormat::kMLIR:
    break;
  }
  return mlir::tl::SourceFormat::mlir;
}

inline GraphFormat fromSourceFormat(mlir::tl::SourceFormat format) {
  switch (format) {
  case mlir::tl::SourceFormat::tensorLogicJSON:
    return GraphFormat::kTensorLogicJSON;
  case mlir::tl::SourceFormat::tensorEquations:
    return GraphFormat::kTensorEquations;
  case mlir::tl::SourceFormat::mlir:
    break;
  }
  return GraphFormat::kMLIR;
}

} // namespace tl

#endif // TL_LIB_API_SOURCEFORMAT_H
