//===- OutlineSparseKernels.cpp - one function per sparse kernel ----------===//
//
// The sparsifier, the lowering of its loops to branches and LLVM's code
// generation all take time that grows faster than the function they work
// on; a graph of many rules is one function. Here each linalg op on sparse
// tensors moves into a private function of its own, so compile time grows
// with the number of rules, not faster.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLOUTLINESPARSEKERNELSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

bool touchesSparse(linalg::LinalgOp op) {
  auto sparse = [](Type t) {
    return static_cast<bool>(sparse_tensor::getSparseTensorEncoding(t));
  };
  return llvm::any_of(op->getOperandTypes(), sparse) ||
         llvm::any_of(op->getResultTypes(), sparse);
}

/// Values the kernel makes itself rather than receives: constants, and the
/// empty tensors (or sized allocations) the op writes into (a sparse result
/// must be materialized in the function the sparsifier rewrites).
bool clonedIntoKernel(Value v, linalg::LinalgOp op) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (def->hasTrait<OpTrait::ConstantLike>())
    return true;
  return isa<tensor::EmptyOp, bufferization::AllocTensorOp>(def) &&
         llvm::is_contained(op.getDpsInits(), v);
}

/// Moves `op` into a new private function `@<parent>_sparse<n>` (placed
/// before `parent`) and calls it where `op` was.
void outline(linalg::LinalgOp op, func::FuncOp parent, unsigned n,
             SymbolTable &symbols) {
  Operation *raw = op.getOperation();
  SetVector<Value> used(raw->operand_begin(), raw->operand_end());
  for (Region &region : raw->getRegions())
    getUsedValuesDefinedAbove(region, used);

  // What the kernel clones, in definition order, and what it receives.
  SmallVector<Operation *> cloned;
  SetVector<Value> arguments;
  for (Value v : used) {
    if (!clonedIntoKernel(v, op)) {
      arguments.insert(v);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (llvm::is_contained(cloned, def))
      continue;
    // An init's dynamic sizes are received, its constant size hint cloned.
    for (Value size : def->getOperands()) {
      Operation *constant = size.getDefiningOp();
      if (!constant || !constant->hasTrait<OpTrait::ConstantLike>())
        arguments.insert(size);
      else if (!llvm::is_contained(cloned, constant))
        cloned.push_back(constant);
    }
    cloned.push_back(def);
  }

  MLIRContext *ctx = raw->getContext();
  OpBuilder b(ctx);
  b.setInsertionPoint(parent);
  auto type = FunctionType::get(ctx, TypeRange(arguments.getArrayRef()),
                                raw->getResultTypes());
  auto kernel = b.create<func::FuncOp>(
      raw->getLoc(), (parent.getSymName() + "_sparse" + Twine(n)).str(), type);
  kernel.setPrivate();
  kernel->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  symbols.insert(kernel, Block::iterator(parent));

  Block *body = kernel.addEntryBlock();
  IRMapping mapping;
  for (auto [outer, inner] : llvm::zip(arguments, body->getArguments()))
    mapping.map(outer, inner);
  b.setInsertionPointToStart(body);
  for (Operation *def : cloned)
    b.clone(*def, mapping);
  Operation *inner = b.clone(*raw, mapping);
  b.create<func::ReturnOp>(raw->getLoc(), inner->getResults());

  b.setInsertionPoint(raw);
  auto call =
      b.create<func::CallOp>(raw->getLoc(), kernel, arguments.getArrayRef());
  raw->replaceAllUsesWith(call.getResults());
  raw->erase();
  // Users first: a size hint's constant is free once its init is gone.
  for (Operation *def : llvm::reverse(cloned))
    if (def->use_empty())
      def->erase();
}

struct TLOutlineSparseKernelsPass
    : tl::impl::TLOutlineSparseKernelsPassBase<TLOutlineSparseKernelsPass> {
  using TLOutlineSparseKernelsPassBase::TLOutlineSparseKernelsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto parent : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (parent.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> kernels;
      parent.walk([&](linalg::LinalgOp op) {
        if (touchesSparse(op))
          kernels.push_back(op);
      });
      for (auto [n, op] : llvm::enumerate(kernels))
        outline(op, parent, n, symbols);
    }
  }
};

} // namespace
