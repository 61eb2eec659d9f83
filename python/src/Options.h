//===- Options.h - Python arguments as CompileOptions -----------*- C++ -*-===//
//
// The one place where tl.compile's keyword arguments, shapes and dtype
// become tl::CompileOptions (and tl.stream's become StreamOptions), so
// that every entry point of the module accepts the same names.
//
//===----------------------------------------------------------------------===//

#ifndef TL_PYTHON_OPTIONS_H
#define TL_PYTHON_OPTIONS_H

#include "tl/API/Executable.h"
#include "tl/API/Streaming.h"

#include <pybind11/pybind11.h>

namespace tl::python {

/// `dtype` ("f64", numpy.float32, ...), `shapes` (None, or a dict of
/// tuples whose unknown sizes are None, -1 or "?"), and the keyword
/// options documented in docs/Python.md (an unknown name is a TypeError
/// that lists the known ones).
CompileOptions compileOptionsFrom(pybind11::handle dtype,
                                  pybind11::handle shapes,
                                  const pybind11::dict &options);

/// A dict of shapes by name, as `shapes` takes them.
std::map<std::string, std::vector<int64_t>> shapesFrom(pybind11::handle shapes);

/// tl.stream's own keywords, taken out of `options`.
StreamOptions streamOptionsFrom(pybind11::dict &options);

/// A graph given as a path (str or os.PathLike) or as text: its text,
/// format and the name messages use. A dict is turned into JSON by the
/// Python side before it gets here.
GraphSource graphFrom(pybind11::handle graph, bool isPath);

} // namespace tl::python

#endif // TL_PYTHON_OPTIONS_H
