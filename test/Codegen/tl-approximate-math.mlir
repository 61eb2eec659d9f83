// RUN: tl-opt --tl-approximate-math --split-input-file %s | FileCheck %s

// A vector f32 exp becomes the polynomial: the input clamped below with a
// NaN-keeping select, one fma that rounds x / ln 2 and adds the exponent
// bias (1.5 * 2^23 + 127), n clamped above at 127, two-part reduction by
// ln 2, Cephes' polynomial, and 2^n from the sum's bits shifted into the
// exponent field. No math.exp is left and no separate NaN test is needed.
// CHECK-LABEL: func.func @vector
// CHECK-NOT: math.exp
// CHECK: %[[LOW:.*]] = arith.constant dense<-8.800000e+01> : vector<16xf32>
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[X:.*]], %[[LOW]] : vector<16xf32>
// CHECK: %[[XC:.*]] = arith.select %[[BELOW]], %[[LOW]], %[[X]]
// CHECK: %[[SHIFT:.*]] = arith.constant dense<0x4B40007F> : vector<16xf32>
// CHECK: %[[T0:.*]] = math.fma %[[XC]], %{{.*}}, %[[SHIFT]] : vector<16xf32>
// CHECK: %[[TOP:.*]] = arith.constant dense<0x4B4000FE> : vector<16xf32>
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[T0]], %[[TOP]]
// CHECK: %[[T:.*]] = arith.select %[[ABOVE]], %[[TOP]], %[[T0]]
// CHECK: %[[N:.*]] = arith.subf %[[T]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-8: math.fma
// CHECK: %[[BITS:.*]] = arith.bitcast %[[T]] : vector<16xf32> to vector<16xi32>
// CHECK: %[[EXP:.*]] = arith.shli %[[BITS]], %{{.*}} : vector<16xi32>
// CHECK: %[[SCALE:.*]] = arith.bitcast %[[EXP]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[Y:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : vector<16xf32>
// CHECK: return %[[Y]]
func.func @vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// A scalar exp (a remainder loop's) gets the same expansion, so blocks and
// remainders agree bit for bit.
// CHECK-LABEL: func.func @scalar
// CHECK-NOT: math.exp
// CHECK: arith.select
// CHECK: arith.shli %{{.*}}, %{{.*}} : i32
// CHECK: return
func.func @scalar(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// -----

// f64 gets the same scheme with its own bias (1.5 * 2^52 + 1023), a
// shift by 52 on i64, and Taylor's series to degree 15.
// CHECK-LABEL: func.func @double
// CHECK-NOT: math.exp
// CHECK: arith.constant dense<-7.090000e+02> : vector<8xf64>
// CHECK: arith.constant dense<0x43380000000003FF> : vector<8xf64>
// CHECK-COUNT-17: math.fma
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: return
func.func @double(%x: vector<8xf64>) -> vector<8xf64> {
  %0 = math.exp %x : vector<8xf64>
  return %0 : vector<8xf64>
}

// -----

// Other types keep math.exp.
// CHECK-LABEL: func.func @half
// CHECK: math.exp %{{.*}} : vector<8xf16>
func.func @half(%x: vector<8xf16>) -> vector<8xf16> {
  %0 = math.exp %x : vector<8xf16>
  return %0 : vector<8xf16>
}
