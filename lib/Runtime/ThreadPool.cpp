//===- ThreadPool.cpp - the runtime's one pool of worker threads ----------===//

#include "tl/Runtime/ThreadPool.h"

#include <cstdlib>
#include <memory>

using namespace tl::runtime;

namespace {
thread_local bool isWorker = false;

std::mutex globalMutex;
std::unique_ptr<ThreadPool> globalPool;
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

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runIterations() {
  for (int64_t i = next.fetch_add(1); i < trips; i = next.fetch_add(1))
    (*body)(i);
}

void ThreadPool::workerLoop() {
  isWorker = true;
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(stateMutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
    }
    runIterations();
    std::lock_guard<std::mutex> lock(stateMutex);
    if (--active == 0)
      finished.notify_one();
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
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    body = &fn;
    trips = n;
    next.store(0);
    active = int(workers.size());
    ++generation;
  }
  wake.notify_all();
  runIterations();
  std::unique_lock<std::mutex> lock(stateMutex);
  finished.wait(lock, [&] { return active == 0; });
  body = nullptr;
}
