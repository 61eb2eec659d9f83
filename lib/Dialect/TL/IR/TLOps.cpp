//===- TLOps.cpp - tl op verifiers -----------------------------------------===//
//
// Verifiers check what is known statically: spec syntax, operand counts,
// ranks, and sizes where the types give them. Dynamic sizes are checked by
// tl-specialize-shapes once the inputs are known (G11). Messages start with
// the rule of shared/docs/graph-contract.md they enforce.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::tl;

#define GET_OP_CLASSES
#include "tl/Dialect/TL/IR/TLOps.cpp.inc"

std::string mlir::tl::formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

static std::optional<std::string> findNodeName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    if (name.getName().strref().starts_with("node "))
      return name.getName().str();
    return findNodeName(name.getChildLoc());
  }
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto n = findNodeName(l))
        return n;
  return std::nullopt;
}

static std::string findSlot(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    if (name.getName().strref().starts_with(kSlotLocPrefix))
      return name.getName().strref().drop_front(kSlotLocPrefix.size()).str();
    return findSlot(name.getChildLoc());
  }
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string s = findSlot(l); !s.empty())
        return s;
  return "";
}

std::string mlir::tl::slotOf(Operation *op) { return findSlot(op->getLoc()); }

std::string mlir::tl::describeOp(Operation *op) {
  if (auto name = findNodeName(op->getLoc()))
    return *name;
  return "'" + op->getName().getStringRef().str() + "' op";
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto elements = llvm::dyn_cast<DenseElementsAttr>(getValue());
  if (!elements || !llvm::isa<FloatType>(elements.getElementType()))
    return emitOpError("G3: value must be a dense tensor of f32 or f64");
  return success();
}

//===----------------------------------------------------------------------===//
// BinaryOp
//===----------------------------------------------------------------------===//

LogicalResult BinaryOp::verify() {
  auto lhs = llvm::dyn_cast<RankedTensorType>(getLhs().getType());
  auto rhs = llvm::dyn_cast<RankedTensorType>(getRhs().getType());
  auto res = llvm::dyn_cast<RankedTensorType>(getResult().getType());
  if (!lhs || !rhs)
    return success();
  int64_t rank = std::max(lhs.getRank(), rhs.getRank());
  if (res && res.getRank() != rank)
    return emitOpError("G9: result has rank ")
           << res.getRank() << " but broadcasting operands of shapes "
           << formatShape(lhs.getShape()) << " and "
           << formatShape(rhs.getShape()) << " gives rank " << rank;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t li = i - (rank - lhs.getRank()), ri = i - (rank - rhs.getRank());
    int64_t a = li >= 0 ? lhs.getDimSize(li) : 1;
    int64_t b = ri >= 0 ? rhs.getDimSize(ri) : 1;
    if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
      continue;
    if (a != b && a != 1 && b != 1)
      return emitOpError("G9: operand shapes ")
             << formatShape(lhs.getShape()) << " and "
             << formatShape(rhs.getShape()) << " are not broadcast-compatible";
    int64_t out = a == 1 ? b : a;
    if (res && !res.isDynamicDim(i) && res.getDimSize(i) != out)
      return emitOpError("G9: result dimension ")
             << i << " has size " << res.getDimSize(i)
             << " but broadcasting gives " << out;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::verify() {
  ArrayRef<int64_t> axes = getAxes();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t a : axes) {
    if (a < 0)
      return emitOpError("G10: axis ") << a << " is negative";
    if (!seen.insert(a).second)
      return emitOpError("G10: duplicate axis ") << a << " in axes ["
                                                 << llvm::make_range(axes.begin(), axes.end())
                                                 << "]";
  }
  auto in = llvm::dyn_cast<RankedTensorType>(getInput().getType());
  if (!in)
    return success();
  for (int64_t a : axes)
    if (a >= in.getRank())
      return emitOpError("G10: axis ")
             << a << " out of range for an input of rank " << in.getRank()
             << ", shape " << formatShape(in.getShape());
  auto res = llvm::dyn_cast<RankedTensorType>(getResult().getType());
  if (!res)
    return success();
  int64_t want = in.getRank() - static_cast<int64_t>(axes.size());
  if (res.getRank() != want)
    return emitOpError("G10: result has rank ")
           << res.getRank() << " but reducing " << axes.size()
           << " axes of a rank-" << in.getRank() << " input leaves " << want;
  int64_t j = 0;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (seen.contains(i))
      continue;
    int64_t a = in.getDimSize(i), b = res.getDimSize(j);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return emitOpError("G10: result dimension ")
             << j << " has size " << b << " but input dimension " << i
             << " has size " << a;
    ++j;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// EinsumOp
//===----------------------------------------------------------------------===//

EinsumSpec EinsumOp::getParsedSpec() {
  llvm::Expected<EinsumSpec> spec = EinsumSpec::parse(getSpec());
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return EinsumSpec();
  }
  return std::move(*spec);
}

