//===- SparseCall.cpp - calls that take and give sparse tensors -----------===//
//
// Module::run with sparse inputs. Code of the sparse route takes each
// argument in its layout (Module.h: a dense one as its memref descriptor,
// a CSR one as three 1-d descriptors, a DCSR one as five) and returns its
// results in one struct the packed entry point stores through its last
// pointer; the code allocates every returned buffer through the runtime's
// malloc. The results are copied out (a sparse one's index arrays are
// sized to its capacity, not its entries), and every block the call
// allocated and did not free is freed: the returned buffers and the
// temporaries MLIR's sparsifier leaves (CallAllocations).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/Module.h"

#include "tl/Runtime/RuntimeABI.h"

#include "Prefault.h"

#include <cstring>
#include <deque>

using namespace tl::runtime;

namespace {

/// The words of one call: memref descriptors (allocated pointer, aligned
/// pointer, offset, sizes, strides).
struct CallWords {
  std::vector<int64_t> words;

  void add(const void *data, const std::vector<int64_t> &shape,
           const std::vector<int64_t> &strides) {
    auto p = reinterpret_cast<int64_t>(data);
    words.insert(words.end(), {p, p, 0});
    words.insert(words.end(), shape.begin(), shape.end());
    words.insert(words.end(), strides.begin(), strides.end());
  }
  void add(const std::vector<int64_t> &v) {
    add(v.data(), {int64_t(v.size())}, {1});
  }
  void add(const Buffer &b) { add(b.data(), b.shape(), b.strides()); }
};

/// The words a result of `layout` and `rank` takes in the returned struct.
size_t resultWords(Layout layout, size_t rank) {
  switch (layout) {
  case Layout::dense:
    return 3 + 2 * rank;
  case Layout::csr:
    return 3 * 5;
  case Layout::dcsr:
    return 5 * 5;
  }
  return 0;
}

/// A 1-d descriptor the code returned.
struct Returned1d {
  const int64_t *w;
  template <typename T> const T *data() const {
    return reinterpret_cast<const T *>(w[1]) + w[2];
  }
  int64_t size() const { return w[3]; }
};

/// Reads one returned result at `w` into a buffer of its own.
absl::StatusOr<AnyBuffer> readResult(const int64_t *w, const ResultInfo &info,
                                     DType dtype) {
  auto malformed = [&](const std::string &why) {
    return absl::InternalError("the code returned result '" + info.name +
                               "' malformed: " + why);
  };
  size_t rank = info.shape.size();
  if (info.layout == Layout::dense) {
    std::vector<int64_t> shape(w + 3, w + 3 + rank),
        strides(w + 3 + rank, w + 3 + 2 * rank);
    if (shape != info.shape)
      return malformed("shape " + shapeString(shape) + ", expected " +
                       shapeString(info.shape));
    auto *data = reinterpret_cast<char *>(w[1]) + w[2] * dtypeSize(dtype);
    Buffer copy = Buffer::borrow(data, dtype, shape, strides).copyAs(dtype);
    if (!copy.data() && copy.numElements() > 0)
      return absl::ResourceExhaustedError("out of memory copying result '" +
                                          info.name + "'");
    return AnyBuffer(std::move(copy));
  }
  // DCSR: the nonempty rows, then CSR over them; spread to every row.
  int64_t rows = info.shape[0];
  std::vector<int64_t> rowOf;
  Returned1d positions{w}, coordinates{w + 5}, values{w + 10};
  if (info.layout == Layout::dcsr) {
    Returned1d pos0{w}, crd0{w + 5};
    int64_t stored = pos0.size() >= 2 ? pos0.data<int64_t>()[1] : -1;
    if (stored < 0 || stored > rows || stored > crd0.size())
      return malformed("its row positions hold " + std::to_string(stored) +
                       " rows");
    rowOf.assign(crd0.data<int64_t>(), crd0.data<int64_t>() + stored);
    positions = Returned1d{w + 10};
    coordinates = Returned1d{w + 15};
    values = Returned1d{w + 20};
  }
  int64_t compressed =
      info.layout == Layout::csr ? rows : static_cast<int64_t>(rowOf.size());
  if (positions.size() < compressed + 1)
    return malformed("its positions have " + std::to_string(positions.size()) +
                     " entries");
  const int64_t *pos = positions.data<int64_t>();
  int64_t nnz = pos[compressed];
  if (nnz < 0 || nnz > coordinates.size() || nnz > values.size())
    return malformed(std::to_string(nnz) + " entries in buffers of " +
                     std::to_string(coordinates.size()) + " coordinates and " +
                     std::to_string(values.size()) + " values");
  SparseBuffer out;
  out.format = SparseFormat::csr;
  out.shape = info.shape;
  if (info.layout == Layout::csr) {
    out.positions.assign(pos, pos + rows + 1);
  } else {
    out.positions.assign(rows + 1, 0);
    for (size_t k = 0; k < rowOf.size(); ++k) {
      if (rowOf[k] < 0 || rowOf[k] >= rows)
        return malformed("row " + std::to_string(rowOf[k]) + " is stored");
      out.positions[rowOf[k] + 1] = pos[k + 1] - pos[k];
    }
    for (int64_t r = 0; r < rows; ++r)
      out.positions[r + 1] += out.positions[r];
  }
  out.coordinates.reserve(nnz);
  prefaultForWrite(out.coordinates.data(), nnz * sizeof(int64_t));
  out.coordinates.assign(coordinates.data<int64_t>(),
                         coordinates.data<int64_t>() + nnz);
  out.values = Buffer::allocate(dtype, {nnz});
  if (!out.values.data() && nnz > 0)
    return absl::ResourceExhaustedError("out of memory copying result '" +
                                        info.name + "'");
  std::memcpy(out.values.data(),
              reinterpret_cast<const char *>(values.w[1]) +
                  values.w[2] * dtypeSize(dtype),
              nnz * dtypeSize(dtype));
  if (absl::Status s = out.validate("result '" + info.name + "'"); !s.ok())
    return malformed(std::string(s.message()));
  return AnyBuffer(std::move(out));
}

} // namespace

