//===- AsyncQueue.h - queued runs, and batches over threads -----*- C++ -*-===//
//
// The runtime's two ways to run many things: forEachItem (a batch over
// threads) and AsyncQueue, one process-wide worker thread that runs
// queued jobs in order. A job
// that has not started can be cancelled: it is removed and its
// `cancelled` callback runs instead (so its future is fulfilled). Each run
// is itself parallel on the runtime pool, so one worker keeps the machine
// busy without oversubscribing it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_ASYNCQUEUE_H
#define TL_RUNTIME_ASYNCQUEUE_H

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tl::runtime {

/// Calls fn(i) for every i in [0, n) on `threads` OS threads (0: one per
/// hardware thread; the caller is one of them). Items are claimed one at a
/// time, so a slow item does not hold back a whole share; each item's own
/// parallel loops share the runtime pool. Executable::runBatch and
/// tl-jit --batch run on it.
void forEachItem(size_t n, int threads, const std::function<void(size_t)> &fn);

class AsyncQueue {
public:
  /// The queue of runAsync.
  static AsyncQueue &get();
  /// The background compiler's queue (tiered JIT: specializations and
  /// tuning), apart from runs so a compile never delays one.
  static AsyncQueue &compiles();

  /// Queues `run`; returns an id for cancel().
  uint64_t push(std::function<void()> run, std::function<void()> cancelled);
  /// True if the job was still queued (its `cancelled` has run).
  bool cancel(uint64_t id);

  ~AsyncQueue();

private:
  AsyncQueue();
  void work();

  struct Job {
    uint64_t id;
    std::function<void()> run, cancelled;
  };
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> jobs;
  uint64_t nextId = 1;
  bool stopping = false;
  std::thread worker;
};

} // namespace tl::runtime

#endif // TL_RUNTIME_ASYNCQUEUE_H
