//===- Training.cpp - gradient utilities for training loops ----------------===//

#include "tl/API/Training.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

using namespace tl;

namespace {

/// Applies `fn` to every element of a contiguous f32/f64 buffer in place,
/// through a double.
template <typename Fn> absl::Status updateElements(Buffer &b, Fn fn) {
  if (!b.isContiguous() || (!b.data() && b.numElements() > 0))
    return absl::InvalidArgumentError(
        "gradient buffers must be contiguous, owned arrays (as runGradient "
        "returns them); got a " +
        b.typeString() + " view with gaps");
  for (int64_t i = 0; i < b.numElements(); ++i) {
    if (b.dtype() == DType::f32) {
      double v = b.data<float>()[i];
      fn(v);
      b.data<float>()[i] = static_cast<float>(v);
    } else {
      fn(b.data<double>()[i]);
    }
  }
  return absl::OkStatus();
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s.empty() ? "scalar" : s.substr(0, s.size() - 1);
}

} // namespace

//===----------------------------------------------------------------------===//
// GradientAccumulator
//===----------------------------------------------------------------------===//

absl::Status GradientAccumulator::add(const Outputs &gradients) {
  if (added == 0) {
    layout.clear();
    totals.clear();
    for (size_t i = 0; i < gradients.size(); ++i) {
      layout.emplace_back(gradients.name(i), gradients[i].shape());
      totals.emplace_back(gradients[i].numElements(), 0.0);
    }
  } else if (gradients.size() != layout.size()) {
    return absl::InvalidArgumentError(
        "GradientAccumulator::add: " + std::to_string(gradients.size()) +
        " gradients, but the first micro-batch had " +
        std::to_string(layout.size()));
  }
  for (size_t i = 0; i < gradients.size(); ++i) {
    const auto &[name, shape] = layout[i];
    if (gradients.name(i) != name || gradients[i].shape() != shape)
      return absl::InvalidArgumentError(
          "GradientAccumulator::add: gradient #" + std::to_string(i) +
          " is '" + gradients.name(i) + "' of shape " +
          shapeText(gradients[i].shape()) + "; the first micro-batch had '" +
          name + "' of shape " + shapeText(shape));
  }
  // Checked everything first: a bad batch adds nothing.
  for (size_t i = 0; i < gradients.size(); ++i)
    for (int64_t j = 0; j < gradients[i].numElements(); ++j)
      totals[i][j] += gradients[i].at(j);
  ++added;
  return absl::OkStatus();
}

absl::StatusOr<Outputs> GradientAccumulator::scaled(double factor) const {
  if (added == 0)
    return absl::FailedPreconditionError(
        "GradientAccumulator: no micro-batch was added");
  Outputs out;
  for (size_t i = 0; i < layout.size(); ++i) {
    Buffer b = Buffer::allocate(DType::f64, layout[i].second);
    for (size_t j = 0; j < totals[i].size(); ++j)
      b.data<double>()[j] = totals[i][j] * factor;
    out.entries.emplace_back(layout[i].first, std::move(b));
  }
  return out;
}

absl::StatusOr<Outputs> GradientAccumulator::sum() const {
  return scaled(1.0);
}
absl::StatusOr<Outputs> GradientAccumulator::mean() const {
  return scaled(added ? 1.0 / double(added) : 1.0);
}
void GradientAccumulator::reset() {
  layout.clear();
  totals.clear();
  added = 0;
}

//===----------------------------------------------------------------------===//
// Clipping
//===----------------------------------------------------------------------===//

absl::Status tl::clipByValue(Outputs &gradients, double lo, double hi) {
  if (!(lo <= hi))
    return absl::InvalidArgumentError("clipByValue: the range [" +
                                      std::to_string(lo) + ", " +
                                      std::to_string(hi) + "] is empty");
  for (size_t i = 0; i < gradients.size(); ++i)
    if (absl::Status s = updateElements(gradients[i],
                                        [&](double &v) {
                                          if (v < lo)
                                            v = lo;
                                          else if (v > hi)
                                            v = hi;
                                        });
        !s.ok())
      return s;
  return absl::OkStatus();
}

