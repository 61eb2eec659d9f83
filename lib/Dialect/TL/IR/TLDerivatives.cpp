//===- TLDerivatives.cpp - vector-Jacobian products of tl ops (G12) -------===//
//
// Each rule builds ordinary tl ops, so an adjoint is compiled like any
// other tl function (and can itself be differentiated). Conventions follow
// G12: zero derivative for comparisons, step, floor, ceil, round and the
// divisor of modulo; relu and abs have derivative 0 at 0; min/max pick the
// selected operand and split ties evenly, and a NaN operand passes the
// whole gradient to the other (fmax/fmin select it).
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

#include "tl/Dialect/TL/IR/TLInterfaces.cpp.inc"

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Builds element-wise tl ops at one location.
struct Emitter {
  OpBuilder &b;
  Location loc;
  Type elem;

  Value constant(double v) {
    auto type = RankedTensorType::get({}, elem);
    return b.create<ConstantOp>(
        loc, type, DenseElementsAttr::get(type, FloatAttr::get(elem, v)),
        StringAttr());
  }
  Value unary(UnaryKind k, Value x) {
    return b.create<UnaryOp>(loc, x.getType(), k, x);
  }
  Value binary(BinaryKind k, Value x, Value y) {
    auto tx = cast<RankedTensorType>(x.getType());
    auto ty = cast<RankedTensorType>(y.getType());
    // NumPy broadcast of static shapes (the verifier checked them).
    int64_t rank = std::max(tx.getRank(), ty.getRank());
    SmallVector<int64_t> shape(rank, 1);
    for (int64_t i = 0; i < rank; ++i) {
      int64_t dx = i < rank - tx.getRank()
                       ? 1
                       : tx.getDimSize(i - (rank - tx.getRank()));
      int64_t dy = i < rank - ty.getRank()
                       ? 1
                       : ty.getDimSize(i - (rank - ty.getRank()));
      shape[i] = dx == 1 ? dy : dx;
    }
    return b.create<BinaryOp>(loc, RankedTensorType::get(shape, elem), k, x,
                              y);
  }
  Value add(Value x, Value y) { return binary(BinaryKind::add, x, y); }
  Value sub(Value x, Value y) { return binary(BinaryKind::subtract, x, y); }
  Value mul(Value x, Value y) { return binary(BinaryKind::multiply, x, y); }
  Value div(Value x, Value y) { return binary(BinaryKind::divide, x, y); }
  Value neg(Value x) { return unary(UnaryKind::negate, x); }

  /// The gradient `g` of a value broadcast (G9) to g's shape, summed back
  /// to `type`: one einsum that drops the leading dimensions and keeps
  /// stretched size-1 dimensions as size-1 broadcast labels (G7).
  Value sumTo(Value g, Type type) {
    if (g.getType() == type)
      return g;
    auto tg = cast<RankedTensorType>(g.getType());
    auto tt = cast<RankedTensorType>(type);
    std::string in, out;
    char fresh = 'A';
    int64_t lead = tg.getRank() - tt.getRank();
    for (int64_t i = 0; i < tg.getRank(); ++i)
      in.push_back(char('a' + i));
    for (int64_t j = 0; j < tt.getRank(); ++j) {
      int64_t i = j + lead;
      if (tt.getDimSize(j) == tg.getDimSize(i))
        out.push_back(in[i]);
      else
        out.push_back(fresh++);
    }
    return b.create<EinsumOp>(loc, type, b.getStringAttr(in + "->" + out),
                              ValueRange{g}, BinaryKind::multiply,
                              ReduceKind::sum);
  }

  /// 1 where x is not NaN, else 0 (x >= x).
  Value notNaN(Value x) { return binary(BinaryKind::gte, x, x); }
  Value eq(Value x, Value y) { return binary(BinaryKind::eq, x, y); }

  RankedTensorType tensorOf(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, elem);
  }
  Value einsum(StringRef spec, ValueRange inputs, ArrayRef<int64_t> shape) {
    return b.create<EinsumOp>(loc, tensorOf(shape), b.getStringAttr(spec),
                              inputs, BinaryKind::multiply, ReduceKind::sum);
  }
  Value reduce(ReduceKind k, Value x, ArrayRef<int64_t> axes) {
    auto tx = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < tx.getRank(); ++i)
      if (!llvm::is_contained(axes, i))
        shape.push_back(tx.getDimSize(i));
    return b.create<ReduceOp>(loc, tensorOf(shape), k, x,
                              b.getDenseI64ArrayAttr(axes));
  }
  /// The n x n identity, for embedding a gradient on a diagonal.
  Value identity(int64_t n) {
    auto type = tensorOf({n, n});
    SmallVector<Attribute> values(n * n, FloatAttr::get(elem, 0.0));
    for (int64_t i = 0; i < n; ++i)
      values[i * n + i] = FloatAttr::get(elem, 1.0);
    return b.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, values),
                                StringAttr());
  }
};

