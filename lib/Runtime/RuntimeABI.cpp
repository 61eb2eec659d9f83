//===- RuntimeABI.cpp - functions generated code calls --------------------===//

#include "tl/Runtime/RuntimeABI.h"

#include "tl/Runtime/ThreadPool.h"

#include <atomic>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

using namespace tl::runtime;

extern "C" void tl_rt_parallel_for(int64_t trips,
                                   void (*body)(int64_t, int64_t, void *),
                                   void *ctx) {
  ThreadPool::global().parallelFor(
      trips, [&](int64_t i) { body(i, i + 1, ctx); });
}

extern "C" void tl_rt_store_fence() {
#if defined(__x86_64__) || defined(__i386__)
  // Non-temporal stores are weakly ordered even on x86, where a release
  // store is an ordinary move that does not wait for them.
  _mm_sfence();
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

std::vector<std::pair<const char *, void *>> tl::runtime::runtimeSymbols() {
  return {
      {"malloc", reinterpret_cast<void *>(&tl_rt_malloc)},
      {"aligned_alloc", reinterpret_cast<void *>(&tl_rt_aligned_alloc)},
      {"free", reinterpret_cast<void *>(&tl_rt_free)},
      {"calloc", reinterpret_cast<void *>(&tl_rt_calloc)},
      {"realloc", reinterpret_cast<void *>(&tl_rt_realloc)},
      {"tl_rt_parallel_for", reinterpret_cast<void *>(&tl_rt_parallel_for)},
      {"tl_rt_store_fence", reinterpret_cast<void *>(&tl_rt_store_fence)},
      {"tl_rt_sgemm", reinterpret_cast<void *>(&tl_rt_sgemm)},
      {"tl_rt_batch_sgemm", reinterpret_cast<void *>(&tl_rt_batch_sgemm)},
      {"tl_rt_dgemm", reinterpret_cast<void *>(&tl_rt_dgemm)},
      {"tl_rt_batch_dgemm", reinterpret_cast<void *>(&tl_rt_batch_dgemm)},
      {"tl_rt_span_begin", reinterpret_cast<void *>(&tl_rt_span_begin)},
      {"tl_rt_span_end", reinterpret_cast<void *>(&tl_rt_span_end)},
      {"tl_rt_fixpoint_diverged",
       reinterpret_cast<void *>(&tl_rt_fixpoint_diverged)},
      {"tl_rt_fixpoint_limit_reached",
       reinterpret_cast<void *>(&tl_rt_fixpoint_limit_reached)},
      {"tl_rt_closure_f32", reinterpret_cast<void *>(&tl_rt_closure_f32)},
      {"tl_rt_closure_f64", reinterpret_cast<void *>(&tl_rt_closure_f64)},
      {"tl_rt_linear_rule_f32",
       reinterpret_cast<void *>(&tl_rt_linear_rule_f32)},
      {"tl_rt_linear_rule_f64",
       reinterpret_cast<void *>(&tl_rt_linear_rule_f64)},
  };
}
