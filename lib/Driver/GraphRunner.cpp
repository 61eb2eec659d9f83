//===- GraphRunner.cpp - load, bind, lower and compile a graph -------------===//

#include "tl/Driver/GraphRunner.h"
#include "tl/Codegen/SparseLayout.h"
#include "tl/Dialect/TL/IR/OpNames.h"
#include "tl/Dialect/TL/IR/ParseSource.h"

#include "tl/Dialect/TL/IR/GradientRegistry.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"
#include "tl/InitTL.h"
#include "tl/Pipelines/Pipelines.h"
#include "tl/Reference/Evaluator.h"
#include "tl/Target/TensorEquations/TensorEquations.h"
#include "tl/Runtime/Profiler.h"
#include "tl/Runtime/Sha256.h"
#include "tl/Driver/BuildId.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CrashRecoveryContext.h"

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <mutex>

using namespace mlir;
using namespace mlir::tl;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static std::optional<FileLineColLoc> findFileLoc(Location loc) {
  if (auto f = llvm::dyn_cast<FileLineColLoc>(loc))
    return f;
  if (auto n = llvm::dyn_cast<NameLoc>(loc))
    return findFileLoc(n.getChildLoc());
  if (auto c = llvm::dyn_cast<CallSiteLoc>(loc))
    return findFileLoc(c.getCallee());
  if (auto f = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (auto r = findFileLoc(l))
        return r;
  return std::nullopt;
}

namespace {
/// Collects the diagnostics raised while it lives, formatted as
/// "file:line:col: message" (or "file: message" for a graph without lines).
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return success();
          std::string text;
          if (auto f = findFileLoc(diag.getLocation())) {
            text = f->getFilename().str();
            if (f->getLine() > 0)
              text += ":" + std::to_string(f->getLine()) + ":" +
                      std::to_string(f->getColumn());
            text += ": ";
          }
          text += diag.str();
          for (const Diagnostic &note : diag.getNotes())
            text += "\n  note: " + note.str();
          messages.push_back(text);
          return success();
        }) {}

  llvm::Error take(llvm::StringRef fallback) {
    std::string all;
    for (const std::string &m : messages)
      all += (all.empty() ? "" : "\n") + m;
    messages.clear();
    return makeError(all.empty() ? fallback.str() : all);
  }

private:
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler;
};
} // namespace

static func::FuncOp findFunction(ModuleOp module, llvm::StringRef name) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  func::FuncOp only;
  unsigned count = 0;
  module.walk([&](func::FuncOp f) {
    if (!f.isExternal()) {
      only = f;
      ++count;
    }
  });
  return count == 1 ? only : func::FuncOp();
}

func::FuncOp GraphRunner::getFunction() {
  return module ? findFunction(*module, options.functionName) : func::FuncOp();
}

llvm::Error GraphRunner::load(llvm::StringRef path,
                              const std::vector<std::string> &callerNames,
                              const RunOptions &opts) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read '" + path +
                     "': " + buffer.getError().message());
  return loadBuffer((*buffer)->getBuffer(),
                    detectSourceFormat(path, (*buffer)->getBuffer()), path,
                    callerNames, opts);
}

