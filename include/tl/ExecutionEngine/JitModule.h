//===- JitModule.h - LLVM-dialect module to object code ---------*- C++ -*-===//
//
// LLVM's half of code generation: the target machine is the host's CPU and
// features unless told otherwise, LLVM's optimization level is an option,
// and the result is an object file that the runtime loads without LLVM.
// The same target machine settings produce the --emit=llvm-ir and
// --emit=asm text, so what tl-jit prints is what it runs.
//
//===----------------------------------------------------------------------===//

#ifndef TL_EXECUTIONENGINE_JITMODULE_H
#define TL_EXECUTIONENGINE_JITMODULE_H

#include "tl/Codegen/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir::tl {

struct JitOptions {
  /// LLVM optimization and code generation level, 0 to 3.
  unsigned optLevel = 3;
  /// Target CPU and features; empty means the host's (e.g. znver5 with
  /// +avx512f).
  std::string cpu;
  std::string features;
};

/// A target machine for `options`, for the host triple.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const JitOptions &options);

/// The target `options` select: the host's CPU, features, caches and
/// hardware threads unless told otherwise; computed once per process for
/// each (cpu, features) asked for.
llvm::Expected<TargetDescription> describeTarget(const JitOptions &options);

/// The LLVM IR that the JIT compiles for `module` (LLVM dialect), after
/// LLVM's optimizations at options.optLevel, with the packed entry point
/// of `entryName` (none when empty).
llvm::Expected<std::string> emitLLVMIR(ModuleOp module,
                                       llvm::StringRef entryName,
                                       const JitOptions &options);

/// The assembly the JIT generates for `module` (as emitLLVMIR).
llvm::Expected<std::string> emitAssembly(ModuleOp module,
                                         llvm::StringRef entryName,
                                         const JitOptions &options);

/// Native code for an LLVM-dialect module: a relocatable ELF object of
/// position-independent code, which the runtime links into the process
/// (tl/Runtime/ObjectLoader.h) or a .tlm module carries elsewhere.
struct ObjectCode {
  std::string bytes;
  /// What the code was generated for (the module manifest records them).
  std::string triple, cpu, features;
  /// The packed entry point: void entry(void **args), one pointer per
  /// LLVM-level argument of `entryName` (a memref is 3 + 2 * rank).
  std::string entry;
};

/// Translates `module`, adds the packed entry point of function
/// `entryName`, optimizes at options.optLevel and emits the object code.
llvm::Expected<ObjectCode> emitObject(ModuleOp module, llvm::StringRef entryName,
                                      const JitOptions &options);

} // namespace mlir::tl

#endif // TL_EXECUTIONENGINE_JITMODULE_H
