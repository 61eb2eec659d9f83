//===- TargetDescription.h - what the code is generated for -----*- C++ -*-===//
//
// Every fact about the target machine that shapes generated code, in one
// place, built once per process for each (cpu, features) asked for
// (describeTarget in tl/ExecutionEngine/JitModule.h) and handed to the
// pipeline, which passes it on as pass options: no pass asks the host.
// Plain C++, so the cache key and tests can read it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_TARGETDESCRIPTION_H
#define TL_CODEGEN_TARGETDESCRIPTION_H

#include "tl/Codegen/CacheModel.h"

#include <cstdint>
#include <string>

namespace mlir::tl {

struct TargetDescription {
  /// LLVM's names: "x86_64-pc-linux-gnu", "cascadelake", "+avx512f,...".
  std::string triple, cpu, features;
  /// Cache sizes, vector register width and count (CacheModel.h).
  CacheInfo caches;
  /// Hardware threads the code is chunked for when the options say 0.
  int64_t cores = 1;

  /// One line with every fact: the compile cache key's target part.
  std::string key() const;
};

} // namespace mlir::tl

#endif // TL_CODEGEN_TARGETDESCRIPTION_H