llvm::Error GraphRunner::loadBuffer(llvm::StringRef text, SourceFormat format,
                                    llvm::StringRef sourceName,
                                    const std::vector<std::string> &callerNames,
                                    const RunOptions &opts) {
  options = opts;
  double start = runtime::profilerNowUs();
  auto timed = llvm::make_scope_exit([&] {
    const char *phase = format == SourceFormat::tensorLogicJSON ? "import JSON"
                        : format == SourceFormat::tensorEquations
                            ? "import equations"
                            : "parse MLIR";
    phases.push_back({phase, start, runtime::profilerNowUs()});
  });
  DialectRegistry registry;
  registerTLCompilerDialects(registry);
  context->appendDialectRegistry(registry);
  // The import builds tl and func ops; every other dialect loads when a
  // pass that needs it runs (most compiles end at the cache lookup).
  context->loadDialect<TLDialect, func::FuncDialect>();
  // Messages name the node; an MLIR dump of the op would only add noise.
  context->printOpOnDiagnostic(false);
  DiagnosticCollector diags(context);

  if (format == SourceFormat::tensorEquations) {
    TensorEquationOptions importOptions;
    importOptions.useF32 = options.useF32;
    importOptions.sourceName = sourceName.str();
    importOptions.functionName = options.functionName;
    module = importTensorEquations(text, context, importOptions);
    if (!module)
      return diags.take("import of '" + sourceName.str() + "' failed");
  } else if (format == SourceFormat::tensorLogicJSON) {
    ImportOptions importOptions;
    importOptions.useF32 = options.useF32;
    importOptions.sourceName = sourceName.str();
    importOptions.functionName = options.functionName;
    importOptions.callerNames = callerNames;
    module = importTensorLogicJSON(text, context, importOptions);
    if (!module)
      return diags.take("import of '" + sourceName.str() + "' failed");
  } else {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, sourceName), llvm::SMLoc());
    module = parseTLSourceFile(sourceMgr, context);
    if (!module)
      return diags.take("cannot parse '" + sourceName.str() + "'");
    func::FuncOp func = findFunction(*module, options.functionName);
    if (!func)
      return makeError(sourceName + ": no function '@" + options.functionName +
                       "' (and not exactly one function to default to)");
    if (options.dtypeGiven) {
      Type want = options.useF32 ? Type(Float32Type::get(context))
                                 : Type(Float64Type::get(context));
      for (Type t : func.getArgumentTypes()) {
        Type have = getElementTypeOrSelf(t);
        if (have == want)
          continue;
        std::string haveText;
        llvm::raw_string_ostream(haveText) << have;
        return makeError(sourceName + ": --dtype asks for " +
                         (options.useF32 ? "f32" : "f64") +
                         " but the function computes in " + haveText);
      }
    }
  }
  if (failed(verify(*module)))
    return diags.take("the module does not verify");
  return llvm::Error::success();
}

llvm::Error
GraphRunner::bind(const std::map<std::string, std::vector<int64_t>> &shapes) {
  func::FuncOp func = getFunction();
  if (!func)
    return makeError("no function '@" + options.functionName + "' to run");
  std::vector<std::string> callerNames;
  for (const auto &[name, shape] : shapes)
    callerNames.push_back(name);

  size_t ops = 0;
  func.walk([&](Operation *op) {
    ops += op->getDialect() && op->getDialect()->getNamespace() == "tl";
  });
  if (ops > kMaxGraphNodes)
    return makeError("@" + func.getSymName() + " has " + llvm::Twine(ops) +
                     " tl ops; tl compiles graphs of up to " +
                     llvm::Twine(kMaxGraphNodes) +
                     " (compile time grows faster than linearly beyond; "
                     "split the program)");

  // G3/G5: bind each argument by name.
  signature = GraphSignature();
  // The compute type (G5); a graph of constants alone has no arguments.
  auto isF32 = [](Type t) { return getElementTypeOrSelf(t).isF32(); };
  signature.dtype = llvm::any_of(func.getArgumentTypes(), isF32) ||
                            llvm::any_of(func.getResultTypes(), isF32)
                        ? runtime::DType::f32
                        : runtime::DType::f64;
  SmallVector<NamedAttribute> shapeAttrs;
  Builder b(context);
  for (BlockArgument arg : func.getArguments()) {
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
    if (!name)
      return makeError("argument #" + llvm::Twine(arg.getArgNumber()) +
                       " of @" + func.getSymName() +
                       " has no tl.name, so no array can be bound to it");
    ArgBinding binding;
    binding.slot = name.str();
    binding.caller = bindSlotName(name.getValue(), callerNames);
    auto declared = dyn_cast<RankedTensorType>(arg.getType());
    if (!binding.caller.empty()) {
      binding.shape = shapes.at(binding.caller);
      for (int64_t d : binding.shape)
        if (d < -1)
          return makeError("the shape given for '" + binding.caller +
                           "' has size " + llvm::Twine(d) +
                           " (a size is at least 0, or -1 for one known "
                           "only at run time)");
    } else if (std::optional<double> c = parseConstSlot(name.getValue())) {
      binding.constant = c;
    } else if (declared) {
      // No shape given, but the function declares the rank: the argument
      // binds by its own name, its dynamic dims known at run time.
      binding.caller = name.str();
      for (int64_t d : declared.getShape())
        binding.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    } else {
      llvm::StringRef base =
          name.getValue().take_until([](char c) { return c == '['; });
      std::string given = callerNames.empty()
                              ? std::string("no arrays were given")
                              : "the arrays given: " +
                                    llvm::join(callerNames, ", ");
      return makeError(
          "G3: unbound tensor '" + name.getValue() + "' (argument #" +
          llvm::Twine(arg.getArgNumber()) + "): no input array named '" +
          name.getValue() + "'" +
          (base == name.getValue() ? std::string()
                                   : " or '" + base.str() + "'") +
          " (" + given + ")");
    }
    SmallVector<int64_t> dims;
    for (int64_t d : binding.shape)
      dims.push_back(d < 0 ? ShapedType::kDynamic : d);
    shapeAttrs.push_back(b.getNamedAttr(name, b.getDenseI64ArrayAttr(dims)));
    signature.args.push_back(std::move(binding));
  }
  // G3: an array that binds nothing is most likely a misspelt name.
  warnings.clear();
  // Each slot by its full name and its base name before '[': candidate i
  // stands for slot i / 2.
  std::vector<std::string> slots, names;
  for (const ArgBinding &arg : signature.args)
    if (!arg.constant) {
      slots.push_back(arg.slot);
      names.push_back(arg.slot);
      names.push_back(
          llvm::StringRef(arg.slot).take_until([](char c) { return c == '['; })
              .str());
    }
  for (const std::string &caller : callerNames) {
    if (llvm::any_of(signature.args, [&](const ArgBinding &a) {
          return a.caller == caller;
        }))
      continue;
    std::optional<size_t> nearest = closestName(caller, names);
    std::string message =
        "G3: the input array '" + caller + "' binds no argument of @" +
        func.getSymName().str() +
        (nearest ? " (did you mean '" + slots[*nearest / 2] + "'?)"
                 : std::string());
    if (options.strictInputs)
      return makeError(message + " (and --strict-inputs is given)");
    warnings.push_back(message + "; it is ignored");
  }
  func->setAttr(kInputShapesAttr, b.getDictionaryAttr(shapeAttrs));
  entryName = func.getSymName().str();
  // Only this function runs; the others have no shapes to specialize with.
  for (func::FuncOp other :
       llvm::to_vector(module->getBody()->getOps<func::FuncOp>()))
    if (other != func)
      other.erase();
  return llvm::Error::success();
}

