//===- Arrays.cpp - NumPy arrays, DLPack tensors and tl buffers -----------===//

#include "Arrays.h"
#include "Errors.h"

#include "tl/Runtime/SparseBuffer.h"

#include <dlpack/dlpack.h>

#include <cstring>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace tl::python {
namespace {

using runtime::Buffer;

/// DLPack 0.8's bool code; Debian's header (0.6) predates it.
constexpr uint8_t kDLBoolCode = 6;

const py::object &asContiguous() {
  // Leaked on purpose: it must outlive every call, including at exit.
  static const py::object *fn =
      new py::object(py::module_::import("numpy").attr("ascontiguousarray"));
  return *fn;
}

[[noreturn]] void invalid(const std::string &message) {
  throwStatus(absl::InvalidArgumentError(message));
}

std::string describe(py::handle value) {
  std::string type = py::str(py::type::handle_of(value).attr("__name__"));
  if (py::isinstance<py::array>(value))
    return "a " + std::string(py::str(value.attr("dtype"))) + " array";
  return "a " + type;
}

/// Element `i` (row-major) of a DLPack integer or bool tensor, as double.
double integerAt(const DLTensor &t, const std::vector<int64_t> &strides,
                 int64_t i) {
  int64_t offset = 0;
  for (int d = t.ndim; d-- > 0;) {
    offset += (i % t.shape[d]) * strides[d];
    i /= t.shape[d];
  }
  const char *base = static_cast<const char *>(t.data) + t.byte_offset;
  const char *p = base + offset * (t.dtype.bits / 8);
  bool isSigned = t.dtype.code == kDLInt;
  switch (t.dtype.bits) {
  case 8:
    return isSigned ? double(*reinterpret_cast<const int8_t *>(p))
                    : double(*reinterpret_cast<const uint8_t *>(p));
  case 16:
    return isSigned ? double(*reinterpret_cast<const int16_t *>(p))
                    : double(*reinterpret_cast<const uint16_t *>(p));
  case 32:
    return isSigned ? double(*reinterpret_cast<const int32_t *>(p))
                    : double(*reinterpret_cast<const uint32_t *>(p));
  default:
    return isSigned ? double(*reinterpret_cast<const int64_t *>(p))
                    : double(*reinterpret_cast<const uint64_t *>(p));
  }
}

} // namespace

py::dtype numpyType(DType dtype) {
  return dtype == DType::f32 ? py::dtype::of<float>() : py::dtype::of<double>();
}

DType dtypeFrom(py::handle value) {
  if (py::isinstance<py::str>(value)) {
    std::string s = py::str(value);
    if (s == "f64" || s == "float64" || s == "double")
      return DType::f64;
    if (s == "f32" || s == "float32" || s == "single")
      return DType::f32;
  }
  // Anything else as NumPy reads it ("float" is float64 there too).
  py::dtype dt = py::dtype::from_args(py::reinterpret_borrow<py::object>(value));
  if (dt.kind() == 'f' && dt.itemsize() == 8)
    return DType::f64;
  if (dt.kind() == 'f' && dt.itemsize() == 4)
    return DType::f32;
  invalid("G5: dtype " + std::string(py::str(dt)) +
          ": tl computes in f32 or f64");
}

namespace {
/// NumPy's array fields, read directly (the accessors of py::array take
/// references and build objects on a path that runs for every input).
struct ArrayView {
  const py::detail::PyArray_Proxy *array;
  const py::detail::PyArrayDescr_Proxy *descr;
  explicit ArrayView(py::handle a)
      : array(py::detail::array_proxy(a.ptr())),
        descr(py::detail::array_descriptor_proxy(array->descr)) {}
  bool has(int flag) const { return array->flags & flag; }
  bool contiguousFloat(DType dtype) const {
    return descr->kind == 'f' && size_t(descr->elsize) == dtypeSize(dtype) &&
           has(py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_) &&
           has(py::detail::npy_api::NPY_ARRAY_ALIGNED_);
  }
  std::vector<int64_t> shape() const {
    return std::vector<int64_t>(array->dimensions,
                                array->dimensions + array->nd);
  }
};
} // namespace

