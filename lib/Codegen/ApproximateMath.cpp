//===- ApproximateMath.cpp - polynomial f32 exp ---------------------------===//
//
// Only f32 exp is rewritten: it is what sigmoid and softmax spend their
// time in. MLIR's own approximation (populateMathPolynomialApproximation-
// Patterns) costs about 24 vector instructions per exp on x86: it clamps
// the input and the exponent separately, rounds with a round instruction,
// converts to integer, and then needs a select to pass NaN through because
// its clamps drop NaN. The expansion here costs 15:
//
//  * clamps are written select(x < c, c, x), which x86 does in one
//    vmaxps/vminps and which keeps NaN (the comparison is false for it),
//    so NaN flows through the arithmetic to the result;
//  * n = round(x / ln 2) and the biased exponent come out of one fma by
//    adding 1.5 * 2^23 + 127: the sum's low mantissa bits are n + 127,
//    which one shift moves into the exponent field of 2^n;
//  * only n is clamped above (n <= 127), so a large x overflows to +inf
//    in the final multiply, and only x below (x >= -88, where n >= -127),
//    so a very negative x gives 0.
//
// The polynomial is Cephes' expf (also the one MLIR and the hand-written
// W4 reference use) after Cody-Waite reduction by ln 2 in two parts.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLAPPROXIMATEMATHPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Builds element-wise arithmetic on a scalar f32 or a vector of them.
class F32Builder {
public:
  F32Builder(OpBuilder &b, Location loc, Type type)
      : b(b), loc(loc), type(type) {
    auto vector = dyn_cast<VectorType>(type);
    intType =
        vector ? Type(vector.clone(b.getI32Type())) : Type(b.getI32Type());
  }

  Value constant(float value) {
    Attribute attr = b.getF32FloatAttr(value);
    if (auto vector = dyn_cast<VectorType>(type))
      attr = DenseElementsAttr::get(vector, value);
    return b.create<arith::ConstantOp>(loc, type, cast<TypedAttr>(attr));
  }
  Value intConstant(int32_t value) {
    Attribute attr = b.getI32IntegerAttr(value);
    if (auto vector = dyn_cast<VectorType>(intType))
      attr = DenseElementsAttr::get(vector, b.getI32IntegerAttr(value));
    return b.create<arith::ConstantOp>(loc, intType, cast<TypedAttr>(attr));
  }
  /// max(x, c) that keeps a NaN x.
  Value atLeast(Value x, float c) {
    return clamp(x, c, arith::CmpFPredicate::OLT);
  }
  /// min(x, c) that keeps a NaN x.
  Value atMost(Value x, float c) {
    return clamp(x, c, arith::CmpFPredicate::OGT);
  }
  Value fma(Value a, Value b2, Value c) {
    return b.create<math::FmaOp>(loc, a, b2, c);
  }
  Value fma(Value a, float b2, float c) {
    return fma(a, constant(b2), constant(c));
  }
  Value fma(Value a, float b2, Value c) { return fma(a, constant(b2), c); }
  Value add(Value a, float c) {
    return b.create<arith::AddFOp>(loc, a, constant(c));
  }
  Value sub(Value a, float c) {
    return b.create<arith::SubFOp>(loc, a, constant(c));
  }
  Value mul(Value a, Value c) { return b.create<arith::MulFOp>(loc, a, c); }
  /// The float whose bits are `x`'s bits shifted left by `bits`.
  Value shiftBits(Value x, int32_t bits) {
    Value asInt = b.create<arith::BitcastOp>(loc, intType, x);
    Value shifted = b.create<arith::ShLIOp>(loc, asInt, intConstant(bits));
    return b.create<arith::BitcastOp>(loc, type, shifted);
  }

private:
  Value clamp(Value x, float c, arith::CmpFPredicate beyond) {
    Value bound = constant(c);
    Value out = b.create<arith::CmpFOp>(loc, beyond, x, bound);
    return b.create<arith::SelectOp>(loc, out, bound, x);
  }

  OpBuilder &b;
  Location loc;
  Type type;
  Type intType;
};

Value expandExp(OpBuilder &b, Location loc, Value x) {
  F32Builder f(b, loc, x.getType());
  // 1.5 * 2^23: adding it rounds to an integer and leaves that integer in
  // the low mantissa bits; the extra 127 is the exponent bias.
  const float shifter = 12582912.0f + 127.0f;
  Value xc = f.atLeast(x, -88.0f);
  Value t = f.atMost(f.fma(xc, 1.44269504088896341f, shifter), shifter + 127);
  Value n = f.sub(t, shifter);
  Value r = f.fma(n, -0.693359375f, xc);
  r = f.fma(n, 2.12194440e-4f, r);
  Value p = f.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
  p = f.fma(p, r, f.constant(8.3334519073e-3f));
  p = f.fma(p, r, f.constant(4.1665795894e-2f));
  p = f.fma(p, r, f.constant(1.6666665459e-1f));
  p = f.fma(p, r, f.constant(5.0000001201e-1f));
  p = f.fma(p, f.mul(r, r), f.add(r, 1.0f));
  // t's low 9 bits are n + 127 in [0, 254]: shifted by 23 they are the
  // exponent field of 2^n, with a zero sign and mantissa.
  return f.mul(p, f.shiftBits(t, 23));
}

struct TLApproximateMathPass
    : tl::impl::TLApproximateMathPassBase<TLApproximateMathPass> {
  void runOnOperation() override {
    SmallVector<math::ExpOp> exps;
    getOperation().walk([&](math::ExpOp op) {
      Type type = op.getType();
      if (getElementTypeOrSelf(type).isF32() &&
          (type.isF32() || isa<VectorType>(type)))
        exps.push_back(op);
    });
    OpBuilder b(&getContext());
    for (math::ExpOp op : exps) {
      b.setInsertionPoint(op);
      op.replaceAllUsesWith(expandExp(b, op.getLoc(), op.getOperand()));
      op.erase();
    }
  }
};

} // namespace