std::string mlir::tl::cotangentName(llvm::StringRef outputName) {
  return runtime::cotangentName(std::string_view(outputName));
}

llvm::Error
GraphRunner::differentiate(const GradientOptions &gradient,
                           const std::vector<std::string> &inputDensities,
                           double sparseThreshold) {
  if (lowered)
    return makeError("differentiate() needs the module as loaded and bound");
  if (llvm::Error e = requireStaticShapes("gradients (G12)"))
    return e;
  // Gradients need static shapes: specialize first.
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) {
            TLReferencePipelineOptions options;
            options.inputDensities = inputDensities;
            options.sparseThreshold = sparseThreshold;
            populateTLReferencePipeline(pm, options);
          },
          "shape specialization"))
    return e;
  func::FuncOp func = getFunction();
  std::vector<std::string> callers = gradient.wrt;
  if (callers.empty()) {
    for (const ArgBinding &arg : signature.args)
      if (!arg.caller.empty() && !llvm::is_contained(callers, arg.caller))
        callers.push_back(arg.caller);
  }
  // Each caller's slots, in argument order.
  std::vector<std::string> wrtSlots;
  for (const std::string &caller : callers) {
    bool found = false;
    for (const ArgBinding &arg : signature.args)
      if (arg.caller == caller) {
        wrtSlots.push_back(arg.slot);
        found = true;
      }
    if (!found) {
      std::string known;
      for (const ArgBinding &arg : signature.args)
        if (!arg.caller.empty() && known.find("'" + arg.caller + "'") ==
                                       std::string::npos)
          known += (known.empty() ? "'" : ", '") + arg.caller + "'";
      return makeError("G12: cannot differentiate with respect to '" +
                       caller + "': no input of the graph is bound to it" +
                       (known.empty() ? std::string(" (it has no inputs)")
                                      : "; the bound inputs are " + known));
    }
  }

  std::string name = func.getSymName().str();
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) {
            TLDifferentiatePassOptions o;
            o.funcName = name;
            o.wrt = wrtSlots;
            o.keepOutputs = gradient.withOutputs;
            // One gradient per caller array, summed over its slots (G12).
            std::vector<std::string> sumInto;
            for (const std::string &caller : callers)
              for (const ArgBinding &arg : signature.args)
                if (arg.caller == caller)
                  sumInto.push_back(caller + "=" + arg.slot);
            o.sumInto = sumInto;
            pm.addPass(createTLDifferentiatePass(o));
          },
          "differentiation"))
    return e;
  auto grad = module->lookupSymbol<func::FuncOp>(name + "_grad");
  unsigned numOutputs = func.getNumResults();

  OpBuilder b(grad);

  // Cotangent arguments bind by their own names; shapes are already static.
  SmallVector<NamedAttribute> shapeAttrs;
  for (const ArgBinding &arg : signature.args)
    shapeAttrs.push_back(
        b.getNamedAttr(arg.slot, b.getDenseI64ArrayAttr(arg.shape)));
  cotangents.clear();
  for (unsigned i = 0; i < numOutputs; ++i) {
    auto type = cast<RankedTensorType>(func.getResultTypes()[i]);
    auto outName = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
    ResultInfo output{outName ? outName.str() : "result" + std::to_string(i),
                      std::vector<int64_t>(type.getShape().begin(),
                                           type.getShape().end())};
    ArgBinding binding;
    binding.caller = cotangentName(output.name);
    cotangents.push_back(std::move(output));
    binding.slot = grad.getArgAttrOfType<StringAttr>(
                           func.getNumArguments() + i, kNameAttr)
                       .str();
    binding.shape.assign(type.getShape().begin(), type.getShape().end());
    shapeAttrs.push_back(b.getNamedAttr(
        binding.slot, b.getDenseI64ArrayAttr(binding.shape)));
    signature.args.push_back(std::move(binding));
  }
  grad->setAttr(kInputShapesAttr, b.getDictionaryAttr(shapeAttrs));
  signature.isGradient = true;
  signature.cotangents = cotangents;
  signature.numGradients = callers.size();
  func.erase();
  grad.setSymName(name);
  return llvm::Error::success();
}

