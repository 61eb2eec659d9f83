//===- CallStatus.cpp - failures compiled code reports during a call ------===//

#include "tl/Runtime/CallStatus.h"

#include "tl/Runtime/RuntimeABI.h"

#include <cstdio>

using namespace tl::runtime;

namespace {
thread_local std::optional<FixpointFailure> pending;

/// "%g" of a double, what the messages print numbers with.
std::string shortest(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}
} // namespace

extern "C" void tl_rt_fixpoint_diverged(int64_t site, int64_t iterations,
                                        double change, double tolerance) {
  // The first failure of a call is the one reported: a later fixpoint
  // reads the unconverged states of the first.
  if (!pending)
    pending = FixpointFailure{site, iterations, change, tolerance};
}

void tl::runtime::clearCallFailure() { pending.reset(); }

std::optional<FixpointFailure> tl::runtime::takeCallFailure() {
  std::optional<FixpointFailure> f = pending;
  pending.reset();
  return f;
}

std::string tl::runtime::noFixpointMessage(std::string_view site,
                                           int64_t iterations, double change,
                                           double tolerance) {
  return std::string(site) + ": no fixpoint after " +
         std::to_string(iterations) +
         " iteration(s) (max_iterations): the last one still changed an "
         "element by " +
         shortest(change) + " (tolerance " + shortest(tolerance) + ")";
}
