//===- OutlineParallel.cpp - scf.forall to thread-pool calls --------------===//
//
// After bufferization, every outermost one-dimensional scf.forall becomes
// a function `<func>_chunks<N>(lo, hi, ctx)` that runs iterations [lo, hi)
// of its body, and a call `tl_rt_parallel_for(n, fn, ctx)` that the runtime
// spreads over its thread pool. The values the body reads from above travel
// in `ctx`, a stack struct in the caller: memrefs as their LLVM descriptor
// (an unrealized cast that the memref lowering resolves), indices as i64,
// scalars and vectors as they are. Constants are cloned instead.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLOUTLINEPARALLELPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

constexpr llvm::StringLiteral kParallelFor = "tl_rt_parallel_for";

/// The type a captured value has inside the context struct, or null when
/// it cannot travel there.
Type slotType(Value v, const LLVMTypeConverter &converter) {
  Type t = v.getType();
  if (isa<MemRefType>(t))
    return converter.convertType(t);
  if (isa<IndexType>(t))
    return IntegerType::get(t.getContext(), 64);
  if (isa<IntegerType, FloatType, VectorType>(t))
    return t;
  return {};
}

struct TLOutlineParallelPass
    : tl::impl::TLOutlineParallelPassBase<TLOutlineParallelPass> {
  using TLOutlineParallelPassBase::TLOutlineParallelPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    LLVMTypeConverter converter(ctx);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Type indexType = IndexType::get(ctx);
    auto bodyType =
        FunctionType::get(ctx, {indexType, indexType, ptrType}, {});

    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp loop) {
      if (!loop->getParentOfType<scf::ForallOp>() && loop.getRank() == 1 &&
          !ShapedType::isDynamic(loop.getStaticLowerBound()[0]) &&
          !ShapedType::isDynamic(loop.getStaticUpperBound()[0]) &&
          !ShapedType::isDynamic(loop.getStaticStep()[0]) &&
          loop.getNumResults() == 0)
        loops.push_back(loop);
    });
    if (loops.empty())
      return;

    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto runtimeFn = module.lookupSymbol<func::FuncOp>(kParallelFor);
    if (!runtimeFn) {
      runtimeFn = b.create<func::FuncOp>(
          module.getLoc(), kParallelFor,
          FunctionType::get(ctx, {indexType, bodyType, ptrType}, {}));
      runtimeFn.setPrivate();
    }

    llvm::DenseMap<Operation *, int> counts;
    for (scf::ForallOp loop : loops) {
      auto func = loop->getParentOfType<func::FuncOp>();
      Location loc = loop.getLoc();
      int64_t lb = loop.getStaticLowerBound()[0];
      int64_t ub = loop.getStaticUpperBound()[0];
      int64_t step = loop.getStaticStep()[0];
      if (step <= 0 || ub <= lb)
        continue;
      int64_t trips = (ub - lb + step - 1) / step;

      // What the body reads from above: constants are cloned, the rest
      // travels in the context.
      llvm::SetVector<Value> above;
      getUsedValuesDefinedAbove(loop.getRegion(), above);
      SmallVector<Value> captured, constants;
      SmallVector<Type> slots;
      bool ok = true;
      for (Value v : above) {
        Operation *def = v.getDefiningOp();
        if (def && def->hasTrait<OpTrait::ConstantLike>()) {
          constants.push_back(v);
          continue;
        }
        Type slot = slotType(v, converter);
        if (!slot) {
          ok = false;
          break;
        }
        captured.push_back(v);
        slots.push_back(slot);
      }
      if (!ok)
        continue;
      auto structType = LLVM::LLVMStructType::getLiteral(ctx, slots);

      // The chunk function.
      b.setInsertionPoint(func);
      std::string name = (func.getSymName() + "_chunks" +
                          llvm::Twine(counts[func]++))
                             .str();
      auto chunkFn = b.create<func::FuncOp>(loc, name, bodyType);
      chunkFn.setPrivate();
      Block *entry = chunkFn.addEntryBlock();
      b.setInsertionPointToStart(entry);
      IRMapping map;
      for (Value c : constants)
        map.map(c, b.clone(*c.getDefiningOp())->getResult(0));
      Value ctxArg = entry->getArgument(2);
      for (auto [i, v] : llvm::enumerate(captured)) {
        Value addr = b.create<LLVM::GEPOp>(
            loc, ptrType, structType, ctxArg,
            ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
        Value raw = b.create<LLVM::LoadOp>(loc, slots[i], addr);
        Value value = raw;
        if (isa<MemRefType>(v.getType()))
          value = b.create<UnrealizedConversionCastOp>(loc, v.getType(), raw)
                      .getResult(0);
        else if (isa<IndexType>(v.getType()))
          value = b.create<arith::IndexCastOp>(loc, indexType, raw);
        map.map(v, value);
      }
      Value one = b.create<arith::ConstantIndexOp>(loc, 1);
      auto inner = b.create<scf::ForOp>(loc, entry->getArgument(0),
                                        entry->getArgument(1), one);
      b.setInsertionPointToStart(inner.getBody());
      Value iv = b.create<arith::AddIOp>(
          loc, b.create<arith::ConstantIndexOp>(loc, lb),
          b.create<arith::MulIOp>(loc, inner.getInductionVar(),
                                  b.create<arith::ConstantIndexOp>(loc, step)));
      map.map(loop.getInductionVar(0), iv);
      for (Operation &op : loop.getBody()->without_terminator())
        b.clone(op, map);
      b.setInsertionPointToEnd(entry);
      b.create<func::ReturnOp>(loc);

      // The call. The context lives in the caller's entry block so a loop
      // around the forall does not grow the stack.
      b.setInsertionPointToStart(&func.getBody().front());
      Value count = b.create<LLVM::ConstantOp>(loc, b.getI64Type(), 1);
      Value context = b.create<LLVM::AllocaOp>(loc, ptrType, structType, count);
      b.setInsertionPoint(loop);
      for (auto [i, v] : llvm::enumerate(captured)) {
        Value stored = v;
        if (isa<MemRefType>(v.getType()))
          stored = b.create<UnrealizedConversionCastOp>(loc, slots[i], v)
                       .getResult(0);
        else if (isa<IndexType>(v.getType()))
          stored = b.create<arith::IndexCastOp>(loc, slots[i], v);
        Value addr = b.create<LLVM::GEPOp>(
            loc, ptrType, structType, context,
            ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
        b.create<LLVM::StoreOp>(loc, stored, addr);
      }
      Value fn = b.create<func::ConstantOp>(loc, bodyType,
                                            SymbolRefAttr::get(chunkFn));
      b.create<func::CallOp>(
          loc, runtimeFn,
          ValueRange{b.create<arith::ConstantIndexOp>(loc, trips), fn,
                     context});
      loop.erase();
    }
  }
};

} // namespace
