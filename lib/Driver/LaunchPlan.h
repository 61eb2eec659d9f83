//===- LaunchPlan.h - a lowered GPU module as a runtime launch plan -*- C++ -*-===//

#ifndef TL_LIB_DRIVER_LAUNCHPLAN_H
#define TL_LIB_DRIVER_LAUNCHPLAN_H

#include "tl/Runtime/GpuPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace mlir::tl {

/// Reads the host function `entry` of a module the GPU pipeline lowered
/// (allocations, views, launches) and its gpu.binary ops into a launch
/// plan. Anything the plan cannot express is an error naming the op.
llvm::Expected<::tl::runtime::GpuPlan> buildLaunchPlan(ModuleOp module,
                                                       llvm::StringRef entry,
                                                       size_t numArgs);

} // namespace mlir::tl

#endif // TL_LIB_DRIVER_LAUNCHPLAN_H