absl::StatusOr<double> tl::clipByGlobalNorm(Outputs &gradients,
                                            double maxNorm) {
  if (!(maxNorm > 0))
    return absl::InvalidArgumentError(
        "clipByGlobalNorm: the maximum norm must be positive, got " +
        std::to_string(maxNorm));
  // Scaled accumulation so that huge gradients do not overflow the sum.
  double scale = 0, ssq = 1;
  for (size_t i = 0; i < gradients.size(); ++i)
    for (int64_t j = 0; j < gradients[i].numElements(); ++j) {
      double v = std::fabs(gradients[i].at(j));
      if (!std::isfinite(v))
        return absl::InvalidArgumentError(
            "clipByGlobalNorm: gradient '" + gradients.name(i) +
            "' has a non-finite element at " + std::to_string(j) +
            "; the gradients were left as they are");
      if (v == 0)
        continue;
      if (v > scale) {
        ssq = 1 + ssq * (scale / v) * (scale / v);
        scale = v;
      } else {
        ssq += (v / scale) * (v / scale);
      }
    }
  double norm = scale * std::sqrt(ssq);
  if (norm > maxNorm) {
    double factor = maxNorm / norm;
    for (size_t i = 0; i < gradients.size(); ++i)
      if (absl::Status s = updateElements(gradients[i],
                                          [&](double &v) { v *= factor; });
          !s.ok())
        return s;
  }
  return norm;
}

//===----------------------------------------------------------------------===//
// LossScaler
//===----------------------------------------------------------------------===//

LossScaler::LossScaler(Options options)
    : options(options), current(options.initialScale) {}

bool LossScaler::unscale(Outputs &gradients) {
  bool finite = true;
  double inverse = 1.0 / current;
  for (size_t i = 0; i < gradients.size(); ++i) {
    absl::Status s = updateElements(gradients[i], [&](double &v) {
      v *= inverse;
      finite = finite && std::isfinite(v);
    });
    finite = finite && s.ok();
  }
  if (!finite)
    ++numOverflows;
  if (!options.dynamic)
    return finite;
  if (!finite) {
    current = std::max(options.minScale, current * options.backoff);
    goodSteps = 0;
  } else if (++goodSteps >= options.growthInterval) {
    current *= options.growth;
    goodSteps = 0;
  }
  return finite;
}

//===----------------------------------------------------------------------===//
// gradcheck
//===----------------------------------------------------------------------===//

std::string GradCheckReport::str() const {
  std::ostringstream os;
  for (const Mismatch &m : mismatches)
    os << "  " << m.input << "[" << m.index << "]: analytic " << m.analytic
       << ", finite difference " << m.numeric << "\n";
  os << (ok ? "gradcheck passed" : "gradcheck FAILED") << ": " << checked
     << " elements, max abs error " << maxAbsError << ", max rel error "
     << maxRelError;
  return os.str();
}

absl::StatusOr<GradCheckReport>
tl::gradcheck(std::string_view text, GraphFormat format,
              CompileOptions options,
              const std::map<std::string, const Buffer *> &inputs,
              const GradCheckOptions &check) {
  return gradcheck(text, format, std::move(options), inputs, {}, check);
}

