//===- FixpointClosure.cpp - recognize a transitive-closure fixpoint ------===//
//
// Reachability, ancestor and every rule of the form
//
//   R[x,z] = step(E[x,z] + R[x,y] E[y,z])      (or E[x,y] R[y,z])
//
// is linear in R over the Boolean semiring, so only the pairs the last
// iteration added need joining (semi-naive evaluation). tl-semi-naive marks
// such fixpoints and convert-tl-to-linalg lowers the marked ones to a
// kernel; both ask this one matcher.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/EinsumSpec.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Matchers.h"

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

/// True when `einsum` is a matrix product of `lhs` and `rhs` in this order
/// ("xy,yz->xz" under any names).
bool isMatrixProduct(EinsumOp einsum, Value lhs, Value rhs) {
  if (einsum.getInputs().size() != 2 || einsum.getInputs()[0] != lhs ||
      einsum.getInputs()[1] != rhs)
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
