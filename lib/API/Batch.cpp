//===- Batch.cpp - many input sets, in parallel or queued ------------------===//

#include "tl/API/Executable.h"

#include "tl/Runtime/AsyncQueue.h"

using namespace tl;

std::vector<absl::StatusOr<Outputs>> Executable::runBatch(
    const std::vector<std::map<std::string, const Buffer *>> &items,
    int threads) const {
  std::vector<absl::StatusOr<Outputs>> results;
  results.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    results.emplace_back(absl::UnknownError("batch item not run"));
  runtime::forEachItem(items.size(), threads, [&](size_t i) {
    results[i] = run(items[i]);
    if (!results[i].ok())
      results[i] = absl::Status(results[i].status().code(),
                                "batch item " + std::to_string(i) + ": " +
                                    std::string(results[i].status().message()));
  });
  return results;
}

AsyncRun Executable::runAsync(std::map<std::string, const Buffer *> inputs) const {
  auto promise = std::make_shared<std::promise<absl::StatusOr<Outputs>>>();
  std::future<absl::StatusOr<Outputs>> future = promise->get_future();
  std::shared_ptr<const Executable> self = shared_from_this();
  uint64_t id = runtime::AsyncQueue::get().push(
      [self, promise, inputs = std::move(inputs)] {
        promise->set_value(self->run(inputs));
      },
      [promise] {
        promise->set_value(
            absl::CancelledError("the run was cancelled before it started"));
      });
  return AsyncRun(std::move(future), id);
}

bool AsyncRun::cancel() { return id && runtime::AsyncQueue::get().cancel(id); }