llvm::Error GraphRunner::exposeIntermediates() {
  if (lowered)
    return makeError(
        "exposeIntermediates() needs the module as loaded and bound");
  if (llvm::Error e = requireStaticShapes("exposed intermediates"))
    return e;
  if (llvm::Error e = specialize())
    return e;
  func::FuncOp func = getFunction();
  unsigned numResults = func.getNumResults();
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) {
            pm.nest<func::FuncOp>().addPass(
                createTLExposeIntermediatesPass());
          },
          "expose intermediates"))
    return e;
  for (unsigned i = numResults; i < func.getNumResults(); ++i) {
    auto text = [&](llvm::StringRef attr) {
      auto a = func.getResultAttrOfType<StringAttr>(i, attr);
      return a ? a.str() : std::string();
    };
    signature.intermediates.push_back({text("tl.node"), text("tl.op")});
  }
  return llvm::Error::success();
}

llvm::Error
GraphRunner::assumeBinary(const std::vector<std::string> &callers) {
  if (!specialized || lowered)
    return makeError("assumeBinary() needs the module specialized, not "
                     "lowered");
  func::FuncOp func = getFunction();
  Builder b(context);
  for (auto [i, arg] : llvm::enumerate(signature.args))
    if (!arg.constant && llvm::is_contained(callers, arg.caller))
      func.setArgAttr(i, kValuesAttr, b.getStringAttr("binary"));
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) {
            pm.nest<func::FuncOp>().addPass(createTLBooleanJoinsPass());
          },
          "value specialization"))
    return e;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, kValuesAttr);
  signature.binaryInputs.clear();
  if (auto assumes = func->getAttrOfType<ArrayAttr>(kAssumesAttr)) {
    for (Attribute a : assumes) {
      llvm::StringRef slot = cast<StringAttr>(a).getValue();
      if (!slot.consume_front("binary:"))
        continue;
      for (const ArgBinding &arg : signature.args)
        if (arg.slot == slot &&
            !llvm::is_contained(signature.binaryInputs, arg.caller))
          signature.binaryInputs.push_back(arg.caller);
    }
    func->removeAttr(kAssumesAttr);
  }
  return llvm::Error::success();
}

llvm::Error GraphRunner::requireStaticShapes(llvm::StringRef what) {
  for (const ArgBinding &arg : signature.args)
    if (llvm::any_of(arg.shape, [](int64_t d) { return d < 0; }))
      return makeError(what + " need every input size known at compile "
                       "time; '" + arg.caller + "' has shape " +
                       runtime::shapeString(arg.shape) +
                       " (give its shape, or compile once the shapes are "
                       "known)");
  return llvm::Error::success();
}

