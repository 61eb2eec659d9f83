//===- ThreadPool.h - the runtime's one pool of worker threads --*- C++ -*-===//
//
// Generated code hands its parallel loops to this pool through
// tl_rt_parallel_for (RuntimeABI.h). One pool per process, sized to the
// machine unless TL_NUM_THREADS or setNumThreads says otherwise. Workers
// block on a condition variable between jobs (no spinning, so they never
// fight another library's pool for the cores), and a loop started from a
// worker, or while another caller's loop holds the pool, runs inline on the
// calling thread: nested or concurrent parallelism never oversubscribes.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_THREADPOOL_H
#define TL_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tl::runtime {

class ThreadPool {
public:
  /// A pool of `threads` threads in all: the caller and threads - 1
  /// workers.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The process-wide pool generated code uses.
  static ThreadPool &global();

  /// Threads that run a loop, the caller included.
  int size() const { return int(workers.size()) + 1; }

  /// Runs body(i) for every i in [0, n), each on one of the pool's threads,
  /// and returns when all are done. Iterations are handed out one at a
  /// time, so uneven ones balance.
  void parallelFor(int64_t n, const std::function<void(int64_t)> &body);

  /// True on one of this process's pool workers.
  static bool onWorker();

private:
  void workerLoop();
  void runIterations();

  std::vector<std::thread> workers;
  std::mutex jobMutex; // held by the caller whose loop owns the pool
  std::mutex stateMutex;
  std::condition_variable wake, finished;
  uint64_t generation = 0;
  bool stopping = false;
  // The current job.
  const std::function<void(int64_t)> *body = nullptr;
  int64_t trips = 0;
  std::atomic<int64_t> next{0};
  int active = 0; // workers still inside the current job
};

/// Threads of the global pool: TL_NUM_THREADS when set, else the machine's
/// hardware threads.
int defaultNumThreads();

/// Resizes the global pool (not while a loop runs on it). n < 1 means 1.
void setNumThreads(int n);

} // namespace tl::runtime

#endif // TL_RUNTIME_THREADPOOL_H
