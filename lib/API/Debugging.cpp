//===- Debugging.cpp - find the first non-finite value of a run ------------===//

#include "tl/API/Debugging.h"

using namespace tl;
using runtime::describeElement;
using runtime::firstNonFinite;

absl::Status tl::checkNumerics(
    const Executable &exe, const std::map<std::string, const Buffer *> &inputs,
    const Outputs &outputs) {
  for (const auto &[name, buffer] : inputs)
    if (int64_t i = firstNonFinite(*buffer); i >= 0)
      return absl::FailedPreconditionError(
          "the input array '" + name + "' already holds " +
          describeElement(*buffer, i));
  // Intermediates are in program order, so the first one found is where
  // the run went wrong; outputs computed from it come later.
  const std::vector<IntermediateInfo> &intermediates = exe.intermediates();
  if (outputs.size() < intermediates.size())
    return absl::InvalidArgumentError(
        "checkNumerics: " + std::to_string(outputs.size()) +
        " values for an executable that returns " +
        std::to_string(intermediates.size()) + " intermediates");
  size_t first = outputs.size() - intermediates.size();
  for (size_t k = 0; k < intermediates.size(); ++k) {
    const IntermediateInfo &info = intermediates[k];
    const Buffer &value = outputs[first + k];
    if (int64_t i = firstNonFinite(value); i >= 0)
      return absl::FailedPreconditionError(
          info.node + " (" + info.op + ") produced " +
          describeElement(value, i) + " in '" + info.name +
          "', the first non-finite value of the run (every value before "
          "it, inputs included, is finite)");
  }
  for (size_t k = 0; k < first; ++k)
    if (int64_t i = firstNonFinite(outputs[k]); i >= 0)
      return absl::FailedPreconditionError(
          "the output '" + outputs.name(k) + "' holds " +
          describeElement(outputs[k], i) +
          " (compile with exposeIntermediates to find the node that made "
          "it)");
  return absl::OkStatus();
}