bool isStatic(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape();
}

LogicalResult requireStatic(Operation *op) {
  for (Type t : op->getOperandTypes())
    if (!isStatic(t))
      return op->emitError("G12: gradients need static shapes; run "
                           "tl-specialize-shapes first");
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// tl.unary
//===----------------------------------------------------------------------===//

LogicalResult UnaryOp::buildVJP(OpBuilder &builder, Value ct,
                                SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  Emitter e{builder, getLoc(), getElementTypeOrSelf(getType())};
  Value x = getInput(), y = getResult();
  Value g;
  switch (getKind()) {
  case UnaryKind::relu:
    g = e.mul(ct, e.unary(UnaryKind::step, x));
    break;
  case UnaryKind::sigmoid:
    g = e.mul(ct, e.mul(y, e.unary(UnaryKind::one_minus, y)));
    break;
  case UnaryKind::one_minus:
  case UnaryKind::negate:
    g = e.neg(ct);
    break;
  case UnaryKind::exp:
    g = e.mul(ct, y);
    break;
  case UnaryKind::log:
    g = e.div(ct, x);
    break;
  case UnaryKind::sqrt:
    g = e.div(ct, e.mul(e.constant(2.0), y));
    break;
  case UnaryKind::abs: // sign(x), 0 at 0
    g = e.mul(ct, e.sub(e.unary(UnaryKind::step, x),
                        e.unary(UnaryKind::step, e.neg(x))));
    break;
  case UnaryKind::sin:
    g = e.mul(ct, e.unary(UnaryKind::cos, x));
    break;
  case UnaryKind::cos:
    g = e.neg(e.mul(ct, e.unary(UnaryKind::sin, x)));
    break;
  case UnaryKind::tan: // 1 + tan^2
    g = e.mul(ct, e.add(e.constant(1.0), e.mul(y, y)));
    break;
  case UnaryKind::tanh: // 1 - tanh^2
    g = e.mul(ct, e.sub(e.constant(1.0), e.mul(y, y)));
    break;
  case UnaryKind::floor:
  case UnaryKind::ceil:
  case UnaryKind::round:
  case UnaryKind::step:
    break; // zero
  }
  grads.push_back(g);
  return success();
}

//===----------------------------------------------------------------------===//
// tl.binary
//===----------------------------------------------------------------------===//

LogicalResult BinaryOp::buildVJP(OpBuilder &builder, Value ct,
                                 SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  Emitter e{builder, getLoc(), getElementTypeOrSelf(getType())};
  Value a = getLhs(), b = getRhs();
  Value ga, gb;
  // The weight of `a` in a selection: 1 if it wins, 1/2 on a tie; a NaN
  // operand loses to a number (fmax/fmin return the number).
  auto selectWeight = [&](bool wantMax) {
    Value d = wantMax ? e.sub(a, b) : e.sub(b, a);
    Value wins = e.unary(UnaryKind::step, d);
    Value loses = e.unary(UnaryKind::step, e.neg(d));
    Value tie = e.sub(e.sub(e.constant(1.0), wins), loses);
    Value w = e.add(wins, e.mul(e.constant(0.5), tie));
    Value aOk = e.notNaN(a), bOk = e.notNaN(b);
    // a number against NaN takes everything; NaN takes nothing.
    Value bothOk = e.mul(w, bOk);
    Value onlyA = e.unary(UnaryKind::one_minus, bOk);
    return e.mul(aOk, e.add(bothOk, onlyA));
  };
  switch (getKind()) {
  case BinaryKind::add:
    ga = ct, gb = ct;
    break;
  case BinaryKind::subtract:
    ga = ct, gb = e.neg(ct);
    break;
  case BinaryKind::multiply:
    ga = e.mul(ct, b), gb = e.mul(ct, a);
    break;
  case BinaryKind::divide:
    ga = e.div(ct, b);
    gb = e.neg(e.div(e.mul(ct, a), e.mul(b, b)));
    break;
  case BinaryKind::min:
  case BinaryKind::max:
  case BinaryKind::or_max: {
    Value w = selectWeight(getKind() != BinaryKind::min);
    ga = e.mul(ct, w), gb = e.mul(ct, e.unary(UnaryKind::one_minus, w));
    break;
  }
  case BinaryKind::nor: { // 1 - max(a, b)
    Value w = selectWeight(true);
    Value nct = e.neg(ct);
    ga = e.mul(nct, w), gb = e.mul(nct, e.unary(UnaryKind::one_minus, w));
    break;
  }
  case BinaryKind::or_prob_sum: // a + b - ab
    ga = e.mul(ct, e.unary(UnaryKind::one_minus, b));
    gb = e.mul(ct, e.unary(UnaryKind::one_minus, a));
    break;
  case BinaryKind::nand: // 1 - ab
    ga = e.neg(e.mul(ct, b)), gb = e.neg(e.mul(ct, a));
    break;
  case BinaryKind::xor_: // a + b - 2ab
    ga = e.mul(ct, e.sub(e.constant(1.0), e.mul(e.constant(2.0), b)));
    gb = e.mul(ct, e.sub(e.constant(1.0), e.mul(e.constant(2.0), a)));
    break;
  case BinaryKind::power: {
    // b a^(b-1) and a^b log a, with PyTorch's conventions at the poles:
    // 0 wrt a where b = 0 (the exponent is nudged to 0 so a^(b-1) stays
    // finite) and 0 wrt b where a = 0 and b >= 0 (log sees 1 instead).
    Value one = e.constant(1.0), zero = e.constant(0.0);
    Value exponent = e.add(e.sub(b, one), e.eq(b, zero));
    ga = e.mul(ct, e.mul(b, e.binary(BinaryKind::power, a, exponent)));
    Value pole = e.mul(e.eq(a, zero), e.binary(BinaryKind::gte, b, zero));
    gb = e.mul(ct, e.mul(getResult(), e.unary(UnaryKind::log, e.add(a, pole))));
    break;
  }
  case BinaryKind::modulo:
    ga = ct; // and zero wrt the divisor (G12)
    break;
  case BinaryKind::eq:
  case BinaryKind::lt:
  case BinaryKind::gt:
  case BinaryKind::lte:
  case BinaryKind::gte:
    break;
  }
  grads.push_back(ga ? e.sumTo(ga, a.getType()) : Value());
  grads.push_back(gb ? e.sumTo(gb, b.getType()) : Value());
  return success();
}

//===----------------------------------------------------------------------===//
// tl.reduce
//===----------------------------------------------------------------------===//

namespace {
/// Vector-Jacobian product of a reduction of `x` (to `y`) over `axes`.
Value reduceVJP(Emitter &e, ReduceKind kind, Value x, Value y,
                ArrayRef<int64_t> axes, Value ct) {
  auto tx = cast<RankedTensorType>(x.getType());
  if (axes.empty())
    return ct;
  // y-shaped values broadcast back along the reduced axes (G7 labels).
  std::string all, kept;
  for (int64_t i = 0; i < tx.getRank(); ++i) {
    all.push_back(char('a' + i));
    if (!llvm::is_contained(axes, i))
      kept.push_back(all.back());
  }
  auto back = [&](Value v) {
    return e.einsum(kept + "->" + all, v, tx.getShape());
  };
  switch (kind) {
  case ReduceKind::sum:
    return back(ct);
  case ReduceKind::mean: {
    int64_t n = 1;
    for (int64_t a : axes)
      n *= tx.getDimSize(a);
    return back(n ? e.mul(ct, e.constant(1.0 / double(n))) : ct);
  }
  case ReduceKind::max:
  case ReduceKind::min: {
    // Every element equal to the result shares the gradient evenly; NaN
    // elements never equal it. An all-NaN slice has no winner (count 0).
    Value mask = e.eq(x, back(y));
    Value count = e.reduce(ReduceKind::sum, mask, axes);
    Value share = e.div(
        ct, e.binary(BinaryKind::max, count, e.constant(1.0)));
    return e.mul(mask, back(share));
  }
  case ReduceKind::prod: {
    // The product of the other elements, without dividing by zero: with
    // no zero in the slice it is y / x; with one zero, the zero element
    // gets the product of the rest and the others 0; with more, all 0.
    Value isZero = e.eq(x, e.constant(0.0));
    Value nonZero = e.add(x, isZero); // zeros replaced by ones
    Value prodNonZero = e.reduce(ReduceKind::prod, nonZero, axes);
    Value zeros = e.reduce(ReduceKind::sum, isZero, axes);
    Value scaled = e.mul(ct, prodNonZero);
    Value none = e.mul(scaled, e.eq(zeros, e.constant(0.0)));
    Value one = e.mul(scaled, e.eq(zeros, e.constant(1.0)));
    return e.add(e.div(back(none), nonZero), e.mul(back(one), isZero));
  }
  }
  llvm_unreachable("unknown reduce kind");
}
} // namespace

LogicalResult ReduceOp::buildVJP(OpBuilder &builder, Value ct,
                                 SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  Emitter e{builder, getLoc(), getElementTypeOrSelf(getType())};
  grads.push_back(
      reduceVJP(e, getKind(), getInput(), getResult(), getAxes(), ct));
  return success();
}

//===----------------------------------------------------------------------===//
// tl.einsum
//===----------------------------------------------------------------------===//

namespace {
/// `g`, the gradient over the distinct labels `uniq` of an operand whose
/// subscript `labels` repeats some (a diagonal, G6), placed on that
/// diagonal: each repeat becomes a fresh label tied to the first by an
/// identity matrix.
Value embedDiagonal(Emitter &e, Value g, StringRef uniq, StringRef labels,
                    RankedTensorType type, StringRef used) {
  std::string out, spec = uniq.str();
  SmallVector<Value> inputs{g};
  char fresh = 'A';
  for (auto [i, c] : llvm::enumerate(labels)) {
    if (out.find(c) == std::string::npos) {
      out.push_back(c);
      continue;
    }
    while (used.contains(fresh) || out.find(fresh) != std::string::npos ||
           spec.find(fresh) != std::string::npos)
      ++fresh;
    spec += std::string(",") + c + fresh;
    inputs.push_back(e.identity(type.getDimSize(i)));
    out.push_back(fresh);
  }
  return e.einsum(spec + "->" + out, inputs, type.getShape());
}

std::string distinct(StringRef labels) {
  std::string u;
  for (char c : labels)
    if (u.find(c) == std::string::npos)
      u.push_back(c);
  return u;
}
} // namespace

LogicalResult EinsumOp::buildVJP(OpBuilder &builder, Value ct,
                                 SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  Emitter e{builder, getLoc(), getElementTypeOrSelf(getType())};
  EinsumSpec spec = getParsedSpec();
  auto resultType = cast<RankedTensorType>(getType());
  std::string used = spec.str();

  // The size of every label.
  llvm::DenseMap<char, int64_t> size;
  for (auto [labels, x] : llvm::zip(spec.inputs, getInputs()))
    for (auto [i, c] : llvm::enumerate(labels))
      size[c] = cast<RankedTensorType>(x.getType()).getDimSize(i);
  for (auto [i, c] : llvm::enumerate(spec.output))
    size[c] = resultType.getDimSize(i);
  auto shapeOf = [&](StringRef labels) {
    SmallVector<int64_t> shape;
    for (char c : labels)
      shape.push_back(size[c]);
    return shape;
  };

  // The gradient of a product summed over labels (G6) wrt operand i is the
  // einsum of the cotangent with the other operands onto i's labels; a
  // label only operand i has is a G7 broadcast of that einsum.
  auto productVJP = [&](ArrayRef<std::string> labels, ValueRange inputs,
                        StringRef outLabels, Value cot) {
    SmallVector<Value> result;
    for (auto [i, x] : llvm::enumerate(inputs)) {
      std::string uniq = distinct(labels[i]);
      std::string s = outLabels.str();
      SmallVector<Value> operands{cot};
      for (auto [j, y] : llvm::enumerate(inputs))
        if (j != i) {
          s += "," + labels[j];
          operands.push_back(y);
        }
      Value g = e.einsum(s + "->" + uniq, operands, shapeOf(uniq));
      if (uniq != labels[i])
        g = embedDiagonal(e, g, uniq, labels[i],
                          cast<RankedTensorType>(x.getType()), used);
      result.push_back(g);
    }
    return result;
  };

  if (getCombine() == BinaryKind::multiply &&
      getReduce() == ReduceKind::sum) {
    llvm::append_range(grads, productVJP(spec.inputs, getInputs(),
                                         spec.output, ct));
    return success();
  }

  // Other kinds (G8): rebuilt as element-wise ops over every label, then
  // differentiated op by op: each operand aligned to all labels (an
  // einsum), combined (tl.binary), reduced over the summed labels.
  std::string full = spec.output + spec.reducedLabels();
  SmallVector<Value> aligned;
  for (auto [labels, x] : llvm::zip(spec.inputs, getInputs()))
    aligned.push_back(e.einsum(labels + "->" + full, x, shapeOf(full)));
  Value combined = aligned[0];
  BinaryOp combineOp;
  if (aligned.size() == 2) {
    combineOp = builder.create<BinaryOp>(getLoc(), aligned[0].getType(),
                                         getCombine(), aligned[0], aligned[1]);
    combined = combineOp;
  }
  SmallVector<int64_t> axes;
  for (int64_t i = spec.output.size(); i < int64_t(full.size()); ++i)
    axes.push_back(i);
  Value reduced = axes.empty() ? combined
                               : e.reduce(getReduce(), combined, axes);
  Value ctCombined =
      reduceVJP(e, getReduce(), combined, reduced, axes, ct);
  SmallVector<Value> ctAligned{ctCombined};
  if (combineOp) {
    ctAligned.clear();
    if (failed(combineOp.buildVJP(builder, ctCombined, ctAligned)))
      return failure();
  }
  for (auto [i, x] : llvm::enumerate(getInputs()))
    grads.push_back(ctAligned[i] ? productVJP({spec.inputs[i]}, x, full,
                                              ctAligned[i])[0]
                                 : Value());
  return success();
}
