//===- Errors.h - absl::Status as Python exceptions -------------*- C++ -*-===//
//
// Every failure of the library is an absl::Status; the module raises it as
// tl.Error or the subclass for its code (tl.InvalidArgumentError, ...),
// with the library's message unchanged: the same rule-citing text the
// tools print.
//
//===----------------------------------------------------------------------===//

#ifndef TL_PYTHON_ERRORS_H
#define TL_PYTHON_ERRORS_H

#include "absl/status/statusor.h"

#include <pybind11/pybind11.h>

namespace tl::python {

/// Defines tl.Error and its subclasses in `m`.
void registerErrors(pybind11::module_ &m);

/// The tl.Error subclass instance for `status` (not OK), not raised.
pybind11::object makeError(const absl::Status &status);

/// Raises `status` (not OK) as the tl.Error subclass of its code.
[[noreturn]] void throwStatus(const absl::Status &status);

inline void check(const absl::Status &status) {
  if (!status.ok())
    throwStatus(status);
}
template <typename T> T unwrap(absl::StatusOr<T> value) {
  if (!value.ok())
    throwStatus(value.status());
  return std::move(*value);
}

} // namespace tl::python

#endif // TL_PYTHON_ERRORS_H
