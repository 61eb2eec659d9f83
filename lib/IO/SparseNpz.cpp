//===- SparseNpz.cpp - sparse tensors in .npz files -----------------------===//

#include "tl/IO/SparseNpz.h"

#include "tl/IO/Buffers.h"
#include "tl/Runtime/Limits.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>

using namespace tl::io;
namespace runtime = tl::runtime;
using runtime::SparseBuffer;
using runtime::SparseFormat;

static absl::Status fail(const std::string &msg) {
  return absl::DataLossError(msg);
}

bool tl::io::isSparseLayout(const std::vector<std::string> &keys) {
  auto has = [&](const char *k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  return (has("format") && has("shape") && has("data")) ||
         (has("indices") && has("values") && has("shape") && !has("format"));
}

namespace {
/// The members by key, each parsed on demand with its name in messages.
struct Members {
  std::map<std::string, const std::string *> bytes;
  std::string what;

  std::string name(const std::string &key) const {
    return what + ":" + key + ".npy";
  }
  absl::StatusOr<Array> array(const std::string &key) const {
    auto it = bytes.find(key);
    if (it == bytes.end())
      return fail(what + ": no '" + key + "' member");
    return parseNpy(*it->second, name(key));
  }
  /// An integer vector (of `length`, unless -1), exactly.
  absl::StatusOr<std::vector<int64_t>> indices(const std::string &key,
                                               int64_t length = -1) const {
    auto a = array(key);
    if (!a.ok())
      return a.status();
    return toIndices(*a, key, length);
  }
  /// Every element of `a` (a vector of `length` unless `anyShape`).
  absl::StatusOr<std::vector<int64_t>> toIndices(const Array &a,
                                                 const std::string &key,
                                                 int64_t length,
                                                 bool anyShape = false) const {
    if (isFloat(a.dtype) || a.dtype == DType::b1)
      return fail(name(key) + ": dtype " + dtypeName(a.dtype) +
                  "; expected integers");
    if (anyShape)
      length = -1;
    else if (a.shape.size() != 1)
      return fail(name(key) + ": shape " + a.shapeString() +
                  "; expected a vector");
    if (length >= 0 && a.shape[0] != length)
      return fail(name(key) + ": " + std::to_string(a.shape[0]) +
                  " entries; expected " + std::to_string(length));
    std::vector<int64_t> out(a.numElements());
    size_t w = dtypeSize(a.dtype);
    bool isSigned = a.dtype == DType::i64 || a.dtype == DType::i32 ||
                    a.dtype == DType::i16 || a.dtype == DType::i8;
    for (size_t i = 0; i < out.size(); ++i) {
      uint64_t raw = 0;
      std::memcpy(&raw, a.data.data() + i * w, w);
      if (isSigned && w < 8 && (raw >> (8 * w - 1)) & 1)
        raw |= ~uint64_t(0) << (8 * w); // sign-extend
      // An unsigned value above INT64_MAX reads as negative: out of range.
      out[i] = int64_t(raw);
    }
    return out;
  }
  /// The values as the runtime keeps them (f32 and f64 kept, others f64).
  absl::StatusOr<runtime::Buffer> values(const std::string &key) const {
    auto a = array(key);
    if (!a.ok())
      return a.status();
    if (a->shape.size() != 1)
      return fail(name(key) + ": shape " + a->shapeString() +
                  "; expected a vector of the stored values");
    return toBuffer(*a);
  }
};

/// Sorts COO entries into row-major order; a duplicate names both of its
/// entries (in file order).
absl::Status canonicalizeCoo(SparseBuffer &s, const std::string &what,
                             const std::string &coordsName) {
  int64_t n = s.nnz();
  size_t r = s.shape.size();
  const int64_t *c = s.coordinates.data();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](int64_t a, int64_t b) {
    return std::lexicographical_compare(c + a * r, c + (a + 1) * r, c + b * r,
                                        c + (b + 1) * r);
  };
  if (!std::is_sorted(order.begin(), order.end(), less))
    std::stable_sort(order.begin(), order.end(), less);
  for (int64_t k = 1; k < n; ++k)
    if (!less(order[k - 1], order[k])) {
      std::string at = "(";
      for (size_t d = 0; d < r; ++d)
        at += (d ? ", " : "") + std::to_string(c[order[k] * r + d]);
      return fail(what + ": entries " + std::to_string(order[k - 1]) + " and " +
                  std::to_string(order[k]) + " of '" + coordsName +
                  "' are both " + at + (r == 1 ? ",)" : ")") +
                  "; duplicates are not allowed (SciPy adds them up: "
                  "m.sum_duplicates() before save_npz)");
    }
  if (std::is_sorted(order.begin(), order.end()))
    return absl::OkStatus();
  std::vector<int64_t> coords(n * r);
  for (int64_t k = 0; k < n; ++k)
    std::copy(c + order[k] * r, c + (order[k] + 1) * r, coords.begin() + k * r);
  s.coordinates = std::move(coords);
  runtime::Buffer values = runtime::Buffer::allocate(s.dtype(), {n});
  size_t w = runtime::dtypeSize(s.dtype());
  for (int64_t k = 0; k < n; ++k)
    std::memcpy(static_cast<char *>(values.data()) + k * w,
                static_cast<const char *>(s.values.data()) + order[k] * w, w);
  s.values = std::move(values);
  return absl::OkStatus();
}

/// Range checks of COO coordinates before sorting, so the message names
/// the entry as the file numbers it.
absl::Status checkCooRanges(const SparseBuffer &s, const std::string &what,
                            const std::vector<std::string> &dimNames) {
  size_t r = s.shape.size();
  for (int64_t k = 0; k < s.nnz(); ++k)
    for (size_t d = 0; d < r; ++d) {
      int64_t i = s.coordinates[k * r + d];
      if (i < 0 || i >= s.shape[d])
        return fail(what + ": " + dimNames[d] + " of entry " +
                    std::to_string(k) + " is " + std::to_string(i) +
                    ", outside 0.." + std::to_string(s.shape[d] - 1) +
                    " (dimension " + std::to_string(d) + " has size " +
                    std::to_string(s.shape[d]) + ")");
    }
  return absl::OkStatus();
}
} // namespace

