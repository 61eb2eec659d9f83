//===- AsyncQueue.cpp - the worker behind Executable::runAsync -------------===//

#include "AsyncQueue.h"

using namespace tl;

AsyncQueue &AsyncQueue::get() {
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
