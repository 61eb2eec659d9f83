//===- Array.cpp - host n-d arrays -----------------------------------------===//

#include "tl/IO/Array.h"
#include "tl/Runtime/Limits.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace tl::io;

const char *tl::io::dtypeName(DType t) {
  switch (t) {
  case DType::f64: return "float64";
  case DType::f32: return "float32";
  case DType::f16: return "float16";
  case DType::i64: return "int64";
  case DType::i32: return "int32";
  case DType::i16: return "int16";
  case DType::i8: return "int8";
  case DType::u64: return "uint64";
  case DType::u32: return "uint32";
  case DType::u16: return "uint16";
  case DType::u8: return "uint8";
  case DType::b1: return "bool";
  }
  return "?";
}

size_t tl::io::dtypeSize(DType t) {
  switch (t) {
  case DType::f64: case DType::i64: case DType::u64: return 8;
  case DType::f32: case DType::i32: case DType::u32: return 4;
  case DType::f16: case DType::i16: case DType::u16: return 2;
  case DType::i8: case DType::u8: case DType::b1: return 1;
  }
  return 1;
}

bool tl::io::isFloat(DType t) {
  return t == DType::f64 || t == DType::f32 || t == DType::f16;
}

int64_t Array::numElements() const {
  return tl::runtime::elementCount(shape);
}

std::string Array::shapeString() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

static double halfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(double(frac), -24);
  else if (exp == 31)
    v = frac ? std::numeric_limits<double>::quiet_NaN()
             : std::numeric_limits<double>::infinity();
  else
    v = std::ldexp(double(frac | 0x400), exp - 25);
  return sign ? -v : v;
}

template <typename T> static T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::vector<double> Array::toDoubles() const {
  int64_t n = numElements();
  std::vector<double> out(n);
  const uint8_t *p = data.data();
  size_t w = dtypeSize(dtype);
  for (int64_t i = 0; i < n; ++i, p += w) {
    switch (dtype) {
    case DType::f64: out[i] = load<double>(p); break;
    case DType::f32: out[i] = load<float>(p); break;
    case DType::f16: out[i] = halfToDouble(load<uint16_t>(p)); break;
    case DType::i64: out[i] = double(load<int64_t>(p)); break;
    case DType::i32: out[i] = load<int32_t>(p); break;
    case DType::i16: out[i] = load<int16_t>(p); break;
    case DType::i8: out[i] = load<int8_t>(p); break;
    case DType::u64: out[i] = double(load<uint64_t>(p)); break;
    case DType::u32: out[i] = load<uint32_t>(p); break;
    case DType::u16: out[i] = load<uint16_t>(p); break;
    case DType::u8: out[i] = load<uint8_t>(p); break;
    case DType::b1: out[i] = *p ? 1.0 : 0.0; break;
    }
  }
  return out;
}

Array Array::fromDoubles(DType dtype, std::vector<int64_t> shape,
                         const std::vector<double> &values) {
  Array a;
  a.dtype = dtype == DType::f32 ? DType::f32 : DType::f64;
  a.shape = std::move(shape);
  a.data.resize(values.size() * dtypeSize(a.dtype));
  for (size_t i = 0; i < values.size(); ++i) {
    if (a.dtype == DType::f32) {
      float f = static_cast<float>(values[i]);
      std::memcpy(a.data.data() + 4 * i, &f, 4);
    } else {
      std::memcpy(a.data.data() + 8 * i, &values[i], 8);
    }
  }
  return a;
}