void InputSet::add(const std::string &name, py::handle value, DType compute,
                   double sparseThreshold) {
  if (!py::isinstance<py::array>(value)) {
    if (py::isinstance<Tensor>(value)) {
      const Buffer &b = value.cast<const Tensor &>().buffer();
      keepAlive.push_back(py::reinterpret_borrow<py::object>(value));
      if (b.isContiguous() && b.dtype() == compute) {
        buffers.push_back(b.view());
      } else {
        buffers.push_back(b.copyAs(compute));
        converted.push_back(name);
        if (!buffers.back().data() && b.numElements() > 0)
          throwStatus(absl::ResourceExhaustedError(
              "no memory to convert input '" + name + "' (" +
              b.typeString() + ")"));
      }
      map[name] = &buffers.back();
      return;
    }
    if (py::hasattr(value, "tocsr") && py::hasattr(value, "nnz")) {
      addSparse(name, value, compute, sparseThreshold);
      return;
    }
    if (py::hasattr(value, "__dlpack__")) {
      // PyTorch and other DLPack producers: read in place.
      py::object tensor = py::cast(Tensor::fromDLPack(value));
      add(name, tensor, compute, sparseThreshold);
      return;
    }
    py::array array = py::array::ensure(value);
    if (!array)
      invalid("G5: input '" + name + "' is " + describe(value) +
              ", not an array: pass a NumPy array, a tl.Tensor, a DLPack "
              "tensor or a number");
    add(name, array, compute, sparseThreshold);
    converted.push_back(name); // a new array, not the caller's object
    return;
  }
  py::object array = py::reinterpret_borrow<py::object>(value);
  ArrayView view(array);
  if (!view.contiguousFloat(compute)) {
    char kind = view.descr->kind;
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
      invalid("G5: input '" + name + "' is " + describe(array) +
              "; tl converts bool, integer and floating-point arrays to " +
              dtypeName(compute) + ", nothing else");
    // G5: one conversion by NumPy (its loops are fast), kept for the call.
    array = asContiguous()(array, numpyType(compute));
    view = ArrayView(array);
    converted.push_back(name);
  }
  buffers.push_back(Buffer::borrow(view.array->data, compute, view.shape()));
  map[name] = &buffers.back();
  // The call may outlive the caller's references (run_async).
  keepAlive.push_back(std::move(array));
}

void InputSet::addSparse(const std::string &name, py::handle value,
                         DType compute, double sparseThreshold) {
  // SciPy's canonical CSR (duplicates added, columns sorted), then the
  // runtime's checks and its memory-limit-aware dense form.
  py::object csr = value.attr("tocsr")();
  if (csr.is(value))
    csr = csr.attr("copy")();
  csr.attr("sum_duplicates")();
  using Index = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;
  Index indptr = Index::ensure(csr.attr("indptr"));
  Index indices = Index::ensure(csr.attr("indices"));
  py::array data = asContiguous()(csr.attr("data"), numpyType(compute));
  auto shape = csr.attr("shape").cast<std::vector<int64_t>>();
  if (!indptr || !indices || shape.size() != 2)
    invalid("input '" + name + "' is " + describe(value) +
            ", not a SciPy sparse matrix tl can read");
  runtime::SparseBuffer sparse;
  sparse.format = runtime::SparseFormat::csr;
  sparse.shape = shape;
  sparse.positions.assign(indptr.data(), indptr.data() + indptr.size());
  sparse.coordinates.assign(indices.data(), indices.data() + indices.size());
  sparse.values = Buffer::allocate(compute, {int64_t(indices.size())});
  ArrayView view(data);
  if (sparse.values.numElements() > 0)
    std::memcpy(sparse.values.data(), view.array->data,
                sparse.values.numElements() * runtime::dtypeSize(compute));
  std::string what = "input '" + name + "' (SciPy sparse)";
  if (absl::Status st = sparse.validate(what); !st.ok())
    throwStatus(st);
  if (sparse.density() <= sparseThreshold) {
    sparseStore.push_back(std::move(sparse));
    this->sparse[name] = &sparseStore.back();
    return;
  }
  auto dense = sparse.toDense();
  if (!dense.ok())
    throwStatus(absl::Status(dense.status().code(),
                             what + ": " + std::string(dense.status().message())));
  buffers.push_back(std::move(*dense));
  map[name] = &buffers.back();
  converted.push_back(name);
}

InputSet InputSet::from(py::handle dict, py::handle kwargs, DType compute,
                        double sparseThreshold) {
  InputSet set;
  bool hasDict = dict && !dict.is_none(), hasKwargs = kwargs && !kwargs.is_none();
  if (hasDict && !py::isinstance<py::dict>(dict))
    invalid("inputs are a dict of arrays by name; got " + describe(dict));
  size_t count = (hasDict ? PyDict_Size(dict.ptr()) : 0) +
                 (hasKwargs ? PyDict_Size(kwargs.ptr()) : 0);
  set.buffers.reserve(count);
  set.keepAlive.reserve(count);
  auto addAll = [&](py::handle mapping) {
    for (auto item : py::reinterpret_borrow<py::dict>(mapping)) {
      if (!py::isinstance<py::str>(item.first))
        invalid("G3: input names are strings; got " + describe(item.first));
      std::string name = py::str(item.first);
      if (set.map.count(name))
        invalid("G3: input '" + name + "' is given twice");
      set.add(name, item.second, compute, sparseThreshold);
    }
  };
  if (hasDict)
    addAll(dict);
  if (hasKwargs)
    addAll(kwargs);
  return set;
}

