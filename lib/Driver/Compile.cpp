//===- Compile.cpp - the one way from a graph to runnable code ------------===//
//
// Every tool and API path compiles through compileGraph: the front half
// (import, bind, differentiate, specialize) is the same for every target,
// the compile cache sits between the halves, and the back half is a
// Backend (Backend.h).
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/TuningRecords.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Driver/Backend.h"
#include "tl/Driver/BuildId.h"
#include "tl/Driver/GraphRunner.h"
#include "tl/Runtime/Profiler.h"
#include "tl/Runtime/Sha256.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::tl;

/// SHA-256 of the module's text (with locations when they name profile
/// spans). A fixpoint's location is in the module's run-time message
/// either way: the same rule from another file is another entry.
static std::string hashModule(ModuleOp module, bool withLocations) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (withLocations)
    flags.enableDebugInfo();
  module.print(os, flags);
  module.walk([&](Operation *op) {
    if (auto fixpoint = dyn_cast<FixpointOp>(op))
      os << "\n" << fixpoint.describeSite();
    else if (auto adjoint = dyn_cast<FixpointAdjointOp>(op))
      os << "\n" << adjoint.describeSite();
  });
  return runtime::sha256Hex(os.str());
}

/// The front half of every compile: import `request`'s graph into
/// `runner`, then (after `imported` has seen the module as imported) bind
/// it, differentiate it, expose its intermediates and specialize its
/// shapes, as asked.
static llvm::Error
prepareGraph(GraphRunner &runner, const CompileRequest &request,
             llvm::function_ref<void(ModuleOp)> imported = nullptr) {
  std::vector<std::string> names;
  for (const auto &[name, shape] : request.shapes)
    names.push_back(name);
  if (llvm::Error e = runner.loadBuffer(request.text, request.format,
                                        request.sourceName, names, request.run))
    return e;
  if (imported)
    imported(runner.getModule());
  if (llvm::Error e = runner.bind(request.shapes))
    return e;
  if (request.gradient)
    if (llvm::Error e = runner.differentiate(*request.gradient,
                                             densityEntries(request.codegen),
                                             request.codegen.sparseThreshold))
      return e;
  if (request.exposeIntermediates)
    if (llvm::Error e = runner.exposeIntermediates())
      return e;
  if (llvm::Error e = runner.specialize(densityEntries(request.codegen),
                                        request.codegen.sparseThreshold))
    return e;
  if (!request.binaryInputs.empty())
    return runner.assumeBinary(request.binaryInputs);
  return llvm::Error::success();
}

llvm::Expected<CompileResult>
mlir::tl::compileGraph(const CompileRequest &request) {
  auto backend = findBackend(request.backend);
  if (!backend)
    return backend.takeError();
  MLIRContext context(MLIRContext::Threading::DISABLED);
  GraphRunner runner(&context);
  CompileResult result;

  CacheKey key;
  bool cache = request.cache.enabled;
  bool locations = request.codegen.profile;
  if (llvm::Error e = prepareGraph(runner, request, [&](ModuleOp module) {
        if (cache)
          key.parts.emplace_back("graph", hashModule(module, locations));
      }))
    return std::move(e);

  result.warnings = runner.getWarnings();
  // A damaged tuning record is never trusted, and the user hears of it.
  if (!request.codegen.tuningRecords.empty())
    (void)loadTuningRecords(request.codegen.tuningRecords, &result.warnings);
  KeyValues extra;
  if (cache) {
    std::string shapes;
    for (const auto &[name, shape] : request.shapes)
      shapes += (shapes.empty() ? "" : ",") + name + "=" +
                runtime::shapeString(shape);
    auto backendParts = (*backend)->keyParts(request);
    if (!backendParts)
      return backendParts.takeError();
    std::string options = "function=" + request.run.functionName;
    if (request.gradient) {
      options += ",grad=";
      for (const std::string &w : request.gradient->wrt)
        options += w + ";";
      options += request.gradient->withOutputs ? ",with-outputs" : "";
    }
    if (request.exposeIntermediates)
      options += ",intermediates";
    key.parts.emplace_back("shapes", shapes.empty() ? "none" : shapes);
    key.parts.emplace_back("dtype", request.run.useF32 ? "f32" : "f64");
    for (auto &[part, value] : *backendParts)
      if (part == "options")
        key.parts.emplace_back("options", options + "," + value);
    for (auto &[part, value] : *backendParts)
      if (part != "options")
        key.parts.emplace_back(part, value);
    key.parts.emplace_back("build", compilerBuildId());
    key.specialized = hashModule(runner.getModule(), locations);
    result.phases = runner.getPhases();
    double start = runtime::profilerNowUs();
    result.module = cacheLookup(request.cache, key, result.cache);
    result.phases.push_back({"cache lookup", start, runtime::profilerNowUs()});
    if (result.module || request.onlyIfCached)
      return result;
    for (const auto &[part, value] : key.parts)
      extra.emplace_back("key." + part, value);
  }
  auto module = (*backend)->compile(runner, request, std::move(extra));
  if (!module && !request.codegen.inputDensities.empty()) {
    // Correct code first: a graph the sparse route cannot compile runs
    // dense, and the user hears why.
    std::string why = llvm::toString(module.takeError());
    CompileRequest dense = request;
    dense.codegen.inputDensities.clear();
    auto compiled = compileGraph(dense);
    if (!compiled)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "the sparse route failed (" + why +
              "), and compiled dense: " + llvm::toString(compiled.takeError()));
    compiled->warnings.insert(compiled->warnings.begin(),
                              "the sparse route failed, so the graph is "
                              "compiled dense: " +
                                  why);
    return compiled;
  }
  if (!module)
    return module.takeError();
  result.module = std::move(*module);
  // The phases after the lookup (or all of them without a cache).
  size_t before = cache ? result.phases.size() - 1 : 0;
  for (size_t i = before; i < runner.getPhases().size(); ++i)
    result.phases.push_back(runner.getPhases()[i]);
  if (cache)
    cacheStore(request.cache, key, result.module, result.cache);
  return result;
}

std::vector<std::string> mlir::tl::emitStages(llvm::StringRef backendName) {
  std::vector<std::string> stages = {"tl"};
  if (auto backend = findBackend(backendName)) {
    for (std::string &s : (*backend)->emitStages())
      stages.push_back(std::move(s));
  } else {
    llvm::consumeError(backend.takeError());
  }
  return stages;
}

llvm::Expected<std::string> mlir::tl::emitGraph(const CompileRequest &request,
                                                llvm::StringRef stage) {
  auto backend = findBackend(request.backend);
  if (!backend)
    return backend.takeError();
  std::vector<std::string> stages = emitStages(request.backend);
  if (!llvm::is_contained(stages, stage))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unknown stage '" + stage + "' (the " + request.backend +
            " backend has: " + llvm::join(stages, ", ") + ")");
  MLIRContext context(MLIRContext::Threading::DISABLED);
  GraphRunner runner(&context);
  if (llvm::Error e = prepareGraph(runner, request))
    return std::move(e);
  if (stage != "tl")
    return (*backend)->emit(runner, request, stage);
  std::string text;
  llvm::raw_string_ostream os(text);
  runner.getModule().print(os);
  os << "\n";
  return text;
}
