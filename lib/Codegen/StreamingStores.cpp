//===- StreamingStores.cpp - non-temporal stores for large outputs --------===//
//
// A kernel that reads its inputs once and writes an output larger than
// the caches gains nothing from keeping the output's lines: writing them
// with ordinary stores costs a read of each line first (read for
// ownership) and evicts the inputs' lines. Only an out-parameter that the
// function never reads qualifies, so nothing in this function depends on
// the written lines being cached.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/FusionCluster.h"
#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSTREAMINGSTORESPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

constexpr llvm::StringLiteral kStoreFence = "tl_rt_store_fence";
/// Bytes: a cache line, and the widest vector (AVX-512).
constexpr int64_t kAlignment = 64;

/// The buffer `view` is a view of (through subviews, casts, reshapes).
Value rootOf(Value view) {
  while (auto op = view.getDefiningOp<ViewLikeOpInterface>())
    view = op.getViewSource();
  return view;
}

/// The ops that write through `buffer` (seen through views of it), or
/// nothing when any op reads it or uses it otherwise.
std::optional<SmallVector<Operation *>> writesOnly(Value buffer) {
  SmallVector<Operation *> writes;
  SmallVector<Value> work = {buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        for (Value r : user->getResults())
          work.push_back(r);
        continue;
      }
      if (auto write = dyn_cast<vector::TransferWriteOp>(user);
          write && write.getSource() == v && write.getVector() != v) {
        writes.push_back(user);
        continue;
      }
      if (auto store = dyn_cast<vector::StoreOp>(user);
          store && store.getBase() == v && store.getValueToStore() != v) {
        writes.push_back(user);
        continue;
      }
      return std::nullopt;
    }
  }
  return writes;
}

int64_t staticBytes(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  int64_t elements = staticElements(type);
  if (!memref || elements < 0 || !memref.getElementType().isIntOrFloat())
    return -1;
  return elements * std::max<int64_t>(1, memref.getElementTypeBitWidth() / 8);
}

/// A store of whole vectors to consecutive elements: what a vector.store
/// expresses.
bool isContiguousWrite(vector::TransferWriteOp write) {
  auto memref = dyn_cast<MemRefType>(write.getSource().getType());
  if (!memref || write.getMask() || write.getVectorType().getRank() != 1 ||
      !write.getPermutationMap().isMinorIdentity() ||
      !llvm::all_of(write.getInBoundsValues(), [](bool b) { return b; }))
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(memref, strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

/// The op containing `op` that sits directly in a function body or a
/// forall body: the loop after which the stores have all been issued.
Operation *topLevelLoop(Operation *op) {
  while (!isa<scf::ForallOp, func::FuncOp>(op->getParentOp()))
    op = op->getParentOp();
  return op;
}

struct TLStreamingStoresPass
    : tl::impl::TLStreamingStoresPassBase<TLStreamingStoresPass> {
  using TLStreamingStoresPassBase::TLStreamingStoresPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Each top-level loop that streams, with the out-parameters it streams
    // to.
    llvm::MapVector<Operation *, llvm::SetVector<Value>> loops;
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f.isPrivate() || f.isExternal())
        continue;
      for (BlockArgument arg : f.getArguments()) {
        int64_t bytes = staticBytes(arg.getType());
        if (bytes < 0 || bytes <= minBytes)
          continue;
        std::optional<SmallVector<Operation *>> writes = writesOnly(arg);
        if (!writes)
          continue;
        for (Operation *op : *writes) {
          auto write = dyn_cast<vector::TransferWriteOp>(op);
          if (write && !isContiguousWrite(write))
            continue;
          if (write) {
            OpBuilder b(write);
            op = b.create<vector::StoreOp>(write.getLoc(), write.getVector(),
                                           write.getSource(),
                                           write.getIndices());
            write.erase();
          }
          loops[topLevelLoop(op)].insert(arg);
        }
      }
    }
    if (loops.empty())
      return;

    OpBuilder b(&getContext());
    auto fence = module.lookupSymbol<func::FuncOp>(kStoreFence);
    if (!fence) {
      b.setInsertionPointToStart(module.getBody());
      fence = b.create<func::FuncOp>(module.getLoc(), kStoreFence,
                                     b.getFunctionType({}, {}));
      fence.setPrivate();
    }
    for (auto &[loop, buffers] : loops)
      version(b, loop, buffers.getArrayRef(), fence);
  }

  /// LLVM emits a full-width non-temporal store (vmovntps) only where it
  /// knows the address is aligned to the vector; a caller's buffer may not
  /// be. So: if every streamed buffer starts on a 64-byte boundary, a copy
  /// of `loop` that says so and streams, then fences; otherwise `loop` as
  /// it was (a misaligned non-temporal store splits into scalar ones,
  /// slower than ordinary stores).
  void version(OpBuilder &b, Operation *loop, ArrayRef<Value> buffers,
               func::FuncOp fence) {
    Location loc = loop->getLoc();
    b.setInsertionPoint(loop);
    Value aligned;
    Type i64 = b.getI64Type();
    Value mask = b.create<arith::ConstantIntOp>(loc, kAlignment - 1, i64);
    Value zero = b.create<arith::ConstantIntOp>(loc, 0, i64);
    for (Value buffer : buffers) {
      Value address = b.create<arith::IndexCastOp>(
          loc, i64,
          b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, buffer));
      // The branch tests a copy of the address LLVM cannot see through.
      // Were the test visible, instcombine would delete the assumption
      // below as implied by the branch, and InferAlignment, which reads
      // assumptions but not branch conditions, would leave the stores at
      // the element's alignment.
      address = b.create<LLVM::InlineAsmOp>(
                     loc, i64, ValueRange{address}, /*asm_string=*/"",
                     /*constraints=*/"=r,0", /*has_side_effects=*/false,
                     /*is_align_stack=*/false, /*asm_dialect=*/nullptr,
                     /*operand_attrs=*/nullptr)
                    .getRes();
      Value low = b.create<arith::AndIOp>(loc, address, mask);
      Value ok =
          b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, low, zero);
      aligned = aligned ? b.create<arith::AndIOp>(loc, aligned, ok) : ok;
    }
    auto branch = b.create<scf::IfOp>(loc, loop->getResultTypes(), aligned,
                                      /*withElseRegion=*/true);
    loop->replaceAllUsesWith(branch->getResults());

    auto fill = [&](Block *block, Operation *body, bool stream) {
      b.setInsertionPointToStart(block);
      if (stream)
        for (Value buffer : buffers)
          b.create<memref::AssumeAlignmentOp>(loc, buffer, kAlignment);
      if (block->empty() || !block->back().hasTrait<OpTrait::IsTerminator>())
        b.create<scf::YieldOp>(loc, body->getResults());
      body->moveBefore(block->getTerminator());
      body->walk([&](vector::StoreOp store) {
        if (llvm::is_contained(buffers, rootOf(store.getBase())))
          store.setNontemporal(stream);
      });
      if (stream) {
        b.setInsertionPoint(block->getTerminator());
        b.create<func::CallOp>(loc, fence, ValueRange());
      }
    };
    Operation *copy = loop->clone();
    b.insert(copy);
    fill(branch.thenBlock(), copy, /*stream=*/true);
    fill(branch.elseBlock(), loop, /*stream=*/false);
  }
};

} // namespace
