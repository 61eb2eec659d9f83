//===- FixpointLoops.cpp - tl.fixpoint as an scf.while --------------------===//
//
// The loop keeps the states as tensors, so bufferization decides where
// they live (two buffers that swap roles, when the body allows) and the
// body's ops get the same lowering as any other:
//
//   %r:n+2 = scf.while (%s = %inits, %k = 0) {
//     %next = <body>(%s)
//     %change = max over states of largestChange(%s, %next)
//     %more = %change > tolerance && %k + 1 < max_iterations
//     scf.condition(%more) %next, %k + 1, %change
//   } do { scf.yield %next, %k + 1 }
//   scf.if %r#change > tolerance { tl.no_fixpoint %r#count, %r#change }
//
// The change test is the reference evaluator's (Evaluator.cpp): a NaN that
// stays at its position is no change, one that appears or goes is an
// infinite one, two equal infinities are no change.
//
// A fixpoint tl-semi-naive marked (a transitive closure, or another rule
// linear in its state) runs the runtime's semi-naive kernel first and the
// loop only when the kernel declines:
//
//   %ok = tl.semi_naive_closure %E into %buffer
//     (or tl.semi_naive_rule %B left %L right %M into %buffer)
//   scf.if !%ok { %l = <the loop above>; materialize %l in %buffer }
//   %r = to_tensor %buffer
//
// A tl.fixpoint_adjoint (a fixpoint's gradient) runs the fixpoint's loop
// for its iteration count K, then a backward scf.for over k = K-1 ... 0
// that runs the adjoint region on state k: recorded by a second forward
// pass when max_iterations states fit 64 MiB, else replayed from the
// inits (an inner scf.for of k steps: memory of one state, K(K-1)/2
// steps).
//
//===----------------------------------------------------------------------===//

#include "FixpointLoops.h"

#include "tl/Dialect/TL/IR/ReverseMode.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/FusionGroups.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The largest element-wise change from `old` to `next`, as an f64 scalar.
/// f32 elements are widened first: the difference of two floats is exact
/// in f64, so the change (and the message that prints it) is the
/// reference evaluator's to the last bit.
Value largestChange(OpBuilder &b, Location loc, Value old, Value next) {
  auto type = cast<RankedTensorType>(old.getType());
  auto element = cast<FloatType>(type.getElementType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  Type f64 = b.getF64Type();
  Value zero = b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(0));
  Value empty = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, f64);
  Value init =
      b.create<linalg::FillOp>(loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  maps.push_back(AffineMap::get(rank, 0, {}, ctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  Value reduced =
      b.create<linalg::GenericOp>(
           loc, init.getType(), ValueRange{old, next}, ValueRange{init}, maps,
           iters,
           [&](OpBuilder &nb, Location l, ValueRange args) {
             Value x = args[0], y = args[1], acc = args[2];
             if (!element.isF64()) {
               x = nb.create<arith::ExtFOp>(l, f64, x);
               y = nb.create<arith::ExtFOp>(l, f64, y);
             }
             Value zeroD =
                 nb.create<arith::ConstantOp>(l, nb.getF64FloatAttr(0));
             Value inf = nb.create<arith::ConstantOp>(
                 l,
                 nb.getF64FloatAttr(std::numeric_limits<double>::infinity()));
             Value same =
                 nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, x, y);
             Value diff =
                 nb.create<math::AbsFOp>(l, nb.create<arith::SubFOp>(l, x, y));
             Value d = nb.create<arith::SelectOp>(l, same, zeroD, diff);
             Value xNaN =
                 nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, x, x);
             Value yNaN =
                 nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, y, y);
             Value both = nb.create<arith::AndIOp>(l, xNaN, yNaN);
             Value one = nb.create<arith::XOrIOp>(l, xNaN, yNaN);
             d = nb.create<arith::SelectOp>(l, both, zeroD, d);
             d = nb.create<arith::SelectOp>(l, one, inf, d);
             nb.create<linalg::YieldOp>(
                 l, ValueRange{nb.create<arith::MaxNumFOp>(l, acc, d)});
           })
          .getResult(0);
  return b.create<tensor::ExtractOp>(loc, reduced, ValueRange{});
}

