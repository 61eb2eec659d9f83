//===- ThreadPool.cpp - the runtime's one pool of worker threads ----------===//

#include "tl/Runtime/ThreadPool.h"

#include <cstdlib>
#include <memory>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

using namespace tl::runtime;

namespace {
thread_local bool isWorker = false;

std::mutex globalMutex;
std::unique_ptr<ThreadPool> globalPool;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}
} // namespace

int tl::runtime::defaultNumThreads() {
  if (const char *env = std::getenv("TL_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1)
      return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

std::chrono::microseconds ThreadPool::defaultSpin() {
  if (const char *env = std::getenv("TL_SPIN_US")) {
    char *end = nullptr;
    long us = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && us >= 0)
      return std::chrono::microseconds(std::min(us, 1000000L));
  }
  return std::chrono::microseconds(50);
}

ThreadPool &ThreadPool::global() {
  std::lock_guard<std::mutex> lock(globalMutex);
  if (!globalPool)
    globalPool = std::make_unique<ThreadPool>(defaultNumThreads());
  return *globalPool;
}

void tl::runtime::setNumThreads(int n) {
  std::lock_guard<std::mutex> lock(globalMutex);
  globalPool = std::make_unique<ThreadPool>(n < 1 ? 1 : n);
}

bool ThreadPool::onWorker() { return isWorker; }

ThreadPool::ThreadPool(int threads, std::chrono::microseconds spin)
    : spin(spin) {
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    stopping.store(true);
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

template <typename Done>
void ThreadPool::await(std::condition_variable &cv, Done done) {
  if (done())
    return;
  if (spin.count() > 0) {
    auto deadline = std::chrono::steady_clock::now() + spin;
    // The clock is read every 64 pauses (a few hundred nanoseconds).
    for (unsigned i = 1;; ++i) {
      relax();
      if (done())
        return;
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline)
        break;
    }
  }
  std::unique_lock<std::mutex> lock(stateMutex);
  cv.wait(lock, done);
}

void ThreadPool::runIterations() {
  for (int64_t i = next.fetch_add(1); i < trips; i = next.fetch_add(1))
    (*body)(i);
}

void ThreadPool::workerLoop() {
  isWorker = true;
  uint64_t seen = 0;
  for (;;) {
    await(wake, [&] {
      return stopping.load(std::memory_order_relaxed) ||
             generation.load(std::memory_order_acquire) != seen;
    });
    if (stopping.load())
      return;
    seen = generation.load(std::memory_order_acquire);
    runIterations();
    if (active.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // The caller may be between its last check and its wait: the lock
      // makes the notification come after one or the other.
      std::lock_guard<std::mutex> lock(stateMutex);
      finished.notify_one();
    }
  }
}

void ThreadPool::parallelFor(int64_t n,
                             const std::function<void(int64_t)> &fn) {
  if (n <= 0)
    return;
  // Inline: a single trip, no workers, a call from a worker (nested), or
  // another caller's loop holding the pool (concurrent runs).
  std::unique_lock<std::mutex> job(jobMutex, std::defer_lock);
  if (n == 1 || workers.empty() || isWorker || !job.try_lock()) {
    for (int64_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  body = &fn;
  trips = n;
  next.store(0, std::memory_order_relaxed);
  active.store(int(workers.size()), std::memory_order_relaxed);
  {
    // Under the lock, so a worker about to block sees the new generation
    // in its last check or gets the notification.
    std::lock_guard<std::mutex> lock(stateMutex);
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  runIterations();
  await(finished, [&] { return active.load(std::memory_order_acquire) == 0; });
  body = nullptr;
}
