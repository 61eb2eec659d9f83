//===- EncodeSparsity.cpp - tl.sparse decisions as sparse tensor types ----===//
//
// tl-assign-sparsity decides on tl ops, whose types stay plain (a unary op's
// operand and result have one type); convert-tl-to-linalg carries each
// decision to the linalg op that produces the value. Here the decisions
// become `sparse_tensor` encodings in the types, which is what the
// sparsifier compiles. A decision is applied only where the sparsifier's
// meaning of an implicit zero is the graph's: a result starts from an
// empty tensor (or a fill with +0, the same thing), and every reader is a
// tensor.dim, the return, or a linalg op reading it as an input with a body
// the sparsifier has rules for. Anything else (a reshape of a broadcast, a
// max's -inf start, a sigmoid) keeps the value dense and says why in a
// remark: MLIR's sparsifier would refuse the kernel, not miscompile it.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"
#include "tl/Codegen/SparseLayout.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

#include <algorithm>
#include <cmath>

namespace mlir::tl {
#define GEN_PASS_DEF_TLENCODESPARSITYPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The first step of `op`'s body that MLIR 19's sparsifier has no rule
/// for over a sparse operand, or null. For the steps listed it knows what
/// an implicit zero gives (also where that is not zero: `1 - x` iterates
/// densely); any other step (math.exp, arith.select, a maxnumf fold) makes
/// it refuse the kernel, so such a reader needs its operand dense.
Operation *unknownToSparsifier(linalg::LinalgOp op) {
  for (Operation &step : op.getBlock()->without_terminator())
    if (!isa<arith::ConstantOp, arith::AddFOp, arith::SubFOp, arith::MulFOp,
             arith::NegFOp, arith::ExtFOp, arith::TruncFOp, math::AbsFOp,
             math::SqrtOp, math::TanhOp, math::SinOp, math::ExpM1Op,
             math::Log1pOp, sparse_tensor::UnaryOp>(step))
      return &step;
  return nullptr;
}

/// Whether `op` reads an input through a map that lacks one of its loops.
bool broadcasts(linalg::LinalgOp op) {
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
    return op.getMatchingIndexingMap(in).getNumResults() < op.getNumLoops();
  });
}

/// An element-wise kernel that adds or subtracts (a union of stored
/// entries) with a broadcast operand, read directly or through an
/// element-wise producer the sparsifier fuses in: MLIR 19's sparsifier
/// crashes co-iterating a sparse operand with it (a matrix minus a vector
/// spread along its rows).
bool addsBroadcast(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() != 0 ||
      llvm::none_of(op.getBlock()->without_terminator(), [](Operation &step) {
        return isa<arith::AddFOp, arith::SubFOp>(step);
      }))
    return false;
  return broadcasts(op) || llvm::any_of(op.getDpsInputs(), [](Value in) {
           auto producer = in.getDefiningOp<linalg::LinalgOp>();
           return producer && producer.getNumReductionLoops() == 0 &&
                  broadcasts(producer);
         });
}

/// Whether `op` folds its reduction loops by a product (tl's `reduce
/// prod`): the accumulator is multiplied, so an implicit zero would have
/// to zero it, and MLIR 19's sparsifier fails on the kernel.
bool multipliesReduction(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0)
    return false;
  return llvm::any_of(op.getRegionOutputArgs(), [](BlockArgument acc) {
    return llvm::any_of(acc.getUsers(), [](Operation *user) {
      return isa<arith::MulFOp>(user);
    });
  });
}

std::string quoted(Operation *op) {
  return ("'" + op->getName().getStringRef() + "'").str();
}

std::string noRuleFor(Operation *step) {
  return quoted(step) +
         ", which the sparsifier has no rule for over implicit zeros";
}

/// Why the readers of `value` cannot take it sparse, or "" when they can.
std::string unsupportedReader(Value value) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<tensor::DimOp, func::ReturnOp>(user))
      continue;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
    if (!linalgOp || !linalgOp.isDpsInput(&use))
      return "it is read by " + quoted(user);
    if (addsBroadcast(linalgOp))
      return "the " + quoted(user) +
             " reading it adds a broadcast operand to it, which MLIR 19's "
             "sparsifier crashes on";
    if (Operation *step = unknownToSparsifier(linalgOp))
      return "the " + quoted(user) + " reading it computes " + noRuleFor(step);
    if (!linalgOp.getMatchingIndexingMap(&use).isProjectedPermutation())
      return "the " + quoted(user) +
             " reading it reads a diagonal, which MLIR 19's sparsifier "
             "fails on";
    if (multipliesReduction(linalgOp))
      return "the " + quoted(user) +
             " reading it reduces by a product, which the sparsifier has no "
             "rule for over implicit zeros";
  }
  return "";
}

