//===- OneDNNKernels.cpp - choose library GEMMs, then call them -----------===//
//
// tl-select-kernels marks the matmuls and batched matmuls where a library
// GEMM beats generated code (a cost model: enough multiply-adds to pay for
// the call): oneDNN for f32, OpenBLAS for f64. tl-call-kernels, after
// bufferization, replaces each marked op by a call to the runtime's
// tl_rt_[batch_]sgemm / tl_rt_[batch_]dgemm with the operands as strided
// memrefs. It also turns tl.no_fixpoint into the runtime call that fails
// the call (CallStatus.h), and tl.semi_naive_closure / tl.semi_naive_rule
// into calls of the semi-naive kernels (Closure.cpp, LinearRule.cpp). The
// decision is the op attribute `tl.kernel = "onednn"` or `"blas"`, so lit
// tests and --emit=linalg show it, and tl-parallelize and
// tl-vectorize leave marked ops to the library (it threads internally).
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TuningRecords.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSELECTKERNELSPASS
#define GEN_PASS_DEF_TLCALLKERNELSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

bool mlir::tl::isLibraryKernel(Operation *op) {
  return op->hasAttr(kKernelAttr);
}

namespace {

/// M*N*K (times the batch) of a static matmul or batch_matmul, or 0.
int64_t multiplyAdds(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::MatmulTransposeAOp,
           linalg::MatmulTransposeBOp, linalg::BatchMatmulOp>(op))
    return 0;
  int64_t v = 1;
  for (int64_t r : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(r))
      return 0;
    v *= r;
  }
  return v;
}

struct TLSelectKernelsPass
    : tl::impl::TLSelectKernelsPassBase<TLSelectKernelsPass> {
  using TLSelectKernelsPassBase::TLSelectKernelsPassBase;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> selected;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      StringRef kernel = element.isF32() && onednn   ? "onednn"
                         : element.isF64() && blas ? "blas"
                                                   : "";
      if (kernel.empty())
        return;
      int64_t volume = multiplyAdds(op);
      // A measured choice (tl-apply-tuning) wins over the volume rule.
      std::string tuned = tunedDecision(op).kernel;
      bool library =
          tuned.empty() ? volume >= minVolume : tuned != "generated";
      if (volume > 0 && library) {
        op->setAttr(kKernelAttr, StringAttr::get(op->getContext(), kernel));
        if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation()))
          selected.push_back(mm);
      }
    });
    for (linalg::MatmulOp mm : selected)
      foldTransposedOperand(mm);
  }

  /// The GEMM reads either operand transposed in place, so a transpose that
  /// only feeds the product (the gradients of a matmul, P^T G and G Q^T)
  /// becomes matmul_transpose_a/b: no copy of the matrix.
  static void foldTransposedOperand(linalg::MatmulOp mm) {
    auto transposeOf = [](Value v) -> linalg::TransposeOp {
      auto t = v.getDefiningOp<linalg::TransposeOp>();
      if (!t || !v.hasOneUse() ||
          t.getPermutation() != ArrayRef<int64_t>{1, 0})
        return {};
      return t;
    };
    Value a = mm.getInputs()[0], b = mm.getInputs()[1];
    Value init = mm.getOutputs()[0];
    OpBuilder builder(mm);
    Operation *replacement = nullptr;
    linalg::TransposeOp folded;
    if ((folded = transposeOf(b)))
      replacement = builder.create<linalg::MatmulTransposeBOp>(
          mm.getLoc(), mm.getResultTypes(),
          ValueRange{a, folded.getInput()}, ValueRange{init});
    else if ((folded = transposeOf(a)))
      replacement = builder.create<linalg::MatmulTransposeAOp>(
          mm.getLoc(), mm.getResultTypes(),
          ValueRange{folded.getInput(), b}, ValueRange{init});
    if (!replacement)
      return;
    // Our tags only: linalg memoizes the matmul's indexing maps as an
    // attribute too, and they would be wrong on the transposed op.
    for (NamedAttribute attr : mm->getDiscardableAttrs())
      if (!attr.getName().getValue().starts_with("linalg."))
        replacement->setAttr(attr.getName(), attr.getValue());
    mm->replaceAllUsesWith(replacement);
    mm->erase();
    folded->erase();
  }
};

