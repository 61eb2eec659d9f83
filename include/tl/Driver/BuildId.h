//===- BuildId.h - which build of the compiler this is ----------*- C++ -*-===//

#ifndef TL_DRIVER_BUILDID_H
#define TL_DRIVER_BUILDID_H

namespace mlir::tl {

/// 16 hex digits of the SHA-256 of the compiler's sources (and the LLVM
/// version): recorded in every module and part of every cache key.
const char *compilerBuildId();

/// "tl <build id>", as module manifests record it.
const char *compilerName();

/// Makes `--version` of an llvm::cl tool print tl's version, the build
/// id and the LLVM it was built with.
void setVersionPrinter(const char *tool);

} // namespace mlir::tl

#endif // TL_DRIVER_BUILDID_H