bool isSparse(Value value) {
  return sparse_tensor::getSparseTensorEncoding(value.getType()) != nullptr;
}

/// Whether some order of `op`'s loops visits each sparse input's levels
/// in order and writes a sparse result in order: its dimensions one after
/// another, and all but the innermost outside every reduction (the
/// sparsifier inserts into a sparse result lexicographically, expanding
/// only its innermost level). Without one MLIR 19 would have to reorder a
/// sparse operand first, and fails to (r^T q into a sparse result). A
/// kernel without reductions is exempt: the sparsifier stages its writes
/// in a buffer it sorts (a sparse transpose compiles).
bool writesInOrder(linalg::LinalgOp op) {
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  if (reductions.empty())
    return true;
  unsigned n = op.getNumLoops();
  std::vector<SmallVector<unsigned>> after(n);
  auto dimsOf = [](AffineMap map) {
    SmallVector<unsigned> dims;
    for (AffineExpr e : map.getResults())
      if (auto d = dyn_cast<AffineDimExpr>(e))
        dims.push_back(d.getPosition());
    return dims;
  };
  auto chain = [&](ArrayRef<unsigned> dims) {
    for (size_t i = 0; i + 1 < dims.size(); ++i)
      after[dims[i]].push_back(dims[i + 1]);
  };
  for (OpOperand *in : op.getDpsInputOperands())
    if (isSparse(in->get()))
      chain(dimsOf(op.getMatchingIndexingMap(in)));
  SmallVector<unsigned> out =
      dimsOf(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  chain(out);
  for (size_t i = 0; i + 1 < out.size(); ++i)
    for (unsigned r : reductions)
      after[out[i]].push_back(r);
  // Kahn's algorithm: an order exists when every loop can be placed.
  std::vector<unsigned> pending(n, 0);
  for (const auto &next : after)
    for (unsigned d : next)
      ++pending[d];
  SmallVector<unsigned> ready;
  for (unsigned d = 0; d < n; ++d)
    if (!pending[d])
      ready.push_back(d);
  unsigned placed = 0;
  while (!ready.empty()) {
    unsigned d = ready.pop_back_val();
    ++placed;
    for (unsigned next : after[d])
      if (--pending[next] == 0)
        ready.push_back(next);
  }
  return placed == n;
}

/// The tensor.empty an init operand is, directly or under a fill with +0.
tensor::EmptyOp zeroInit(Value init) {
  if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
    return empty;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return nullptr;
  auto zero = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto value = zero ? llvm::dyn_cast<FloatAttr>(zero.getValue()) : nullptr;
  if (!value || !value.getValue().isPosZero())
    return nullptr;
  return fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
}

/// A sparse result's init. With an expected density and a static shape it
/// is an alloc_tensor whose size_hint (the expected nonzeros) sizes the
/// coordinate and value buffers the sparsifier appends to: without one they
/// start at 16 entries and double, each time a copy into fresh pages
/// (W9's 10M-nonzero result: 10% of its run). An overestimate costs
/// address space, not memory (pages never written are never touched), but
/// the estimate assumes independent facts and a huge one could exceed
/// what malloc grants: beyond 2^24 entries the buffers grow as before.
Value sparseInit(OpBuilder &b, Location loc, RankedTensorType type,
                 ValueRange dynamicSizes, FloatAttr density) {
  if (!density || !type.hasStaticShape())
    return b.create<tensor::EmptyOp>(loc, type, dynamicSizes);
  constexpr double kMaxHint = double(int64_t(1) << 24);
  double elements = static_cast<double>(type.getNumElements());
  double expected =
      std::ceil(std::clamp(density.getValueAsDouble(), 0.0, 1.0) * elements);
  auto hint = static_cast<int64_t>(std::clamp(expected, 16.0, kMaxHint));
  Value size = b.create<arith::ConstantIndexOp>(loc, hint);
  return b.create<bufferization::AllocTensorOp>(loc, type, dynamicSizes,
                                                /*copy=*/Value(), size,
                                                /*memory_space=*/Attribute());
}

RankedTensorType encoded(Type type, Attribute encoding) {
  auto t = llvm::cast<RankedTensorType>(type);
  return RankedTensorType::get(t.getShape(), t.getElementType(), encoding);
}

struct TLEncodeSparsityPass
    : tl::impl::TLEncodeSparsityPassBase<TLEncodeSparsityPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    auto keepDense = [](Location loc, StringRef what, StringRef why) {
      emitRemark(loc) << "tl-encode-sparsity: " << what
                      << " stays dense: " << why;
    };

    for (BlockArgument arg : func.getArguments()) {
      unsigned i = arg.getArgNumber();
      auto encoding =
          func.getArgAttrOfType<sparse_tensor::SparseTensorEncodingAttr>(
              i, kSparseAttr);
      if (!encoding)
        continue;
      func.removeArgAttr(i, kSparseAttr);
      std::string why = unsupportedReader(arg);
      if (why.empty() && !boundaryLayout(encoding))
        why = "the runtime takes sparse arguments as CSR or DCSR matrices";
      if (!why.empty()) {
        auto name = func.getArgAttrOfType<StringAttr>(i, kNameAttr);
        keepDense(func.getLoc(),
                  (name ? "argument '" + name.str() + "' (#" : "argument (#") +
                      std::to_string(i) + ")",
                  why);
        continue;
      }
      arg.setType(encoded(arg.getType(), encoding));
    }

    func.walk([&](linalg::LinalgOp op) {
      auto encoding =
          op->getAttrOfType<sparse_tensor::SparseTensorEncodingAttr>(
              kSparseAttr);
      if (!encoding)
        return;
      op->removeAttr(kSparseAttr);
      auto density = op->getAttrOfType<FloatAttr>(kDensityAttr);
      op->removeAttr(kDensityAttr);
      std::string why;
      tensor::EmptyOp empty;
      if (op->getNumResults() != 1 || op.getNumDpsInits() != 1)
        why = "it has several results";
      else if (!(empty = zeroInit(op.getDpsInits()[0])))
        why = "its result does not start at zero";
      else if (llvm::none_of(op.getDpsInputs(), isSparse))
        why = "no operand it reads is sparse";
      else if (Operation *step = unknownToSparsifier(op))
        why = "it computes " + noRuleFor(step);
      else if (!writesInOrder(op))
        why = "no loop order reads its sparse operands and writes it in "
              "order (the sparsifier would have to reorder a sparse operand)";
      else
        why = unsupportedReader(op->getResult(0));
      if (why.empty() && !boundaryLayout(encoding) &&
          llvm::any_of(op->getResult(0).getUsers(), [](Operation *user) {
            return isa<func::ReturnOp>(user);
          }))
        why = "it is returned, and the runtime gives sparse results as CSR or "
              "DCSR matrices";
      if (!why.empty()) {
        keepDense(op->getLoc(),
                  "the result of '" + op->getName().getStringRef().str() + "'",
                  why);
        return;
      }
      OpBuilder b(op);
      RankedTensorType type = encoded(op->getResult(0).getType(), encoding);
      Value init =
          sparseInit(b, op->getLoc(), type, empty.getDynamicSizes(), density);
      op.getDpsInitsMutable()[0].set(init);
      op->getResult(0).setType(type);
    });

    // A kernel left dense applies a stored-entries-only map everywhere
    // (it maps 0 to 0): the sparsifier compiles only sparse kernels.
    func.walk([&](sparse_tensor::UnaryOp mapped) {
      auto kernel = mapped->getParentOfType<linalg::LinalgOp>();
      if (!kernel || llvm::any_of(kernel->getOperands(), isSparse))
        return;
      Block &present = mapped.getPresentRegion().front();
      IRMapping map;
      map.map(present.getArgument(0), mapped.getX());
      OpBuilder b(mapped);
      for (Operation &step : present.without_terminator())
        b.clone(step, map);
      Value result =
          map.lookupOrDefault(present.getTerminator()->getOperand(0));
      mapped.getResult().replaceAllUsesWith(result);
      mapped.erase();
    });

    // Sparse results are returned sparse (a tl function has one block).
    func.setType(
        FunctionType::get(&getContext(), func.front().getArgumentTypes(),
                          func.front().getTerminator()->getOperandTypes()));
  }
};

} // namespace
