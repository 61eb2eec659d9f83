//===- Prefault.h - writable pages in one call, not one fault each -*- C++ -*-===//
//
// A large block from the system allocator is fresh mmap'd memory: the
// first write to each 4 KiB page traps into the kernel, which zero-fills
// it. Under a hypervisor each trap costs several microseconds, so copying
// a 10M-entry sparse result out of generated code spent more time in
// faults than in the copy (W9: ~30k faults per call, half of its run).
// MADV_POPULATE_WRITE (Linux 5.14) maps the whole range in one call;
// where it is missing the writes fault as before.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_PREFAULT_H
#define TL_RUNTIME_PREFAULT_H

#include <cstddef>

namespace tl::runtime {

/// Maps the pages of [data, data + bytes) writable now, when the range is
/// large enough for it to pay (1 MiB); a no-op otherwise or on failure.
void prefaultForWrite(void *data, size_t bytes);

} // namespace tl::runtime

#endif // TL_RUNTIME_PREFAULT_H