absl::StatusOr<GradCheckReport>
tl::gradcheck(std::string_view text, GraphFormat format, CompileOptions options,
              const std::map<std::string, const Buffer *> &inputs,
              const std::map<std::string, const SparseBuffer *> &sparseInputs,
              const GradCheckOptions &check) {
  options.dtype = DType::f64;
  // f64 inputs the check can perturb, one owned copy each.
  std::map<std::string, Buffer> values;
  std::map<std::string, const Buffer *> bound;
  options.inputShapes.clear();
  for (const auto &[name, b] : inputs) {
    values.emplace(name, b->copyAs(DType::f64));
    bound[name] = &values.at(name);
    options.inputShapes[name] = b->shape();
  }
  GradientOptions gopts;
  gopts.wrt = check.wrt;
  gopts.withOutputs = false;
  // Sparse relations are facts, held fixed: both functions read them in
  // the layouts their densities choose, and the gradients checked are
  // those with respect to the dense arrays.
  for (const auto &[name, s] : sparseInputs) {
    options.inputShapes[name] = s->shape;
    if (!options.inputDensities.count(name))
      options.inputDensities[name] = s->density();
    if (std::find(check.wrt.begin(), check.wrt.end(), name) != check.wrt.end())
      return absl::InvalidArgumentError(
          "gradcheck: '" + name +
          "' is given sparse and held fixed; gradients are checked with "
          "respect to dense arrays (give it dense to check its gradient)");
  }
  if (gopts.wrt.empty() && !sparseInputs.empty())
    for (const auto &[name, b] : inputs)
      gopts.wrt.push_back(name);
  auto forward = Executable::compile(text, format, options);
  if (!forward.ok())
    return forward.status();
  auto adjoint = Executable::compileGradient(text, format, options, gopts);
  if (!adjoint.ok())
    return adjoint.status();

  // Pseudo-random cotangents in [-1, 1] (a 64-bit LCG: reproducible).
  uint64_t state = check.seed * 6364136223846793005ull + 1442695040888963407ull;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 53) * 2.0 - 1.0;
  };
  std::map<std::string, Buffer> cotangentStore;
  std::map<std::string, const Buffer *> cotangents;
  for (const TensorInfo &c : (*adjoint)->cotangents()) {
    Buffer b = Buffer::allocate(DType::f64, c.shape);
    for (int64_t i = 0; i < b.numElements(); ++i)
      b.data<double>()[i] = next();
    cotangentStore.emplace(c.name, std::move(b));
    cotangents[c.name] = &cotangentStore.at(c.name);
  }
  auto grads = (*adjoint)->runGradient(bound, sparseInputs, cotangents);
  if (!grads.ok())
    return grads.status();

  auto objective = [&]() -> absl::StatusOr<double> {
    auto out = (*forward)->run(bound, sparseInputs);
    if (!out.ok())
      return out.status();
    double total = 0;
    for (size_t k = 0; k < out->size(); ++k) {
      const Buffer *ct = cotangents.at(out->name(k));
      for (int64_t i = 0; i < (*out)[k].numElements(); ++i)
        total += (*out)[k].at(i) * ct->at(i);
    }
    return total;
  };

  GradCheckReport report;
  for (size_t g = 0; g < grads->gradients.size(); ++g) {
    const std::string &name = grads->gradients.name(g);
    const Buffer &analytic = grads->gradients[g];
    Buffer &x = values.at(name);
    int64_t n = x.numElements();
    int64_t count = std::min<int64_t>(n, check.maxElementsPerInput);
    for (int64_t k = 0; k < count; ++k) {
      int64_t i = count == n ? k : k * n / count;
      double saved = x.data<double>()[i];
      double h = check.step * std::max(1.0, std::fabs(saved));
      x.data<double>()[i] = saved + h;
      auto plus = objective();
      x.data<double>()[i] = saved - h;
      auto minus = objective();
      x.data<double>()[i] = saved;
      if (!plus.ok())
        return plus.status();
      if (!minus.ok())
        return minus.status();
      double numeric = (*plus - *minus) / (2 * h);
      double a = analytic.at(i);
      double err = std::fabs(a - numeric);
      double rel = err / std::max(std::fabs(numeric),
                                  std::numeric_limits<double>::min());
      ++report.checked;
      report.maxAbsError = std::max(report.maxAbsError, err);
      if (err > 0)
        report.maxRelError = std::max(report.maxRelError, rel);
      if (!(err <= check.atol + check.rtol * std::fabs(numeric))) {
        report.ok = false;
        if (report.mismatches.size() < 20)
          report.mismatches.push_back({name, i, a, numeric});
      }
    }
  }
  return report;
}