/// Ops of the body that read only values from above compute the same in
/// every iteration: they run once, before the loop (the body runs at least
/// once, and tl ops cannot fail, so nothing runs that would not have). Same
/// generation's T^T T is one; tl-order-contractions makes it when it sums
/// the rule's terms separately.
void hoistInvariants(FixpointOp op) {
  Region &body = op.getBody();
  for (Operation &inner :
       llvm::make_early_inc_range(op.getBodyBlock().without_terminator())) {
    if (inner.getNumRegions() != 0 || !isMemoryEffectFree(&inner) ||
        llvm::any_of(inner.getOperands(), [&](Value v) {
          return body.isAncestor(v.getParentRegion());
        }))
      continue;
    inner.moveBefore(op);
    // It runs once now, on its own.
    inner.removeAttr(kFusionGroupAttr);
  }
}

/// Replaces `op` by its loop; returns the number of iterations it ran (i64).
Value lowerFixpoint(FixpointOp op, IRRewriter &rewriter) {
  hoistInvariants(op);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Type i64 = rewriter.getI64Type(), f64 = rewriter.getF64Type();
  size_t n = op.getNumResults();
  double tolerance = op.getTolerance().convertToDouble();
  int64_t site = -1;
  if (auto attr = op->getAttrOfType<IntegerAttr>(FixpointOp::kSiteAttr))
    site = attr.getInt();

  Value tol = rewriter.create<arith::ConstantOp>(
      loc, rewriter.getF64FloatAttr(tolerance));
  SmallVector<Value> inits(op.getInits());
  inits.push_back(rewriter.create<arith::ConstantIntOp>(loc, 0, 64));
  SmallVector<Type> carried(op.getResultTypes());
  carried.push_back(i64);
  SmallVector<Type> resultTypes(carried);
  resultTypes.push_back(f64);
  auto loop = rewriter.create<scf::WhileOp>(loc, resultTypes, inits);

  // Before: the body, then the test.
  Block *before =
      rewriter.createBlock(&loop.getBefore(), {}, carried,
                           SmallVector<Location>(carried.size(), loc));
  YieldOp yield = op.getYield();
  SmallVector<Value> next(yield.getValues());
  rewriter.inlineBlockBefore(&op.getBodyBlock(), before, before->end(),
                             before->getArguments().take_front(n));
  rewriter.setInsertionPoint(yield);
  Value change =
      rewriter.create<arith::ConstantOp>(loc, rewriter.getF64FloatAttr(0));
  for (size_t i = 0; i < n; ++i)
    change = rewriter.create<arith::MaxNumFOp>(
        loc, change,
        largestChange(rewriter, loc, before->getArgument(i), next[i]));
  Value one = rewriter.create<arith::ConstantIntOp>(loc, 1, 64);
  Value count =
      rewriter.create<arith::AddIOp>(loc, before->getArgument(n), one);
  Value max =
      rewriter.create<arith::ConstantIntOp>(loc, op.getMaxIterations(), 64);
  Value moving = rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT,
                                                change, tol);
  Value room = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt,
                                              count, max);
  Value more = rewriter.create<arith::AndIOp>(loc, moving, room);
  SmallVector<Value> forwarded(next);
  forwarded.append({count, change});
  rewriter.create<scf::ConditionOp>(loc, more, forwarded);
  rewriter.eraseOp(yield);

  // After: the next states become the current ones.
  Block *after =
      rewriter.createBlock(&loop.getAfter(), {}, resultTypes,
                           SmallVector<Location>(resultTypes.size(), loc));
  rewriter.create<scf::YieldOp>(loc, after->getArguments().drop_back());

  // Out of the loop still moving: max_iterations ran out.
  rewriter.setInsertionPointAfter(loop);
  Value finalChange = loop.getResult(n + 1);
  Value failed = rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT,
                                                finalChange, tol);
  auto check = rewriter.create<scf::IfOp>(loc, failed, /*withElse=*/false);
  rewriter.setInsertionPointToStart(check.thenBlock());
  rewriter.create<NoFixpointOp>(loc, loop.getResult(n), finalChange,
                                rewriter.getI64IntegerAttr(site),
                                rewriter.getF64FloatAttr(tolerance),
                                op.getWarnAtLimitAttr());
  rewriter.replaceOp(op, loop.getResults().take_front(n));
  return loop.getResult(n);
}