/// Dims of `type` as a signature has them: static sizes, and -(k + 1) for
/// the symbol k that `tl.dims` gives a dynamic dim.
static llvm::Expected<std::vector<int64_t>>
signatureShape(RankedTensorType type, DenseI64ArrayAttr symbols,
               const llvm::Twine &what) {
  std::vector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(type.getShape())) {
    if (!ShapedType::isDynamic(d)) {
      shape.push_back(d);
      continue;
    }
    if (!symbols || static_cast<int64_t>(i) >= symbols.size() ||
        symbols[i] < 0)
      return makeError(what + " has a dynamic size that no input gives");
    shape.push_back(runtime::symbolDim(symbols[i]));
  }
  return shape;
}

llvm::Error GraphRunner::readSymbols() {
  func::FuncOp func = getFunction();
  for (auto [i, binding] : llvm::enumerate(signature.args)) {
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
    if (!type || binding.constant)
      continue;
    auto shape = signatureShape(
        type, func.getArgAttrOfType<DenseI64ArrayAttr>(i, kDimsAttr),
        "argument '" + binding.slot + "'");
    if (!shape)
      return shape.takeError();
    binding.shape = std::move(*shape);
    binding.dimLinks.clear();
    if (auto links = func.getArgAttrOfType<ArrayAttr>(i, kDimLinksAttr))
      for (Attribute l : links)
        binding.dimLinks.push_back(
            cast_or_null<StringAttr>(l) ? cast<StringAttr>(l).str() : "");
  }
  return llvm::Error::success();
}

llvm::Error GraphRunner::runPipeline(
    llvm::function_ref<void(OpPassManager &)> populate, llvm::StringRef what) {
  double start = runtime::profilerNowUs();
  auto timed = llvm::make_scope_exit([&] {
    phases.push_back({what.str(), start, runtime::profilerNowUs()});
  });
  DiagnosticCollector diags(context);
  PassManager pm(context, ModuleOp::getOperationName());
  // tl-jit registers MLIR's IR-printing and timing flags; the library does
  // not, and then these report failure and do nothing.
  (void)applyPassManagerCLOptions(pm);
  applyDefaultTimingPassManagerCLOptions(pm);
  populate(pm);
  if (failed(pm.run(*module)))
    return diags.take(("the " + what + " failed").str());
  return llvm::Error::success();
}

llvm::Error GraphRunner::recordResults() {
  func::FuncOp func = getFunction();
  signature.results.clear();
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
    auto ranked = llvm::dyn_cast<RankedTensorType>(type);
    if (!ranked)
      return makeError("result #" + llvm::Twine(i) + " of @" +
                       func.getSymName() + " has no static shape");
    auto shape = signatureShape(
        ranked, func.getResultAttrOfType<DenseI64ArrayAttr>(i, kDimsAttr),
        "result #" + llvm::Twine(i) + " of @" + func.getSymName());
    if (!shape)
      return shape.takeError();
    signature.results.push_back(
        {name ? name.str() : "result" + std::to_string(i), std::move(*shape)});
  }
  return llvm::Error::success();
}

/// The runtime's layout for a value of `type` (Module.h).
static llvm::Expected<runtime::Layout> layoutOf(Type type,
                                                const llvm::Twine &what) {
  auto encoding = sparse_tensor::getSparseTensorEncoding(type);
  if (!encoding)
    return runtime::Layout::dense;
  if (std::optional<BoundaryLayout> layout = boundaryLayout(encoding))
    return *layout == BoundaryLayout::csr ? runtime::Layout::csr
                                          : runtime::Layout::dcsr;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << encoding;
  return makeError(what + " has the sparse layout " + text +
                   ", which the runtime does not bind (it binds CSR and "
                   "DCSR matrices)");
}

llvm::Error GraphRunner::recordLayouts() {
  func::FuncOp func = getFunction();
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto layout = layoutOf(type, "argument '" + signature.args[i].slot + "'");
    if (!layout)
      return layout.takeError();
    signature.args[i].layout = *layout;
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto layout = layoutOf(type, "result '" + signature.results[i].name + "'");
    if (!layout)
      return layout.takeError();
    signature.results[i].layout = *layout;
  }
  signature.returnsResults = true;
  return llvm::Error::success();
}

