//===- ScalarOps.cpp - one element of a tl op in arith/math ----------------===//

#include "ScalarOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::tl;

static Value constant(OpBuilder &b, Location loc, Type type, double value) {
  return b.create<arith::ConstantOp>(
      loc, b.getFloatAttr(type, value));
}

/// 1.0 where `cond` holds, else 0.0 (the comparisons of G9 yield floats).
static Value boolToFloat(OpBuilder &b, Location loc, Value cond, Type type) {
  return b.create<arith::SelectOp>(loc, cond, constant(b, loc, type, 1.0),
                                   constant(b, loc, type, 0.0));
}

Value mlir::tl::emitUnary(OpBuilder &b, Location loc, UnaryKind kind,
                          Value x) {
  Type t = x.getType();
  switch (kind) {
  case UnaryKind::relu: // fmax: relu(NaN) = 0
    return b.create<arith::MaxNumFOp>(loc, x, constant(b, loc, t, 0.0));
  case UnaryKind::sigmoid: {
    Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x));
    Value one = constant(b, loc, t, 1.0);
    return b.create<arith::DivFOp>(loc, one,
                                   b.create<arith::AddFOp>(loc, one, e));
  }
  case UnaryKind::one_minus:
    return b.create<arith::SubFOp>(loc, constant(b, loc, t, 1.0), x);
  case UnaryKind::negate:
    return b.create<arith::NegFOp>(loc, x);
  case UnaryKind::exp:
    return b.create<math::ExpOp>(loc, x);
  case UnaryKind::log:
    return b.create<math::LogOp>(loc, x);
  case UnaryKind::sqrt:
    return b.create<math::SqrtOp>(loc, x);
  case UnaryKind::abs:
    return b.create<math::AbsFOp>(loc, x);
  case UnaryKind::sin:
    return b.create<math::SinOp>(loc, x);
  case UnaryKind::cos:
    return b.create<math::CosOp>(loc, x);
  case UnaryKind::tan:
    return b.create<math::TanOp>(loc, x);
  case UnaryKind::tanh:
    return b.create<math::TanhOp>(loc, x);
  case UnaryKind::floor:
    return b.create<math::FloorOp>(loc, x);
  case UnaryKind::ceil:
    return b.create<math::CeilOp>(loc, x);
  case UnaryKind::round: // half away from zero, like C round
    return b.create<math::RoundOp>(loc, x);
  case UnaryKind::step:
    return boolToFloat(b, loc,
                       b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT,
                                               x, constant(b, loc, t, 0.0)),
                       t);
  }
  llvm_unreachable("unknown unary kind");
}

Value mlir::tl::emitBinary(OpBuilder &b, Location loc, BinaryKind kind,
                           Value lhs, Value rhs) {
  Type t = lhs.getType();
  auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) {
    return boolToFloat(b, loc, b.create<arith::CmpFOp>(loc, p, l, r), t);
  };
  auto mul = [&](Value l, Value r) {
    return b.create<arith::MulFOp>(loc, l, r).getResult();
  };
  auto add = [&](Value l, Value r) {
    return b.create<arith::AddFOp>(loc, l, r).getResult();
  };
  auto sub = [&](Value l, Value r) {
    return b.create<arith::SubFOp>(loc, l, r).getResult();
  };
  switch (kind) {
  case BinaryKind::add:
    return add(lhs, rhs);
  case BinaryKind::subtract:
    return sub(lhs, rhs);
  case BinaryKind::multiply:
    return mul(lhs, rhs);
  case BinaryKind::divide:
    return b.create<arith::DivFOp>(loc, lhs, rhs);
  case BinaryKind::min:
    return b.create<arith::MinNumFOp>(loc, lhs, rhs);
  case BinaryKind::max:
  case BinaryKind::or_max:
    return b.create<arith::MaxNumFOp>(loc, lhs, rhs);
  case BinaryKind::eq: // |a - b| < 1e-10
    return cmp(arith::CmpFPredicate::OLT,
               b.create<math::AbsFOp>(loc, sub(lhs, rhs)),
               constant(b, loc, t, 1e-10));
  case BinaryKind::lt:
    return cmp(arith::CmpFPredicate::OLT, lhs, rhs);
  case BinaryKind::gt:
    return cmp(arith::CmpFPredicate::OGT, lhs, rhs);
  case BinaryKind::lte:
    return cmp(arith::CmpFPredicate::OLE, lhs, rhs);
  case BinaryKind::gte:
    return cmp(arith::CmpFPredicate::OGE, lhs, rhs);
  case BinaryKind::or_prob_sum: // (a + b) - a * b
    return sub(add(lhs, rhs), mul(lhs, rhs));
  case BinaryKind::nand:
    return sub(constant(b, loc, t, 1.0), mul(lhs, rhs));
  case BinaryKind::nor:
    return sub(constant(b, loc, t, 1.0),
               b.create<arith::MaxNumFOp>(loc, lhs, rhs));
  case BinaryKind::xor_: // (a + b) - (2 * a) * b
    return sub(add(lhs, rhs), mul(mul(constant(b, loc, t, 2.0), lhs), rhs));
  case BinaryKind::power:
    return b.create<math::PowFOp>(loc, lhs, rhs);
  case BinaryKind::modulo: // fmod: the sign of the dividend
    return b.create<arith::RemFOp>(loc, lhs, rhs);
  }
  llvm_unreachable("unknown binary kind");
}

Value mlir::tl::emitReduceInit(OpBuilder &b, Location loc, ReduceKind kind,
                               FloatType type) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    return constant(b, loc, type, 0.0);
  case ReduceKind::prod:
    return constant(b, loc, type, 1.0);
  case ReduceKind::max:
    return constant(b, loc, type, -inf);
  case ReduceKind::min:
    return constant(b, loc, type, inf);
  }
  llvm_unreachable("unknown reduce kind");
}

Value mlir::tl::emitReduceStep(OpBuilder &b, Location loc, ReduceKind kind,
                               Value acc, Value x) {
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    return b.create<arith::AddFOp>(loc, acc, x);
  case ReduceKind::prod:
    return b.create<arith::MulFOp>(loc, acc, x);
  case ReduceKind::max: // fmax skips NaN (G10)
    return b.create<arith::MaxNumFOp>(loc, acc, x);
  case ReduceKind::min:
    return b.create<arith::MinNumFOp>(loc, acc, x);
  }
  llvm_unreachable("unknown reduce kind");
}
