//===- Arrays.h - NumPy arrays, DLPack tensors and tl buffers ---*- C++ -*-===//
//
// The one place where Python arrays become tl::Buffer and back:
//
// - an input is read in place when it is a C-contiguous, aligned array of
//   the compute type (NumPy, a tl.Tensor, or anything exporting DLPack on
//   the CPU, such as a PyTorch tensor); anything else is converted once by
//   NumPy (G5: bool and integer arrays, Fortran order, strided views);
// - an output is a NumPy array over the buffer the run allocated (no
//   copy), freed when the last array referring to it goes;
// - tl.Tensor is a buffer that speaks DLPack and the buffer protocol.
//
//===----------------------------------------------------------------------===//

#ifndef TL_PYTHON_ARRAYS_H
#define TL_PYTHON_ARRAYS_H

#include "tl/API/Executable.h"

#include "absl/container/inlined_vector.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

struct DLManagedTensor;

namespace tl::python {

/// The arrays of one call, bound by name, and what keeps their memory
/// alive (converted copies, the caller's objects).
struct InputSet {
  /// Reserved for every input before the first is added: `map` points
  /// into it.
  std::vector<runtime::Buffer> buffers;
  std::map<std::string, const runtime::Buffer *> map;
  absl::InlinedVector<pybind11::object, 4> keepAlive;
  /// The inputs that were converted (G5) rather than read in place.
  std::vector<std::string> converted;
  /// SciPy matrices kept sparse (the sparse route), by name; not in `map`.
  std::deque<runtime::SparseBuffer> sparseStore;
  std::map<std::string, const runtime::SparseBuffer *> sparse;

  /// The arrays of a dict and keyword arguments (either may be None or a
  /// null handle). A SciPy matrix whose density is at most
  /// `sparseThreshold` is kept sparse; others are bound dense (a negative
  /// threshold: all).
  static InputSet from(pybind11::handle dict, pybind11::handle kwargs,
                       DType compute, double sparseThreshold = -1);
  /// The shapes bound, by name (sparse inputs too).
  std::map<std::string, std::vector<int64_t>> shapes() const;
  /// The measured densities of the inputs kept sparse.
  std::map<std::string, double> densities() const;

private:
  /// Adds `value` under `name`, read in place when it can be.
  void add(const std::string &name, pybind11::handle value, DType compute,
           double sparseThreshold);
  /// A SciPy sparse matrix after the runtime's checks: kept sparse at or
  /// under `sparseThreshold`, else bound in its dense form (as the tools
  /// bind sparse files).
  void addSparse(const std::string &name, pybind11::handle value, DType compute,
                 double sparseThreshold);
};

/// A NumPy array over `buffer`'s memory, which it then owns.
pybind11::array toNumpy(runtime::Buffer &&buffer);
/// A dict of NumPy arrays by name, in order.
pybind11::dict toDict(Outputs &&outputs);
/// The NumPy dtype of `dtype`.
pybind11::dtype numpyType(DType dtype);
/// "f32" / "f64" (also "float32", "float64", numpy.float32, ...) as DType.
DType dtypeFrom(pybind11::handle value);

/// `array` (a writable, C-contiguous NumPy array of `dtype`) as a borrowing
/// buffer; what is wrong with it otherwise, naming it `<kind>['<name>']`.
runtime::Buffer borrowWritable(pybind11::handle array, DType dtype,
                               const char *kind, const std::string &name);

/// A tensor in tl's memory layout: tl.Tensor.
class Tensor {
public:
  struct Storage {
    runtime::Buffer buffer;
    /// The DLPack tensor it was imported from (its deleter is called when
    /// the storage goes), or null.
    DLManagedTensor *imported = nullptr;
    ~Storage();
  };
  explicit Tensor(std::shared_ptr<Storage> storage)
      : storage(std::move(storage)) {}
  const runtime::Buffer &buffer() const { return storage->buffer; }
  const std::shared_ptr<Storage> &shared() const { return storage; }

  /// tl.from_dlpack: zero-copy for float32/float64 tensors on the CPU,
  /// converted to float64 for integer and bool tensors.
  static Tensor fromDLPack(pybind11::handle object);
  /// A capsule for __dlpack__ that keeps this tensor's memory alive.
  pybind11::capsule toDLPack() const;

private:
  std::shared_ptr<Storage> storage;
};

/// Defines tl.Tensor and tl.from_dlpack.
void registerArrays(pybind11::module_ &m);

} // namespace tl::python

#endif // TL_PYTHON_ARRAYS_H