llvm::Error GraphRunner::lower(Stage target,
                               const TLCpuPipelineOptions &pipeline) {
  if (lowered)
    return makeError("the module is already lowered");
  if (llvm::Error e = specialize())
    return e;
  lowered = true;
  stage = target;
  if (target == Stage::tl)
    return llvm::Error::success();
  // The passes compile() runs, so what is printed is what is compiled.
  bool sparse = !pipeline.inputDensities.empty();
  return runPipeline(
      [&](OpPassManager &pm) {
        if (sparse)
          populateTLSparseToLinalg(pm, pipeline);
        else
          populateTLToLinalgPipeline(pm, pipeline);
        if (target == Stage::llvm && sparse)
          populateSparseToLLVM(pm);
        else if (target == Stage::llvm)
          populateLinalgToLLVMPipeline(pm, pipeline);
      },
      target == Stage::llvm ? "CPU pipeline" : "lowering");
}

llvm::Error GraphRunner::lowerForGpu(const TLGpuPipelineOptions &options) {
  if (lowered)
    return makeError("lowerForGpu() needs the module as loaded and bound");
  if (llvm::Error e = specialize())
    return e;
  if (llvm::Error e = requireStaticShapes("GPU kernels"))
    return e;
  std::string recursive;
  getFunction().walk([&](Operation *op) {
    if (!recursive.empty())
      return;
    if (auto fixpoint = dyn_cast<FixpointOp>(op))
      recursive = fixpoint.describeSite();
    else if (auto adjoint = dyn_cast<FixpointAdjointOp>(op))
      recursive = adjoint.describeSite();
  });
  if (!recursive.empty())
    return makeError("recursive rules run on the CPU only for now, and " +
                     recursive +
                     " is one; compile for the CPU (--device=cpu)");
  lowered = true;
  if (llvm::Error e = recordResults())
    return e;
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) { populateTLGpuCodegenPipeline(pm, options); },
          "GPU pipeline"))
    return e;
  stage = Stage::llvm;
  return llvm::Error::success();
}

