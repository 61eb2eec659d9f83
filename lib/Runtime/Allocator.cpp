//===- Allocator.cpp - the memory generated code allocates ----------------===//
//
// Compiled graphs allocate their temporaries on every call (malloc/free
// in the lowered code). Large blocks from the system allocator come as
// fresh mmap'd pages that the kernel zero-fills on first touch, so how fast
// a graph runs would depend on the process's malloc state (seen: the same
// code 1.7x slower in one process than in another). The loader binds the
// object's malloc/free to these instead: blocks of 256 KiB and more are
// kept for reuse, up to a cap, like PyTorch's caching allocator. Smaller
// blocks are what a tiled loop allocates and frees once per block (a row
// block's exp, a partial sum): each thread keeps the last few it freed
// and hands one back when the same size is asked for again, which
// malloc/free cost about 7% of W6 without.
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/RuntimeABI.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace {
constexpr size_t kHeader = 64; // keeps the block 64-byte aligned
constexpr size_t kCachedFrom = size_t(256) << 10;
constexpr size_t kGranule = size_t(64) << 10;
constexpr size_t kCap = size_t(1) << 30;

struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<void *>> free; // by block size
  size_t bytes = 0;
};

Cache &cache() {
  static Cache *c = new Cache(); // outlives static destructors
  return *c;
}

/// The small blocks this thread freed last, for its next allocations of
/// the same size; returned to the system allocator when the thread ends.
struct RecentBlocks {
  static constexpr int kSlots = 8;
  void *base[kSlots] = {};
  size_t size[kSlots] = {};
  int next = 0; // the slot to reuse when all are taken

  void *take(size_t block) {
    for (int i = 0; i < kSlots; ++i)
      if (base[i] && size[i] == block) {
        void *b = base[i];
        base[i] = nullptr;
        return b;
      }
    return nullptr;
  }

  void keep(void *b, size_t block) {
    int slot = -1;
    for (int i = 0; i < kSlots && slot < 0; ++i)
      if (!base[i])
        slot = i;
    if (slot < 0) {
      slot = next;
      next = (next + 1) % kSlots;
      std::free(base[slot]);
    }
    base[slot] = b;
    size[slot] = block;
  }

  ~RecentBlocks();
};

thread_local RecentBlocks recent;
// Trivially destructible, so still readable after `recent` is destroyed:
// a free that comes later in the thread's exit goes to the system.
thread_local bool recentGone = false;

RecentBlocks::~RecentBlocks() {
  recentGone = true;
  for (void *b : base)
    std::free(b);
}

/// The CallAllocations recording this thread's blocks, if any.
thread_local std::unordered_set<void *> *recording = nullptr;

size_t blockSize(size_t size) {
  size_t total = size + kHeader;
  if (total < kCachedFrom)
    return (total + kHeader - 1) / kHeader * kHeader;
  return (total + kGranule - 1) / kGranule * kGranule;
}
} // namespace

extern "C" void *tl_rt_malloc(size_t size) {
  size_t block = blockSize(size);
  void *base = nullptr;
  if (block < kCachedFrom) {
    if (!recentGone)
      base = recent.take(block);
  } else {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(block);
    if (it != c.free.end() && !it->second.empty()) {
      base = it->second.back();
      it->second.pop_back();
      c.bytes -= block;
    }
  }
  if (!base)
    base = std::aligned_alloc(kHeader, block);
  if (!base)
    return nullptr;
  *static_cast<size_t *>(base) = block;
  void *ptr = static_cast<char *>(base) + kHeader;
  if (recording)
    recording->insert(ptr);
  return ptr;
}

extern "C" void *tl_rt_aligned_alloc(size_t alignment, size_t size) {
  // Every block is 64-byte aligned; larger alignments are not asked for by
  // the lowering (memref.alloc alignment <= 64).
  if (alignment > kHeader)
    return nullptr;
  return tl_rt_malloc(size);
}

// LLVM folds a malloc followed by a zeroing memset into calloc (the
// sparsifier's scratch arrays), and may form realloc: both must come from
// the same blocks tl_rt_free takes back.
extern "C" void *tl_rt_calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes))
    return nullptr;
  void *p = tl_rt_malloc(bytes);
  if (p)
    std::memset(p, 0, bytes);
  return p;
}

extern "C" void *tl_rt_realloc(void *ptr, size_t size) {
  if (!ptr)
    return tl_rt_malloc(size);
  size_t old = *reinterpret_cast<size_t *>(static_cast<char *>(ptr) -
                                           kHeader) -
               kHeader;
  if (size <= old)
    return ptr;
  void *p = tl_rt_malloc(size);
  if (!p)
    return nullptr;
  std::memcpy(p, ptr, old);
  tl_rt_free(ptr);
  return p;
}

extern "C" void tl_rt_free(void *ptr) {
  if (!ptr)
    return;
  if (recording)
    recording->erase(ptr);
  void *base = static_cast<char *>(ptr) - kHeader;
  size_t block = *static_cast<size_t *>(base);
  if (block < kCachedFrom) {
    if (recentGone)
      std::free(base);
    else
      recent.keep(base, block);
    return;
  }
  {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.bytes + block <= kCap) {
      c.free[block].push_back(base);
      c.bytes += block;
      return;
    }
  }
  std::free(base);
}

void tl::runtime::releaseCachedMemory() {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto &[size, blocks] : c.free)
    for (void *b : blocks)
      std::free(b);
  c.free.clear();
  c.bytes = 0;
}

tl::runtime::CallAllocations::CallAllocations() {
  assert(!recording && "one CallAllocations per thread at a time");
  recording = &live;
}

tl::runtime::CallAllocations::~CallAllocations() {
  if (recording == &live)
    recording = nullptr;
}

void tl::runtime::CallAllocations::freeLive() {
  recording = nullptr;
  for (void *ptr : live)
    tl_rt_free(ptr);
  live.clear();
}
