//===- BuildId.cpp - which build of the compiler this is ------------------===//

#include "tl/Driver/BuildId.h"

#include "tl/BuildIdValue.h" // generated: TL_BUILD_ID
#include "tl/Version.h"     // generated: TL_VERSION
#include "tl/Runtime/Module.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

const char *mlir::tl::compilerBuildId() { return TL_BUILD_ID; }
const char *mlir::tl::compilerName() { return "tl " TL_BUILD_ID; }

void mlir::tl::setVersionPrinter(const char *tool) {
  static const char *name;
  name = tool;
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << name << " (tl " << TL_VERSION << ", compiler build " << TL_BUILD_ID
       << ", module formats " << ::tl::runtime::kOldestModuleFormatVersion
       << "-" << ::tl::runtime::kModuleFormatVersion << ", LLVM "
       << LLVM_VERSION_STRING << ")\n";
  });
}
