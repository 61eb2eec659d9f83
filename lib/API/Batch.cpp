//===- Batch.cpp - many input sets, in parallel or queued ------------------===//

#include "tl/API/Executable.h"

#include "AsyncQueue.h"

#include "tl/Runtime/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <thread>

using namespace tl;

std::vector<absl::StatusOr<Outputs>> Executable::runBatch(
    const std::vector<std::map<std::string, const Buffer *>> &items,
    int threads) const {
  std::vector<absl::StatusOr<Outputs>> results;
  results.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    results.emplace_back(absl::UnknownError("batch item not run"));
  size_t workers = threads > 0 ? size_t(threads)
                               : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, items.size());
  // Items are claimed one at a time, so a slow item does not hold back a
  // whole share; each run's own parallel loops share the runtime pool.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < items.size();) {
      results[i] = run(items[i]);
      if (!results[i].ok())
        results[i] = absl::Status(
            results[i].status().code(),
            "batch item " + std::to_string(i) + ": " +
                std::string(results[i].status().message()));
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
  return results;
}

AsyncRun Executable::runAsync(std::map<std::string, const Buffer *> inputs) const {
  auto promise = std::make_shared<std::promise<absl::StatusOr<Outputs>>>();
  std::future<absl::StatusOr<Outputs>> future = promise->get_future();
  std::shared_ptr<const Executable> self = shared_from_this();
  uint64_t id = AsyncQueue::get().push(
      [self, promise, inputs = std::move(inputs)] {
        promise->set_value(self->run(inputs));
      },
      [promise] {
        promise->set_value(
            absl::CancelledError("the run was cancelled before it started"));
      });
  return AsyncRun(std::move(future), id);
}

bool AsyncRun::cancel() { return id && AsyncQueue::get().cancel(id); }
