//===- learn_relation.cpp - learn a relation by gradient descent -----------===//
//
//   learn_relation relation.mlir
//
// Target facts come from a hidden 0/1 relation `knows*`:
//   target(x, z) = sigmoid(4 * sum_y knows*(x, y) likes(y, z) - 2).
// Starting from knows = 0, plain gradient steps on the entries of `knows`
// (the adjoint compiled once, forward and backward in one call) must bring
// the loss below 1% of its initial value within kSteps steps; the program
// prints the loss curve and exits 1 if they do not.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"

#include <cmath>
#include <cstdio>

using namespace tl;

namespace {
constexpr int kEntities = 8, kItems = 6, kSteps = 100;
constexpr double kLearningRate = 0.2;

/// A reproducible generator in [0, 1) (no dependence on the C++ library's).
struct Random {
  uint64_t state;
  double next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 53);
  }
};

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }
} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s relation.mlir\n", argv[0]);
    return 2;
  }
  Random rng{7};
  Buffer hidden = Buffer::allocate(DType::f64, {kEntities, kItems});
  Buffer likes = Buffer::allocate(DType::f64, {kItems, kItems});
  Buffer target = Buffer::allocate(DType::f64, {kEntities, kItems});
  Buffer knows = Buffer::allocate(DType::f64, {kEntities, kItems});
  for (int i = 0; i < kEntities * kItems; ++i)
    hidden.data<double>()[i] = rng.next() < 0.4 ? 1 : 0;
  for (int i = 0; i < kItems; ++i)
    for (int j = 0; j < kItems; ++j)
      likes.data<double>()[i * kItems + j] =
          0.5 * (rng.next() - 0.5) + (i == j ? 1 : 0);
  // The targets, computed here in plain C++ (not by the graph).
  for (int x = 0; x < kEntities; ++x)
    for (int z = 0; z < kItems; ++z) {
      double join = 0;
      for (int y = 0; y < kItems; ++y)
        join += hidden.data<double>()[x * kItems + y] *
                likes.data<double>()[y * kItems + z];
      target.data<double>()[x * kItems + z] = sigmoid(4 * join - 2);
    }

  CompileOptions options;
  options.inputShapes = {{"knows", {kEntities, kItems}},
                         {"likes", {kItems, kItems}},
                         {"target", {kEntities, kItems}}};
  GradientOptions gradient;
  gradient.wrt = {"knows"};
  gradient.withOutputs = true;
  auto exe = Executable::compileGradientFile(argv[1], options, gradient);
  if (!exe.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string(exe.status().message()).c_str());
    return 1;
  }
  std::map<std::string, const Buffer *> inputs = {
      {"knows", &knows}, {"likes", &likes}, {"target", &target}};

  double initial = -1, loss = -1;
  for (int step = 0; step <= kSteps; ++step) {
    auto result = (*exe)->runGradient(inputs);
    if (!result.ok()) {
      std::fprintf(stderr, "error: %s\n",
                   std::string(result.status().message()).c_str());
      return 1;
    }
    loss = result->outputs.find("loss")->at(0);
    if (step == 0)
      initial = loss;
    if (step % 10 == 0 || loss < 0.01 * initial)
      std::printf("step %3d  loss %.6g  (%.3g%% of initial)\n", step, loss,
                  100 * loss / initial);
    if (loss < 0.01 * initial) {
      std::printf("converged: loss fell below 1%% of its initial value "
                  "after %d gradient steps\n",
                  step);
      return 0;
    }
    const Buffer *grad = result->gradients.find("knows");
    for (int i = 0; i < kEntities * kItems; ++i)
      knows.data<double>()[i] -= kLearningRate * grad->at(i);
  }
  std::printf("did not converge: loss %.6g is %.3g%% of its initial value "
              "after %d steps\n",
              loss, 100 * loss / initial, kSteps);
  return 1;
}
