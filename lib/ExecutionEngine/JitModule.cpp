//===- JitModule.cpp - LLVM-dialect module to object code ------------------===//

#include "tl/ExecutionEngine/JitModule.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/IPO/AlwaysInliner.h"
#include "llvm/Transforms/Scalar/ADCE.h"
#include "llvm/Transforms/Scalar/InstSimplifyPass.h"

#include <algorithm>
#include <map>
#include <thread>
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
  // The runtime maps the object anywhere: position-independent code that
  // reaches external symbols through stubs and a GOT.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
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

/// Every feature the target machine has on, "+avx2,+avx512f,...": what a
/// CPU name implies as well as what was asked for, so that a module for
/// --mcpu=icelake-server is refused by a runtime without AVX-512.
static std::string effectiveFeatures(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  std::string out;
  for (const llvm::SubtargetFeatureKV &kv : sti->getAllProcessorFeatures())
    if (sti->getFeatureBits().test(kv.Value))
      out += (out.empty() ? "+" : ",+") + std::string(kv.Key);
  return out;
}

std::string TargetDescription::key() const {
  return triple + " cpu=" + cpu + " features=" + features +
         " l1=" + std::to_string(caches.l1) + " l2=" + std::to_string(caches.l2) +
         " l3=" + std::to_string(caches.l3) +
         " vector-bytes=" + std::to_string(caches.vectorBytes) +
         " vector-registers=" + std::to_string(caches.vectorRegisters) +
         " cores=" + std::to_string(cores);
}

llvm::Expected<TargetDescription>
mlir::tl::describeTarget(const JitOptions &options) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, TargetDescription> known;
  std::lock_guard<std::mutex> lock(mutex);
  auto key = std::make_pair(options.cpu, options.features);
  if (auto it = known.find(key); it != known.end())
    return it->second;
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  TargetDescription d;
  d.triple = (*tm)->getTargetTriple().str();
  d.cpu = (*tm)->getTargetCPU().str();
  d.features = effectiveFeatures(**tm);
  // The caches and thread count are this machine's: a module compiled for
  // another CPU is tuned for this one's memory system.
  d.caches = CacheInfo::host();
  const llvm::MCSubtargetInfo *sti = (*tm)->getMCSubtargetInfo();
  bool avx512 = sti->checkFeatures("+avx512f");
  bool avx = sti->checkFeatures("+avx");
  d.caches.vectorBytes = avx512 ? 64 : avx ? 32 : 16;
  d.caches.vectorRegisters = avx512 ? 32 : 16;
  d.cores = std::max(1u, std::thread::hardware_concurrency());
  known[key] = d;
  return d;
}

/// Stores each scalar of the aggregate `value` at its offset from `base`:
/// one store per scalar, never a first-class aggregate store, whose
/// lowering LLVM builds as one huge selection DAG.
static void storeScalars(llvm::IRBuilder<> &b, llvm::Value *value,
                         llvm::Type *whole, llvm::Value *base,
                         llvm::SmallVectorImpl<unsigned> &path) {
  llvm::Type *type = value->getType();
  if (!type->isAggregateType()) {
    llvm::SmallVector<llvm::Value *> indices{b.getInt32(0)};
    for (unsigned i : path)
      indices.push_back(b.getInt32(i));
    b.CreateStore(value, b.CreateInBoundsGEP(whole, base, indices));
    return;
  }
  unsigned n = type->isStructTy() ? type->getStructNumElements()
                                  : type->getArrayNumElements();
  for (unsigned i = 0; i < n; ++i) {
    path.push_back(i);
    storeScalars(b, b.CreateExtractValue(value, i), whole, base, path);
    path.pop_back();
  }
}

/// Inlines each internal function that returns several values and has
/// one caller (the entry point; sparse-assembler's @_internal_main), then
/// folds the aggregate away, before LLVM's pipeline sees it. Returned in
/// one aggregate of hundreds of scalars (a graph of many rules), the
/// values would make instruction selection and scheduling of the blocks
/// that build and unpack it quadratic (64 rules took minutes to compile),
/// and interprocedural constant propagation keeps a lattice value per
/// field of every instruction in the chain: 256 rules' 1,800-field
/// aggregate took 440 MB and 5.7 s in `ipsccp` alone, which runs before
/// the pipeline's inliner. Each extract of an insert chain folds to the
/// inserted value, and the chain is then dead.
static void inlineAndFoldAggregateReturns(llvm::Module &m) {
  bool any = false;
  for (llvm::Function &f : m) {
    if (f.isDeclaration() || !f.hasLocalLinkage() ||
        !f.getReturnType()->isAggregateType() || !f.hasOneUse() ||
        f.hasFnAttribute(llvm::Attribute::NoInline))
      continue;
    auto *call = llvm::dyn_cast<llvm::CallInst>(f.user_back());
    if (!call || call->getCalledFunction() != &f)
      continue;
    f.addFnAttr(llvm::Attribute::AlwaysInline);
    any = true;
  }
  if (!any)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::AlwaysInlinerPass(/*InsertLifetimeIntrinsics=*/false));
  llvm::FunctionPassManager fold;
  fold.addPass(llvm::InstSimplifyPass());
  fold.addPass(llvm::ADCEPass());
  mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fold)));
  mpm.run(m, mam);
}