/// The transpose of a CSR matrix, as CSR (counting sort by column).
static SparseBuffer transposeCsr(const SparseBuffer &a) {
  SparseBuffer t;
  t.format = SparseFormat::csr;
  t.shape = {a.shape[1], a.shape[0]};
  int64_t n = a.nnz();
  t.positions.assign(a.shape[1] + 1, 0);
  for (int64_t c : a.coordinates)
    ++t.positions[c + 1];
  for (size_t i = 1; i < t.positions.size(); ++i)
    t.positions[i] += t.positions[i - 1];
  std::vector<int64_t> next(t.positions.begin(), t.positions.end() - 1);
  t.coordinates.resize(n);
  t.values = runtime::Buffer::allocate(a.dtype(), {n});
  size_t w = runtime::dtypeSize(a.dtype());
  for (int64_t r = 0; r < a.shape[0]; ++r)
    for (int64_t k = a.positions[r]; k < a.positions[r + 1]; ++k) {
      int64_t at = next[a.coordinates[k]]++;
      t.coordinates[at] = r;
      std::memcpy(static_cast<char *>(t.values.data()) + at * w,
                  static_cast<const char *>(a.values.data()) + k * w, w);
    }
  return t;
}

absl::StatusOr<SparseBuffer> tl::io::parseSparse(const NpyMembers &members,
                                                 std::string_view whatView) {
  Members m;
  m.what = std::string(whatView);
  for (const auto &[key, bytes] : members)
    m.bytes[key] = &bytes;
  std::string format = "coo";
  bool scipy = m.bytes.count("format");
  if (scipy) {
    auto text = parseNpyText(*m.bytes["format"], m.name("format"));
    if (!text.ok())
      return text.status();
    format = *text;
    if (format != "csr" && format != "csc" && format != "coo")
      return fail(m.what + ": SciPy format '" + format.substr(0, 16) +
                  "' is not supported; expected csr, csc or coo (convert "
                  "with m.tocsr() before save_npz)");
  }
  SparseBuffer s;
  auto shape = m.indices("shape");
  if (!shape.ok())
    return shape.status();
  s.shape = *shape;
  if (scipy && s.shape.size() != 2)
    return fail(m.name("shape") +
                ": a SciPy sparse matrix has 2 dimensions, "
                "this one " +
                std::to_string(s.shape.size()));
  if (s.shape.size() > size_t(runtime::kMaxRank))
    return fail(m.name("shape") + ": more than " +
                std::to_string(runtime::kMaxRank) + " dimensions");
  for (size_t d = 0; d < s.shape.size(); ++d)
    if (s.shape[d] < 0)
      return fail(m.name("shape") + ": dimension " + std::to_string(d) +
                  " is " + std::to_string(s.shape[d]) + "; sizes are >= 0");
  auto values = m.values(scipy ? "data" : "values");
  if (!values.ok())
    return values.status();
  s.values = std::move(*values);
  int64_t n = s.nnz();
  if (format == "csr" || format == "csc") {
    bool csc = format == "csc";
    s.format = SparseFormat::csr;
    auto indptr = m.indices("indptr");
    if (!indptr.ok())
      return indptr.status();
    auto indices = m.indices("indices");
    if (!indices.ok())
      return indices.status();
    s.positions = std::move(*indptr);
    s.coordinates = std::move(*indices);
    if (csc)
      std::swap(s.shape[0], s.shape[1]);
    runtime::SparseNames names;
    names.positions = "indptr";
    names.coordinates = "indices";
    names.values = "data";
    if (csc)
      std::swap(names.major, names.minor);
    if (absl::Status st = s.validate(m.what, names); !st.ok())
      return fail(std::string(st.message()));
    if (csc)
      s = transposeCsr(s);
    return s;
  }
  s.format = SparseFormat::coo;
  size_t r = s.shape.size();
  std::vector<std::string> dimNames;
  if (scipy) {
    auto row = m.indices("row", n);
    if (!row.ok())
      return row.status();
    auto col = m.indices("col", n);
    if (!col.ok())
      return col.status();
    s.coordinates.resize(2 * n);
    for (int64_t k = 0; k < n; ++k) {
      s.coordinates[2 * k] = (*row)[k];
      s.coordinates[2 * k + 1] = (*col)[k];
    }
    dimNames = {"'row'", "'col'"};
  } else {
    auto a = m.array("indices");
    if (!a.ok())
      return a.status();
    // [nnz, rank]; a rank-1 tensor may give a plain vector of indices.
    bool ok = (a->shape.size() == 2 && a->shape[0] == n &&
               a->shape[1] == int64_t(r)) ||
              (a->shape.size() == 1 && r == 1 && a->shape[0] == n);
    if (!ok)
      return fail(m.name("indices") + ": shape " + a->shapeString() +
                  "; expected (" + std::to_string(n) + ", " +
                  std::to_string(r) + ") (nonzeros, rank) for " +
                  std::to_string(n) + " values of rank " + std::to_string(r));
    auto coords = m.toIndices(*a, "indices", -1, /*anyShape=*/true);
    if (!coords.ok())
      return coords.status();
    s.coordinates = std::move(*coords);
    for (size_t d = 0; d < r; ++d)
      dimNames.push_back("'indices' column " + std::to_string(d));
  }
  if (r == 0 && n > 1)
    return fail(m.what + ": a 0-d tensor has at most one value, '" +
                std::string(scipy ? "data" : "values") + "' has " +
                std::to_string(n));
  if (absl::Status st = checkCooRanges(s, m.what, dimNames); !st.ok())
    return st;
  if (absl::Status st =
          canonicalizeCoo(s, m.what, scipy ? "row'/'col" : "indices");
      !st.ok())
    return st;
  if (scipy)
    return s.convert(SparseFormat::csr);
  return s;
}

