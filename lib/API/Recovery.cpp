//===- Recovery.cpp - retries, fallbacks and checked runs ------------------===//

#include "tl/API/Recovery.h"

#include <cmath>

using namespace tl;

std::string RecoveryReport::str() const {
  std::string s;
  for (const std::string &e : events)
    s += e + "\n";
  return s;
}

bool tl::isTransient(const absl::Status &status) {
  switch (status.code()) {
  case absl::StatusCode::kUnavailable:
  case absl::StatusCode::kResourceExhausted:
  case absl::StatusCode::kAborted:
  case absl::StatusCode::kDeadlineExceeded:
    return true;
  default:
    return false;
  }
}

absl::StatusOr<std::shared_ptr<const Executable>>
tl::compileWithFallback(std::string_view text, GraphFormat format,
                        const CompileOptions &options,
                        RecoveryReport *report) {
  auto note = [&](std::string event) {
    if (report)
      report->events.push_back(std::move(event));
  };
  auto first = Executable::compile(text, format, options);
  if (first.ok())
    return first;
  // Is it the graph? Then nothing below can run it either.
  auto reference = Executable::compileReference(text, format, options);
  if (!reference.ok())
    return reference.status();
  note("compile as asked failed (" + first.status().ToString() +
       "); falling back to host CPU, -O1, no vectorization, no oneDNN or OpenBLAS");
  CompileOptions safe = options;
  safe.cpu.clear();
  safe.features.clear();
  safe.optLevel = std::min(options.optLevel, 1u);
  safe.vectorize = false;
  safe.onednn = false;
  safe.blas = false;
  auto second = Executable::compile(text, format, safe);
  if (report)
    report->degraded = true;
  if (second.ok()) {
    note("the conservative compile succeeded");
    return second;
  }
  note("the conservative compile failed too (" + second.status().ToString() +
       "); falling back to the reference interpreter");
  return reference;
}

absl::StatusOr<Outputs>
tl::runChecked(const Executable &exe, const Executable &reference,
               const std::map<std::string, const Buffer *> &inputs,
               RecoveryReport *report, double rtol, double atol) {
  auto note = [&](std::string event) {
    if (report) {
      report->events.push_back(std::move(event));
      report->degraded = true;
    }
  };
  auto expected = reference.run(inputs);
  if (!expected.ok())
    return expected.status();
  auto actual = exe.run(inputs);
  if (!actual.ok()) {
    note("the compiled run failed (" + actual.status().ToString() +
         "); returning the reference interpreter's outputs");
    return expected;
  }
  for (size_t k = 0; k < expected->size(); ++k) {
    const Buffer *got = actual->find(expected->name(k));
    const Buffer &want = (*expected)[k];
    bool same = got && got->shape() == want.shape();
    int64_t bad = -1;
    for (int64_t i = 0; same && i < want.numElements(); ++i) {
      double a = got->at(i), e = want.at(i);
      bool ok = (std::isnan(a) && std::isnan(e)) || a == e ||
                std::fabs(a - e) <= atol + rtol * std::fabs(e);
      if (!ok) {
        bad = i;
        same = false;
      }
    }
    if (!same) {
      note("result check failed: output '" + expected->name(k) + "'" +
           (bad >= 0 ? " differs at element " + std::to_string(bad) + " (" +
                           std::to_string(got->at(bad)) + " vs " +
                           std::to_string(want.at(bad)) + ")"
                     : std::string(" is missing or has another shape")) +
           "; returning the reference interpreter's outputs");
      return expected;
    }
  }
  return actual;
}
