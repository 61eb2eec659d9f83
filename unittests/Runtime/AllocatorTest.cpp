//===- AllocatorTest.cpp - the memory compiled code allocates -------------===//
//
// tl_rt_malloc/tl_rt_free (what compiled code's malloc/free are bound
// to, with calloc and realloc): every block 64-byte aligned and usable to its full size; a small
// block freed on a thread is handed back for that thread's next
// allocation of the same size (tiled loops allocate one per block); blocks
// freed on another thread than the one that allocated them are fine.
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/RuntimeABI.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

TEST(AllocatorTest, BlocksAreAlignedAndWhole) {
  std::vector<void *> blocks;
  for (size_t size : {size_t(1), size_t(63), size_t(64), size_t(100),
                      size_t(8192), size_t(300) << 10, size_t(1) << 20}) {
    void *p = tl_rt_aligned_alloc(64, size);
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << size;
    std::memset(p, 0xab, size); // ASan: the whole size is ours
    blocks.push_back(p);
  }
  for (void *p : blocks)
    tl_rt_free(p);
  EXPECT_EQ(tl_rt_aligned_alloc(128, 64), nullptr)
      << "alignments above 64 are refused, not silently ignored";
}

// LLVM turns malloc + memset(0) into calloc (the sparse route's scratch
// arrays); what calloc and realloc return is freed by tl_rt_free.
TEST(AllocatorTest, CallocZeroesAndReallocKeepsTheContents) {
  for (size_t size : {size_t(24), size_t(300) << 10}) {
    // A block reused from the cache holds old bytes: calloc must clear it.
    void *dirty = tl_rt_malloc(size * 8);
    std::memset(dirty, 0xab, size * 8);
    tl_rt_free(dirty);
    auto *p = static_cast<unsigned char *>(tl_rt_calloc(size, 8));
    ASSERT_NE(p, nullptr) << size;
    for (size_t i = 0; i < size * 8; ++i)
      ASSERT_EQ(p[i], 0) << "byte " << i << " of " << size * 8;
    for (size_t i = 0; i < size * 8; ++i)
      p[i] = static_cast<unsigned char>(i * 7);
    auto *q = static_cast<unsigned char *>(tl_rt_realloc(p, size * 32));
    ASSERT_NE(q, nullptr);
    for (size_t i = 0; i < size * 8; ++i)
      ASSERT_EQ(q[i], static_cast<unsigned char>(i * 7)) << "byte " << i;
    std::memset(q, 0, size * 32); // ASan: the new size is ours
    // Shrinking keeps the block.
    EXPECT_EQ(tl_rt_realloc(q, 8), q);
    tl_rt_free(q);
  }
  EXPECT_EQ(tl_rt_calloc(size_t(1) << 62, 16), nullptr) << "size overflow";
  void *fresh = tl_rt_realloc(nullptr, 16);
  EXPECT_NE(fresh, nullptr);
  tl_rt_free(fresh);
}

TEST(AllocatorTest, ASmallBlockIsReusedForTheSameSize) {
  // On a new thread: nothing kept from earlier tests.
  std::thread fresh([] {
    void *a = tl_rt_malloc(8192); // 8 KiB: a row block of W6's exp
    void *b = tl_rt_malloc(64);
    tl_rt_free(a);
    tl_rt_free(b);
    void *c = tl_rt_malloc(8192);
    EXPECT_EQ(c, a);
    void *d = tl_rt_malloc(64);
    EXPECT_EQ(d, b);
    void *e = tl_rt_malloc(4096); // nothing of this size was freed
    EXPECT_NE(e, a);
    EXPECT_NE(e, b);
    for (void *p : {c, d, e})
      tl_rt_free(p);
  });
  fresh.join();
}

TEST(AllocatorTest, BlocksCrossThreads) {
  // Allocated here, written and freed there (and the reverse), more
  // blocks than a thread keeps, so some go back to the system.
  std::vector<void *> mine;
  for (int i = 0; i < 32; ++i)
    mine.push_back(tl_rt_malloc(1024 + 64 * (i % 4)));
  std::vector<void *> theirs;
  std::thread other([&] {
    for (void *p : mine) {
      std::memset(p, 1, 1024);
      tl_rt_free(p);
    }
    for (int i = 0; i < 32; ++i)
      theirs.push_back(tl_rt_malloc(512));
  });
  other.join(); // its kept blocks are released as it ends
  for (void *p : theirs) {
    std::memset(p, 2, 512);
    tl_rt_free(p);
  }
}

} // namespace

// What a call leaves allocated is freed after it, and nothing else: a
// block from before the call, and one the call freed itself, are not
// freed again (under ASan or valgrind a double free or a leak fails).
TEST(AllocatorTest, CallAllocationsFreesWhatACallLeft) {
  void *before = tl_rt_malloc(100);
  ASSERT_NE(before, nullptr);
  {
    tl::runtime::CallAllocations call;
    void *left = tl_rt_malloc(300);
    void *freed = tl_rt_malloc(200);
    void *grown = tl_rt_realloc(tl_rt_malloc(16), 1 << 20);
    ASSERT_NE(left, nullptr);
    ASSERT_NE(grown, nullptr);
    std::memset(left, 1, 300);
    tl_rt_free(freed);
    call.freeLive();
    // Recording stopped: this block is the caller's to free.
    void *after = tl_rt_malloc(50);
    ASSERT_NE(after, nullptr);
    tl_rt_free(after);
  }
  std::memset(before, 2, 100);
  tl_rt_free(before);
}
