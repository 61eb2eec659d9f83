//===- AsyncQueue.cpp - queued runs, and batches over threads -------------===//

#include "tl/Runtime/AsyncQueue.h"

#include <algorithm>
#include <atomic>
#include <vector>

using namespace tl::runtime;

void tl::runtime::forEachItem(size_t n, int threads,
                              const std::function<void(size_t)> &fn) {
  size_t workers = threads > 0
                       ? size_t(threads)
                       : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;)
      fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
}

AsyncQueue &AsyncQueue::get() {
  static AsyncQueue queue;
  return queue;
}

AsyncQueue &AsyncQueue::compiles() {
  static AsyncQueue queue;
  return queue;
}

AsyncQueue::AsyncQueue() : worker([this] { work(); }) {}

AsyncQueue::~AsyncQueue() {
  std::deque<Job> left;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    left.swap(jobs);
  }
  wake.notify_all();
  worker.join();
  // Jobs never started are cancelled, so no future is left waiting.
  for (Job &job : left)
    job.cancelled();
}

uint64_t AsyncQueue::push(std::function<void()> run,
                          std::function<void()> cancelled) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mutex);
    id = nextId++;
    jobs.push_back({id, std::move(run), std::move(cancelled)});
  }
  wake.notify_one();
  return id;
}

bool AsyncQueue::cancel(uint64_t id) {
  std::function<void()> cancelled;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = jobs.begin(); it != jobs.end(); ++it)
      if (it->id == id) {
        cancelled = std::move(it->cancelled);
        jobs.erase(it);
        break;
      }
  }
  if (!cancelled)
    return false;
  cancelled();
  return true;
}

void AsyncQueue::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (stopping)
        return;
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    job.run();
  }
}
