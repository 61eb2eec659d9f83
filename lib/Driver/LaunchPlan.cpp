//===- LaunchPlan.cpp - host function + gpu.binary -> GpuPlan -------------===//
//
// The GPU pipeline leaves a host function that only allocates, takes views,
// launches and returns (tl-gpu-map-to-threads puts all other work in
// kernels), so it is data: the runtime replays it without host code.
//
//===----------------------------------------------------------------------===//

#include "LaunchPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::tl;
using ::tl::runtime::GpuPlan;

static llvm::Error planError(Operation *op, const llvm::Twine &message) {
  std::string where;
  llvm::raw_string_ostream os(where);
  op->getLoc().print(os);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "GPU backend: " + message + " (" +
                                     op->getName().getStringRef() + " at " +
                                     os.str() + ")");
}

static llvm::Expected<int64_t> byteSize(Operation *op, Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() ||
      !memref.getLayout().isIdentity() ||
      !memref.getElementType().isIntOrFloat())
    return planError(op, "a buffer of type that is not a static, "
                         "row-major memref of numbers");
  int64_t bits = memref.getElementTypeBitWidth();
  return memref.getNumElements() * std::max<int64_t>(bits / 8, 1);
}

llvm::Expected<GpuPlan> mlir::tl::buildLaunchPlan(ModuleOp module,
                                                  llvm::StringRef entry,
                                                  size_t numArgs) {
  GpuPlan plan;
  llvm::StringMap<size_t> imageOf;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    auto objects = binary.getObjects();
    if (objects.size() != 1)
      return planError(binary, "a kernel binary with " +
                                   llvm::Twine(objects.size()) +
                                   " objects (one target expected)");
    auto object = cast<gpu::ObjectAttr>(objects[0]);
    GpuPlan::Image image;
    image.name = binary.getSymName().str();
    switch (object.getFormat()) {
    case gpu::CompilationTarget::Assembly:
      image.format = "ptx";
      break;
    case gpu::CompilationTarget::Binary:
      image.format = "cubin";
      break;
    case gpu::CompilationTarget::Fatbin:
      image.format = "fatbin";
      break;
    default:
      return planError(binary, "device code that is neither PTX, cubin nor "
                               "fatbin");
    }
    image.bytes = object.getObject().getValue().str();
    if (image.format == "ptx") {
      // MLIR's PTX ends with a NUL (ptxas reads it as garbage).
      while (!image.bytes.empty() && image.bytes.back() == '\0')
        image.bytes.pop_back();
      // Without libdevice (no CUDA toolkit) math functions stay external
      // and the driver would refuse the PTX at load.
      size_t ext = image.bytes.find(".extern .func __nv_");
      if (ext != std::string::npos) {
        size_t end = image.bytes.find_first_of("( ;\n", ext + 14);
        return planError(binary,
                         "kernel '" + image.name + "' calls " +
                             image.bytes.substr(ext + 14, end - ext - 14) +
                             " from CUDA's libdevice, which was not found "
                             "(install the CUDA toolkit, or set CUDA_PATH)");
      }
    }
    imageOf[image.name] = plan.images.size();
    plan.images.push_back(std::move(image));
  }

  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "GPU backend: no host function '" + entry +
                                       "' after the GPU pipeline");
  DenseMap<Value, size_t> bufferOf;
  auto addBuffer = [&](Value v, GpuPlan::BufferSpec spec) {
    bufferOf[v] = plan.buffers.size();
    plan.buffers.push_back(std::move(spec));
  };
  using Kind = GpuPlan::BufferSpec::Kind;
  for (BlockArgument arg : func.getArguments()) {
    auto bytes = byteSize(func, arg.getType());
    if (!bytes)
      return bytes.takeError();
    GpuPlan::BufferSpec spec;
    size_t i = arg.getArgNumber();
    spec.kind = i < numArgs ? Kind::arg : Kind::result;
    spec.index = i < numArgs ? i : i - numArgs;
    spec.bytes = *bytes;
    addBuffer(arg, spec);
  }
  for (Operation &op : func.getBody().front()) {
    if (isa<arith::ConstantOp, memref::DeallocOp, func::ReturnOp>(op))
      continue;
    if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
      auto bytes = byteSize(&op, op.getResult(0).getType());
      if (!bytes)
        return bytes.takeError();
      GpuPlan::BufferSpec spec;
      spec.bytes = *bytes;
      addBuffer(op.getResult(0), spec);
      continue;
    }
    if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp>(
            op)) {
      // Views of a row-major buffer that stay row-major: the same pointer.
      if (!byteSize(&op, op.getResult(0).getType()))
        return planError(&op, "a view that is not row-major");
      auto source = bufferOf.find(op.getOperand(0));
      if (source == bufferOf.end())
        return planError(&op, "a view of an unknown buffer");
      bufferOf[op.getResult(0)] = source->second;
      continue;
    }
    if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
      auto init = global ? dyn_cast_or_null<DenseElementsAttr>(
                               global.getInitialValueAttr())
                         : nullptr;
      auto bytes = byteSize(&op, get.getType());
      if (!bytes)
        return bytes.takeError();
      if (!init)
        return planError(&op, "a global without constant contents");
      GpuPlan::BufferSpec spec;
      spec.kind = Kind::constant;
      spec.bytes = *bytes;
      ArrayRef<char> raw = init.getRawData();
      if (init.isSplat()) {
        int64_t n = get.getType().getNumElements();
        spec.data.reserve(*bytes);
        for (int64_t k = 0; k < n; ++k)
          spec.data.append(raw.begin(), raw.end());
      } else {
        spec.data.assign(raw.begin(), raw.end());
      }
      if (int64_t(spec.data.size()) != *bytes)
        return planError(&op, "a constant whose contents are not its size");
      addBuffer(get.getResult(), spec);
      continue;
    }
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      GpuPlan::Launch l;
      auto image = imageOf.find(launch.getKernelModuleName().getValue());
      if (image == imageOf.end())
        return planError(&op, "a launch of a kernel without device code");
      l.image = image->second;
      l.kernel = launch.getKernelName().str();
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      Value dims[6] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
      for (int k = 0; k < 6; ++k) {
        std::optional<int64_t> v = getConstantIntValue(dims[k]);
        if (!v || *v < 1)
          return planError(&op, "a launch whose grid or block size is not a "
                                "positive constant");
        (k < 3 ? l.grid[k] : l.block[k - 3]) = *v;
      }
      if (Value smem = launch.getDynamicSharedMemorySize()) {
        std::optional<int64_t> v = getConstantIntValue(smem);
        if (!v || *v < 0)
          return planError(&op, "a launch whose shared memory size is not "
                                "a constant");
        l.sharedBytes = *v;
      }
      if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty())
        return planError(&op, "an asynchronous launch");
      for (Value operand : launch.getKernelOperands()) {
        auto b = bufferOf.find(operand);
        if (b == bufferOf.end())
          return planError(&op, "a kernel argument that is not a buffer "
                                "(kernels take only device pointers)");
        l.buffers.push_back(b->second);
      }
      plan.launches.push_back(std::move(l));
      continue;
    }
    return planError(&op, "host code the launch plan cannot run");
  }
  return plan;
}