/// An integer vector as an .npy, int32 when every value fits (as SciPy
/// writes its index arrays), int64 otherwise.
static std::string indexNpy(const std::vector<int64_t> &v,
                            std::vector<int64_t> shape, bool allowInt32) {
  Array a;
  a.shape = std::move(shape);
  bool narrow = allowInt32 && std::all_of(v.begin(), v.end(), [](int64_t x) {
                  return x <= std::numeric_limits<int32_t>::max();
                });
  a.dtype = narrow ? DType::i32 : DType::i64;
  a.data.resize(v.size() * (narrow ? 4 : 8));
  for (size_t i = 0; i < v.size(); ++i) {
    if (narrow) {
      int32_t x = int32_t(v[i]);
      std::memcpy(a.data.data() + 4 * i, &x, 4);
    } else {
      std::memcpy(a.data.data() + 8 * i, &v[i], 8);
    }
  }
  return serializeNpy(a);
}

static std::string valuesNpy(const runtime::Buffer &values) {
  Array a;
  a.dtype = values.dtype() == runtime::DType::f32 ? DType::f32 : DType::f64;
  a.shape = values.shape();
  size_t bytes = values.numElements() * runtime::dtypeSize(values.dtype());
  a.data.resize(bytes);
  if (bytes)
    std::memcpy(a.data.data(), values.data(), bytes);
  return serializeNpy(a);
}

