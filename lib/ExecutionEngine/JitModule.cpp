//===- JitModule.cpp - compile an LLVM-dialect module with ORC -------------===//

#include "tl/ExecutionEngine/JitModule.h"

#include "tl/Runtime/RuntimeABI.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <mutex>

using namespace mlir;
using namespace mlir::tl;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

static llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::tl::createTargetMachine(const JitOptions &options) {
  initializeNativeTarget();
  if (options.optLevel > 3)
    return makeError("optimization level " + llvm::Twine(options.optLevel) +
                     " is out of range (0-3)");
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  if (!options.cpu.empty()) {
    builder->setCPU(options.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
  if (!options.features.empty())
    builder->getFeatures().addFeaturesVector(
        llvm::SubtargetFeatures(options.features).getFeatures());
  builder->setCodeGenOptLevel(codeGenLevel(options.optLevel));
  auto tm = builder->createTargetMachine();
  if (!tm)
    return tm.takeError();
  // LLVM only warns about an unknown CPU and then aborts in code
  // generation ("64-bit code requested on a subtarget that doesn't support
  // it"): refuse it here with a message instead.
  if (!options.cpu.empty() &&
      !(*tm)->getMCSubtargetInfo()->isCPUStringValid(options.cpu))
    return makeError("unknown CPU '" + options.cpu + "' for target " +
                     (*tm)->getTargetTriple().str() +
                     " (llc -mcpu=help lists the known ones)");
  return std::move(*tm);
}

/// Translates to LLVM IR and runs LLVM's optimizations as the JIT does.
static llvm::Expected<std::unique_ptr<llvm::Module>>
optimizedModule(ModuleOp module, llvm::LLVMContext &llvmContext,
                llvm::TargetMachine *tm, unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR (is it all "
                     "in the LLVM dialect?)");
  ExecutionEngine::setupTargetTripleAndDataLayout(llvmModule.get(), tm);
  if (llvm::Error e = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                                tm)(llvmModule.get()))
    return std::move(e);
  return llvmModule;
}

/// Builds the target machine and the optimized LLVM module for `options`,
/// then hands both to `print`.
static llvm::Expected<std::string> printOptimized(
    ModuleOp module, const JitOptions &options,
    llvm::function_ref<llvm::Expected<std::string>(llvm::Module &,
                                                   llvm::TargetMachine &)>
        print) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      optimizedModule(module, llvmContext, tm->get(), options.optLevel);
  if (!llvmModule)
    return llvmModule.takeError();
  return print(**llvmModule, **tm);
}

llvm::Expected<std::string> mlir::tl::emitLLVMIR(ModuleOp module,
                                                 const JitOptions &options) {
  return printOptimized(
      module, options,
      [](llvm::Module &llvmModule,
         llvm::TargetMachine &) -> llvm::Expected<std::string> {
        std::string text;
        llvm::raw_string_ostream os(text);
        llvmModule.print(os, nullptr);
        return text;
      });
}

llvm::Expected<std::string> mlir::tl::emitAssembly(ModuleOp module,
                                                   const JitOptions &options) {
  return printOptimized(
      module, options,
      [](llvm::Module &llvmModule,
         llvm::TargetMachine &tm) -> llvm::Expected<std::string> {
        llvm::SmallString<0> text;
        llvm::raw_svector_ostream os(text);
        llvm::legacy::PassManager codegen;
        if (tm.addPassesToEmitFile(codegen, os, nullptr,
                                   llvm::CodeGenFileType::AssemblyFile))
          return makeError("the target cannot emit assembly");
        codegen.run(llvmModule);
        return std::string(text.str());
      });
}

JitModule::~JitModule() = default;

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::compile(ModuleOp module, const JitOptions &options) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  // The options hold a function_ref: the transformer must outlive create().
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codeGenLevel(options.optLevel);
  engineOptions.enableObjectDump = options.enableObjectDump;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  // The runtime entry points generated code calls (thread pool, kernels).
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (auto [name, address] : ::tl::runtime::runtimeSymbols())
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  std::unique_ptr<JitModule> jit(new JitModule());
  jit->engine = std::move(*engine);
  jit->objectDump = options.enableObjectDump;
  return jit;
}

llvm::Expected<JitModule::PackedFn>
JitModule::lookupPacked(llvm::StringRef name) const {
  auto fn = engine->lookupPacked(name);
  if (!fn)
    return fn.takeError();
  return *fn;
}

llvm::Error JitModule::dumpObject(llvm::StringRef path) const {
  if (!objectDump)
    return makeError("the module was compiled without object dumps");
  engine->dumpToObjectFile(path);
  return llvm::Error::success();
}
