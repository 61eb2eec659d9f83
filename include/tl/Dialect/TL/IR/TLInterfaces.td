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
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>,
    InterfaceMethod<[{
        The cotangents of every value the op reads, given one cotangent per
        result (null: zero): its operands and, for an op with a body
        (`tl.fixpoint`), the values from above that the body reads. Appends
        (value, cotangent) pairs; a null cotangent is a zero gradient. The
        default is `buildVJP` on the only result's cotangent.
      }], "::llvm::LogicalResult", "buildValueVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultCotangents,
           "::llvm::SmallVectorImpl<std::pair<::mlir::Value, ::mlir::Value>> &":$cotangents),
      [{}], [{
        ::llvm::SmallVector<::mlir::Value> grads;
        if (::mlir::failed($_op.buildVJP(builder, resultCotangents.front(), grads)))
          return ::mlir::failure();
        for (auto [operand, grad] : ::llvm::zip($_op->getOperands(), grads))
          cotangents.push_back({operand, grad});
        return ::mlir::success();
      }]>
  ];
}

def TL_SparsityOpInterface : OpInterface<"SparsityOpInterface"> {
  let description = [{
    An op that says how its result's zeros follow from its operands'
    (issue 19): given the fraction of nonzero elements of each operand, the
    expected fraction of the result, assuming nonzeros spread independently
    and relations' values (nonnegative). A product, AND or min keeps the
    intersection; a sum, OR or max the union; an op that maps an implicit
    zero to a nonzero (`sigmoid`, `exp`, `1 - x`, `0 / 0`) is dense (1).
    `tl-assign-sparsity` propagates input densities with it. An estimate
    chooses layouts, never results: the lowering computes exactly.
  }];
  let cppNamespace = "::mlir::tl";
  let methods = [
    InterfaceMethod<[{
        The expected density (0 to 1) of the result, given one density per
        operand.
      }], "double", "estimateDensity",
      (ins "::llvm::ArrayRef<double>":$operandDensities)>
  ];
}

#endif // TL_INTERFACES_TD
