//===- BuildId.cpp - which build of the compiler this is ------------------===//

#include "tl/Driver/BuildId.h"

#include "tl/BuildIdValue.h" // generated: TL_BUILD_ID

const char *mlir::tl::compilerBuildId() { return TL_BUILD_ID; }
const char *mlir::tl::compilerName() { return "tl " TL_BUILD_ID; }
