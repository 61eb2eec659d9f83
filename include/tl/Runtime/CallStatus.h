//===- CallStatus.h - failures compiled code reports ------------*- C++ -*-===//
//
// Compiled code cannot return an error: its function writes outputs and
// returns nothing. A check that fails at run time (a tl.fixpoint that hit
// max_iterations) calls an entry point (RuntimeABI.h) that records the
// failure for the calling thread; Module::runPacked clears the record
// before the call and turns it into the call's status after it. The loop
// that checks runs on the thread that made the call (tl-parallelize
// threads only linalg ops inside it), so a thread-local record suffices.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_CALLSTATUS_H
#define TL_RUNTIME_CALLSTATUS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

/// "<site>: no fixpoint after N iteration(s) (max_iterations): the last
/// one still changed an element by X (tolerance T)": the one wording of
/// the failure, for compiled code and the reference evaluator. `site`
/// names the op ("'tl.fixpoint' op at ancestor.tle:3:1").
std::string noFixpointMessage(std::string_view site, int64_t iterations,
                              double change, double tolerance);

} // namespace tl::runtime

#endif // TL_RUNTIME_CALLSTATUS_H
