//===- ApproximateMath.cpp - exp as vector polynomials --------------------===//
//
// LLVM has no vector exp: a math.exp on a vector becomes one libm call per
// lane, which dominates any rule with a sigmoid or a softmax. f32 and f64
// exp are expanded here into vector arithmetic. MLIR's own f32
// approximation (populateMathPolynomialApproximationPatterns) costs about
// 24 vector instructions on x86: it clamps the input and the exponent
// separately, rounds with a round instruction, converts to integer, and
// needs a select to pass NaN through because its clamps drop NaN. This
// expansion costs 15 for f32 (23 for f64, whose polynomial is longer):
//
//  * clamps are written select(x < c, c, x), which x86 does in one
//    vmaxps/vminps and which keeps NaN (the comparison is false for it),
//    so NaN flows through the arithmetic to the result;
//  * n = round(x / ln 2) and the biased exponent come out of one fma by
//    adding 1.5 * 2^mantissa + bias: the sum's low mantissa bits are
//    n + bias, which one shift moves into the exponent field of 2^n;
//  * only n is clamped above (n <= the largest exponent), so a large x
//    overflows to +inf in the final multiply, and only x below (where n
//    reaches -bias), so a very negative x gives 0.
//
// The polynomials are Cephes' expf (also what MLIR and the hand-written W4
// reference use) and Taylor's series for f64, after Cody-Waite reduction
// by ln 2 in two parts. f64 results are within 2 ulp of libm's, far inside
// the corpus's f64 tolerance (rtol 1e-9).
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLAPPROXIMATEMATHPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Builds element-wise arithmetic on a scalar float or a vector of them,
/// and on the integers of the same width.
class FloatBuilder {
public:
  FloatBuilder(OpBuilder &b, Location loc, Type type)
      : b(b), loc(loc), type(type) {
    Type element = getElementTypeOrSelf(type);
    Type intElement = b.getIntegerType(element.getIntOrFloatBitWidth());
    auto vector = dyn_cast<VectorType>(type);
    intType = vector ? Type(vector.clone(intElement)) : intElement;
  }

  Value constant(double value) {
    return splat(type, b.getFloatAttr(getElementTypeOrSelf(type), value));
  }
  Value intConstant(int64_t value) {
    return splat(intType,
                 b.getIntegerAttr(getElementTypeOrSelf(intType), value));
  }
  /// max(x, c) that keeps a NaN x.
  Value atLeast(Value x, double c) {
    return clamp(x, c, arith::CmpFPredicate::OLT);
  }
  /// min(x, c) that keeps a NaN x.
  Value atMost(Value x, double c) {
    return clamp(x, c, arith::CmpFPredicate::OGT);
  }
  Value fma(Value a, Value m, Value c) {
    return b.create<math::FmaOp>(loc, a, m, c);
  }
  Value fma(Value a, double m, Value c) { return fma(a, constant(m), c); }
  Value fma(Value a, Value m, double c) { return fma(a, m, constant(c)); }
  Value add(Value a, double c) {
    return b.create<arith::AddFOp>(loc, a, constant(c));
  }
  Value sub(Value a, double c) {
    return b.create<arith::SubFOp>(loc, a, constant(c));
  }
  Value mul(Value a, Value c) { return b.create<arith::MulFOp>(loc, a, c); }
  /// The float whose bits are `x`'s bits shifted left by `bits`.
  Value shiftBits(Value x, int64_t bits) {
    Value asInt = b.create<arith::BitcastOp>(loc, intType, x);
    Value shifted = b.create<arith::ShLIOp>(loc, asInt, intConstant(bits));
    return b.create<arith::BitcastOp>(loc, type, shifted);
  }

private:
  Value splat(Type to, TypedAttr value) {
    TypedAttr attr = value;
    if (auto vector = dyn_cast<VectorType>(to))
      attr = SplatElementsAttr::get(vector, value);
    return b.create<arith::ConstantOp>(loc, to, attr);
  }
  Value clamp(Value x, double c, arith::CmpFPredicate beyond) {
    Value bound = constant(c);
    Value out = b.create<arith::CmpFOp>(loc, beyond, x, bound);
    return b.create<arith::SelectOp>(loc, out, bound, x);
  }

  OpBuilder &b;
  Location loc;
  Type type;
  Type intType;
};

/// The parameters of one precision. `shifter` is 1.5 * 2^mantissaBits plus
/// the exponent bias: adding it rounds to an integer n and leaves n + bias
/// in the low mantissa bits.
struct ExpFormat {
  double lowest;    // x below gives 0: n + bias reaches 0
  double shifter;   // 1.5 * 2^mantissa + bias
  int64_t maxN;     // the largest exponent of a finite float
  int mantissaBits; // the shift that moves the low bits into the exponent
  double ln2Hi, ln2Lo;
};

// Cody-Waite's split of ln 2 (the high part's low bits are zero, so
// n * ln2Hi is exact) and the parameters of each precision.
constexpr ExpFormat kF32 = {
    -88.0, 12582912.0 + 127.0, 127, 23, 0.693359375, -2.12194440e-4,
};
constexpr ExpFormat kF64 = {
    -709.0, 6755399441055744.0 + 1023.0, 1023,
    52,     6.93147180369123816490e-01,  1.90821492927058770002e-10,
};

Value expandExp(OpBuilder &b, Location loc, Value x) {
  FloatBuilder f(b, loc, x.getType());
  bool isF32 = getElementTypeOrSelf(x.getType()).isF32();
  const ExpFormat &format = isF32 ? kF32 : kF64;
  Value xc = f.atLeast(x, format.lowest);
  Value t =
      f.atMost(f.fma(xc, f.constant(llvm::numbers::log2e), format.shifter),
               format.shifter + format.maxN);
  Value n = f.sub(t, format.shifter);
  Value r = f.fma(n, -format.ln2Hi, xc);
  r = f.fma(n, -format.ln2Lo, r);
  Value p;
  if (isF32) {
    // Cephes' expf: exp(r) = 1 + r + r^2 * P(r), degree 7 in all.
    p = f.fma(r, 1.9875691500e-4, f.constant(1.3981999507e-3));
    for (double c :
         {8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1})
      p = f.fma(p, r, c);
    p = f.fma(p, f.mul(r, r), f.add(r, 1.0));
  } else {
    // Taylor to degree 15: within 1 ulp for |r| up to ln 2, which n's
    // clamp at 1023 allows just below the overflow threshold.
    double factorial[16] = {1.0}; // exact: 15! < 2^53
    for (int k = 1; k < 16; ++k)
      factorial[k] = factorial[k - 1] * k;
    p = f.constant(1.0 / factorial[15]);
    for (int k = 14; k >= 0; --k)
      p = f.fma(p, r, 1.0 / factorial[k]);
  }
  // t's low bits are n + bias, between 0 and 2 * bias: shifted into the
  // exponent field they are 2^n, with a zero sign and mantissa.
  return f.mul(p, f.shiftBits(t, format.mantissaBits));
}

struct TLApproximateMathPass
    : tl::impl::TLApproximateMathPassBase<TLApproximateMathPass> {
  void runOnOperation() override {
    SmallVector<math::ExpOp> exps;
    getOperation().walk([&](math::ExpOp op) {
      Type type = op.getType();
      Type element = getElementTypeOrSelf(type);
      if ((element.isF32() || element.isF64()) &&
          (type == element || isa<VectorType>(type)))
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
