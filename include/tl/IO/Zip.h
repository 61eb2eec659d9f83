//===- Zip.h - the ZIP container under .npz ---------------------*- C++ -*-===//

#ifndef TL_IO_ZIP_H
#define TL_IO_ZIP_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::tl::io {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;

/// Every member of a ZIP archive (name, uncompressed bytes), in central
/// directory order. Stored and deflated members; CRCs are checked.
llvm::Expected<ZipEntries> readZip(llvm::StringRef bytes, llvm::StringRef what);
/// A ZIP archive with every member stored.
llvm::Expected<std::string> writeZip(const ZipEntries &entries);

} // namespace mlir::tl::io

#endif // TL_IO_ZIP_H