std::map<std::string, std::vector<int64_t>> InputSet::shapes() const {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto &[name, buffer] : map)
    out[name] = buffer->shape();
  for (const auto &[name, s] : sparse)
    out[name] = s->shape;
  return out;
}

std::map<std::string, double> InputSet::densities() const {
  std::map<std::string, double> out;
  for (const auto &[name, s] : sparse)
    out[name] = s->density();
  return out;
}

py::array toNumpy(Buffer &&buffer) {
  auto *held = new Buffer(buffer.ownsMemory() || buffer.numElements() == 0
                              ? std::move(buffer)
                              : buffer.copyAs(buffer.dtype()));
  py::capsule owner(held, [](void *p) { delete static_cast<Buffer *>(p); });
  std::vector<py::ssize_t> shape(held->shape().begin(), held->shape().end());
  std::vector<py::ssize_t> strides;
  for (int64_t s : held->strides())
    strides.push_back(s * py::ssize_t(dtypeSize(held->dtype())));
  return py::array(numpyType(held->dtype()), shape, strides, held->data(),
                   owner);
}

py::dict toDict(Outputs &&outputs) {
  py::dict out;
  for (auto &[name, buffer] : outputs.entries)
    out[py::str(name)] = toNumpy(std::move(buffer));
  return out;
}

Buffer borrowWritable(py::handle value, DType dtype, const char *kind,
                      const std::string &name) {
  bool isArray = py::isinstance<py::array>(value);
  bool writable = isArray && ArrayView(value).has(
                                 py::detail::npy_api::NPY_ARRAY_WRITEABLE_);
  if (!writable || !ArrayView(value).contiguousFloat(dtype))
    invalid(std::string(kind) + "['" + name +
            "'] must be a writable C-contiguous " +
            (dtype == DType::f32 ? "float32" : "float64") +
            " NumPy array; got " + describe(value) +
            (isArray && !writable ? " (read-only)" : ""));
  ArrayView view(value);
  return Buffer::borrow(view.array->data, dtype, view.shape());
}

Tensor::Storage::~Storage() {
  if (imported && imported->deleter)
    imported->deleter(imported);
}

