//===- Recovery.h - retries, fallbacks and checked runs ---------*- C++ -*-===//
//
// What a long-running service needs when something goes wrong, each step
// reported in a RecoveryReport (never silent):
//
//   RecoveryReport report;
//   auto exe = compileWithFallback(text, GraphFormat::kAuto, options, &report);
//   auto out = retryWithBackoff<Outputs>([&] { return (*exe)->run(in); },
//                                        RetryPolicy(), &report);
//
// This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_RECOVERY_H
#define TL_API_RECOVERY_H

#include "tl/API/Executable.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

namespace tl {

/// What happened, in order: "attempt 1 failed (UNAVAILABLE: ...); retrying
/// in 10 ms", "compile as asked failed (...); falling back to ...".
struct RecoveryReport {
  int attempts = 0;
  std::vector<std::string> events;
  bool degraded = false; // a fallback was used
  std::string str() const;
};

/// Failures worth retrying: UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED,
/// DEADLINE_EXCEEDED. Everything else (a bad graph, a bad input) fails the
/// same way again.
bool isTransient(const absl::Status &status);

struct RetryPolicy {
  int maxAttempts = 4;
  std::chrono::milliseconds initialDelay{10};
  double multiplier = 2.0;
  std::chrono::milliseconds maxDelay{1000};
  /// How to wait (tests record the delays instead of sleeping).
  std::function<void(std::chrono::milliseconds)> sleep =
      [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
};

/// Calls `op` until it succeeds, fails with a non-transient status, or
/// maxAttempts calls were made, waiting initialDelay, then initialDelay *
/// multiplier, ... (at most maxDelay) between calls. Returns the last
/// result.
template <typename T>
absl::StatusOr<T> retryWithBackoff(const std::function<absl::StatusOr<T>()> &op,
                                   const RetryPolicy &policy = RetryPolicy(),
                                   RecoveryReport *report = nullptr) {
  std::chrono::milliseconds delay = policy.initialDelay;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<T> result = op();
    if (report)
      report->attempts = attempt;
    if (result.ok() || !isTransient(result.status()) ||
        attempt >= policy.maxAttempts) {
      if (report && !result.ok())
        report->events.push_back(
            "attempt " + std::to_string(attempt) + " failed (" +
            result.status().ToString() + "); " +
            (isTransient(result.status()) ? "no attempts left"
                                          : "not transient, not retried"));
      return result;
    }
    if (report)
      report->events.push_back("attempt " + std::to_string(attempt) +
                               " failed (" + result.status().ToString() +
                               "); retrying in " +
                               std::to_string(delay.count()) + " ms");
    policy.sleep(delay);
    delay = std::min(policy.maxDelay,
                     std::chrono::milliseconds(static_cast<int64_t>(
                         delay.count() * policy.multiplier)));
  }
}

/// Compiles as asked; if code generation fails, again with conservative
/// settings (host CPU, -O1, no MLIR vectorization, no oneDNN); if that
/// fails too, returns an executable that runs the reference interpreter.
/// A graph that violates the contract fails at once with its error (no
/// fallback can run it).
absl::StatusOr<std::shared_ptr<const Executable>>
compileWithFallback(std::string_view text, GraphFormat format,
                    const CompileOptions &options,
                    RecoveryReport *report = nullptr);

/// Runs `exe`, and `reference` (Executable::compileReference of the same
/// graph) on the same inputs; if an output differs by more than
/// atol + rtol * |reference|, or the compiled run fails, reports it and
/// returns the reference's outputs.
absl::StatusOr<Outputs>
runChecked(const Executable &exe, const Executable &reference,
           const std::map<std::string, const Buffer *> &inputs,
           RecoveryReport *report = nullptr, double rtol = 1e-9,
           double atol = 1e-12);

} // namespace tl

#endif // TL_API_RECOVERY_H
