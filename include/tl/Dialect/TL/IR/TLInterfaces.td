//===- TLInterfaces.td - tl op interfaces --------------------*- tablegen -*-===//

#ifndef TL_INTERFACES_TD
#define TL_INTERFACES_TD

include "mlir/IR/OpBase.td"

def TL_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    An op that states its vector-Jacobian product (G12): given the
    cotangent of its result, it builds the cotangent of each operand with
    the builder, as ordinary tl ops, so that the adjoint goes through the
    same pipeline as the forward function. A broadcast operand (G9, G7)
    receives its gradient summed back to its own shape.
  }];
  let cppNamespace = "::mlir::tl";
  let methods = [
    InterfaceMethod<[{
        Appends one cotangent per operand to `operandCotangents`, in operand
        order; a null Value stands for a zero gradient (comparisons, step,
        floor, ...). Fails with a diagnostic on the op when a rule does not
        apply (a dynamic shape).
      }], "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$cotangent,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>
  ];
}

#endif // TL_INTERFACES_TD