/// Adds `_tl_packed_<name>(ptr args)`, which loads each argument of
/// `name` through one pointer of `args` and calls it: one C signature for
/// every graph, whatever its arguments. The packed function is the
/// module's one way in: every other function becomes internal.
static llvm::Expected<std::string> addPackedEntry(llvm::Module &m,
                                                  llvm::StringRef name) {
  llvm::Function *f = m.getFunction(name);
  if (!f || f->isDeclaration())
    return makeError("the lowered module has no function @" + name);
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  std::string packedName = ("_tl_packed_" + name).str();
  auto *packed = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
      llvm::GlobalValue::ExternalLinkage, packedName, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", packed));
  llvm::Value *args = packed->getArg(0);
  llvm::SmallVector<llvm::Value *> callArgs;
  for (llvm::Argument &arg : f->args()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, arg.getArgNo());
    callArgs.push_back(b.CreateLoad(arg.getType(), b.CreateLoad(ptr, slot)));
  }
  llvm::Value *result = b.CreateCall(f, callArgs);
  llvm::Type *resultType = f->getReturnType();
  if (!resultType->isVoidTy()) {
    llvm::Value *out =
        b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, args, f->arg_size()));
    llvm::SmallVector<unsigned> path;
    storeScalars(b, result, resultType, out, path);
  }
  b.CreateRetVoid();
  // The runtime looks up the packed entry only; internal functions let
  // LLVM inline and drop what has one caller.
  for (llvm::Function &g : m)
    if (!g.isDeclaration() && &g != packed)
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
  inlineAndFoldAggregateReturns(m);
  return packedName;
}

/// Translates to LLVM IR, adds the packed entry point of `entryName` (if
/// any) and runs LLVM's optimizations.
static llvm::Expected<std::unique_ptr<llvm::Module>>
optimizedModule(ModuleOp module, llvm::LLVMContext &llvmContext,
                llvm::TargetMachine *tm, unsigned optLevel,
                llvm::StringRef entryName = {},
                std::string *packedName = nullptr) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR (is it all "
                     "in the LLVM dialect?)");
  ExecutionEngine::setupTargetTripleAndDataLayout(llvmModule.get(), tm);
  if (!entryName.empty()) {
    auto name = addPackedEntry(*llvmModule, entryName);
    if (!name)
      return name.takeError();
    *packedName = *name;
  }
  if (llvm::Error e = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                                tm)(llvmModule.get()))
    return std::move(e);
  return llvmModule;
}

/// Builds the target machine and the optimized LLVM module for `options`,
/// then hands both to `print`.
static llvm::Expected<std::string> printOptimized(
    ModuleOp module, llvm::StringRef entryName, const JitOptions &options,
    llvm::function_ref<llvm::Expected<std::string>(llvm::Module &,
                                                   llvm::TargetMachine &)>
        print) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  std::string packedName;
  auto llvmModule = optimizedModule(module, llvmContext, tm->get(),
                                    options.optLevel, entryName, &packedName);
  if (!llvmModule)
    return llvmModule.takeError();
  return print(**llvmModule, **tm);
}

llvm::Expected<std::string> mlir::tl::emitLLVMIR(ModuleOp module,
                                                 llvm::StringRef entryName,
                                                 const JitOptions &options) {
  return printOptimized(module, entryName, options,
                        [](llvm::Module &llvmModule, llvm::TargetMachine &)
                            -> llvm::Expected<std::string> {
                          std::string text;
                          llvm::raw_string_ostream os(text);
                          llvmModule.print(os, nullptr);
                          return text;
                        });
}

llvm::Expected<std::string> mlir::tl::emitAssembly(ModuleOp module,
                                                   llvm::StringRef entryName,
                                                   const JitOptions &options) {
  return printOptimized(
      module, entryName, options,
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

llvm::Expected<ObjectCode> mlir::tl::emitObject(ModuleOp module,
                                               llvm::StringRef entryName,
                                               const JitOptions &options) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  ObjectCode object;
  auto llvmModule = optimizedModule(module, llvmContext, tm->get(),
                                    options.optLevel, entryName, &object.entry);
  if (!llvmModule)
    return llvmModule.takeError();
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager codegen;
  if ((*tm)->addPassesToEmitFile(codegen, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit object code");
  codegen.run(**llvmModule);
  object.bytes.assign(bytes.begin(), bytes.end());
  object.triple = (*tm)->getTargetTriple().str();
  object.cpu = (*tm)->getTargetCPU().str();
  object.features = effectiveFeatures(**tm);
  return object;
}
