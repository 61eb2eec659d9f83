//===- Outputs.cpp - where a run's outputs go, and what they must be ------===//

#include "tl/IO/Outputs.h"

#include "Text.h"
#include "tl/IO/Buffers.h"
#include "tl/IO/InlineInput.h"
#include "tl/IO/Print.h"
#include "tl/IO/SparseNpz.h"

#include <cmath>

using namespace tl::io;
namespace runtime = tl::runtime;

static bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::string(suffix).size();
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::optional<SparsePolicy::Mode>
SparsePolicy::parseMode(std::string_view text) {
  if (text == "auto")
    return Mode::automatic;
  if (text == "always")
    return Mode::always;
  if (text == "never")
    return Mode::never;
  return std::nullopt;
}

NamedOutputs tl::io::toOutputs(NamedArrays arrays) {
  NamedOutputs outputs;
  outputs.reserve(arrays.size());
  for (auto &[name, array] : arrays)
    outputs.emplace_back(std::move(name), std::move(array));
  return outputs;
}

bool SparsePolicy::isSparse(const runtime::SparseBuffer &tensor) const {
  if (mode == Mode::never || tensor.shape.empty())
    return false;
  if (mode == Mode::always)
    return true;
  int64_t n = tensor.numElements(), nonzeros = 0;
  if (n == 0)
    return true;
  for (int64_t k = 0; k < tensor.nnz(); ++k)
    nonzeros += tensor.values.at(k) != 0.0;
  return double(nonzeros) <= threshold * double(n);
}

static bool storesSparse(const OutputValue &value, const SparsePolicy &policy) {
  return std::visit([&](const auto &v) { return policy.isSparse(v); }, value);
}

/// `value` as a sparse tensor holding only its nonzeros, as the writers
/// and the printer take it.
static runtime::SparseBuffer sparseForm(const OutputValue &value) {
  if (const auto *array = std::get_if<Array>(&value))
    return toSparse(*array, runtime::SparseFormat::coo);
  return std::get<runtime::SparseBuffer>(value).withoutZeros();
}

/// `value` as a dense array: the array itself, or the sparse result
/// expanded into `storage`.
static absl::StatusOr<const Array *> denseForm(const std::string &name,
                                               const OutputValue &value,
                                               std::optional<Array> &storage) {
  if (const auto *array = std::get_if<Array>(&value))
    return array;
  auto dense = toArray(std::get<runtime::SparseBuffer>(value));
  if (!dense.ok())
    return absl::Status(dense.status().code(),
                        "output '" + name + "' in dense form: " +
                            std::string(dense.status().message()));
  storage = std::move(*dense);
  return &*storage;
}

bool SparsePolicy::isSparse(const Array &array) const {
  if (mode == Mode::never || array.shape.empty())
    return false;
  if (mode == Mode::always)
    return true;
  int64_t n = array.numElements(), nonzeros = 0;
  if (n == 0)
    return true;
  for (double v : array.toDoubles())
    nonzeros += v != 0.0;
  return double(nonzeros) <= threshold * double(n);
}

absl::Status tl::io::checkOutputSpecs(const std::vector<std::string> &specs,
                                      size_t numOutputs) {
  size_t files = 0;
  for (const std::string &spec : specs) {
    std::string path = text::clip(spec, text::kPathEchoLimit);
    if (!spec.empty() && spec[0] == '@') {
      if (!endsWith(spec, ".npy") && !endsWith(spec, ".npz"))
        return absl::InvalidArgumentError(
            "--output='" + path +
            "': @FILE writes one output: as .npy (FILE.npy) or as a sparse "
            "tensor (FILE.npz)");
      ++files;
    } else if (endsWith(spec, ".npy")) {
      return absl::InvalidArgumentError(
          "--output='" + path + "': a .npy holds one array; write --output=@" +
          path +
          " (one flag per output, in order) or name an .npz for all of them");
    } else if (specs.size() > 1) {
      return absl::InvalidArgumentError(
          "--output='" + path +
          "': an .npz takes every output, so it is the only --output");
    }
  }
  if (files && files != numOutputs)
    return absl::InvalidArgumentError(
        "the graph has " + std::to_string(numOutputs) + " output(s) but " +
        std::to_string(files) +
        " --output=@FILE flag(s) were given: one per output, in order "
        "(or one .npz for all)");
  return absl::OkStatus();
}

/// Every output as archive members: dense ones as NAME, sparse ones as
/// the members of their sparse layout under "NAME/".
static absl::StatusOr<NpyMembers> archiveMembers(const NamedOutputs &outputs,
                                                 const SparsePolicy &sparse) {
  NpyMembers members;
  for (const auto &[name, value] : outputs) {
    if (storesSparse(value, sparse)) {
      for (auto &member : serializeSparse(sparseForm(value), name + "/"))
        members.push_back(std::move(member));
      continue;
    }
    std::optional<Array> storage;
    auto dense = denseForm(name, value, storage);
    if (!dense.ok())
      return dense.status();
    members.emplace_back(name, serializeNpy(**dense));
  }
  return members;
}

