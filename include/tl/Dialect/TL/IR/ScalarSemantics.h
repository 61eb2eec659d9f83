//===- ScalarSemantics.h - values of the G9/G10 ops -------------*- C++ -*-===//
//
// One element of every element-wise op and the reduction folds, computed in
// T (float or double) so that f32 graphs round like f32 arithmetic does.
// Used by the reference evaluator and by the folders.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_IR_SCALARSEMANTICS_H
#define TL_DIALECT_TL_IR_SCALARSEMANTICS_H

#include "tl/Dialect/TL/IR/TLOps.h"

#include <cmath>
#include <limits>

namespace mlir::tl {

template <typename T> T applyUnary(UnaryKind kind, T x) {
  switch (kind) {
  case UnaryKind::relu:
    return std::fmax(x, T(0));
  case UnaryKind::sigmoid:
    return T(1) / (T(1) + std::exp(-x));
  case UnaryKind::one_minus:
    return T(1) - x;
  case UnaryKind::negate:
    return -x;
  case UnaryKind::exp:
    return std::exp(x);
  case UnaryKind::log:
    return std::log(x);
  case UnaryKind::sqrt:
    return std::sqrt(x);
  case UnaryKind::abs:
    return std::fabs(x);
  case UnaryKind::sin:
    return std::sin(x);
  case UnaryKind::cos:
    return std::cos(x);
  case UnaryKind::tan:
    return std::tan(x);
  case UnaryKind::tanh:
    return std::tanh(x);
  case UnaryKind::floor:
    return std::floor(x);
  case UnaryKind::ceil:
    return std::ceil(x);
  case UnaryKind::round:
    return std::round(x); // half away from zero, like C round
  case UnaryKind::step:
    return x > T(0) ? T(1) : T(0);
  }
  return x;
}

template <typename T> T applyBinary(BinaryKind kind, T a, T b) {
  switch (kind) {
  case BinaryKind::add:
    return a + b;
  case BinaryKind::subtract:
    return a - b;
  case BinaryKind::multiply:
    return a * b;
  case BinaryKind::divide:
    return a / b;
  case BinaryKind::min:
    return std::fmin(a, b);
  case BinaryKind::max:
  case BinaryKind::or_max:
    return std::fmax(a, b);
  case BinaryKind::eq:
    return std::fabs(a - b) < T(1e-10) ? T(1) : T(0);
  case BinaryKind::lt:
    return a < b ? T(1) : T(0);
  case BinaryKind::gt:
    return a > b ? T(1) : T(0);
  case BinaryKind::lte:
    return a <= b ? T(1) : T(0);
  case BinaryKind::gte:
    return a >= b ? T(1) : T(0);
  case BinaryKind::or_prob_sum:
    return a + b - a * b;
  case BinaryKind::nand:
    return T(1) - a * b;
  case BinaryKind::nor:
    return T(1) - std::fmax(a, b);
  case BinaryKind::xor_:
    return a + b - T(2) * a * b;
  case BinaryKind::power:
    return std::pow(a, b);
  case BinaryKind::modulo:
    return std::fmod(a, b);
  }
  return a;
}

/// The starting value of a reduction fold (mean starts as a sum).
template <typename T> T reduceInit(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    return T(0);
  case ReduceKind::prod:
    return T(1);
  case ReduceKind::max:
    return -std::numeric_limits<T>::infinity();
  case ReduceKind::min:
    return std::numeric_limits<T>::infinity();
  }
  return T(0);
}

/// One step of a reduction fold; max/min skip NaN (fmax/fmin, G10).
template <typename T> T reduceStep(ReduceKind kind, T acc, T x) {
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    return acc + x;
  case ReduceKind::prod:
    return acc * x;
  case ReduceKind::max:
    return std::fmax(acc, x);
  case ReduceKind::min:
    return std::fmin(acc, x);
  }
  return acc;
}

/// Finishes a fold over `count` elements (mean divides; 0/0 is NaN).
template <typename T> T reduceFinish(ReduceKind kind, T acc, int64_t count) {
  if (kind == ReduceKind::mean)
    return acc / T(count);
  return acc;
}

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_SCALARSEMANTICS_H
