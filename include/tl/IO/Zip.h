//===- Zip.h - the ZIP container under .npz ---------------------*- C++ -*-===//

#ifndef TL_IO_ZIP_H
#define TL_IO_ZIP_H

#include "absl/status/statusor.h"

#include <string_view>

#include <string>
#include <utility>
#include <vector>

namespace tl::io {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;

/// The longest member name writeZip stores (the format's 16-bit field).
constexpr size_t kMaxMemberName = 65535;

/// Every member of a ZIP archive (name, uncompressed bytes), in central
/// directory order. Stored and deflated members; CRCs are checked.
absl::StatusOr<ZipEntries> readZip(std::string_view bytes, std::string_view what);
/// A ZIP archive with every member stored, names flagged as UTF-8. A name
/// longer than kMaxMemberName is an error.
absl::StatusOr<std::string> writeZip(const ZipEntries &entries);

} // namespace tl::io

#endif // TL_IO_ZIP_H
