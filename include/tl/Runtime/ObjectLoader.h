//===- ObjectLoader.h - load a relocatable object into memory ---*- C++ -*-===//
//
// The runtime's linker: it maps the allocatable sections of an ELF64
// x86-64 relocatable object (what the compiler emits for a graph), applies
// its relocations, resolves undefined symbols through a resolver (the
// runtime's entry points, then the process's libc and libm), and makes the
// code executable. It replaces ORC at run time so that a machine without
// LLVM can run compiled graphs, as IREE's embedded ELF loader does.
//
// Every offset, size and index read from the object is checked before use:
// a malformed object is an error, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_OBJECTLOADER_H
#define TL_RUNTIME_OBJECTLOADER_H

#include "absl/status/statusor.h"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace tl::runtime {

/// The address of an undefined symbol, or nullptr when unknown.
using SymbolResolver = std::function<void *(std::string_view name)>;

/// The runtime entry points (RuntimeABI.h), then the process's symbols.
void *resolveRuntimeSymbol(std::string_view name);

class LoadedObject {
public:
  static absl::StatusOr<std::unique_ptr<LoadedObject>>
  load(std::string_view elf, const SymbolResolver &resolve = resolveRuntimeSymbol);
  ~LoadedObject();
  LoadedObject(const LoadedObject &) = delete;
  LoadedObject &operator=(const LoadedObject &) = delete;

  /// A global symbol the object defines, or nullptr.
  void *lookup(std::string_view name) const;

private:
  LoadedObject() = default;
  void *base = nullptr;
  size_t size = 0;
  std::map<std::string, void *, std::less<>> symbols;
};

} // namespace tl::runtime

#endif // TL_RUNTIME_OBJECTLOADER_H
