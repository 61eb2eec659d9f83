//===- CallStatus.cpp - failures compiled code reports during a call ------===//

#include "tl/Runtime/CallStatus.h"

#include "tl/Runtime/RuntimeABI.h"

#include <cstdio>

using namespace tl::runtime;

namespace {
thread_local std::optional<FixpointFailure> pending;
thread_local std::vector<FixpointFailure> limits;
thread_local std::vector<std::string> warnings;
thread_local size_t dropped = 0;

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

extern "C" void tl_rt_fixpoint_limit_reached(int64_t site, int64_t iterations,
                                             double change, double tolerance) {
  if (limits.size() < kMaxRunWarnings)
    limits.push_back(FixpointFailure{site, iterations, change, tolerance});
}

void tl::runtime::clearCallFailure() {
  pending.reset();
  limits.clear();
}

std::vector<FixpointFailure> tl::runtime::takeCallLimits() {
  std::vector<FixpointFailure> taken;
  taken.swap(limits);
  return taken;
}

void tl::runtime::addRunWarning(std::string message) {
  if (warnings.size() < kMaxRunWarnings)
    warnings.push_back(std::move(message));
  else
    ++dropped;
}

std::vector<std::string> tl::runtime::takeRunWarnings() {
  std::vector<std::string> taken;
  taken.swap(warnings);
  if (dropped)
    taken.push_back(std::to_string(dropped) + " more warning(s) not kept");
  dropped = 0;
  return taken;
}

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

std::string tl::runtime::limitWarning(std::string_view noFixpoint) {
  return std::string(noFixpoint) +
         "; the results are the states after the last iteration "
         "(warn_at_limit)";
}
