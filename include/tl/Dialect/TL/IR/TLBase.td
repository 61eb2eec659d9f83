//===- TLBase.td - the tl dialect, its types and enums ------*- tablegen -*-===//
//
// The dialect definition and the attributes shared by its ops. Rule ids
// (G6, G9, ...) refer to shared/docs/graph-contract.md.
//
//===----------------------------------------------------------------------===//

#ifndef TL_BASE_TD
#define TL_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def TL_Dialect : Dialect {
  let name = "tl";
  let cppNamespace = "::mlir::tl";
  let summary = "Tensor logic: einsum graphs of logic rules";
  let description = [{
    The `tl` dialect holds TensorLogic programs after import: a join is an
    einsum, AND a product, EXISTS a sum over an axis, a rule a nonlinearity
    of an einsum. Values are tensors of `f32` or `f64`; shapes may be
    static, dynamic or (right after import, before the caller's arrays are
    known) unranked. `tl-specialize-shapes` makes every shape static.

    The semantics are those of the graph contract (rules G1-G14); verifier
    messages start with the rule they enforce.
  }];
  let hasConstantMaterializer = 1;
}

class TL_Op<string mnemonic, list<Trait> traits = []>
    : Op<TL_Dialect, mnemonic, traits>;

def TL_FloatTensor : TensorOf<[F32, F64]>;

//===----------------------------------------------------------------------===//
// Op kinds (G9, G10). Aliases and case-insensitive names are resolved by the
// importer; the IR uses the canonical names below.
//===----------------------------------------------------------------------===//

def TL_UnaryKindAttr : I32EnumAttr<"UnaryKind", "element-wise unary op (G9)", [
    I32EnumAttrCase<"relu", 0>, I32EnumAttrCase<"sigmoid", 1>,
    I32EnumAttrCase<"one_minus", 2>, I32EnumAttrCase<"negate", 3>,
    I32EnumAttrCase<"exp", 4>, I32EnumAttrCase<"log", 5>,
    I32EnumAttrCase<"sqrt", 6>, I32EnumAttrCase<"abs", 7>,
    I32EnumAttrCase<"sin", 8>, I32EnumAttrCase<"cos", 9>,
    I32EnumAttrCase<"tan", 10>, I32EnumAttrCase<"tanh", 11>,
    I32EnumAttrCase<"floor", 12>, I32EnumAttrCase<"ceil", 13>,
    I32EnumAttrCase<"round", 14>, I32EnumAttrCase<"step", 15>]> {
  let cppNamespace = "::mlir::tl";
}

def TL_BinaryKindAttr : I32EnumAttr<"BinaryKind", "element-wise binary op (G9)", [
    I32EnumAttrCase<"add", 0>, I32EnumAttrCase<"subtract", 1>,
    I32EnumAttrCase<"multiply", 2>, I32EnumAttrCase<"divide", 3>,
    I32EnumAttrCase<"min", 4>, I32EnumAttrCase<"max", 5>,
    I32EnumAttrCase<"or_max", 6>, I32EnumAttrCase<"eq", 7>,
    I32EnumAttrCase<"lt", 8>, I32EnumAttrCase<"gt", 9>,
    I32EnumAttrCase<"lte", 10>, I32EnumAttrCase<"gte", 11>,
    I32EnumAttrCase<"or_prob_sum", 12>, I32EnumAttrCase<"nand", 13>,
    I32EnumAttrCase<"nor", 14>, I32EnumAttrCase<"xor_", 15, "xor">,
    I32EnumAttrCase<"power", 16>, I32EnumAttrCase<"modulo", 17>]> {
  let cppNamespace = "::mlir::tl";
}

def TL_ReduceKindAttr : I32EnumAttr<"ReduceKind", "reduction (G10)", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>, I32EnumAttrCase<"mean", 3>,
    I32EnumAttrCase<"prod", 4>]> {
  let cppNamespace = "::mlir::tl";
}


#endif // TL_BASE_TD