LogicalResult EinsumOp::verify() {
  bool generalized =
      getCombine() != BinaryKind::multiply || getReduce() != ReduceKind::sum;
  const char *rule = generalized ? "G8: " : "G6: ";
  llvm::Expected<EinsumSpec> parsed = EinsumSpec::parse(getSpec());
  if (!parsed)
    return emitOpError(rule) << llvm::toString(parsed.takeError());
  EinsumSpec &spec = *parsed;
  Type elementType = getElementTypeOrSelf(getResult().getType());
  for (Value v : getInputs())
    if (getElementTypeOrSelf(v.getType()) != elementType)
      return emitOpError(rule) << "operand element type " << getElementTypeOrSelf(v.getType())
                               << " differs from the result's " << elementType;
  if (spec.inputs.size() != getInputs().size())
    return emitOpError(rule)
           << "the spec '" << getSpec() << "' has " << spec.inputs.size()
           << " input subscript(s) but the op has " << getInputs().size()
           << " operand(s)";
  if (getCombine() != BinaryKind::multiply && getInputs().size() != 2)
    return emitOpError("G8: combine '")
           << stringifyBinaryKind(getCombine())
           << "' needs exactly 2 operands, got " << getInputs().size();

  // label -> (size, where it was seen) for the static sizes.
  llvm::DenseMap<char, std::pair<int64_t, std::string>> sizes;
  auto check = [&](char label, int64_t size,
                   const std::string &where) -> LogicalResult {
    if (ShapedType::isDynamic(size))
      return success();
    auto [it, inserted] = sizes.try_emplace(label, size, where);
    if (inserted || it->second.first == size)
      return success();
    return emitOpError(rule) << "label '" << label << "' has size "
                             << it->second.first << " in " << it->second.second
                             << " but size " << size << " in " << where
                             << " (no size-1 stretching in einsum)";
  };
  for (auto [i, operand] : llvm::enumerate(getInputs())) {
    auto type = llvm::dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      continue;
    const std::string &sub = spec.inputs[i];
    if (type.getRank() != static_cast<int64_t>(sub.size()))
      return emitOpError(rule)
             << "operand " << i << " has rank " << type.getRank()
             << ", shape " << formatShape(type.getShape())
             << ", but its subscript '" << sub << "' has " << sub.size()
             << " label(s)";
    for (auto [d, label] : llvm::enumerate(sub))
      if (failed(check(label, type.getDimSize(d),
                       "operand " + std::to_string(i))))
        return failure();
  }
  auto res = llvm::dyn_cast<RankedTensorType>(getResult().getType());
  if (res) {
    if (res.getRank() != static_cast<int64_t>(spec.output.size()))
      return emitOpError(rule)
             << "result has rank " << res.getRank() << " but the output '"
             << spec.output << "' has " << spec.output.size() << " label(s)";
    for (auto [d, label] : llvm::enumerate(spec.output))
      if (failed(check(label, res.getDimSize(d), "the result")))
        return failure();
  }
  return success();
}
