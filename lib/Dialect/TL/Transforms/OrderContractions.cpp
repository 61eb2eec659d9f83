//===- OrderContractions.cpp - merge einsum chains, then order them -------===//
//
// Two phases. First, an einsum (or a tl.reduce) whose operand is produced
// by a single-use einsum absorbs that einsum: TensorLogic emits a join
// (`bc,ca->bca`) followed by a projection (`bca->ba`), and merged they are
// one contraction whose rank-3 intermediate never exists; a sum of a sum of
// joins is first split term by term so each term merges. Second, every
// multiply/sum einsum of three or more operands is split into pairwise
// einsums in the cheapest order for the actual sizes (ContractionPath.h).
// Both phases need static shapes; ops with dynamic ones are left alone.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/ContractionPath.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLORDERCONTRACTIONSPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// An einsum-like view of a tl.einsum or a tl.reduce: what merging needs.
struct EinsumView {
  EinsumSpec spec;
  BinaryKind combine = BinaryKind::multiply;
  ReduceKind reduce = ReduceKind::sum;

  bool reduces() const { return !spec.reducedLabels().empty(); }
};

std::optional<EinsumView> viewOf(Operation *op) {
  if (auto e = dyn_cast<EinsumOp>(op))
    return EinsumView{e.getParsedSpec(), e.getCombine(), e.getReduce()};
  auto r = dyn_cast<ReduceOp>(op);
  if (!r)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(r.getInput().getType());
  if (!type || type.getRank() > 26)
    return std::nullopt;
  EinsumView v;
  std::string in;
  for (int64_t i = 0; i < type.getRank(); ++i)
    in.push_back(char('a' + i));
  v.spec.inputs.push_back(in);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(r.getAxes(), i))
      v.spec.output.push_back(in[i]);
  v.reduce = r.getKind();
  return v;
}

bool hasStaticShape(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape();
}

/// The merged op's combine and reduce kinds, or nothing when the two ops do
/// not compose into one einsum.
std::optional<std::pair<BinaryKind, ReduceKind>>
composeKinds(const EinsumView &producer, const EinsumView &consumer) {
  bool pReduces = producer.reduces(), cReduces = consumer.reduces();
  if ((pReduces && producer.reduce == ReduceKind::mean) ||
      (cReduces && consumer.reduce == ReduceKind::mean))
    return std::nullopt;
  bool pCombines = producer.spec.inputs.size() > 1;
  if (consumer.spec.inputs.size() == 1) {
    // reduce2(reduce1(combine(...))) is one reduction when the kinds agree
    // (sum of sums, max of maxes) or one side reduces nothing.
    ReduceKind r = pReduces ? producer.reduce : consumer.reduce;
    if (pReduces && cReduces && producer.reduce != consumer.reduce)
      return std::nullopt;
    return std::make_pair(producer.combine, r);
  }
  // Several operands: only products distribute over sums.
  if (consumer.combine != BinaryKind::multiply ||
      (cReduces && consumer.reduce != ReduceKind::sum) ||
      (pCombines && producer.combine != BinaryKind::multiply) ||
      (pReduces && producer.reduce != ReduceKind::sum))
    return std::nullopt;
  return std::make_pair(BinaryKind::multiply, ReduceKind::sum);
}

