//===- SparseLayout.cpp - sparse layouts at a function's boundary ---------===//

#include "tl/Codegen/SparseLayout.h"

using namespace mlir;

std::optional<tl::BoundaryLayout>
tl::boundaryLayout(sparse_tensor::SparseTensorEncodingAttr encoding) {
  if (!encoding || !encoding.isIdentity() || encoding.getLvlRank() != 2 ||
      !encoding.isAllOrdered() || !encoding.isUniqueLvl(0) ||
      !encoding.isUniqueLvl(1) || encoding.getPosWidth() != 0 ||
      encoding.getCrdWidth() != 0 ||
      !sparse_tensor::isCompressedLT(encoding.getLvlType(1)))
    return std::nullopt;
  if (sparse_tensor::isDenseLT(encoding.getLvlType(0)))
    return BoundaryLayout::csr;
  if (sparse_tensor::isCompressedLT(encoding.getLvlType(0)))
    return BoundaryLayout::dcsr;
  return std::nullopt;
}
