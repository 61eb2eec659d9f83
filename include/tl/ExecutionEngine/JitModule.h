//===- JitModule.h - compile an LLVM-dialect module with ORC ----*- C++ -*-===//
//
// Wraps mlir::ExecutionEngine (ORC LLJIT): the target machine is the host's
// CPU and features unless told otherwise, LLVM's optimization level is an
// option, and the object code can be written out for inspection. The same
// target machine settings produce the --emit=llvm-ir and --emit=asm text,
// so what tl-jit prints is what it runs.
//
//===----------------------------------------------------------------------===//

#ifndef TL_EXECUTIONENGINE_JITMODULE_H
#define TL_EXECUTIONENGINE_JITMODULE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::tl {

struct JitOptions {
  /// LLVM optimization and code generation level, 0 to 3.
  unsigned optLevel = 3;
  /// Target CPU and features; empty means the host's (e.g. znver5 with
  /// +avx512f).
  std::string cpu;
  std::string features;
  /// Keep the object code so dumpObject() can write it.
  bool enableObjectDump = false;
};

/// A target machine for `options`, for the host triple.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const JitOptions &options);

/// The LLVM IR that the JIT compiles for `module` (LLVM dialect), after
/// LLVM's optimizations at options.optLevel.
llvm::Expected<std::string> emitLLVMIR(ModuleOp module,
                                       const JitOptions &options);

/// The assembly the JIT generates for `module`.
llvm::Expected<std::string> emitAssembly(ModuleOp module,
                                         const JitOptions &options);

/// Native code for an LLVM-dialect module. Immutable once created: the
/// entry points may be called from many threads at once.
class JitModule {
public:
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(ModuleOp module, const JitOptions &options);
  ~JitModule();

  /// The packed entry point of function `name`: it takes an array with one
  /// pointer per LLVM-level argument (a memref is 3 + 2 * rank of them).
  using PackedFn = void (*)(void **);
  llvm::Expected<PackedFn> lookupPacked(llvm::StringRef name) const;

  /// Writes the object file (needs options.enableObjectDump).
  llvm::Error dumpObject(llvm::StringRef path) const;

private:
  JitModule() = default;
  std::unique_ptr<ExecutionEngine> engine;
  bool objectDump = false;
};

} // namespace mlir::tl

#endif // TL_EXECUTIONENGINE_JITMODULE_H
