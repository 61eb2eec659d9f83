//===- ContractionPath.cpp - cheapest pairwise order of an einsum ---------===//
//
// Labels and operand sets are bit masks: a label set is a 64-bit mask over
// the 52 ASCII letters, an operand set a mask over operand positions. A
// set S of operands, once contracted, keeps the labels of S that the
// output or an operand outside S still needs; everything else was summed.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/Transforms/ContractionPath.h"

#include <functional>
#include <limits>

using namespace mlir::tl;

namespace {

int labelBit(char c) { return c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c - 'A'); }

uint64_t maskOf(const std::string &s) {
  uint64_t m = 0;
  for (char c : s)
    m |= uint64_t(1) << labelBit(c);
  return m;
}

class Problem {
public:
  Problem(const std::vector<std::string> &inputs, const std::string &output,
          const std::map<char, int64_t> &sizes)
      : inputs(inputs), output(output), outMask(maskOf(output)) {
    for (const std::string &s : inputs)
      opMask.push_back(maskOf(s));
    for (auto [c, n] : sizes)
      size[labelBit(c)] = double(n);
  }

  size_t count() const { return inputs.size(); }
  uint64_t all() const { return (uint64_t(1) << count()) - 1; }

  /// Labels the contraction of operand set `s` produces.
  uint64_t labelsOf(uint64_t s) const {
    if (s == all())
      return outMask;
    uint64_t in = 0, keep = outMask;
    for (size_t i = 0; i < count(); ++i)
      (s >> i & 1 ? in : keep) |= opMask[i];
    return in & keep;
  }

  double volume(uint64_t labels) const {
    double v = 1;
    for (int b = 0; b < 64; ++b)
      if (labels >> b & 1)
        v *= size[b];
    return v;
  }

  double stepCost(uint64_t a, uint64_t b) const {
    return volume(labelsOf(a) | labelsOf(b) | labelsOf(a | b));
  }

  /// The subscript of the result of operand set `s`: its labels in order of
  /// first appearance among the operands of `s` (the output's own order for
  /// the whole set).
  std::string subscript(uint64_t s) const {
    if (s == all())
      return output;
    uint64_t labels = labelsOf(s), seen = 0;
    std::string out;
    for (size_t i = 0; i < count(); ++i)
      if (s >> i & 1)
        for (char c : inputs[i]) {
          uint64_t bit = uint64_t(1) << labelBit(c);
          if ((labels & bit) && !(seen & bit)) {
            seen |= bit;
            out.push_back(c);
          }
        }
    return out;
  }

private:
  const std::vector<std::string> &inputs;
  const std::string &output;
  uint64_t outMask;
  std::vector<uint64_t> opMask;
  double size[64] = {};
};

/// Appends the steps that contract the tree `split` describes. `live` holds
/// the operand set at each position of the current list.
void emitTree(const Problem &p, const std::vector<uint64_t> &split, uint64_t s,
              std::vector<uint64_t> &live, ContractionPath &path) {
  if ((s & (s - 1)) == 0)
    return; // a leaf: already in the list
  uint64_t a = split[s], b = s & ~a;
  emitTree(p, split, a, live, path);
  emitTree(p, split, b, live, path);
  int ia = -1, ib = -1;
  for (size_t i = 0; i < live.size(); ++i) {
    if (live[i] == a)
      ia = int(i);
    if (live[i] == b)
      ib = int(i);
  }
  int lo = std::min(ia, ib), hi = std::max(ia, ib);
  path.steps.push_back({lo, hi});
  path.results.push_back(p.subscript(s));
  path.cost += p.stepCost(a, b);
  live.erase(live.begin() + hi);
  live.erase(live.begin() + lo);
  live.push_back(s);
}

} // namespace

ContractionPath mlir::tl::findContractionPath(
    const std::vector<std::string> &inputs, const std::string &output,
    const std::map<char, int64_t> &sizes, int exhaustiveLimit) {
  Problem p(inputs, output, sizes);
  ContractionPath path;
  size_t n = inputs.size();
  std::vector<uint64_t> live;
  for (size_t i = 0; i < n; ++i)
    live.push_back(uint64_t(1) << i);
  if (n < 2)
    return path;

  if (int(n) <= exhaustiveLimit) {
    // best[s]: cheapest cost of contracting set s; split[s]: its first part.
    std::vector<double> best(p.all() + 1, 0);
    std::vector<uint64_t> split(p.all() + 1, 0);
    for (uint64_t s = 1; s <= p.all(); ++s) {
      if ((s & (s - 1)) == 0)
        continue;
      best[s] = std::numeric_limits<double>::infinity();
      uint64_t low = s & (~s + 1);
      // Every split {a, s\a} once: `a` holds the lowest operand of s.
      for (uint64_t a = (s - 1) & s; a; a = (a - 1) & s) {
        if (!(a & low))
          continue;
        uint64_t b = s & ~a;
        double c = best[a] + best[b] + p.stepCost(a, b);
        if (c < best[s]) {
          best[s] = c;
          split[s] = a;
        }
      }
    }
    emitTree(p, split, p.all(), live, path);
    path.optimal = true;
    return path;
  }

  while (live.size() > 1) {
    int bi = 0, bj = 1;
    double bc = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < live.size(); ++i)
      for (size_t j = i + 1; j < live.size(); ++j) {
        // The last pair always produces the output; before that, the
        // cheapest step next.
        double c = p.stepCost(live[i], live[j]);
        if (c < bc) {
          bc = c;
          bi = int(i);
          bj = int(j);
        }
      }
    uint64_t s = live[bi] | live[bj];
    path.steps.push_back({bi, bj});
    path.results.push_back(p.subscript(s));
    path.cost += bc;
    live.erase(live.begin() + bj);
    live.erase(live.begin() + bi);
    live.push_back(s);
  }
  return path;
}

double mlir::tl::naiveContractionCost(const std::vector<std::string> &inputs,
                                      const std::string &output,
                                      const std::map<char, int64_t> &sizes) {
  double v = 1;
  uint64_t labels = maskOf(output);
  for (const std::string &s : inputs)
    labels |= maskOf(s);
  for (auto [c, n] : sizes)
    if (labels >> labelBit(c) & 1)
      v *= double(n);
  return v;
}
