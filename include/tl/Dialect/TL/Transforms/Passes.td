//===- Passes.td - tl dialect passes -------------------------*- tablegen -*-===//

#ifndef TL_PASSES_TD
#define TL_PASSES_TD

include "mlir/Pass/PassBase.td"

def TLSpecializeShapesPass : Pass<"tl-specialize-shapes", "func::FuncOp"> {
  let summary = "Make every shape static from the inputs' shapes (G11)";
  let description = [{
    Takes the concrete shape of every function argument and propagates sizes
    forward through every op, the way G11 of the graph contract describes:
    einsum labels unify across operands, NumPy broadcasting aligns binary
    operands, and a broadcast label (G7) takes its size from the first op,
    in program order, that aligns it with a dimension of known size. The
    whole function is checked before anything is rewritten; the first
    mismatch is reported once, naming the node (or op), the op and the
    shapes involved. Afterwards every type in the function is static.

    Shapes come from the `input-shapes` option (`name=2x3`, with `name=`
    or `name=scalar` for 0-d), matched against the arguments' `tl.name`,
    or from the function attribute `tl.input_shapes`, a dictionary from
    argument name to `array<i64: ...>`. The option wins. Arguments whose
    types are already static need no entry.

    ```
    tl-opt --tl-specialize-shapes="input-shapes=parent=3x3" graph.mlir
    ```
  }];
  let options = [
    ListOption<"inputShapes", "input-shapes", "std::string",
               "Shapes of the arguments, as name=DxDx... (name= for 0-d)">
  ];
}

#endif // TL_PASSES_TD
