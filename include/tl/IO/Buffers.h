//===- Buffers.h - files' arrays as the runtime's buffers -------*- C++ -*-===//
//
// The one conversion between the arrays the tools read and write (.npy,
// .npz, --input) and the runtime's buffers: f32 and f64 arrays keep their
// type, integers and booleans become f64 (G5: every value is a number).
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_BUFFERS_H
#define TL_IO_BUFFERS_H

#include "tl/IO/Array.h"
#include "tl/IO/InlineInput.h"
#include "tl/Runtime/Buffer.h"
#include "tl/Runtime/SparseBuffer.h"

#include "absl/status/statusor.h"

namespace tl::io {

runtime::Buffer toBuffer(const Array &array);
Array toArray(const runtime::Buffer &buffer);
/// The dense array of a sparse tensor; RESOURCE_EXHAUSTED over the memory
/// limit.
absl::StatusOr<Array> toArray(const runtime::SparseBuffer &sparse);
/// A result as the writers take it: a dense one as an Array, a sparse one
/// kept sparse (moved).
InputValue toValue(runtime::AnyBuffer result);
/// The nonzeros of a dense array (values converted as toBuffer does).
runtime::SparseBuffer toSparse(const Array &array, runtime::SparseFormat format);

} // namespace tl::io

#endif // TL_IO_BUFFERS_H
