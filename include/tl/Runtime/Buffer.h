//===- Buffer.h - an aligned n-d tensor buffer ------------------*- C++ -*-===//
//
// The runtime's tensor: element type (f32/f64), shape, strides in elements,
// and memory that it either owns (64-byte aligned, freed with the buffer)
// or borrows from the caller (never freed). No MLIR or LLVM dependency: the
// public API hands these to users.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_BUFFER_H
#define TL_RUNTIME_BUFFER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tl::runtime {

enum class DType { f32, f64 };

/// "f32" or "f64".
const char *dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

class Buffer {
public:
  /// Owned memory alignment in bytes (one AVX-512 register, one cache line).
  static constexpr size_t kAlignment = 64;

  /// An empty 0-d f64 buffer that holds no memory.
  Buffer() = default;
  /// Owned, 64-byte aligned, zero-filled, row-major. Returns an empty
  /// buffer (data() == nullptr, numElements() > 0) only when allocation
  /// fails.
  static Buffer allocate(DType dtype, std::vector<int64_t> shape);
  /// Borrows `data` (not freed). `strides` are in elements; empty means
  /// row-major. The caller keeps `data` alive while the buffer is used.
  static Buffer borrow(void *data, DType dtype, std::vector<int64_t> shape,
                       std::vector<int64_t> strides = {});

  Buffer(Buffer &&other) noexcept;
  Buffer &operator=(Buffer &&other) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer();

  /// A borrowing buffer over the same memory.
  Buffer view() const;
  /// An owned row-major copy (converted to `dtype`).
  Buffer copyAs(DType dtype) const;

  DType dtype() const { return type; }
  const std::vector<int64_t> &shape() const { return dims; }
  const std::vector<int64_t> &strides() const { return steps; }
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  int64_t numElements() const;
  bool ownsMemory() const { return owned; }
  /// Row-major with no gaps (what compiled code reads without a copy).
  bool isContiguous() const;

  void *data() { return ptr; }
  const void *data() const { return ptr; }
  template <typename T> T *data() { return static_cast<T *>(ptr); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(ptr);
  }

  /// Element `index` (row-major position) widened to double.
  double at(int64_t index) const;

  /// "2x3xf64".
  std::string typeString() const;

  /// Row-major strides of `shape`, in elements.
  static std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape);

private:
  void release();

  DType type = DType::f64;
  std::vector<int64_t> dims;
  std::vector<int64_t> steps;
  void *ptr = nullptr;
  bool owned = false;
};

/// What a buffer's values are: a value profile (the tiered JIT's value
/// specializations and their guards).
struct ValueSummary {
  int64_t elements = 0, zeros = 0, nans = 0;
  /// The first element that is neither 0 nor 1 (-1: none), and its value.
  int64_t firstNonBinary = -1;
  double nonBinaryValue = 0;
  bool onlyZeroOne() const { return firstNonBinary < 0; }
};
/// Scans every element (contiguous buffers at memory speed); with
/// `stopAtNonBinary`, stops at the first value other than 0 and 1.
ValueSummary summarizeValues(const Buffer &b, bool stopAtNonBinary = false);

} // namespace tl::runtime

#endif // TL_RUNTIME_BUFFER_H