/// Rewrites `consumer` so that it reads `producer`'s operands in place of
/// its operand `k`. Returns true on success.
bool mergeInto(Operation *consumer, unsigned k, EinsumOp producer) {
  std::optional<EinsumView> c = viewOf(consumer);
  if (!c)
    return false;
  EinsumView p{producer.getParsedSpec(), producer.getCombine(),
               producer.getReduce()};
  if (!p.spec.broadcastLabels().empty())
    return false; // summing a broadcast label would scale by its size
  // An empty producer is all identity values; merged, its emptiness would
  // also swallow the consumer's other operands (inf * 0 no longer seen).
  for (Value v : producer->getOperands())
    if (cast<RankedTensorType>(v.getType()).getNumElements() == 0)
      return false;
  std::optional<std::pair<BinaryKind, ReduceKind>> kinds = composeKinds(p, *c);
  if (!kinds)
    return false;

  // Producer labels -> consumer letters: output labels positionally (two
  // labels mapped to one letter are the consumer's diagonal), summed labels
  // to letters the consumer does not use.
  std::string used = c->spec.output;
  for (const std::string &s : c->spec.inputs)
    used += s;
  std::map<char, char> rename;
  for (size_t i = 0; i < p.spec.output.size(); ++i)
    rename[p.spec.output[i]] = c->spec.inputs[k][i];
  static const char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const char *next = kLetters;
  for (char label : p.spec.reducedLabels()) {
    while (*next && used.find(*next) != std::string::npos)
      ++next;
    if (!*next)
      return false;
    rename[label] = *next;
    used.push_back(*next);
  }

  EinsumSpec merged;
  SmallVector<Value> operands;
  for (unsigned i = 0; i < c->spec.inputs.size(); ++i) {
    if (i != k) {
      merged.inputs.push_back(c->spec.inputs[i]);
      operands.push_back(consumer->getOperand(i));
      continue;
    }
    for (auto [sub, operand] :
         llvm::zip(p.spec.inputs, producer.getInputs())) {
      std::string mapped;
      for (char l : sub)
        mapped.push_back(rename[l]);
      merged.inputs.push_back(mapped);
      operands.push_back(operand);
    }
  }
  merged.output = c->spec.output;

  OpBuilder b(consumer);
  auto op = b.create<EinsumOp>(consumer->getLoc(),
                               consumer->getResult(0).getType(), merged.str(),
                               operands, kinds->first, kinds->second);
  op->setDiscardableAttrs(consumer->getDiscardableAttrDictionary());
  consumer->getResult(0).replaceAllUsesWith(op.getResult());
  consumer->erase();
  producer->erase();
  return true;
}

