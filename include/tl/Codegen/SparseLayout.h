//===- SparseLayout.h - sparse layouts at a function's boundary -*- C++ -*-===//
//
// The sparse layouts the runtime binds as a compiled function's arguments
// and results (runtime::Layout, lib/Runtime/SparseCall.cpp). The one place
// that reads them off a sparse_tensor encoding: tl-encode-sparsity keeps
// other layouts inside the function, and the driver records these in the
// module signature.
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_SPARSELAYOUT_H
#define TL_CODEGEN_SPARSELAYOUT_H

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

#include <optional>

namespace mlir::tl {

enum class BoundaryLayout { csr, dcsr };

/// CSR (dense rows, compressed columns) or DCSR (both compressed) of a
/// matrix, ordered and unique, in row-major order, with index-typed (64-bit)
/// positions and coordinates; nullopt for every other
/// encoding (vectors, COO, CSC, blocked, ...).
std::optional<BoundaryLayout>
boundaryLayout(sparse_tensor::SparseTensorEncodingAttr encoding);

} // namespace mlir::tl

#endif // TL_CODEGEN_SPARSELAYOUT_H