struct TLCallKernelsPass
    : tl::impl::TLCallKernelsPassBase<TLCallKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (isLibraryKernel(op) && op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : ops) {
      bool batched = isa<linalg::BatchMatmulOp>(op);
      Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      std::string name = std::string(batched ? "tl_rt_batch_" : "tl_rt_") +
                         (element.isF64() ? "dgemm" : "sgemm");
      // Any strides and offset: one C signature serves every call.
      int64_t rank = batched ? 3 : 2;
      auto anyLayout = StridedLayoutAttr::get(
          &getContext(), ShapedType::kDynamic,
          SmallVector<int64_t>(rank, ShapedType::kDynamic));
      auto argType = MemRefType::get(
          SmallVector<int64_t>(rank, ShapedType::kDynamic), element,
          anyLayout);
      auto callee = module.lookupSymbol<func::FuncOp>(name);
      if (!callee) {
        b.setInsertionPointToStart(module.getBody());
        callee = b.create<func::FuncOp>(
            op.getLoc(), name,
            b.getFunctionType({argType, argType, argType}, {}));
        callee.setPrivate();
      }
      b.setInsertionPoint(op);
      // A transposed operand is passed as a transposed view (strides
      // swapped); the runtime tells the GEMM to read it transposed.
      int transposed = isa<linalg::MatmulTransposeAOp>(op)   ? 0
                       : isa<linalg::MatmulTransposeBOp>(op) ? 1
                                                             : -1;
      SmallVector<Value> args;
      for (auto [i, v] : llvm::enumerate(op->getOperands())) {
        Value arg = v;
        if (int(i) == transposed)
          arg = b.create<memref::TransposeOp>(
              op.getLoc(), v,
              AffineMapAttr::get(AffineMap::getPermutationMap(
                  ArrayRef<unsigned>{1, 0}, &getContext())));
        args.push_back(b.create<memref::CastOp>(op.getLoc(), argType, arg));
      }
      b.create<func::CallOp>(op.getLoc(), callee, args);
      op->erase();
    }
    reportFailures(module, b);
    callSemiNaiveKernels(module, b);
  }

  /// Replaces a semi-naive op by the call of `name` + "_f32"/"_f64" on its
  /// 2-d memrefs (any layout) and i64 attributes, then `tolerance`;
  /// `applied` is the result != 0.
  static void callSemiNaiveKernel(Operation *op, StringRef name,
                                  ArrayRef<Value> memrefs,
                                  ArrayRef<int64_t> integers,
                                  FloatAttr tolerance, OpBuilder &b) {
    auto module = op->getParentOfType<ModuleOp>();
    Location loc = op->getLoc();
    Type element = cast<MemRefType>(memrefs[0].getType()).getElementType();
    std::string symbol = (name + (element.isF64() ? "_f64" : "_f32")).str();
    auto anyLayout = StridedLayoutAttr::get(
        b.getContext(), ShapedType::kDynamic,
        SmallVector<int64_t>(2, ShapedType::kDynamic));
    auto argType = MemRefType::get(
        SmallVector<int64_t>(2, ShapedType::kDynamic), element, anyLayout);
    Type i64 = b.getI64Type();
    auto callee = module.lookupSymbol<func::FuncOp>(symbol);
    if (!callee) {
      SmallVector<Type> inputs(memrefs.size(), argType);
      inputs.append(integers.size(), i64);
      inputs.push_back(b.getF64Type());
      b.setInsertionPointToStart(module.getBody());
      callee = b.create<func::FuncOp>(loc, symbol,
                                      b.getFunctionType(inputs, {i64}));
      callee.setPrivate();
    }
    b.setInsertionPoint(op);
    auto constant = [&](int64_t v) -> Value {
      return b.create<arith::ConstantIntOp>(loc, v, 64);
    };
    SmallVector<Value> args;
    for (Value m : memrefs)
      args.push_back(b.create<memref::CastOp>(loc, argType, m));
    for (int64_t v : integers)
      args.push_back(constant(v));
    args.push_back(b.create<arith::ConstantOp>(loc, tolerance));
    Value applied = b.create<func::CallOp>(loc, callee, args).getResult(0);
    Value nonZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne,
                                            applied, constant(0));
    op->getResult(0).replaceAllUsesWith(nonZero);
    op->erase();
  }

  /// tl.semi_naive_closure -> tl_rt_closure_f32/f64(relation, closure,
  /// start, max_iterations, site, tolerance); tl.semi_naive_rule ->
  /// tl_rt_linear_rule_f32/f64(base, left, right, result, has_left,
  /// has_right, max_iterations, site, tolerance), an absent factor passed
  /// as the base.
  static void callSemiNaiveKernels(ModuleOp module, OpBuilder &b) {
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<SemiNaiveClosureOp, SemiNaiveRuleOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto closure = dyn_cast<SemiNaiveClosureOp>(op)) {
        callSemiNaiveKernel(
            op, "tl_rt_closure", {closure.getRelation(), closure.getClosure()},
            {closure.getStart(), closure.getMaxIterations(),
             closure.getSite()},
            closure.getToleranceAttr(), b);
        continue;
      }
      auto rule = cast<SemiNaiveRuleOp>(op);
      Value base = rule.getBase(), left = rule.getLeft(),
            right = rule.getRight();
      callSemiNaiveKernel(
          op, "tl_rt_linear_rule",
          {base, left ? left : base, right ? right : base, rule.getResult()},
          {left ? 1 : 0, right ? 1 : 0, rule.getMaxIterations(),
           rule.getSite()},
          rule.getToleranceAttr(), b);
    }
  }

  /// tl.no_fixpoint -> tl_rt_fixpoint_diverged(site, iterations, change,
  /// tolerance): the runtime makes the call fail (CallStatus.h); with
  /// `warn`, tl_rt_fixpoint_limit_reached: the call succeeds with a
  /// warning.
  static void reportFailures(ModuleOp module, OpBuilder &b) {
    SmallVector<NoFixpointOp> reports;
    module.walk([&](NoFixpointOp op) { reports.push_back(op); });
    auto callee = [&](StringRef name) {
      auto f = module.lookupSymbol<func::FuncOp>(name);
      if (f)
        return f;
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      Type i64 = b.getI64Type(), f64 = b.getF64Type();
      f = b.create<func::FuncOp>(module.getLoc(), name,
                                 b.getFunctionType({i64, i64, f64, f64}, {}));
      f.setPrivate();
      return f;
    };
    for (NoFixpointOp op : reports) {
      func::FuncOp report = callee(op.getWarn() ? "tl_rt_fixpoint_limit_reached"
                                                : "tl_rt_fixpoint_diverged");
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      Value site = b.create<arith::ConstantIntOp>(loc, op.getSite(), 64);
      Value tolerance = b.create<arith::ConstantOp>(loc, op.getToleranceAttr());
      b.create<func::CallOp>(loc, report,
                             ValueRange{site, op.getIterations(),
                                        op.getChange(), tolerance});
      op->erase();
    }
  }
};

} // namespace
