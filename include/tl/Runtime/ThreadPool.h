//===- ThreadPool.h - the runtime's one pool of worker threads --*- C++ -*-===//
//
// Generated code hands its parallel loops to this pool through
// tl_rt_parallel_for (RuntimeABI.h). One pool per process, sized to the
// machine unless TL_NUM_THREADS or setNumThreads says otherwise.
//
// Between jobs a worker spins for a short while (TL_SPIN_US, 50 us by
// default) before it blocks on a condition variable: a graph's fusion
// groups follow each other within microseconds, and a spinning worker
// starts the next one in well under a microsecond where waking a sleeping
// one costs a futex call and a trip through the scheduler. The spin is
// bounded so an idle process goes quiet. The libraries' GEMMs run on these
// threads too (LibraryKernels.cpp), so no other pool's threads wait for
// work beside them. A loop started from a worker, or while
// another caller's loop holds the pool, runs inline on the calling thread:
// nested or concurrent parallelism never oversubscribes.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_THREADPOOL_H
#define TL_RUNTIME_THREADPOOL_H

#include <atomic>
#include <chrono>
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
  /// workers. Workers spin `spin` between jobs before they block.
  explicit ThreadPool(int threads,
                      std::chrono::microseconds spin = defaultSpin());
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

  /// TL_SPIN_US when set (0 turns spinning off), else 50 us.
  static std::chrono::microseconds defaultSpin();

private:
  void workerLoop();
  void runIterations();
  /// Waits until `done()` holds: spins for the pool's spin time, then
  /// blocks on `cv`.
  template <typename Done> void await(std::condition_variable &cv, Done done);

  std::vector<std::thread> workers;
  std::chrono::microseconds spin;
  std::mutex jobMutex; // held by the caller whose loop owns the pool
  // stateMutex orders a sleeper's last check against the notification that
  // would wake it; the fast paths read the atomics without it.
  std::mutex stateMutex;
  std::condition_variable wake, finished;
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> stopping{false};
  // The current job, published by the release increment of `generation`.
  const std::function<void(int64_t)> *body = nullptr;
  int64_t trips = 0;
  std::atomic<int64_t> next{0};
  std::atomic<int> active{0}; // workers still inside the current job
};

/// Threads of the global pool: TL_NUM_THREADS when set, else the machine's
/// hardware threads.
int defaultNumThreads();

/// Resizes the global pool (not while a loop runs on it). n < 1 means 1.
void setNumThreads(int n);

} // namespace tl::runtime

#endif // TL_RUNTIME_THREADPOOL_H
