//===- FixpointLoops.h - tl.fixpoint as an scf.while ------------*- C++ -*-===//

#ifndef TL_LIB_CONVERSION_TLTOLINALG_FIXPOINTLOOPS_H
#define TL_LIB_CONVERSION_TLTOLINALG_FIXPOINTLOOPS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tl {

/// Rewrites every tl.fixpoint of `func` (inner ones first) into an
/// scf.while on tensors whose before-region runs the body, measures the
/// largest change and decides whether to go on; the tl ops of the body stay
/// for the conversion that follows. A loop that stops at max_iterations
/// still changing is followed by tl.no_fixpoint.
void lowerFixpointsToLoops(func::FuncOp func);

} // namespace mlir::tl

#endif // TL_LIB_CONVERSION_TLTOLINALG_FIXPOINTLOOPS_H