/// Memory the states of a fixpoint's iterations may take so that its
/// gradient keeps them instead of recomputing them.
constexpr int64_t kStoredStatesBytes = 64 << 20;

/// Whether max_iterations states (each of static shape) fit the budget.
bool storesStates(FixpointAdjointOp op) {
  int64_t bytes = 0;
  for (Type t : op.getInits().getTypes()) {
    auto type = cast<RankedTensorType>(t);
    if (!type.hasStaticShape())
      return false;
    bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
  }
  return bytes <= kStoredStatesBytes / std::max<int64_t>(
                                         1, op.getMaxIterationsAttr().getInt());
}

/// The body of `op` once, from `states`, at the builder's point.
SmallVector<Value> stepOnce(OpBuilder &b, FixpointAdjointOp op,
                            ValueRange states) {
  IRMapping m;
  m.map(op.getBodyBlock().getArguments(), states);
  for (Operation &inner : op.getBodyBlock().without_terminator())
    b.clone(inner, m);
  SmallVector<Value> next;
  for (Value v : cast<YieldOp>(op.getBodyBlock().getTerminator()).getValues())
    next.push_back(m.lookupOrDefault(v));
  return next;
}

/// The fixpoint's loop on a copy of the body gives K. The states s_0 ...
/// s_{K-1} are then either recorded by a second pass (one tensor per state
/// with K as its leading dim: 2K body steps, when max_iterations of them
/// fit kStoredStatesBytes) or recomputed from the inits at each step of
/// the backward loop (K(K-1)/2 body steps, one state of memory). The
/// backward loop over k = K-1 ... 0 runs the adjoint region on s_k.
void lowerFixpointAdjoint(FixpointAdjointOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  size_t n = op.getInits().size();
  rewriter.setInsertionPoint(op);
  auto forward = rewriter.create<FixpointOp>(loc, op.getInits());
  forward.setToleranceAttr(op.getToleranceAttr());
  forward.setMaxIterationsAttr(op.getMaxIterationsAttr());
  forward.setWarnAtLimit(op.getWarnAtLimit());
  if (Attribute site = op->getAttr(FixpointOp::kSiteAttr))
    forward->setAttr(FixpointOp::kSiteAttr, site);
  rewriter.eraseBlock(&forward.getBodyBlock());
  IRMapping copy;
  op.getBody().cloneInto(&forward.getBody(), copy);
  Value count = lowerFixpoint(forward, rewriter);

  rewriter.setInsertionPoint(op);
  Type index = rewriter.getIndexType();
  Value steps = rewriter.create<arith::IndexCastOp>(loc, index, count);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);

  // Slice k of a recorded state: offsets (k, 0...), sizes (1, shape...).
  auto slice = [&](OpBuilder &b, RankedTensorType type, Value k,
                   SmallVector<OpFoldResult> &offsets,
                   SmallVector<OpFoldResult> &sizes,
                   SmallVector<OpFoldResult> &strides) {
    offsets.assign(1, k);
    sizes.assign(1, b.getIndexAttr(1));
    for (int64_t d : type.getShape()) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(d));
    }
    strides.assign(type.getRank() + 1, b.getIndexAttr(1));
  };
  SmallVector<Value> recorded;
  if (storesStates(op)) {
    SmallVector<Value> carried(op.getInits());
    for (Type t : op.getInits().getTypes()) {
      auto type = cast<RankedTensorType>(t);
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      llvm::append_range(shape, type.getShape());
      carried.push_back(rewriter.create<tensor::EmptyOp>(
          loc, shape, type.getElementType(), ValueRange{steps}));
    }
    auto record = rewriter.create<scf::ForOp>(
        loc, zero, steps, one, carried,
        [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
          SmallVector<Value> out = stepOnce(b, op, iter.take_front(n));
          for (size_t i = 0; i < n; ++i) {
            SmallVector<OpFoldResult> offsets, sizes, strides;
            slice(b, cast<RankedTensorType>(iter[i].getType()), k, offsets,
                  sizes, strides);
            out.push_back(b.create<tensor::InsertSliceOp>(
                l, iter[i], iter[n + i], offsets, sizes, strides));
          }
          b.create<scf::YieldOp>(l, out);
        });
    recorded.assign(record.getResults().begin() + n, record.getResults().end());
  }

  SmallVector<Value> carried(op.getCotangents());
  for (Value v : op.getCaptured())
    carried.push_back(zerosOf(rewriter, loc, v.getType()));
  auto backward = rewriter.create<scf::ForOp>(
      loc, zero, steps, one, carried,
      [&](OpBuilder &b, Location l, Value j, ValueRange iter) {
        Value k = b.create<arith::SubIOp>(
            l, b.create<arith::SubIOp>(l, steps, j), one);
        SmallVector<Value> state;
        if (!recorded.empty()) {
          for (auto [i, all] : llvm::enumerate(recorded)) {
            auto type = cast<RankedTensorType>(op.getInits()[i].getType());
            SmallVector<OpFoldResult> offsets, sizes, strides;
            slice(b, type, k, offsets, sizes, strides);
            state.push_back(b.create<tensor::ExtractSliceOp>(
                l, type, all, offsets, sizes, strides));
          }
        } else {
          auto replay = b.create<scf::ForOp>(
              l, zero, k, one, op.getInits(),
              [&](OpBuilder &rb, Location rl, Value, ValueRange s) {
                rb.create<scf::YieldOp>(rl, stepOnce(rb, op, s));
              });
          state.assign(replay.getResults().begin(), replay.getResults().end());
        }
        Block &step = op.getAdjointBlock();
        IRMapping m;
        for (size_t i = 0; i < n; ++i) {
          m.map(step.getArgument(i), state[i]);
          m.map(step.getArgument(n + i), iter[i]);
        }
        for (Operation &inner : step.without_terminator())
          b.clone(inner, m);
        SmallVector<Value> out;
        for (auto [i, v] :
             llvm::enumerate(cast<YieldOp>(step.getTerminator()).getValues())) {
          Value mapped = m.lookupOrDefault(v);
          out.push_back(i < n ? mapped
                              : b.create<BinaryOp>(l, mapped.getType(),
                                                   BinaryKind::add, iter[i],
                                                   mapped));
        }
        b.create<scf::YieldOp>(l, out);
      });
  rewriter.replaceOp(op, backward.getResults());
}

