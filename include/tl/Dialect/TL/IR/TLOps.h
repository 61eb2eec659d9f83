//===- TLOps.h - tl dialect operations --------------------------*- C++ -*-===//

#ifndef TL_DIALECT_TL_IR_TLOPS_H
#define TL_DIALECT_TL_IR_TLOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tl/Dialect/TL/IR/EinsumSpec.h"
#include "tl/Dialect/TL/IR/TLDialect.h"

#include "tl/Dialect/TL/IR/TLEnums.h.inc"
#include "tl/Dialect/TL/IR/TLInterfaces.h.inc"

#define GET_OP_CLASSES
#include "tl/Dialect/TL/IR/TLOps.h.inc"

namespace mlir::tl {

/// The name of the argument and result attribute that carries a binding
/// name (arguments, G3) or an output slot name (results, G4).
inline constexpr llvm::StringLiteral kNameAttr = "tl.name";

/// Shape-generic code (tl-specialize-shapes): on an argument or result,
/// the symbol number of each dim (-1: static), equal numbers meaning equal
/// sizes; on an argument, `tl.dim_links` names, per dim, the op that tied
/// it to another input's dim ("" if none).
inline constexpr llvm::StringLiteral kDimsAttr = "tl.dims";
inline constexpr llvm::StringLiteral kDimLinksAttr = "tl.dim_links";
/// On an einsum of shape-generic code whose broadcast label (G7) has a
/// size known only at run time: per result dim, the argument number and
/// axis to read it from (-1, -1 where an operand gives it).
inline constexpr llvm::StringLiteral kDimArgsAttr = "tl.dim_args";

/// Sparsity (tl-assign-sparsity): on an op or argument, the expected
/// fraction of nonzero elements (f64), and the `sparse_tensor` encoding
/// chosen for its value when that is at most the threshold.
inline constexpr llvm::StringLiteral kDensityAttr = "tl.density";
inline constexpr llvm::StringLiteral kSparseAttr = "tl.sparse";

/// Value specialization (tl-boolean-joins): on an argument, what its
/// values are known to be ("binary": only 0 and 1); on the function, the
/// assumptions ("binary:<name>") a rewrite relied on, which the runtime
/// must check before each call.
inline constexpr llvm::StringLiteral kValuesAttr = "tl.values";
inline constexpr llvm::StringLiteral kAssumesAttr = "tl.assumes";

/// Describes the op for an error message: "node 3 (Einsum 'ab->a')" when the
/// op was imported from a TensorLogic graph, else "'tl.einsum' op".
std::string describeOp(Operation *op);

/// The JSON importer wraps each node's location in NameLoc("slot <name>")
/// for the slot the node writes (G2).
inline constexpr llvm::StringLiteral kSlotLocPrefix = "slot ";
/// The slot an op writes, from its location; empty for ops of MLIR input
/// or ops built by passes.
std::string slotOf(Operation *op);

/// Formats a shape the way NumPy prints it: (2, 3), (4,), (); unknown
/// sizes print as ?.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_TLOPS_H
