//===- Evaluator.h - the reference interpreter of the tl dialect -*- C++ -*-===//
//
// A plain, obviously-correct interpreter: every op is a loop nest over its
// output, with no fusion, reordering or vectorization. It is the oracle of
// the tests and the fallback of the recovery path; keep it simple, not fast.
//
// Values are computed in the function's element type (f64 or f32) so that
// f32 graphs round the way f32 arithmetic does; they are stored widened to
// double.
//
//===----------------------------------------------------------------------===//

#ifndef TL_REFERENCE_EVALUATOR_H
#define TL_REFERENCE_EVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace mlir::tl::reference {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data; // row-major

  int64_t numElements() const;
};

/// Runs `func`, whose shapes must all be static (tl-specialize-shapes), on
/// `args` (one per argument, in order, of the argument's shape). Returns
/// one tensor per result.
llvm::Expected<std::vector<Tensor>> evaluate(func::FuncOp func,
                                             llvm::ArrayRef<Tensor> args);

} // namespace mlir::tl::reference

#endif // TL_REFERENCE_EVALUATOR_H
