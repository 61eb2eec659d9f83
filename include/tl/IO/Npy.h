//===- Npy.h - .npy and .npz files ------------------------------*- C++ -*-===//
//
// Reading and writing NumPy's formats: .npy versions 1-3 (little- and
// big-endian, C and Fortran order) and .npz archives, stored or deflated,
// with or without zip64 records (NumPy's savez always writes zip64 extras).
// Written files are .npy version 1.0 and stored (uncompressed) .npz, the
// same as np.save and np.savez.
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_NPY_H
#define TL_IO_NPY_H

#include "tl/IO/Array.h"

#include "absl/status/statusor.h"

#include <string_view>

#include <utility>

namespace tl::io {

using NamedArrays = std::vector<std::pair<std::string, Array>>;
/// An archive's members: key without ".npy", the member's .npy bytes.
using NpyMembers = std::vector<std::pair<std::string, std::string>>;

/// What a .npy header says, and where the data starts.
struct NpyHeader {
  DType dtype = DType::f64;
  std::vector<int64_t> shape;
  bool fortranOrder = false, bigEndian = false;
  uint64_t dataOffset = 0, dataBytes = 0;
};
/// Parses the header only (`bytes` needs to hold just the header), for
/// reading the data in place (memory mapping).
absl::StatusOr<NpyHeader> parseNpyHeader(std::string_view bytes,
                                         std::string_view what);

/// Parses the bytes of a .npy file; `what` names it in error messages.
absl::StatusOr<Array> parseNpy(std::string_view bytes, std::string_view what);
/// The bytes of a .npy (version 1.0) file holding `array`.
std::string serializeNpy(const Array &array);

absl::StatusOr<Array> readNpy(std::string_view path);
absl::Status writeNpy(std::string_view path, const Array &array);

/// Writes each array to DIR/NAME.npy (creating DIR and its parents; a '/'
/// or '\\' in a name becomes '_'), as --dump-intermediates does.
absl::Status writeNpyFiles(std::string_view dir, const NamedArrays &arrays);

/// A 0-d byte or unicode string array (dtype S or U), as SciPy's
/// save_npz stores its 'format'.
absl::StatusOr<std::string> parseNpyText(std::string_view bytes,
                                         std::string_view what);
/// The bytes of a .npy file holding `text` as a 0-d byte string (|S).
std::string serializeNpyText(std::string_view text);

/// The members of an .npz file in archive order: key without ".npy", the
/// member's .npy bytes (not yet parsed).
absl::StatusOr<NpyMembers> readNpzMembers(std::string_view path);
/// A stored .npz of `members` (key without ".npy", .npy bytes), written
/// atomically.
absl::Status writeNpzMembers(std::string_view path, const NpyMembers &members);

/// The arrays of an .npz file in archive order, keyed without ".npy".
absl::StatusOr<NamedArrays> readNpz(std::string_view path);
absl::Status writeNpz(std::string_view path, const NamedArrays &arrays);

} // namespace tl::io

#endif // TL_IO_NPY_H