/// Whether some argument is bound to the caller's array `name`.
static bool bindsInput(const std::vector<ArgBinding> &args,
                       const std::string &name) {
  for (const ArgBinding &arg : args)
    if (!arg.constant && arg.caller == name)
      return true;
  return false;
}

absl::StatusOr<std::vector<std::pair<std::string, AnyBuffer>>> Module::run(
    const std::map<std::string, const Buffer *> &inputs,
    const std::map<std::string, const SparseBuffer *> &sparseInputs) const {
  if (!loadStatus.ok())
    return loadStatus;
  const Signature &sig = info.signature;
  for (const auto &[name, sparse] : sparseInputs)
    if (inputs.count(name))
      return absl::InvalidArgumentError("input '" + name +
                                        "' is given both dense and sparse");
  // Everything converted for this call lives here until it returns.
  std::deque<Buffer> buffers;
  std::deque<SparseBuffer> sparseCopies;
  std::deque<std::vector<int64_t>> indices;

  auto densified =
      [&](const std::string &name,
          const SparseBuffer &s) -> absl::StatusOr<const Buffer *> {
    auto dense = s.toDense();
    if (!dense.ok())
      return absl::Status(dense.status().code(),
                          "input '" + name +
                              "': " + std::string(dense.status().message()));
    buffers.push_back(std::move(*dense));
    return &buffers.back();
  };

  if (!sig.returnsResults) {
    // Only the arrays the code binds are expanded: a caller may pass a
    // whole archive of relations to a rule that reads two.
    std::map<std::string, const Buffer *> all = inputs;
    for (const auto &[name, sparse] : sparseInputs) {
      if (!bindsInput(sig.args, name))
        continue;
      if (absl::Status st = sparse->validate("input '" + name + "'"); !st.ok())
        return st;
      auto dense = densified(name, *sparse);
      if (!dense.ok())
        return dense.status();
      all[name] = *dense;
    }
    auto results = run(all);
    if (!results.ok())
      return results.status();
    std::vector<std::pair<std::string, AnyBuffer>> out;
    for (auto &[name, buffer] : *results)
      out.emplace_back(name, std::move(buffer));
    return out;
  }

  CallWords call;
  for (size_t i = 0; i < sig.args.size(); ++i) {
    const ArgBinding &arg = sig.args[i];
    if (arg.constant) {
      call.add(constants[i]);
      continue;
    }
    auto dense = inputs.find(arg.caller);
    auto sparse = sparseInputs.find(arg.caller);
    const Buffer *d = dense != inputs.end() ? dense->second : nullptr;
    const SparseBuffer *s =
        sparse != sparseInputs.end() ? sparse->second : nullptr;
    if (!d && !s)
      return absl::InvalidArgumentError("G3: no input named '" + arg.caller +
                                        "' for argument '" + arg.slot + "'");
    const std::vector<int64_t> &shape = d ? d->shape() : s->shape;
    if (shape != arg.shape)
      return absl::InvalidArgumentError(
          "input '" + arg.caller + "' has shape " + shapeString(shape) +
          " but the graph was compiled for " + shapeString(arg.shape) +
          " (compile again for other shapes)");
    std::string what = "input '" + arg.caller + "'";
    if (s)
      if (absl::Status st = s->validate(what); !st.ok())
        return st;
    if (arg.layout == Layout::dense) {
      if (s) {
        auto made = densified(arg.caller, *s);
        if (!made.ok())
          return made.status();
        d = *made;
      }
      if (d->numElements() > 0 && !d->data())
        return absl::InvalidArgumentError(what + " has no data");
      if (d->dtype() != dtype() || !d->isContiguous()) {
        buffers.push_back(d->copyAs(dtype())); // G5: one float type
        d = &buffers.back();
      }
      call.add(*d);
      continue;
    }
    // CSR or DCSR: from the caller's CSR where it is one.
    if (d && d->numElements() > 0 && !d->data())
      return absl::InvalidArgumentError(what + " has no data");
    if (!s || s->format != SparseFormat::csr) {
      sparseCopies.push_back(
          s ? s->convert(SparseFormat::csr)
            : SparseBuffer::fromDense(*d, SparseFormat::csr));
      s = &sparseCopies.back();
    }
    const Buffer *values = &s->values;
    if (values->dtype() != dtype() || !values->isContiguous()) {
      buffers.push_back(values->copyAs(dtype()));
      values = &buffers.back();
    }
    if (arg.layout == Layout::csr) {
      call.add(s->positions);
      call.add(s->coordinates);
    } else {
      std::vector<int64_t> &rowPositions = indices.emplace_back(),
                           &rows = indices.emplace_back(),
                           &positions = indices.emplace_back();
      for (int64_t r = 0; r < s->shape[0]; ++r)
        if (s->positions[r + 1] > s->positions[r]) {
          rows.push_back(r);
          positions.push_back(s->positions[r]);
        }
      positions.push_back(s->nnz());
      rowPositions = {0, int64_t(rows.size())};
      for (const std::vector<int64_t> *v : {&rowPositions, &rows, &positions})
        call.add(*v);
      call.add(s->coordinates);
    }
    call.add(*values);
  }

  size_t words = 0;
  for (const ResultInfo &r : sig.results)
    words += resultWords(r.layout, r.shape.size());
  std::vector<int64_t> returned(words, 0);
  PackedCall packed;
  packed.receivesResults = true;
  packed.words = std::move(call.words);
  for (int64_t &w : packed.words)
    packed.pointers.push_back(&w);
  packed.pointers.push_back(returned.data());
  CallAllocations allocations;
  absl::Status status = runPacked(packed);

  std::vector<std::pair<std::string, AnyBuffer>> out;
  size_t at = 0;
  for (const ResultInfo &r : sig.results) {
    const int64_t *w = returned.data() + at;
    at += resultWords(r.layout, r.shape.size());
    if (!status.ok())
      break;
    auto result = readResult(w, r, dtype());
    if (result.ok())
      out.emplace_back(r.name, std::move(*result));
    else
      status = result.status();
  }
  // What the code returned (copied above) and any temporary it left.
  allocations.freeLive();
  if (!status.ok())
    return status;
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, Buffer>>>
tl::runtime::denseResults(
    std::vector<std::pair<std::string, AnyBuffer>> results) {
  std::vector<std::pair<std::string, Buffer>> named;
  for (auto &[name, result] : results) {
    if (auto *dense = std::get_if<Buffer>(&result)) {
      named.emplace_back(name, std::move(*dense));
      continue;
    }
    auto dense = std::get<SparseBuffer>(result).toDense();
    if (!dense.ok())
      return absl::Status(dense.status().code(),
                          "output '" + name +
                              "': " + std::string(dense.status().message()));
    named.emplace_back(name, std::move(*dense));
  }
  return named;
}
