//===- AsyncQueue.h - the worker behind Executable::runAsync ----*- C++ -*-===//
//
// One process-wide worker thread that runs queued jobs in order. A job
// that has not started can be cancelled: it is removed and its
// `cancelled` callback runs instead (so its future is fulfilled). Each run
// is itself parallel on the runtime pool, so one worker keeps the machine
// busy without oversubscribing it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_API_ASYNCQUEUE_H
#define TL_LIB_API_ASYNCQUEUE_H

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tl {

class AsyncQueue {
public:
  static AsyncQueue &get();

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

} // namespace tl

#endif // TL_LIB_API_ASYNCQUEUE_H
