//===- Array.h - host n-d arrays as read from .npy files --------*- C++ -*-===//
//
// A plain owned n-d array with NumPy's element types, used at the edges:
// files, command lines and the caller's inputs. No MLIR or LLVM
// dependency: tl-run reads and writes these too.
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_ARRAY_H
#define TL_IO_ARRAY_H

#include <cstdint>
#include <string>
#include <vector>

namespace tl::io {

enum class DType { f64, f32, f16, i64, i32, i16, i8, u64, u32, u16, u8, b1 };

/// NumPy's name ("float64", "bool", ...).
const char *dtypeName(DType t);
/// Bytes per element.
size_t dtypeSize(DType t);
bool isFloat(DType t);

struct Array {
  DType dtype = DType::f64;
  std::vector<int64_t> shape;
  /// Row-major (C order) little-endian elements.
  std::vector<uint8_t> data;

  int64_t numElements() const;
  /// Every element converted to double (G5: integers and booleans too).
  std::vector<double> toDoubles() const;
  /// An f64 or f32 array holding `values` (rounded to f32 for f32).
  static Array fromDoubles(DType dtype, std::vector<int64_t> shape,
                           const std::vector<double> &values);
  /// "(2, 3)" like NumPy.
  std::string shapeString() const;
};

} // namespace tl::io

namespace mlir::tl {
namespace io = ::tl::io;
} // namespace mlir::tl

#endif // TL_IO_ARRAY_H
