//===- FixpointClosure.cpp - recognize fixpoints linear in their state ---===//
//
// Reachability, ancestor and every rule of the form
//
//   R[x,z] = step(E[x,z] + R[x,y] E[y,z])      (or E[x,y] R[y,z])
//
// is linear in R over the Boolean semiring, so only the pairs the last
// iteration added need joining (semi-naive evaluation). tl-semi-naive marks
// such fixpoints and convert-tl-to-linalg lowers the marked ones to a
// kernel; both ask this one matcher. The same holds for any rule
//
//   R[x,y] = step(B[x,y] + L[x,p] R[p,q] M[q,y])
//
// (same generation: L = M^T = the parent relation), which a second matcher
// recognizes for a second kernel.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/EinsumSpec.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <map>

using namespace mlir;
using namespace mlir::tl;

namespace {

/// A tensor of zeros: a zero splat constant, or a broadcast ("->ab") of a
/// zero scalar constant, as the equation front end starts a state.
bool isZeros(Value v) {
  if (auto einsum = v.getDefiningOp<EinsumOp>()) {
    if (einsum.getInputs().size() != 1)
      return false;
    auto spec = EinsumSpec::parse(einsum.getSpec());
    if (!spec) {
      llvm::consumeError(spec.takeError());
      return false;
    }
    if (!spec->inputs[0].empty())
      return false;
    v = einsum.getInputs()[0];
  }
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return false;
  auto dense = dyn_cast<DenseFPElementsAttr>(value);
  return dense && dense.isSplat() &&
         dense.getSplatValue<APFloat>().isZero();
}

/// A join whose pattern is the Boolean join of its operands' patterns for
/// entries >= 0: products, summed.
bool isSumOfProducts(EinsumOp einsum) {
  return einsum.getCombine() == BinaryKind::multiply &&
         einsum.getReduce() == ReduceKind::sum;
}

/// An einsum as its operands, their labels and the output's.
struct FlatJoin {
  SmallVector<Value> inputs;
  SmallVector<std::string> subs;
  std::string output;
};

std::optional<FlatJoin> flatten(EinsumOp einsum) {
  auto spec = EinsumSpec::parse(einsum.getSpec());
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return std::nullopt;
  }
  if (!isSumOfProducts(einsum))
    return std::nullopt;
  FlatJoin flat{SmallVector<Value>(einsum.getInputs()),
                SmallVector<std::string>(spec->inputs.begin(),
                                         spec->inputs.end()),
                spec->output};
  return flat;
}

/// `outer` with its operand `inner` (a join of its own) substituted: the
/// one join tl-order-contractions split into two, `L R M` as `(L R) M`.
std::optional<FlatJoin> flatten(EinsumOp outer, EinsumOp inner) {
  std::optional<FlatJoin> o = flatten(outer), i = flatten(inner);
  if (!o || !i || llvm::count(o->inputs, inner.getResult()) != 1)
    return std::nullopt;
  unsigned k = llvm::find(o->inputs, inner.getResult()) - o->inputs.begin();
  const std::string &at = o->subs[k];
  std::string used = o->output;
  for (const std::string &sub : o->subs)
    used += sub;
  std::map<char, char> rename;
  for (size_t j = 0; j < i->output.size(); ++j) {
    // A label twice on either side is a diagonal: not a plain product.
    if (rename.count(i->output[j]) ||
        llvm::count(at, at[j]) != 1)
      return std::nullopt;
    rename[i->output[j]] = at[j];
  }
  char fresh = 'A';
  for (char label : EinsumSpec{{i->subs.begin(), i->subs.end()}, i->output}
                        .reducedLabels()) {
    while (used.find(fresh) != std::string::npos)
      ++fresh;
    if (fresh > 'Z')
      return std::nullopt;
    rename[label] = fresh;
    used.push_back(fresh);
  }
  FlatJoin flat;
  flat.output = o->output;
  for (unsigned j = 0; j < o->inputs.size(); ++j) {
    if (j != k) {
      flat.inputs.push_back(o->inputs[j]);
      flat.subs.push_back(o->subs[j]);
      continue;
    }
    for (auto [v, sub] : llvm::zip(i->inputs, i->subs)) {
      std::string mapped;
      for (char l : sub)
        mapped.push_back(rename.at(l));
      flat.inputs.push_back(v);
      flat.subs.push_back(mapped);
    }
  }
  return flat;
}

/// True when `einsum` is a matrix product of `lhs` and `rhs` in this order
/// ("xy,yz->xz" under any names).
bool isMatrixProduct(EinsumOp einsum, Value lhs, Value rhs) {
  if (einsum.getInputs().size() != 2 || einsum.getInputs()[0] != lhs ||
      einsum.getInputs()[1] != rhs || !isSumOfProducts(einsum))
    return false;
  auto spec = EinsumSpec::parse(einsum.getSpec());
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return false;
  }
  const std::string &a = spec->inputs[0], &b = spec->inputs[1],
                    &out = spec->output;
  return a.size() == 2 && b.size() == 2 && out.size() == 2 && a[0] != a[1] &&
         b[0] != b[1] && a[1] == b[0] && a[0] != b[1] && out[0] == a[0] &&
         out[1] == b[1];
}

} // namespace

