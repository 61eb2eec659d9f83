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
  case BinaryKind::power: // b a^(b-1), a^b log a
    ga = e.mul(ct, e.mul(b, e.binary(BinaryKind::power, a,
                                       e.sub(b, e.constant(1.0)))));
    gb = e.mul(ct, e.mul(getResult(), e.unary(UnaryKind::log, a)));
    break;
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

LogicalResult ReduceOp::buildVJP(OpBuilder &builder, Value ct,
                                 SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  return emitError("G12: the gradient of 'tl.reduce' is not implemented yet");
}

//===----------------------------------------------------------------------===//
// tl.einsum
//===----------------------------------------------------------------------===//

LogicalResult EinsumOp::buildVJP(OpBuilder &builder, Value ct,
                                 SmallVectorImpl<Value> &grads) {
  if (failed(requireStatic(*this)))
    return failure();
  return emitError("G12: the gradient of 'tl.einsum' is not implemented yet");
}
