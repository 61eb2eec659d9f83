//===- Passes.h - code generation passes on linalg --------------*- C++ -*-===//

#ifndef TL_CODEGEN_PASSES_H
#define TL_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tl {

/// The attribute tl-select-kernels puts on ops that a library kernel runs.
inline constexpr llvm::StringLiteral kKernelAttr = "tl.kernel";

/// True for ops marked for a library kernel: code generation leaves them.
bool isLibraryKernel(Operation *op);

#define GEN_PASS_DECL
#include "tl/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tl/Codegen/Passes.h.inc"

} // namespace mlir::tl

#endif // TL_CODEGEN_PASSES_H
