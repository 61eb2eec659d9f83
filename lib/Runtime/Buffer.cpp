//===- Buffer.cpp - an aligned n-d tensor buffer ---------------------------===//

#include "tl/Runtime/Buffer.h"

#include "Prefault.h"

#include <sys/mman.h>
#include <unistd.h>
#include "tl/Runtime/Limits.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

using namespace tl::runtime;

const char *tl::runtime::dtypeName(DType dtype) {
  return dtype == DType::f32 ? "f32" : "f64";
}

size_t tl::runtime::dtypeSize(DType dtype) {
  return dtype == DType::f32 ? 4 : 8;
}

std::vector<int64_t>
Buffer::rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

Buffer Buffer::allocate(DType dtype, std::vector<int64_t> shape) {
  Buffer b;
  b.type = dtype;
  // A size that overflows gives a buffer without data (and without
  // strides, which would overflow too), as an allocation failure does.
  std::optional<uint64_t> checked = checkedBytes(shape, dtypeSize(dtype));
  if (checked)
    b.steps = rowMajorStrides(shape);
  b.dims = std::move(shape);
  if (!checked)
    return b;
  size_t bytes = static_cast<size_t>(*checked);
  // aligned_alloc wants a multiple of the alignment; never ask for 0 bytes
  // so a zero-size tensor still has a valid, unique pointer.
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  b.ptr = std::aligned_alloc(kAlignment, rounded ? rounded : kAlignment);
  if (b.ptr) {
    prefaultForWrite(b.ptr, bytes);
    std::memset(b.ptr, 0, bytes);
    b.owned = true;
  }
  return b;
}

void tl::runtime::prefaultForWrite(void *data, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  constexpr size_t kWorthIt = size_t(1) << 20;
  if (bytes < kWorthIt)
    return;
  // madvise wants a page-aligned start; the partial pages at the ends
  // fault as usual.
  auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  auto end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin,
                  MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

Buffer Buffer::borrow(void *data, DType dtype, std::vector<int64_t> shape,
                      std::vector<int64_t> strides) {
  Buffer b;
  b.type = dtype;
  b.steps = strides.empty() ? rowMajorStrides(shape) : std::move(strides);
  b.dims = std::move(shape);
  b.ptr = data;
  b.owned = false;
  return b;
}

Buffer::Buffer(Buffer &&other) noexcept { *this = std::move(other); }

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  if (this == &other)
    return *this;
  release();
  type = other.type;
  dims = std::move(other.dims);
  steps = std::move(other.steps);
  ptr = std::exchange(other.ptr, nullptr);
  owned = std::exchange(other.owned, false);
  other.dims.clear();
  other.steps.clear();
  return *this;
}

Buffer::~Buffer() { release(); }

void Buffer::release() {
  if (owned)
    std::free(ptr);
  ptr = nullptr;
  owned = false;
}

Buffer Buffer::view() const {
  return borrow(ptr, type, dims, steps);
}

int64_t Buffer::numElements() const {
  // Saturates: a shape whose size overflows (a buffer allocate() could not
  // make) still reports more elements than any buffer has.
  return elementCount(dims);
}

bool Buffer::isContiguous() const {
  if (numElements() <= 1)
    return true;
  std::vector<int64_t> want = rowMajorStrides(dims);
  for (size_t d = 0; d < dims.size(); ++d)
    if (dims[d] != 1 && steps[d] != want[d])
      return false;
  return true;
}

double Buffer::at(int64_t index) const {
  int64_t offset = 0;
  for (size_t d = dims.size(); d-- > 0;) {
    offset += (index % dims[d]) * steps[d];
    index /= dims[d];
  }
  return type == DType::f32 ? double(static_cast<const float *>(ptr)[offset])
                            : static_cast<const double *>(ptr)[offset];
}

Buffer Buffer::copyAs(DType dtype) const {
  Buffer out = allocate(dtype, dims);
  if (!out.data())
    return out;
  int64_t n = numElements();
  if (dtype == type && isContiguous()) {
    std::memcpy(out.ptr, ptr, static_cast<size_t>(n) * dtypeSize(type));
    return out;
  }
  for (int64_t i = 0; i < n; ++i) {
    double v = at(i);
    if (dtype == DType::f32)
      out.data<float>()[i] = static_cast<float>(v);
    else
      out.data<double>()[i] = v;
  }
  return out;
}

std::string Buffer::typeString() const {
  std::string s;
  for (int64_t d : dims)
    s += std::to_string(d) + "x";
  return s + dtypeName(type);
}

namespace {
template <typename T>
void summarize(const T *data, int64_t n, bool stop, ValueSummary &out) {
  for (int64_t i = 0; i < n; ++i) {
    T v = data[i];
    out.zeros += v == T(0);
    out.nans += v != v;
    if (v != T(0) && v != T(1) && out.firstNonBinary < 0) {
      out.firstNonBinary = i;
      out.nonBinaryValue = double(v);
      if (stop)
        return;
    }
  }
}
} // namespace

ValueSummary tl::runtime::summarizeValues(const Buffer &b, bool stop) {
  ValueSummary out;
  out.elements = b.numElements();
  if (!b.data() || out.elements == 0)
    return out;
  if (b.isContiguous()) {
    if (b.dtype() == DType::f32)
      summarize(b.data<float>(), out.elements, stop, out);
    else
      summarize(b.data<double>(), out.elements, stop, out);
    return out;
  }
  for (int64_t i = 0; i < out.elements; ++i) {
    double v = b.at(i);
    out.zeros += v == 0;
    out.nans += v != v;
    if (v != 0 && v != 1 && out.firstNonBinary < 0) {
      out.firstNonBinary = i;
      out.nonBinaryValue = v;
      if (stop)
        return out;
    }
  }
  return out;
}