/// One merge anywhere in the function; false when none applies.
bool mergeOnce(func::FuncOp func) {
  bool merged = false;
  func.walk([&](Operation *op) {
    if (!isa<EinsumOp, ReduceOp>(op) || !hasStaticShape(op->getResult(0)))
      return WalkResult::advance();
    for (unsigned k = 0; k < op->getNumOperands(); ++k) {
      auto producer = op->getOperand(k).getDefiningOp<EinsumOp>();
      if (!producer || !producer->hasOneUse() ||
          !hasStaticShape(producer.getResult()) ||
          !llvm::all_of(producer.getInputs(), hasStaticShape))
        continue;
      if (mergeInto(op, k, producer)) {
        merged = true;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return merged;
}

/// A sum over labels of a sum (or difference) of two joins, as the equation
/// front end writes `A[p,x] B[p,y] + C[p,x] D[p,y]` (the implicit sum over
/// p covers the whole sum): summed term by term, each sum merges with its
/// join, and the rank-3 terms are never built. Only when a term is a join
/// that can merge (the sum would otherwise just run twice).
bool distributeOnce(func::FuncOp func) {
  bool changed = false;
  func.walk([&](Operation *op) {
    std::optional<EinsumView> v =
        isa<EinsumOp, ReduceOp>(op) ? viewOf(op) : std::nullopt;
    if (!v || v->spec.inputs.size() != 1 || !v->reduces() ||
        v->reduce != ReduceKind::sum || !v->spec.broadcastLabels().empty() ||
        !hasStaticShape(op->getResult(0)))
      return WalkResult::advance();
    auto add = op->getOperand(0).getDefiningOp<BinaryOp>();
    if (!add || !add->hasOneUse() ||
        (add.getKind() != BinaryKind::add &&
         add.getKind() != BinaryKind::subtract) ||
        add.getLhs().getType() != add.getType() ||
        add.getRhs().getType() != add.getType())
      return WalkResult::advance();
    auto mergeable = [](Value term) {
      auto join = term.getDefiningOp<EinsumOp>();
      return join && join->hasOneUse();
    };
    if (!mergeable(add.getLhs()) && !mergeable(add.getRhs()))
      return WalkResult::advance();
    OpBuilder b(op);
    Operation *lhs = b.clone(*op);
    lhs->setOperand(0, add.getLhs());
    Operation *rhs = b.clone(*op);
    rhs->setOperand(0, add.getRhs());
    auto sum = b.create<BinaryOp>(op->getLoc(), op->getResult(0).getType(),
                                  add.getKind(), lhs->getResult(0),
                                  rhs->getResult(0));
    op->getResult(0).replaceAllUsesWith(sum.getResult());
    op->erase();
    add->erase();
    changed = true;
    return WalkResult::interrupt();
  });
  return changed;
}

/// Splits a multiply/sum einsum of three or more operands along the
/// cheapest path.
void split(EinsumOp op, int exhaustiveLimit) {
  EinsumSpec spec = op.getParsedSpec();
  if (spec.inputs.size() < 3 || spec.inputs.size() > 60 ||
      op.getCombine() != BinaryKind::multiply ||
      op.getReduce() != ReduceKind::sum || !hasStaticShape(op.getResult()) ||
      !llvm::all_of(op.getInputs(), hasStaticShape))
    return;
  std::map<char, int64_t> sizes;
  for (auto [sub, v] : llvm::zip(spec.inputs, op.getInputs()))
    for (auto [l, n] :
         llvm::zip(sub, cast<RankedTensorType>(v.getType()).getShape()))
      sizes[l] = n;
  auto resultType = cast<RankedTensorType>(op.getType());
  for (auto [l, n] : llvm::zip(spec.output, resultType.getShape()))
    sizes[l] = n;

  std::vector<std::string> inputs(spec.inputs.begin(), spec.inputs.end());
  // With an empty label the einsum is all identity values whatever the
  // operands hold; a split could compute inf * 0 in a step and get NaN.
  double naive = naiveContractionCost(inputs, spec.output, sizes);
  if (naive == 0)
    return;
  ContractionPath path =
      findContractionPath(inputs, spec.output, sizes, exhaustiveLimit);
  OpBuilder b(op);
  SmallVector<Value> live(op.getInputs());
  SmallVector<std::string> subs(spec.inputs.begin(), spec.inputs.end());
  // The first original operand each live value holds: a step reads its
  // operands in the source's order, so `ab,bc,cd->ad` ends in the matmul
  // `ac,cd->ad` rather than `cd,ac->ad`.
  SmallVector<int> origin;
  for (int i = 0; i < int(live.size()); ++i)
    origin.push_back(i);
  SmallVector<Attribute> steps;
  Value last;
  for (auto [step, result] : llvm::zip(path.steps, path.results)) {
    auto [i, j] = step;
    steps.push_back(b.getDenseI64ArrayAttr({i, j}));
    int first = origin[i] < origin[j] ? i : j, second = i + j - first;
    SmallVector<int64_t> shape;
    for (char l : result)
      shape.push_back(sizes[l]);
    EinsumSpec pair;
    pair.inputs = {subs[first], subs[second]};
    pair.output = result;
    last = b.create<EinsumOp>(
        op.getLoc(), RankedTensorType::get(shape, resultType.getElementType()),
        pair.str(), ValueRange{live[first], live[second]});
    int from = std::min(origin[i], origin[j]);
    for (int pos : {j, i}) {
      live.erase(live.begin() + pos);
      subs.erase(subs.begin() + pos);
      origin.erase(origin.begin() + pos);
    }
    live.push_back(last);
    subs.push_back(result);
    origin.push_back(from);
  }
  Operation *final = last.getDefiningOp();
  final->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  final->setAttr("tl.contraction_path", b.getArrayAttr(steps));
  // Multiply-add counts, saturated to what an i64 holds.
  auto count = [&](double v) {
    return b.getI64IntegerAttr(v < 9e18 ? int64_t(v) : int64_t(9e18));
  };
  NamedAttribute cost[] = {
      b.getNamedAttr("naive", count(naive)),
      b.getNamedAttr("ordered", count(path.cost)),
      b.getNamedAttr("search",
                     b.getStringAttr(path.optimal ? "optimal" : "greedy"))};
  final->setAttr("tl.contraction_cost", b.getDictionaryAttr(cost));
  op.getResult().replaceAllUsesWith(last);
  op->erase();
}

struct TLOrderContractionsPass
    : tl::impl::TLOrderContractionsPassBase<TLOrderContractionsPass> {
  using TLOrderContractionsPassBase::TLOrderContractionsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (mergeChains)
      while (mergeOnce(func) || distributeOnce(func)) {
      }
    SmallVector<EinsumOp> ops;
    func.walk([&](EinsumOp op) { ops.push_back(op); });
    for (EinsumOp op : ops)
      split(op, exhaustiveLimit);
  }
};

} // namespace
