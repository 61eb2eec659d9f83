//===- CallStatus.h - failures compiled code reports ------------*- C++ -*-===//
//
// Compiled code cannot return an error: its function writes outputs and
// returns nothing. A check that fails at run time (a tl.fixpoint that hit
// max_iterations) calls an entry point (RuntimeABI.h) that records the
// failure for the calling thread; Module::runPacked clears the record
// before the call and turns it into the call's status after it. The loop
// that checks runs on the thread that made the call (tl-parallelize
// threads only linalg ops inside it), so a thread-local record suffices.
// A fixpoint with warn_at_limit records the same event as a limit instead,
// and the run's warnings (also the reference evaluator's) collect per
// thread until the caller takes them.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_CALLSTATUS_H
#define TL_RUNTIME_CALLSTATUS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::runtime {

/// A fixpoint loop that ran max_iterations iterations without converging.
struct FixpointFailure {
  int64_t site = -1; // index into Signature::fixpointSites, or -1
  int64_t iterations = 0;
  double change = 0;
  double tolerance = 0;
};

/// Forgets this thread's recorded failure (before a call).
void clearCallFailure();
/// This thread's recorded failure, if the last call made one; cleared.
std::optional<FixpointFailure> takeCallFailure();

/// This thread's fixpoints that stopped at max_iterations with
/// warn_at_limit during the last call; cleared.
std::vector<FixpointFailure> takeCallLimits();

/// Adds a warning of a run on this thread (at most kMaxRunWarnings are
/// kept; the rest are counted in one last line).
void addRunWarning(std::string message);
/// The warnings of this thread's runs since the last take, oldest first;
/// cleared.
std::vector<std::string> takeRunWarnings();
constexpr size_t kMaxRunWarnings = 100;

/// "<site>: no fixpoint after N iteration(s) (max_iterations): the last
/// one still changed an element by X (tolerance T)": the one wording of
/// the failure, for compiled code and the reference evaluator. `site`
/// names the op ("'tl.fixpoint' op at ancestor.tle:3:1").
std::string noFixpointMessage(std::string_view site, int64_t iterations,
                              double change, double tolerance);
/// The warning for that message when the fixpoint has warn_at_limit: the
/// message and what the results are.
std::string limitWarning(std::string_view noFixpoint);

} // namespace tl::runtime

#endif // TL_RUNTIME_CALLSTATUS_H