NpyMembers tl::io::serializeSparse(const SparseBuffer &tensor,
                                   const std::string &prefix) {
  NpyMembers out;
  int64_t rank = tensor.rank();
  std::vector<int64_t> shape = tensor.shape;
  if (rank == 2) {
    const SparseBuffer *csr = &tensor;
    SparseBuffer converted;
    if (tensor.format != SparseFormat::csr) {
      converted = tensor.convert(SparseFormat::csr);
      csr = &converted;
    }
    // SciPy's member order and index width (int32 unless a value needs
    // more: it picks the width from nnz and the dimensions).
    bool int32 = tensor.nnz() <= std::numeric_limits<int32_t>::max() &&
                 shape[0] <= std::numeric_limits<int32_t>::max() &&
                 shape[1] <= std::numeric_limits<int32_t>::max();
    out.emplace_back(prefix + "indices",
                     indexNpy(csr->coordinates, {csr->nnz()}, int32));
    out.emplace_back(
        prefix + "indptr",
        indexNpy(csr->positions, {int64_t(csr->positions.size())}, int32));
    out.emplace_back(prefix + "format", serializeNpyText("csr"));
    out.emplace_back(prefix + "shape", indexNpy(shape, {2}, false));
    out.emplace_back(prefix + "data", valuesNpy(csr->values));
    return out;
  }
  const SparseBuffer *coo = &tensor;
  SparseBuffer converted;
  if (tensor.format != SparseFormat::coo) {
    converted = tensor.convert(SparseFormat::coo);
    coo = &converted;
  }
  out.emplace_back(prefix + "indices",
                   indexNpy(coo->coordinates, {coo->nnz(), rank}, false));
  out.emplace_back(prefix + "values", valuesNpy(coo->values));
  out.emplace_back(prefix + "shape", indexNpy(shape, {rank}, false));
  return out;
}

absl::StatusOr<SparseBuffer> tl::io::readSparseNpz(std::string_view path) {
  auto members = readNpzMembers(path);
  if (!members.ok())
    return members.status();
  std::vector<std::string> keys;
  for (const auto &member : *members)
    keys.push_back(member.first);
  if (!isSparseLayout(keys)) {
    std::string found;
    for (const std::string &k : keys)
      found += (found.empty() ? "'" : ", '") + k.substr(0, 64) + "'";
    return fail(std::string(path) +
                ": not a sparse tensor: expected SciPy's save_npz members "
                "(format, shape, data, indptr + indices or row + col) or "
                "tl's COO members (indices, values, shape); found " +
                (found.empty() ? std::string("no members") : found));
  }
  return parseSparse(*members, path);
}

absl::Status tl::io::writeSparseNpz(std::string_view path,
                                    const SparseBuffer &tensor) {
  return writeNpzMembers(path, serializeSparse(tensor, ""));
}
