//===- GraphRunner.cpp - load, bind and run a graph -----------------------===//

#include "tl/Driver/GraphRunner.h"

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"
#include "tl/InitTL.h"
#include "tl/Pipelines/Pipelines.h"
#include "tl/Reference/Evaluator.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

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

llvm::Error GraphRunner::load(llvm::StringRef path,
                              const io::NamedArrays &inputs,
                              const RunOptions &opts) {
  options = opts;
  DialectRegistry registry;
  registerTLDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  // Messages name the node; an MLIR dump of the op would only add noise.
  context->printOpOnDiagnostic(false);
  DiagnosticCollector diags(context);

  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read '" + path +
                     "': " + buffer.getError().message());
  if (path.ends_with(".json")) {
    ImportOptions importOptions;
    importOptions.useF32 = options.useF32;
    importOptions.sourceName = path.str();
    importOptions.functionName = options.functionName;
    std::vector<std::string> names;
    for (const auto &[name, array] : inputs)
      names.push_back(name);
    importOptions.callerNames = names;
    module =
        importTensorLogicJSON((*buffer)->getBuffer(), context, importOptions);
    if (!module)
      return diags.take("import of '" + path.str() + "' failed");
  } else {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, context);
    if (!module)
      return diags.take("cannot parse '" + path.str() + "'");
    func::FuncOp func = findFunction(*module, options.functionName);
    if (!func)
      return makeError(path + ": no function '@" + options.functionName +
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
        return makeError(path + ": --dtype asks for " +
                         (options.useF32 ? "f32" : "f64") +
                         " but the function computes in " + haveText);
      }
    }
  }
  if (failed(verify(*module)))
    return diags.take("the module does not verify");
  return llvm::Error::success();
}

llvm::Expected<io::NamedArrays>
GraphRunner::run(const io::NamedArrays &inputs) {
  func::FuncOp func = findFunction(*module, options.functionName);
  if (!func)
    return makeError("no function '@" + options.functionName + "' to run");
  DiagnosticCollector diags(context);

  // G3/G5: bind each argument by name and convert it to the compute type.
  std::vector<std::string> callerNames;
  for (const auto &[name, array] : inputs)
    callerNames.push_back(name);
  std::vector<reference::Tensor> args;
  SmallVector<NamedAttribute> shapes;
  Builder b(context);
  for (BlockArgument arg : func.getArguments()) {
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
    if (!name)
      return makeError("argument #" + llvm::Twine(arg.getArgNumber()) +
                       " of @" + func.getSymName() +
                       " has no tl.name, so no array can be bound to it");
    reference::Tensor t;
    std::string caller = bindSlotName(name.getValue(), callerNames);
    if (!caller.empty()) {
      const io::Array *array = nullptr;
      for (const auto &[n, a] : inputs)
        if (n == caller)
          array = &a;
      t.shape = array->shape;
      t.data = array->toDoubles();
    } else if (std::optional<double> c = parseConstSlot(name.getValue())) {
      t.data = {*c};
    } else {
      return makeError(
          "G3: unbound tensor '" + name.getValue() + "' (argument #" +
          llvm::Twine(arg.getArgNumber()) + "): no input array named '" +
          name.getValue() + "' or '" +
          name.getValue().take_until([](char c) { return c == '['; }) + "'");
    }
    shapes.push_back(b.getNamedAttr(name, b.getDenseI64ArrayAttr(t.shape)));
    args.push_back(std::move(t));
  }
  func->setAttr(kInputShapesAttr, b.getDictionaryAttr(shapes));
  // Only this function runs; the others have no shapes to specialize with.
  for (func::FuncOp other :
       llvm::to_vector(module->getBody()->getOps<func::FuncOp>()))
    if (other != func)
      other.erase();

  PassManager pm(context, ModuleOp::getOperationName());
  populateTLReferencePipeline(pm, TLReferencePipelineOptions());
  if (failed(pm.run(*module)))
    return diags.take("the reference pipeline failed");

  auto results = reference::evaluate(func, args);
  if (!results)
    return results.takeError();
  io::NamedArrays out;
  for (auto [i, t] : llvm::enumerate(*results)) {
    auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
    io::DType dtype = getElementTypeOrSelf(func.getResultTypes()[i]).isF32()
                          ? io::DType::f32
                          : io::DType::f64;
    out.emplace_back(name ? name.str() : "result" + std::to_string(i),
                     io::Array::fromDoubles(dtype, t.shape, t.data));
  }
  return out;
}
