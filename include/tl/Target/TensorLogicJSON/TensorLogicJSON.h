//===- TensorLogicJSON.h - EinsumGraph JSON <-> tl dialect ------*- C++ -*-===//
//
// Import (G1-G5): the node list is a program over slot variables; the
// importer turns it into SSA in one func.func. A slot read before any node
// writes it becomes a function argument whose `tl.name` is its binding
// name, or a tl.constant for an unbound `const_<number>` slot; every output
// slot becomes a result whose `tl.name` is the slot name.
//
// Export writes the function back as EinsumGraph JSON; import, export,
// import gives the same IR, and metadata survives.
//
//===----------------------------------------------------------------------===//

#ifndef TL_TARGET_TENSORLOGICJSON_TENSORLOGICJSON_H
#define TL_TARGET_TENSORLOGICJSON_TENSORLOGICJSON_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::tl {

/// The most nodes (JSON) or tl ops (MLIR) a graph may have: compile time
/// grows faster than linearly in a long chain of distinct ops (about 2 s
/// at 500, 7 s at 1000, 24 s at 2000 here), so larger graphs are refused
/// up front (docs/CLI.md) rather than left to run for minutes.
constexpr size_t kMaxGraphNodes = 1000;

/// The extension a versioned graph declares (`"extensions"`) to hold
/// Fixpoint nodes, recursive rules (docs/TensorLogicJSON.md).
constexpr llvm::StringLiteral kFixpointExtension = "tl.fixpoint/1";

struct ImportOptions {
  /// The element type of every tensor (G5): f64 unless f32 is asked for.
  bool useF32 = false;
  /// The caller's array names, when known (tl-jit, the library). Binding
  /// (G3) then happens at import: an argument per distinct caller array,
  /// named by it; `const_` slots that the caller does not override become
  /// constants; a slot that binds to nothing is the G3 error, an output
  /// that is neither written nor bound the G4 error. Without names every
  /// unbound slot becomes an argument named after the slot, bound later by
  /// the same rule.
  std::optional<std::vector<std::string>> callerNames;
  /// Name of the function to create.
  std::string functionName = "main";
  /// The file name used in locations and messages.
  std::string sourceName = "<graph>";
};

/// Whether a graph is TensorLogic JSON (else tl MLIR): by the file's
/// extension (.json, .mlir), else by its text (JSON starts with '{').
/// Tools ask detectSourceFormat (SourceFormat.h), which also knows .tle.
bool isTensorLogicJSON(llvm::StringRef path, llvm::StringRef text);

/// Imports a graph; errors are emitted as diagnostics (starting with their
/// rule, G1-G11) and give a null module.
OwningOpRef<ModuleOp> importTensorLogicJSON(llvm::StringRef text,
                                            MLIRContext *context,
                                            const ImportOptions &options);

/// Writes the single tl function of `module` (or `func`) as EinsumGraph
/// JSON. Fails, with a diagnostic, for IR the format cannot express.
LogicalResult exportTensorLogicJSON(Operation *moduleOrFunc,
                                    llvm::raw_ostream &os);

/// Writes a Graphviz picture of the function(s) in `module`.
LogicalResult exportDot(Operation *moduleOrFunc, llvm::raw_ostream &os);

/// Registers --import-tensorlogic-json, --export-tensorlogic-json and
/// --export-dot with mlir-translate's registry.
void registerTensorLogicTranslations();

/// The G3 binding rule for a slot name against the caller's array names:
/// the exact name, else the base name (text before the first '['); empty
/// when neither is present.
std::string bindSlotName(llvm::StringRef slot,
                         llvm::ArrayRef<std::string> callerNames);

/// G3: the value of a `const_<number>` base name (Rust f64::from_str
/// syntax, also inf/infinity/nan in any case), if it is one.
std::optional<double> parseConstSlot(llvm::StringRef slotName);

} // namespace mlir::tl

#endif // TL_TARGET_TENSORLOGICJSON_TENSORLOGICJSON_H
