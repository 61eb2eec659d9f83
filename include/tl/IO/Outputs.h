//===- Outputs.h - where a run's outputs go, and what they must be -*- C++ -*-===//
//
// IREE's run-tool conventions, shared by tl-jit and tl-run:
//
//   --output=OUT.npz           every output, each under its slot name (G4)
//   --output=@a.npy --output=@b.npy
//                              one .npy per output, in output order
//   --output=@a.npz            that output as a sparse tensor (SparseNpz.h)
//   --sparse-outputs=auto|always|never, --sparse-threshold=0.05
//                              which outputs OUT.npz stores and --print
//                              shows sparse: those at or under the
//                              density threshold (auto), all, or none
//   --expected_output=NAME=2x2xf64=[1 0][0 1]
//   --expected_output=2x2xf64=1,0,0,1        (positional: the i-th output)
//   --expected_output=@want.npy              (positional, from a file)
//
// A bare name ending in .npy is refused (a .npy holds one array: write
// @FILE.npy), so an output is never silently written in another format.
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_OUTPUTS_H
#define TL_IO_OUTPUTS_H

#include "tl/IO/InlineInput.h"
#include "tl/IO/Npy.h"

#include "absl/status/status.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tl::io {

/// An output as a run returns it: a dense array, or a sparse tensor (code
/// compiled through the sparse route returns its sparse results so).
using OutputValue = InputValue;
using NamedOutputs = std::vector<std::pair<std::string, OutputValue>>;
/// `arrays` as outputs (moved, not copied).
NamedOutputs toOutputs(NamedArrays arrays);

/// Which outputs are written and printed as sparse tensors.
struct SparsePolicy {
  enum class Mode { never, automatic, always };
  Mode mode = Mode::never;
  /// auto: an output is sparse when nonzeros / elements <= threshold.
  double threshold = 0.05;

  /// Parses "auto", "always" or "never".
  static std::optional<Mode> parseMode(std::string_view text);
  /// Whether `array` is stored sparse (never a 0-d array).
  bool isSparse(const Array &array) const;
  /// The same for a sparse result (its explicit zeros do not count).
  bool isSparse(const runtime::SparseBuffer &tensor) const;
};

/// Checks `specs` (the --output flags) against the number of outputs
/// before anything runs: INVALID_ARGUMENT when they cannot be honoured.
absl::Status checkOutputSpecs(const std::vector<std::string> &specs,
                              size_t numOutputs);
/// Writes `outputs` as `specs` say (each file written atomically). An
/// output stored sparse is written without a dense copy; a sparse result
/// stored dense is expanded (RESOURCE_EXHAUSTED over the memory limit).
absl::Status writeOutputs(const std::vector<std::string> &specs,
                          const NamedOutputs &outputs,
                          const SparsePolicy &sparse = {});

/// Absolute tolerances of --expected_output per element type (IREE's
/// --expected_f32_threshold and --expected_f64_threshold).
struct Tolerances {
  double f32 = 1e-4;
  double f64 = 1e-4;
};

/// Compares `outputs` with the --expected_output `specs`: OK when every
/// expected array matches (same shape; |got - want| <= tolerance; NaN
/// matches NaN, infinities match exactly). Otherwise FAILED_PRECONDITION
/// naming each mismatch (output, element, expected, got) and
/// INVALID_ARGUMENT for a malformed spec. A sparse result is compared in
/// its dense form.
absl::Status checkExpectedOutputs(const std::vector<std::string> &specs,
                                  const NamedOutputs &outputs,
                                  const Tolerances &tolerances);

/// What a run tool does with its outputs, from its flags.
struct OutputOptions {
  std::vector<std::string> files;    // --output
  std::vector<std::string> expected; // --expected_output
  Tolerances tolerances;
  SparsePolicy sparse;
  bool print = false; // --print
  /// Print only with `print` (tl-jit --profile prints its report instead).
  bool quiet = false;
  size_t printLimit = 1024;
};

/// Prints the outputs (with --print, or when they are neither written nor
/// checked), writes them, and compares them with the expected ones (then
/// printing "[SUCCESS] all function outputs matched their expected
/// values." as IREE does); the first failure is returned.
absl::Status deliverOutputs(const OutputOptions &options,
                            const NamedOutputs &outputs, std::ostream &out);

} // namespace tl::io

#endif // TL_IO_OUTPUTS_H
