//===- ThreadPoolTest.cpp - the runtime's worker pool ---------------------===//

#include "tl/Runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using tl::runtime::ThreadPool;
using namespace std::chrono_literals;

namespace {

/// Runs `jobs` loops of `n` trips and checks each trip ran exactly once.
void checkEveryTripOnce(ThreadPool &pool, int jobs, int64_t n) {
  std::vector<std::atomic<int>> hits(n);
  for (int j = 0; j < jobs; ++j) {
    pool.parallelFor(n, [&](int64_t i) { hits[i].fetch_add(1); });
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(hits[i].exchange(0), 1) << "job " << j << " trip " << i;
  }
}

TEST(ThreadPoolTest, SpinningWorkersRunEveryTripOnce) {
  // Back-to-back jobs: the workers are still spinning when each starts.
  ThreadPool pool(3, 1000us);
  checkEveryTripOnce(pool, 2000, 7);
}

TEST(ThreadPoolTest, SleepingWorkersRunEveryTripOnce) {
  ThreadPool pool(3, 0us);
  checkEveryTripOnce(pool, 500, 5);
}

TEST(ThreadPoolTest, WorkersThatSleptPastTheSpinWakeUp) {
  ThreadPool pool(2, 50us);
  checkEveryTripOnce(pool, 1, 8);
  std::this_thread::sleep_for(5ms); // past the spin: the worker blocks
  checkEveryTripOnce(pool, 1, 8);
}

TEST(ThreadPoolTest, BothThreadsTakePart) {
  ThreadPool pool(2, 1000us);
  std::atomic<int> others{0};
  std::thread::id caller = std::this_thread::get_id();
  // Each trip waits for the other thread to start one: with two threads
  // in the pool this finishes only if the worker took a trip.
  std::atomic<int> started{0};
  pool.parallelFor(2, [&](int64_t) {
    started.fetch_add(1);
    while (started.load() < 2)
      std::this_thread::yield();
    if (std::this_thread::get_id() != caller)
      others.fetch_add(1);
  });
  EXPECT_EQ(others.load(), 1);
}

TEST(ThreadPoolTest, NestedAndConcurrentLoopsRunInline) {
  ThreadPool pool(2, 200us);
  std::atomic<int64_t> total{0};
  auto job = [&] {
    for (int j = 0; j < 200; ++j)
      pool.parallelFor(4, [&](int64_t) {
        pool.parallelFor(3, [&](int64_t i) { total.fetch_add(i + 1); });
      });
  };
  std::thread other(job);
  job();
  other.join();
  EXPECT_EQ(total.load(), 2 * 200 * 4 * 6);
}

TEST(ThreadPoolTest, DestroyedWhileWorkersSpin) {
  for (int j = 0; j < 50; ++j) {
    ThreadPool pool(3, 1000000us);
    checkEveryTripOnce(pool, 1, 6);
  }
}

} // namespace