Tensor Tensor::fromDLPack(py::handle object) {
  if (py::isinstance<Tensor>(object))
    return object.cast<const Tensor &>();
  if (!py::hasattr(object, "__dlpack__"))
    invalid("tl.from_dlpack: " + describe(object) +
            " does not export DLPack (no __dlpack__)");
  if (py::hasattr(object, "__dlpack_device__")) {
    py::tuple device = object.attr("__dlpack_device__")();
    int type = device[0].cast<int>();
    if (type != kDLCPU && type != kDLCUDAHost)
      throwStatus(absl::FailedPreconditionError(
          "tl.from_dlpack: the tensor is on DLPack device type " +
          std::to_string(type) +
          " (2 is CUDA); tl runs on the CPU: copy it there first"));
  }
  py::object capsule = object.attr("__dlpack__")();
  auto *managed = static_cast<DLManagedTensor *>(
      PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
  if (!managed)
    throw py::error_already_set();
  PyCapsule_SetName(capsule.ptr(), "used_dltensor");
  auto storage = std::make_shared<Storage>();
  storage->imported = managed; // freed with the storage from here on
  const DLTensor &t = managed->dl_tensor;
  std::vector<int64_t> shape(t.shape, t.shape + t.ndim);
  std::vector<int64_t> strides =
      t.strides ? std::vector<int64_t>(t.strides, t.strides + t.ndim)
                : Buffer::rowMajorStrides(shape);
  if (t.dtype.lanes != 1)
    invalid("tl.from_dlpack: vector element types (lanes " +
            std::to_string(t.dtype.lanes) + ") are not supported");
  if (t.dtype.code == kDLFloat && (t.dtype.bits == 32 || t.dtype.bits == 64)) {
    storage->buffer = Buffer::borrow(
        static_cast<char *>(t.data) + t.byte_offset,
        t.dtype.bits == 32 ? DType::f32 : DType::f64, shape, strides);
    return Tensor(std::move(storage));
  }
  bool integer = t.dtype.code == kDLInt || t.dtype.code == kDLUInt ||
                 t.dtype.code == kDLBoolCode;
  if (!integer || (t.dtype.bits != 8 && t.dtype.bits != 16 &&
                   t.dtype.bits != 32 && t.dtype.bits != 64))
    invalid("G5: tl.from_dlpack: element type code " +
            std::to_string(t.dtype.code) + " with " +
            std::to_string(t.dtype.bits) +
            " bits; tl takes float32 and float64 tensors in place and "
            "converts integer and bool ones to float64");
  // G5: integers and bools become f64 (a copy); the producer's memory is
  // let go at once.
  Buffer converted = Buffer::allocate(DType::f64, shape);
  for (int64_t i = 0; i < converted.numElements(); ++i)
    converted.data<double>()[i] = integerAt(t, strides, i);
  storage->buffer = std::move(converted);
  managed->deleter(managed);
  storage->imported = nullptr;
  return Tensor(std::move(storage));
}

namespace {
/// What a capsule from Tensor::toDLPack points at.
struct Export {
  DLManagedTensor managed;
  std::shared_ptr<Tensor::Storage> storage;
  std::vector<int64_t> shape, strides;
};
} // namespace

py::capsule Tensor::toDLPack() const {
  auto *e = new Export();
  e->storage = storage;
  const Buffer &b = storage->buffer;
  e->shape = b.shape();
  e->strides = b.strides();
  DLTensor &t = e->managed.dl_tensor;
  t.data = const_cast<void *>(b.data());
  t.device = {kDLCPU, 0};
  t.ndim = int(b.rank());
  t.dtype = {kDLFloat, uint8_t(b.dtype() == DType::f32 ? 32 : 64), 1};
  t.shape = e->shape.data();
  t.strides = e->strides.data();
  t.byte_offset = 0;
  e->managed.manager_ctx = e;
  e->managed.deleter = [](DLManagedTensor *m) {
    delete static_cast<Export *>(m->manager_ctx);
  };
  // A capsule nobody consumed still owns the tensor.
  return py::capsule(&e->managed, "dltensor", [](PyObject *capsule) {
    if (PyCapsule_IsValid(capsule, "dltensor")) {
      auto *m = static_cast<DLManagedTensor *>(
          PyCapsule_GetPointer(capsule, "dltensor"));
      m->deleter(m);
    }
  });
}

void registerArrays(py::module_ &m) {
  auto arrayOf = [](py::object self) {
    const Buffer &b = self.cast<const Tensor &>().buffer();
    std::vector<py::ssize_t> shape(b.shape().begin(), b.shape().end());
    std::vector<py::ssize_t> strides;
    for (int64_t s : b.strides())
      strides.push_back(s * py::ssize_t(dtypeSize(b.dtype())));
    return py::array(numpyType(b.dtype()), shape, strides,
                     const_cast<void *>(b.data()), self);
  };
  py::class_<Tensor>(m, "Tensor", py::buffer_protocol(),
                     "An f32 or f64 tensor in tl's layout, shared without "
                     "copies through DLPack and the buffer protocol.")
      .def_buffer([](Tensor &t) {
        const Buffer &b = t.buffer();
        std::vector<py::ssize_t> shape(b.shape().begin(), b.shape().end());
        std::vector<py::ssize_t> strides;
        for (int64_t s : b.strides())
          strides.push_back(s * py::ssize_t(dtypeSize(b.dtype())));
        return py::buffer_info(
            const_cast<void *>(b.data()), py::ssize_t(dtypeSize(b.dtype())),
            b.dtype() == DType::f32 ? py::format_descriptor<float>::format()
                                    : py::format_descriptor<double>::format(),
            b.rank(), shape, strides);
      })
      .def_property_readonly("shape",
                             [](const Tensor &t) {
                               return py::tuple(py::cast(t.buffer().shape()));
                             })
      .def_property_readonly(
          "dtype", [](const Tensor &t) { return dtypeName(t.buffer().dtype()); })
      .def_property_readonly("ndim",
                             [](const Tensor &t) { return t.buffer().rank(); })
      .def_property_readonly(
          "data_ptr",
          [](const Tensor &t) {
            return reinterpret_cast<uintptr_t>(t.buffer().data());
          },
          "The address of the first element (to check sharing).")
      .def("numpy", arrayOf, "A NumPy array over the same memory.")
      .def(
          "__array__",
          [arrayOf](py::object self, py::object dtype) {
            py::array a = arrayOf(self);
            return dtype.is_none() ? a : py::array(a.attr("astype")(dtype));
          },
          py::arg("dtype") = py::none())
      .def(
          "__dlpack__",
          [](const Tensor &t, py::object) { return t.toDLPack(); },
          py::kw_only(), py::arg("stream") = py::none())
      .def("__dlpack_device__",
           [](const Tensor &) { return py::make_tuple(int(kDLCPU), 0); })
      .def("__repr__", [](const Tensor &t) {
        return "tl.Tensor(" + t.buffer().typeString() + ")";
      });
  m.def("from_dlpack", &Tensor::fromDLPack, py::arg("tensor"),
        "A tl.Tensor over a DLPack tensor's memory (PyTorch, NumPy, ...): "
        "no copy for float32/float64 on the CPU; integer and bool tensors "
        "are converted to float64.");
}

} // namespace tl::python
