//===- GradientRegistry.cpp - overriding an op's gradient rule -------------===//

#include "tl/Dialect/TL/IR/GradientRegistry.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "llvm/ADT/StringMap.h"

#include <mutex>

using namespace mlir;
using namespace mlir::tl;

namespace {
struct Registry {
  std::mutex mutex;
  llvm::StringMap<GradientRule> rules;
};
Registry &registry() {
  static Registry r;
  return r;
}
} // namespace

std::string mlir::tl::gradientKey(Operation *op) {
  std::string key = op->getName().getStringRef().str();
  if (auto u = dyn_cast<UnaryOp>(op))
    key += ":" + stringifyUnaryKind(u.getKind()).str();
  else if (auto b = dyn_cast<BinaryOp>(op))
    key += ":" + stringifyBinaryKind(b.getKind()).str();
  else if (auto r = dyn_cast<ReduceOp>(op))
    key += ":" + stringifyReduceKind(r.getKind()).str();
  return key;
}

void mlir::tl::registerGradientOverride(llvm::StringRef key,
                                        GradientRule rule) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().rules[key] = std::move(rule);
}

bool mlir::tl::removeGradientOverride(llvm::StringRef key) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return registry().rules.erase(key);
}

GradientRule mlir::tl::lookupGradientOverride(llvm::StringRef key) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  auto it = registry().rules.find(key);
  return it == registry().rules.end() ? GradientRule() : it->second;
}