llvm::Expected<NamedBuffers> GraphRunner::runReference(
    const std::map<std::string, const runtime::Buffer *> &inputs) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto &[name, buffer] : inputs)
    shapes[name] = buffer->shape();
  if (llvm::Error e = bind(shapes))
    return std::move(e);
  if (llvm::Error e = lower(Stage::tl, TLCpuPipelineOptions()))
    return std::move(e);

  std::vector<reference::Tensor> args;
  for (const ArgBinding &binding : signature.args) {
    reference::Tensor t;
    if (binding.constant) {
      t.data = {*binding.constant};
    } else if (auto it = inputs.find(binding.caller); it != inputs.end()) {
      const runtime::Buffer &b = *it->second;
      t.shape = b.shape();
      t.data.resize(b.numElements());
      for (int64_t i = 0; i < b.numElements(); ++i)
        t.data[i] = b.at(i);
    }
    args.push_back(std::move(t));
  }
  func::FuncOp func = getFunction();
  auto results = reference::evaluate(func, args);
  if (!results)
    return results.takeError();
  if (llvm::Error e = recordResults())
    return std::move(e);
  NamedBuffers out;
  for (auto [info, t] : llvm::zip(signature.results, *results)) {
    runtime::Buffer b = runtime::Buffer::allocate(signature.dtype, t.shape);
    if (!b.data() && !t.data.empty())
      return makeError("out of memory for output '" + info.name + "'");
    for (size_t i = 0; i < t.data.size(); ++i)
      if (signature.dtype == runtime::DType::f32)
        b.data<float>()[i] = static_cast<float>(t.data[i]);
      else
        b.data<double>()[i] = t.data[i];
    out.emplace_back(info.name, std::move(b));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>>
mlir::tl::describeCodegenOptions(const TLCpuPipelineOptions &pipeline,
                                 const JitOptions &jit) {
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  auto num = [](int64_t v) { return std::to_string(v); };
  std::vector<std::pair<std::string, std::string>> options = {
      {"opt-level", num(jit.optLevel)},
      {"vectorize", flag(pipeline.vectorize)},
      {"threads", num(pipeline.threads)},
      {"onednn", flag(pipeline.onednn)},
      {"blas", flag(pipeline.blas)},
      {"approximate-exp", flag(pipeline.approximateExp)},
      {"profile", flag(pipeline.profile)},
      {"semi-naive", flag(pipeline.semiNaive)},
      {"vector-bytes", num(pipeline.vectorBytes)},
      {"vector-registers", num(pipeline.vectorRegisters)},
      {"l1", num(pipeline.l1)},
      {"l2", num(pipeline.l2)},
      {"l3", num(pipeline.l3)}};
  // Only the sparse route has these: dense modules keep their keys.
  if (!pipeline.inputDensities.empty()) {
    options.emplace_back("input-densities",
                         llvm::join(pipeline.inputDensities, " "));
    char threshold[32];
    std::snprintf(threshold, sizeof threshold, "%.17g",
                  pipeline.sparseThreshold.getValue());
    options.emplace_back("sparse-threshold", threshold);
  }
  return options;
}

llvm::Expected<std::shared_ptr<const CompiledGraph>>
GraphRunner::compile(const TLCpuPipelineOptions &pipeline,
                     const JitOptions &jitOptions,
                     std::vector<std::pair<std::string, std::string>> extra) {
  if (lowered)
    return makeError("compile() needs the module as loaded and bound");
  if (llvm::Error e = specialize())
    return std::move(e);
  // The result shapes are known once the shapes are static; the CPU
  // pipeline then turns the results into out-parameters.
  lowered = true;
  if (llvm::Error e = recordResults())
    return std::move(e);
  // Profile spans of MLIR input are named by source line; say which tl
  // ops each line holds while they still exist.
  std::map<int64_t, std::string> opsOnLine;
  std::map<std::string, std::string> shapeOf; // by node or line
  auto typeText = [](Type t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    if (auto ranked = dyn_cast<RankedTensorType>(t)) {
      for (int64_t d : ranked.getShape())
        os << d << "x";
      os << ranked.getElementType();
    }
    return os.str();
  };
  if (pipeline.profile)
    getFunction().walk([&](Operation *op) {
      if (op->getNumResults() == 1 && op->getDialect() &&
          op->getDialect()->getNamespace() == "tl") {
        std::string node = describeOp(op);
        if (llvm::StringRef(node).starts_with("node "))
          shapeOf[node] = typeText(op->getResult(0).getType());
        else if (auto l = dyn_cast<FileLineColLoc>(op->getLoc()))
          shapeOf["line " + std::to_string(l.getLine())] =
              typeText(op->getResult(0).getType());
      }
      auto loc = dyn_cast<FileLineColLoc>(op->getLoc());
      if (!loc || !op->getDialect() ||
          op->getDialect()->getNamespace() != "tl")
        return;
      std::string &text = opsOnLine[loc.getLine()];
      std::string name = op->getName().getStringRef().str();
      if (text.find(name) == std::string::npos)
        text += (text.empty() ? "" : ", ") + name;
    });
  // Numbered so that a fixpoint that fails at run time is named (a
  // gradient's tl.fixpoint_adjoint repeats a fixpoint's iterations, and
  // fails alike).
  getFunction().walk([&](Operation *op) {
    std::string site;
    if (auto fixpoint = dyn_cast<FixpointOp>(op))
      site = fixpoint.describeSite();
    else if (auto adjoint = dyn_cast<FixpointAdjointOp>(op))
      site = adjoint.describeSite();
    else
      return;
    op->setAttr(FixpointOp::kSiteAttr,
                IntegerAttr::get(IntegerType::get(op->getContext(), 64),
                                 signature.fixpointSites.size()));
    signature.fixpointSites.push_back(site);
  });
  bool sparse = !pipeline.inputDensities.empty();
  if (sparse) {
    // The sparse route: its layouts are known once the values have
    // sparse_tensor types, and the entry point returns the results.
    OwningOpRef<ModuleOp> dense = module->clone();
    if (llvm::Error e = runPipeline(
            [&](OpPassManager &pm) { populateTLSparseToLinalg(pm, pipeline); },
            "sparse lowering"))
      return std::move(e);
    if (llvm::Error e = recordLayouts())
      return std::move(e);
    // Nothing stored sparse: the dense pipeline's code (fused, vectorized,
    // library calls) is the better one.
    sparse = signature.hasSparseLayouts();
    if (sparse) {
      // MLIR's sparsifier is young: where it crashes on a kernel, the
      // caller hears of it (and compileGraph compiles the graph dense)
      // instead of losing the process.
      static std::once_flag enableRecovery;
      std::call_once(enableRecovery,
                     [] { llvm::CrashRecoveryContext::Enable(); });
      llvm::Error failed = llvm::Error::success();
      llvm::CrashRecoveryContext recovery;
      if (!recovery.RunSafely([&] {
            failed = runPipeline(
                [&](OpPassManager &pm) { populateSparseToLLVM(pm); },
                "sparsifier");
          })) {
        llvm::consumeError(std::move(failed));
        return makeError("MLIR's sparsifier crashed compiling this graph");
      }
      if (failed)
        return std::move(failed);
    } else {
      module = std::move(dense);
      signature.returnsResults = false;
    }
  }
  if (!sparse)
    if (llvm::Error e = runPipeline(
            [&](OpPassManager &pm) {
              populateTLToLinalgPipeline(pm, pipeline);
              populateLinalgToLLVMPipeline(pm, pipeline);
            },
            "CPU pipeline"))
      return std::move(e);
  stage = Stage::llvm;

  if (auto names = (*module)->getAttrOfType<ArrayAttr>("tl.profile_nodes"))
    for (Attribute n : names) {
      // "line 3 + line 4" -> "line 3 (tl.einsum) + line 4 (tl.reduce)".
      llvm::SmallVector<llvm::StringRef> parts;
      cast<StringAttr>(n).getValue().split(parts, " + ");
      std::string name, shapes;
      for (llvm::StringRef part : parts) {
        name += (name.empty() ? "" : " + ") + part.str();
        auto shape = shapeOf.find(part.str());
        shapes += (shapes.empty() ? "" : ", ") +
                  (shape != shapeOf.end() ? shape->second : "?");
        int64_t line;
        if (part.consume_front("line ") && !part.getAsInteger(10, line) &&
            opsOnLine.count(line))
          name += " (" + opsOnLine[line] + ")";
      }
      signature.profileNodes.push_back(std::move(name));
      signature.profileShapes.push_back(std::move(shapes));
    }
  // What tl-apply-tuning keyed and applied, for the tuner and the log.
  std::vector<std::pair<std::string, std::string>> tuning;
  if (auto ops = (*module)->getAttrOfType<ArrayAttr>("tl.tunable_ops")) {
    std::string list;
    for (Attribute a : ops)
      list += (list.empty() ? "" : " ") + cast<StringAttr>(a).str();
    tuning.emplace_back("tunable-ops", list);
  }
  if (auto n = (*module)->getAttrOfType<IntegerAttr>("tl.tuned_ops"))
    tuning.emplace_back("tuned-ops", std::to_string(n.getInt()));
  double start = runtime::profilerNowUs();
  auto object = emitObject(*module, entryName, jitOptions);
  phases.push_back({"LLVM (object code)", start, runtime::profilerNowUs()});
  if (!object)
    return object.takeError();
  runtime::ModuleManifest manifest;
  manifest.compiler = compilerName();
  manifest.triple = object->triple;
  manifest.cpu = object->cpu;
  manifest.features = object->features;
  manifest.entry = object->entry;
  manifest.objectHash = runtime::sha256Hex(object->bytes);
  manifest.options = describeCodegenOptions(pipeline, jitOptions);
  for (auto &kv : extra)
    manifest.options.push_back(std::move(kv));
  for (auto &kv : tuning)
    manifest.options.push_back(std::move(kv));
  manifest.signature = signature;
  start = runtime::profilerNowUs();
  auto loaded =
      runtime::Module::create(std::move(manifest), std::move(object->bytes));
  phases.push_back({"load", start, runtime::profilerNowUs()});
  if (!loaded.ok())
    return makeError(std::string(loaded.status().message()));
  return std::move(*loaded);
}

llvm::Error
GraphRunner::specialize(const std::vector<std::string> &inputDensities,
                        double sparseThreshold) {
  if (specialized)
    return llvm::Error::success();
  if (lowered)
    return makeError("specialize() needs the module as loaded and bound");
  TLReferencePipelineOptions options;
  options.inputDensities = inputDensities;
  options.sparseThreshold = sparseThreshold;
  if (llvm::Error e = runPipeline(
          [&](OpPassManager &pm) { populateTLReferencePipeline(pm, options); },
          "shape specialization"))
    return e;
  specialized = true;
  return readSymbols();
}
