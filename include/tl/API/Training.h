//===- Training.h - gradient utilities for training loops -------*- C++ -*-===//
//
// What tensorlogic-infer lists for training, over the gradients that
// Executable::runGradient returns (G12):
//
//   GradientAccumulator acc;            // micro-batches
//   for (auto &batch : batches) acc.add(grad->runGradient(batch)->gradients);
//   Outputs g = acc.mean();
//   double norm = *clipByGlobalNorm(g, 1.0);
//
//   LossScaler scaler(LossScaler::dynamic());   // mixed precision
//   ... seed the cotangent with scaler.scale() ...
//   if (scaler.unscale(g)) step(g);   // false: overflow, step skipped
//
// and gradcheck(), central finite differences in f64 against the compiled
// adjoint. This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_TRAINING_H
#define TL_API_TRAINING_H

#include "tl/API/Executable.h"

#include <cstdint>

namespace tl {

/// Sums gradients over micro-batches, by name. Every add() must bring the
/// same names and shapes as the first.
class GradientAccumulator {
public:
  absl::Status add(const Outputs &gradients);
  /// The running sum, and the sum divided by the number of add() calls.
  absl::StatusOr<Outputs> sum() const;
  absl::StatusOr<Outputs> mean() const;
  int64_t count() const { return added; }
  void reset();

private:
  absl::StatusOr<Outputs> scaled(double factor) const;
  std::vector<std::pair<std::string, std::vector<int64_t>>> layout;
  std::vector<std::vector<double>> totals;
  int64_t added = 0;
};

/// Clamps every element into [lo, hi] (NaN stays NaN).
absl::Status clipByValue(Outputs &gradients, double lo, double hi);

/// Scales all gradients by maxNorm / norm when their global L2 norm
/// exceeds maxNorm; returns the norm before clipping. A NaN or infinite
/// norm is an error and leaves the gradients untouched.
absl::StatusOr<double> clipByGlobalNorm(Outputs &gradients, double maxNorm);

/// Loss scaling: the cotangent is seeded with scale() so that small
/// gradients survive f32, and unscale() divides it out again.
class LossScaler {
public:
  struct Options {
    double initialScale = 65536.0;
    bool dynamic = true;
    /// Dynamic only: on overflow the scale is multiplied by backoff; after
    /// growthInterval steps without overflow, by growth.
    double growth = 2.0;
    double backoff = 0.5;
    int64_t growthInterval = 2000;
    double minScale = 1.0;
  };
  static Options fixed(double scale) {
    Options o;
    o.initialScale = scale;
    o.dynamic = false;
    return o;
  }
  static Options dynamic() { return Options(); }

  explicit LossScaler(Options options);
  double scale() const { return current; }
  /// Divides the gradients by scale() and reports whether all are finite.
  /// With a dynamic scaler it also updates the scale: on overflow the
  /// caller must skip this step (the gradients are then meaningless).
  bool unscale(Outputs &gradients);
  int64_t overflows() const { return numOverflows; }

private:
  Options options;
  double current;
  int64_t goodSteps = 0, numOverflows = 0;
};

struct GradCheckOptions {
  /// The arrays to check; empty: every input of the graph.
  std::vector<std::string> wrt;
  /// The central-difference step, relative to max(1, |x|).
  double step = 1e-6;
  /// |analytic - numeric| <= atol + rtol * |numeric| passes.
  double rtol = 1e-5, atol = 1e-7;
  /// Elements checked per array (spread evenly; all when fewer).
  int64_t maxElementsPerInput = 64;
  /// Cotangents are pseudo-random in [-1, 1] from this seed, so that a
  /// rule that only works for ones is caught too.
  uint64_t seed = 1;
};

struct GradCheckReport {
  struct Mismatch {
    std::string input;
    int64_t index;
    double analytic, numeric;
  };
  bool ok = true;
  int64_t checked = 0;
  double maxAbsError = 0, maxRelError = 0;
  std::vector<Mismatch> mismatches; // at most 20, the first found
  /// One line per mismatch, then a summary line.
  std::string str() const;
};

/// Compiles the graph's forward function and its adjoint in f64 and
/// compares the adjoint's gradients with central finite differences of
/// sum_k <output_k, cotangent_k>. Points near a kink (ties, max, relu at
/// 0, comparisons) can disagree by design (G12): check smooth points.
absl::StatusOr<GradCheckReport>
gradcheck(std::string_view text, GraphFormat format, CompileOptions options,
          const std::map<std::string, const Buffer *> &inputs,
          const GradCheckOptions &check = GradCheckOptions());
/// The same with relations given sparse: they are held fixed and read in
/// the layouts their densities choose (CompileOptions::inputDensities,
/// measured when not given), by the forward function and the adjoint
/// alike, so the gradients of code that keeps relations sparse are
/// checked. `check.wrt` may name dense inputs only; empty means all of
/// them.
absl::StatusOr<GradCheckReport>
gradcheck(std::string_view text, GraphFormat format, CompileOptions options,
          const std::map<std::string, const Buffer *> &inputs,
          const std::map<std::string, const SparseBuffer *> &sparseInputs,
          const GradCheckOptions &check = GradCheckOptions());

} // namespace tl

#endif // TL_API_TRAINING_H
