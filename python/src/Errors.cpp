//===- Errors.cpp - absl::Status as Python exceptions ---------------------===//

#include "Errors.h"

#include <map>
#include <regex>

namespace py = pybind11;

namespace tl::python {
namespace {

struct ErrorClass {
  absl::StatusCode code;
  const char *name;
  /// A built-in exception it also derives from, so that `except ValueError`
  /// catches a bad input as Python programmers expect.
  PyObject *builtin;
  const char *doc;
};

PyObject *baseError = nullptr;
std::map<absl::StatusCode, PyObject *> &classes() {
  static std::map<absl::StatusCode, PyObject *> byCode;
  return byCode;
}

/// The first graph-contract rule a message cites ("G11"), or "".
std::string ruleOf(const std::string &message) {
  static const std::regex rule("\\b(G[0-9]{1,2}):");
  std::smatch m;
  return std::regex_search(message, m, rule) ? m[1].str() : "";
}

} // namespace

void registerErrors(py::module_ &m) {
  baseError = PyErr_NewExceptionWithDoc(
      "tl.Error",
      "A failure of tl: a bad graph, a bad input, a compile or run that "
      "failed. `code` is its kind (\"INVALID_ARGUMENT\", ...), `rule` the "
      "graph-contract rule the message cites (\"G11\") or None.",
      PyExc_RuntimeError, nullptr);
  m.add_object("Error", py::handle(baseError));
  const ErrorClass table[] = {
      {absl::StatusCode::kInvalidArgument, "InvalidArgumentError",
       PyExc_ValueError, "A graph or an input breaks the contract."},
      {absl::StatusCode::kNotFound, "NotFoundError", PyExc_LookupError,
       "A file, input or output that does not exist."},
      {absl::StatusCode::kFailedPrecondition, "FailedPreconditionError",
       nullptr, "A call that needs something not done (shapes, a gradient)."},
      {absl::StatusCode::kResourceExhausted, "ResourceExhaustedError",
       PyExc_MemoryError, "Memory or another limit ran out."},
      {absl::StatusCode::kDataLoss, "DataLossError", nullptr,
       "A damaged module, cache entry or checkpoint."},
      {absl::StatusCode::kPermissionDenied, "PermissionDeniedError",
       PyExc_PermissionError, "A file tl may not read or write."},
      {absl::StatusCode::kCancelled, "CancelledError", nullptr,
       "A queued run cancelled before it started."},
      {absl::StatusCode::kUnimplemented, "UnimplementedError",
       PyExc_NotImplementedError, "Something tl does not do (yet)."},
      {absl::StatusCode::kInternal, "InternalError", nullptr,
       "A bug in tl: please report it with the message."},
  };
  for (const ErrorClass &c : table) {
    py::tuple bases = c.builtin ? py::make_tuple(py::handle(baseError),
                                                 py::handle(c.builtin))
                                : py::make_tuple(py::handle(baseError));
    std::string qualified = std::string("tl.") + c.name;
    PyObject *cls = PyErr_NewExceptionWithDoc(qualified.c_str(), c.doc,
                                              bases.ptr(), nullptr);
    if (!cls)
      throw py::error_already_set();
    classes()[c.code] = cls;
    m.add_object(c.name, py::handle(cls));
  }
}

py::object makeError(const absl::Status &status) {
  auto it = classes().find(status.code());
  PyObject *cls = it == classes().end() ? baseError : it->second;
  std::string message(status.message());
  py::object error = py::reinterpret_borrow<py::object>(cls)(message);
  error.attr("code") = std::string(absl::StatusCodeToString(status.code()));
  std::string rule = ruleOf(message);
  error.attr("rule") = rule.empty() ? py::none() : py::object(py::str(rule));
  return error;
}

void throwStatus(const absl::Status &status) {
  py::object error = makeError(status);
  PyErr_SetObject(py::type::handle_of(error).ptr(), error.ptr());
  throw py::error_already_set();
}

} // namespace tl::python
