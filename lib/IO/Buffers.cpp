//===- Buffers.cpp - files' arrays as the runtime's buffers ---------------===//

#include "tl/IO/Buffers.h"

#include <cstring>

using namespace tl::io;
using tl::runtime::Buffer;

Buffer tl::io::toBuffer(const Array &array) {
  if (array.dtype == DType::f32 || array.dtype == DType::f64) {
    Buffer b = Buffer::allocate(array.dtype == DType::f32 ? runtime::DType::f32
                                                          : runtime::DType::f64,
                                array.shape);
    if (b.data() && !array.data.empty())
      std::memcpy(b.data(), array.data.data(), array.data.size());
    return b;
  }
  Buffer b = Buffer::allocate(runtime::DType::f64, array.shape);
  std::vector<double> values = array.toDoubles();
  if (b.data() && !values.empty())
    std::memcpy(b.data(), values.data(), values.size() * sizeof(double));
  return b;
}

Array tl::io::toArray(const Buffer &b) {
  std::vector<double> values(b.numElements());
  for (int64_t i = 0; i < b.numElements(); ++i)
    values[i] = b.at(i);
  return Array::fromDoubles(b.dtype() == runtime::DType::f32 ? DType::f32
                                                             : DType::f64,
                            b.shape(), values);
}

tl::io::InputValue tl::io::toValue(runtime::AnyBuffer result) {
  if (auto *dense = std::get_if<runtime::Buffer>(&result))
    return toArray(*dense);
  return std::move(std::get<runtime::SparseBuffer>(result));
}

absl::StatusOr<Array> tl::io::toArray(const runtime::SparseBuffer &sparse) {
  auto dense = sparse.toDense();
  if (!dense.ok())
    return dense.status();
  Array a;
  a.dtype = dense->dtype() == runtime::DType::f32 ? DType::f32 : DType::f64;
  a.shape = dense->shape();
  a.data.resize(dense->numElements() * runtime::dtypeSize(dense->dtype()));
  if (!a.data.empty())
    std::memcpy(a.data.data(), dense->data(), a.data.size());
  return a;
}

tl::runtime::SparseBuffer tl::io::toSparse(const Array &array,
                                           runtime::SparseFormat format) {
  return runtime::SparseBuffer::fromDense(toBuffer(array), format);
}
