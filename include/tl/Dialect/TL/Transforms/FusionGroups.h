//===- FusionGroups.h - the tl.fusion_group attribute -----------*- C++ -*-===//
//
// tl-form-fusion-groups decides which ops run as one loop nest and tags
// each with `tl.fusion_group = N`. The lowering to linalg copies the tag to
// the ops it creates, and the linalg-level fusion (tl-fuse-elementwise)
// fuses a producer into a consumer only when both carry the same tag: the
// decision is made once, on the tl graph, and applied by generic linalg
// transforms. Header-only so that Codegen needs no link dependency on the
// tl passes.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_TRANSFORMS_FUSIONGROUPS_H
#define TL_DIALECT_TL_TRANSFORMS_FUSIONGROUPS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::tl {

inline constexpr llvm::StringLiteral kFusionGroupAttr = "tl.fusion_group";

inline std::optional<int64_t> getFusionGroup(Operation *op) {
  if (auto a = op->getAttrOfType<IntegerAttr>(kFusionGroupAttr))
    return a.getInt();
  return std::nullopt;
}

inline void setFusionGroup(Operation *op, int64_t group) {
  op->setAttr(kFusionGroupAttr,
              IntegerAttr::get(IntegerType::get(op->getContext(), 64), group));
}

} // namespace mlir::tl

#endif // TL_DIALECT_TL_TRANSFORMS_FUSIONGROUPS_H
