//===- InlineInput.h - arrays written on the command line -------*- C++ -*-===//
//
// IREE's --input syntax with a name in front, so arrays can bind by name:
//
//   parent=2x3xf64=1,2,3,4,5,6   (commas or spaces; row-major)
//   x=f32=0.5                    (0-d)
//   x=4xf64=0                    (one value fills the whole array)
//   x=0x3xf64                    (zero-size: no values)
//   parent=@file.npy             (read a .npy file)
//   edge=@edge.npz               (a sparse tensor: SparseNpz.h)
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_INLINEINPUT_H
#define TL_IO_INLINEINPUT_H

#include "tl/IO/Array.h"
#include "tl/Runtime/SparseBuffer.h"

#include "absl/status/statusor.h"

#include <string_view>

#include <utility>
#include <variant>

namespace tl::io {

/// The array `spec` describes. A malformed spec is INVALID_ARGUMENT; a
/// file that cannot be read or is corrupt keeps its reader's status
/// (NOT_FOUND, DATA_LOSS); an array over the memory limit is
/// RESOURCE_EXHAUSTED.
absl::StatusOr<std::pair<std::string, Array>>
parseInlineInput(std::string_view spec);

/// An input as read: a dense array, or a sparse tensor kept sparse (for
/// code that reads it so: the sparse route).
using InputValue = std::variant<Array, runtime::SparseBuffer>;

/// The same, a NAME=@FILE.npz sparse tensor kept sparse.
absl::StatusOr<std::pair<std::string, InputValue>>
parseInlineValue(std::string_view spec);

/// The exit status the tools give a failed read: 2 for a usage error (a
/// malformed flag: INVALID_ARGUMENT), 1 for anything else (a missing or
/// corrupt file, too little memory), the same through --inputs and
/// --input=NAME=@file (docs/CLI.md, "Exit status").
int exitStatus(const absl::Status &status);

} // namespace tl::io

#endif // TL_IO_INLINEINPUT_H