std::optional<FixpointOp::BooleanClosure> FixpointOp::matchBooleanClosure() {
  if (getInits().size() != 1 || getTolerance().convertToDouble() >= 1.0)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(getResult(0).getType());
  if (!type || type.getRank() != 2)
    return std::nullopt;
  Block &body = getBodyBlock();
  // Exactly the einsum, the add and the step: nothing else runs per
  // iteration that the kernel would skip.
  if (body.getOperations().size() != 4)
    return std::nullopt;
  Value state = body.getArgument(0);
  auto step = getYield().getValues()[0].getDefiningOp<UnaryOp>();
  if (!step || step.getKind() != UnaryKind::step)
    return std::nullopt;
  auto add = step.getInput().getDefiningOp<BinaryOp>();
  if (!add || add.getKind() != BinaryKind::add)
    return std::nullopt;
  for (auto [join, relation] : {std::pair{add.getRhs(), add.getLhs()},
                                std::pair{add.getLhs(), add.getRhs()}}) {
    auto einsum = join.getDefiningOp<EinsumOp>();
    // E must be read from above: the same relation in every iteration.
    if (!einsum || getBody().isAncestor(relation.getParentRegion()))
      continue;
    if (relation.getType() != type)
      continue;
    if (!isMatrixProduct(einsum, state, relation) &&
        !isMatrixProduct(einsum, relation, state))
      continue;
    Value init = getInits()[0];
    if (isZeros(init))
      return BooleanClosure{relation, 0};
    if (init == relation)
      return BooleanClosure{relation, 1};
  }
  return std::nullopt;
}

std::optional<FixpointOp::LinearBooleanRule>
FixpointOp::matchLinearBooleanRule() {
  if (getInits().size() != 1 || getTolerance().convertToDouble() >= 1.0 ||
      !isZeros(getInits()[0]))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(getResult(0).getType());
  if (!type || type.getRank() != 2)
    return std::nullopt;
  Block &body = getBodyBlock();
  Value state = body.getArgument(0);
  auto step = getYield().getValues()[0].getDefiningOp<UnaryOp>();
  if (!step || step.getKind() != UnaryKind::step)
    return std::nullopt;
  auto add = step.getInput().getDefiningOp<BinaryOp>();
  if (!add || add.getKind() != BinaryKind::add || !add->hasOneUse() ||
      !step->hasOneUse())
    return std::nullopt;

  // The join reads the state, alone or as the inner half of the two
  // einsums tl-order-contractions splits L R M into. Everything else the
  // body computes must not read the state: it runs once, in front.
  EinsumOp join, outer;
  for (Operation *user : state.getUsers()) {
    if (join || !isa<EinsumOp>(user))
      return std::nullopt;
    join = cast<EinsumOp>(user);
  }
  if (!join || !join.getResult().hasOneUse())
    return std::nullopt;
  Operation *joinUser = *join.getResult().getUsers().begin();
  if (joinUser != add) {
    outer = dyn_cast<EinsumOp>(joinUser);
    if (!outer || !outer.getResult().hasOneUse() ||
        *outer.getResult().getUsers().begin() != add)
      return std::nullopt;
  }
  llvm::SmallPtrSet<Operation *, 4> recursive{step, add, join};
  if (outer)
    recursive.insert(outer);
  for (Operation &op : body.without_terminator())
    if (!recursive.contains(&op) &&
        (op.getNumRegions() != 0 || !isMemoryEffectFree(&op)))
      return std::nullopt;
  LinearBooleanRule rule;
  Value joined = outer ? outer.getResult() : join.getResult();
  if (add.getLhs() == joined)
    rule.base = add.getRhs();
  else if (add.getRhs() == joined)
    rule.base = add.getLhs();
  else
    return std::nullopt;
  if (rule.base == state || rule.base.getType() != type)
    return std::nullopt;

  // The join: the state "pq" once, output "xy", and a factor "xp" (or "px")
  // unless p is x, a factor "qy" (or "yq") unless q is y; nothing else.
  std::optional<FlatJoin> flat = outer ? flatten(outer, join) : flatten(join);
  if (!flat || joined.getType() != type ||
      llvm::count(flat->inputs, state) != 1)
    return std::nullopt;
  const std::string &out = flat->output;
  if (out.size() != 2 || out[0] == out[1])
    return std::nullopt;
  unsigned stateIndex =
      llvm::find(flat->inputs, state) - flat->inputs.begin();
  const std::string &s = flat->subs[stateIndex];
  if (s.size() != 2 || s[0] == s[1])
    return std::nullopt;
  // (row of the factor's result, summed index) for L, (summed, column) for
  // M; found: the factor's input, transposed when its labels are reversed.
  auto factor = [&](char outer, char inner, bool left, Value &found,
                    bool &transposed) {
    if (outer == inner)
      return true;
    if (out.find(inner) != std::string::npos)
      return false;
    std::string direct = left ? std::string{outer, inner}
                              : std::string{inner, outer};
    std::string reversed{direct[1], direct[0]};
    for (auto [i, sub] : llvm::enumerate(flat->subs)) {
      if (i == stateIndex || (sub != direct && sub != reversed))
        continue;
      Value v = flat->inputs[i];
      if (found || v == state || v.getType() != type)
        return false;
      found = v;
      transposed = sub == reversed;
    }
    return bool(found);
  };
  if (!factor(out[0], s[0], /*left=*/true, rule.left, rule.leftTransposed) ||
      !factor(out[1], s[1], /*left=*/false, rule.right,
              rule.rightTransposed))
    return std::nullopt;
  size_t factors = (rule.left ? 1 : 0) + (rule.right ? 1 : 0);
  if (factors == 0 || flat->inputs.size() != factors + 1)
    return std::nullopt;
  // L is rows x rows and M columns x columns, and each has R's type: R is
  // square (the kernel checks the sizes a dynamic type leaves open).
  if (!type.isDynamicDim(0) && !type.isDynamicDim(1) &&
      type.getDimSize(0) != type.getDimSize(1))
    return std::nullopt;
  return rule;
}
