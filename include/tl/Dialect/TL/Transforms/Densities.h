//===- Densities.h - expected densities of a function's values --*- C++ -*-===//
//
// The one estimate of how many of a value's elements are nonzero, from the
// inputs' measured densities forward through SparsityOpInterface. Read by
// tl-assign-sparsity (which values are stored sparse) and tl-check-sizes
// (how much memory a sparse value needs).
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_TRANSFORMS_DENSITIES_H
#define TL_DIALECT_TL_TRANSFORMS_DENSITIES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::tl {

/// Parses `entries` ("name=D", 0 <= D <= 1). On a malformed entry, emits
/// an error on `func` prefixed by `pass` and fails.
FailureOr<llvm::StringMap<double>>
parseInputDensities(func::FuncOp func, llvm::StringRef pass,
                    const std::vector<std::string> &entries);

/// The density measured for argument `index` of `func`: `given` by its
/// tl.name (a slot "edge[ab]" also takes the entry for "edge"), else its
/// tl.density attribute; none for an array given dense.
std::optional<double> measuredDensity(func::FuncOp func, unsigned index,
                                      const llvm::StringMap<double> &given);
/// measuredDensity, else 1.
double argumentDensity(func::FuncOp func, unsigned index,
                       const llvm::StringMap<double> &given);

/// The expected density of every argument and of the result of every op
/// with SparsityOpInterface (in program order; a value not in the map is
/// dense). `visit` sees each op's estimate as it is made.
llvm::DenseMap<Value, double> estimateDensities(
    func::FuncOp func, const llvm::StringMap<double> &given,
    llvm::function_ref<void(Operation *, double)> visit = nullptr);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_TRANSFORMS_DENSITIES_H