absl::Status tl::io::writeOutputs(const std::vector<std::string> &specs,
                                  const NamedOutputs &outputs,
                                  const SparsePolicy &sparse) {
  if (absl::Status st = checkOutputSpecs(specs, outputs.size()); !st.ok())
    return st;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto &[name, value] = outputs[i];
    absl::Status st;
    if (specs[i][0] != '@') {
      auto members = archiveMembers(outputs, sparse);
      st =
          members.ok() ? writeNpzMembers(specs[i], *members) : members.status();
    } else if (std::string path = specs[i].substr(1); endsWith(path, ".npz")) {
      st = writeSparseNpz(path, sparseForm(value));
    } else {
      std::optional<Array> storage;
      auto dense = denseForm(name, value, storage);
      st = dense.ok() ? writeNpy(path, **dense) : dense.status();
    }
    if (!st.ok())
      return st;
  }
  return absl::OkStatus();
}

/// The expected array of `spec` and the output it is for (by name, or the
/// `position`-th flag's output).
static absl::StatusOr<std::pair<size_t, Array>>
parseExpected(const std::string &spec, size_t position,
              const NamedOutputs &outputs) {
  // Positional when it is @FILE or what precedes the first '=' is a type
  // (2x2xf64, f32): the `position`-th flag's output.
  std::optional<absl::StatusOr<Array>> positional;
  if (spec[0] == '@') {
    positional = readNpy(spec.substr(1));
  } else if (spec.find('=') != std::string::npos) {
    if (auto typed = parseInlineInput("x=" + spec); typed.ok())
      positional = std::move(typed->second);
  }
  if (positional) {
    if (!positional->ok())
      return positional->status();
    if (position >= outputs.size())
      return absl::InvalidArgumentError(
          "--expected_output #" + std::to_string(position + 1) +
          " has no output to compare with (the graph has " +
          std::to_string(outputs.size()) + ")");
    return std::make_pair(position, std::move(**positional));
  }
  auto named = parseInlineInput(spec);
  if (!named.ok())
    return absl::Status(named.status().code(),
                        "--expected_output: " +
                            std::string(named.status().message()));
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].first == named->first)
      return std::make_pair(i, std::move(named->second));
  std::string names;
  for (const auto &[n, a] : outputs)
    names += (names.empty() ? "" : ", ") + n;
  return absl::InvalidArgumentError("--expected_output: the graph has no "
                                    "output named '" +
                                    text::clip(named->first) +
                                    "' (it has: " + names + ")");
}

absl::Status tl::io::checkExpectedOutputs(const std::vector<std::string> &specs,
                                          const NamedOutputs &outputs,
                                          const Tolerances &tolerances) {
  std::string mismatches;
  int failed = 0;
  for (size_t k = 0; k < specs.size(); ++k) {
    auto expected = parseExpected(specs[k], k, outputs);
    if (!expected.ok())
      return expected.status();
    const auto &[index, want] = *expected;
    const auto &[name, value] = outputs[index];
    std::optional<Array> storage;
    auto dense = denseForm(name, value, storage);
    if (!dense.ok())
      return dense.status();
    const Array &got = **dense;
    // Structured bindings cannot be captured before C++20.
    auto mismatch = [&, index = index, &name = name](const std::string &why) {
      ++failed;
      mismatches +=
          "\n  output " + std::to_string(index) + " '" + name + "': " + why;
    };
    if (want.shape != got.shape) {
      mismatch("expected shape " + want.shapeString() + ", got " +
               got.shapeString());
      continue;
    }
    double tolerance =
        got.dtype == DType::f32 ? tolerances.f32 : tolerances.f64;
    std::vector<double> w = want.toDoubles(), g = got.toDoubles();
    int64_t bad = 0, first = -1;
    for (size_t i = 0; i < w.size(); ++i) {
      bool same = (std::isnan(w[i]) && std::isnan(g[i])) || w[i] == g[i] ||
                  std::fabs(w[i] - g[i]) <= tolerance;
      if (!same) {
        if (first < 0)
          first = int64_t(i);
        ++bad;
      }
    }
    if (bad) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "%lld of %zu elements differ by more than %g; the first, "
                    "element %lld: expected %.17g, got %.17g",
                    (long long)bad, w.size(), tolerance, (long long)first,
                    w[first], g[first]);
      mismatch(buf);
    }
  }
  if (failed)
    return absl::FailedPreconditionError(
        std::to_string(failed) + " of " + std::to_string(specs.size()) +
        " expected output(s) did not match:" + mismatches);
  return absl::OkStatus();
}

absl::Status tl::io::deliverOutputs(const OutputOptions &options,
                                    const NamedOutputs &outputs,
                                    std::ostream &out) {
  if (absl::Status st = checkOutputSpecs(options.files, outputs.size());
      !st.ok())
    return st;
  if (options.print ||
      (!options.quiet && options.files.empty() && options.expected.empty()))
    for (size_t i = 0; i < outputs.size(); ++i) {
      const auto &[name, value] = outputs[i];
      if (storesSparse(value, options.sparse)) {
        printSparse(out, i, name, sparseForm(value), options.printLimit);
        continue;
      }
      std::optional<Array> storage;
      auto dense = denseForm(name, value, storage);
      if (!dense.ok())
        return dense.status();
      printArray(out, i, name, **dense, options.printLimit);
    }
  if (!options.files.empty())
    if (absl::Status st = writeOutputs(options.files, outputs, options.sparse);
        !st.ok())
      return st;
  if (!options.expected.empty()) {
    if (absl::Status st =
            checkExpectedOutputs(options.expected, outputs, options.tolerances);
        !st.ok())
      return st;
    out << "[SUCCESS] all function outputs matched their expected values.\n";
  }
  return absl::OkStatus();
}