/// A view of `value` (a 2-d tensor) for a kernel: its buffer as it is,
/// any layout, transposed in place when asked.
Value kernelOperand(Value value, bool transposed, IRRewriter &rewriter,
                    Location loc) {
  auto type = cast<RankedTensorType>(value.getType());
  auto anyLayout = StridedLayoutAttr::get(
      rewriter.getContext(), ShapedType::kDynamic,
      SmallVector<int64_t>(2, ShapedType::kDynamic));
  Value buffer = rewriter.create<bufferization::ToMemrefOp>(
      loc, MemRefType::get(type.getShape(), type.getElementType(), anyLayout),
      value, /*read_only=*/true);
  if (!transposed)
    return buffer;
  return rewriter.create<memref::TransposeOp>(
      loc, buffer,
      AffineMapAttr::get(AffineMap::getPermutationMap(
          ArrayRef<unsigned>{1, 0}, rewriter.getContext())));
}

/// The kernel in front of the loop of a fixpoint tl-semi-naive marked (a
/// closure, or another linear Boolean rule); the op (and the computation
/// of its init, when nothing else reads it) moves into the branch that
/// runs when the kernel declines. Both paths leave the result in one
/// buffer, so a result the function returns is written in place
/// (tl-write-results-in-place) and the kernel's path copies nothing.
void guardWithSemiNaiveKernel(FixpointOp op, IRRewriter &rewriter) {
  if (!op->hasAttr(FixpointOp::kSemiNaiveAttr))
    return;
  auto closure = op.matchBooleanClosure();
  std::optional<FixpointOp::LinearBooleanRule> rule;
  if (!closure) {
    // B, L and M are computed once, in front of the kernel and the loop.
    hoistInvariants(op);
    rule = op.matchLinearBooleanRule();
    if (!rule)
      return;
  }
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto type = cast<RankedTensorType>(op.getResult(0).getType());
  Value like = closure ? closure->relation : rule->base;
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < 2; ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(rewriter.create<tensor::DimOp>(loc, like, d));
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer =
      rewriter.create<memref::AllocOp>(loc, bufferType, dynamicSizes);
  int64_t site = -1;
  if (auto attr = op->getAttrOfType<IntegerAttr>(FixpointOp::kSiteAttr))
    site = attr.getInt();
  Value applied;
  if (closure) {
    applied = rewriter.create<SemiNaiveClosureOp>(
        loc, kernelOperand(closure->relation, false, rewriter, loc), buffer,
        closure->start, op.getMaxIterations(), site, op.getTolerance());
  } else {
    auto factor = [&](Value v, bool transposed) -> Value {
      return v ? kernelOperand(v, transposed, rewriter, loc) : Value();
    };
    // In this order: the IR reads as the op does.
    Value base = kernelOperand(rule->base, false, rewriter, loc);
    Value left = factor(rule->left, rule->leftTransposed);
    Value right = factor(rule->right, rule->rightTransposed);
    applied = rewriter.create<SemiNaiveRuleOp>(loc, base, left, right, buffer,
                                               op.getMaxIterations(), site,
                                               op.getTolerance());
  }
  Value declined = rewriter.create<arith::XOrIOp>(
      loc, applied, rewriter.create<arith::ConstantIntOp>(loc, 1, 1));
  auto fallback = rewriter.create<scf::IfOp>(loc, declined);
  Value computed = rewriter.create<bufferization::ToTensorOp>(
      loc, type, buffer, /*restrict=*/true, /*writable=*/true);
  rewriter.replaceAllUsesWith(op.getResult(0), computed);

  rewriter.setInsertionPoint(fallback.thenBlock()->getTerminator());
  auto store = rewriter.create<bufferization::MaterializeInDestinationOp>(
      loc, TypeRange{}, op.getResult(0), buffer, /*restrict=*/true,
      /*writable=*/true);
  rewriter.moveOpBefore(op, store);
  Operation *init = op.getInits()[0].getDefiningOp();
  if (init && init->hasOneUse() && isMemoryEffectFree(init) &&
      init->getNumRegions() == 0)
    rewriter.moveOpBefore(init, op);
}

} // namespace

void mlir::tl::lowerFixpointsToLoops(func::FuncOp func) {
  // Post-order: a region is copied only once the fixpoints in it are loops.
  SmallVector<Operation *> fixpoints;
  func.walk([&](Operation *op) {
    if (isa<FixpointOp, FixpointAdjointOp>(op))
      fixpoints.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (Operation *op : fixpoints) {
    if (auto adjoint = dyn_cast<FixpointAdjointOp>(op)) {
      lowerFixpointAdjoint(adjoint, rewriter);
      continue;
    }
    auto fixpoint = cast<FixpointOp>(op);
    guardWithSemiNaiveKernel(fixpoint, rewriter);
    lowerFixpoint(fixpoint, rewriter);
  }
}
