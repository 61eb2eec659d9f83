//===- Training.cpp - tl's training utilities for Python ------------------===//
//
// GradientAccumulator, clip_by_value, clip_by_global_norm, LossScaler and
// gradcheck (tl/API/Training.h) over dicts of NumPy arrays. Clipping and
// unscaling change the caller's arrays in place, as the C++ API changes
// its buffers.
//
//===----------------------------------------------------------------------===//

#include "Arrays.h"
#include "Errors.h"
#include "Options.h"

#include "tl/API/Training.h"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace tl::python {
namespace {

using runtime::Buffer;

/// The caller's gradient arrays as Outputs over their memory (written in
/// place), in the dict's order.
Outputs writable(py::handle grads) {
  if (!py::isinstance<py::dict>(grads))
    throwStatus(absl::InvalidArgumentError(
        "gradients are a dict of NumPy arrays by name"));
  Outputs out;
  for (auto item : py::reinterpret_borrow<py::dict>(grads)) {
    std::string name = py::str(item.first);
    py::handle value = item.second;
    DType dtype = DType::f64;
    if (py::isinstance<py::array>(value) &&
        py::reinterpret_borrow<py::array>(value).itemsize() == 4)
      dtype = DType::f32;
    out.entries.emplace_back(name,
                             borrowWritable(value, dtype, "grads", name));
  }
  return out;
}

/// Any arrays as read-only Outputs (converted to f64 where needed).
struct ReadOnly {
  InputSet set;
  Outputs outputs;
  explicit ReadOnly(py::handle grads)
      : set(InputSet::from(grads, py::handle(), DType::f64)) {
    for (const auto &[name, buffer] : set.map)
      outputs.entries.emplace_back(name, buffer->view());
  }
};

} // namespace

void registerTraining(py::module_ &m) {
  py::class_<GradientAccumulator>(
      m, "GradientAccumulator",
      "Sums gradient dicts over micro-batches, by name.")
      .def(py::init<>())
      .def("add",
           [](GradientAccumulator &a, py::handle grads) {
             ReadOnly g(grads);
             check(a.add(g.outputs));
           })
      .def("sum", [](const GradientAccumulator &a) { return toDict(unwrap(a.sum())); })
      .def("mean",
           [](const GradientAccumulator &a) { return toDict(unwrap(a.mean())); })
      .def_property_readonly("count", &GradientAccumulator::count)
      .def("reset", &GradientAccumulator::reset);

  m.def(
      "clip_by_value",
      [](py::handle grads, double lo, double hi) {
        Outputs g = writable(grads);
        check(clipByValue(g, lo, hi));
        return grads;
      },
      py::arg("grads"), py::arg("lo"), py::arg("hi"),
      "Clamps every element into [lo, hi], in place (NaN stays NaN).");
  m.def(
      "clip_by_global_norm",
      [](py::handle grads, double maxNorm) {
        Outputs g = writable(grads);
        return unwrap(clipByGlobalNorm(g, maxNorm));
      },
      py::arg("grads"), py::arg("max_norm"),
      "Scales the gradients in place so that their global L2 norm is at "
      "most max_norm; returns the norm before clipping.");

  py::class_<LossScaler>(m, "LossScaler",
                         "Loss scaling for f32 training: seed the cotangent "
                         "with scale, then unscale the gradients.")
      .def(py::init([](double initialScale, bool dynamic, double growth,
                       double backoff, int64_t growthInterval,
                       double minScale) {
             LossScaler::Options o;
             o.initialScale = initialScale;
             o.dynamic = dynamic;
             o.growth = growth;
             o.backoff = backoff;
             o.growthInterval = growthInterval;
             o.minScale = minScale;
             return LossScaler(o);
           }),
           py::kw_only(), py::arg("initial_scale") = 65536.0,
           py::arg("dynamic") = true, py::arg("growth") = 2.0,
           py::arg("backoff") = 0.5, py::arg("growth_interval") = 2000,
           py::arg("min_scale") = 1.0)
      .def_property_readonly("scale", &LossScaler::scale)
      .def_property_readonly("overflows", &LossScaler::overflows)
      .def(
          "unscale",
          [](LossScaler &s, py::handle grads) {
            Outputs g = writable(grads);
            return s.unscale(g);
          },
          "Divides the gradients by scale in place; False on overflow "
          "(skip the step).");

  m.def(
      "_gradcheck",
      [](py::handle graph, bool isPath, py::handle inputs, py::handle dtype,
         py::handle wrt, double step, double rtol, double atol,
         int64_t maxElements, uint64_t seed, const py::dict &options) {
        GraphSource source = graphFrom(graph, isPath);
        CompileOptions o = compileOptionsFrom(dtype, py::none(), options);
        InputSet in = InputSet::from(inputs, py::handle(), o.dtype);
        GradCheckOptions c;
        if (py::isinstance<py::str>(wrt))
          c.wrt.push_back(py::str(wrt));
        else if (!wrt.is_none())
          c.wrt = wrt.cast<std::vector<std::string>>();
        c.step = step;
        c.rtol = rtol;
        c.atol = atol;
        c.maxElementsPerInput = maxElements;
        c.seed = seed;
        absl::StatusOr<GradCheckReport> report = absl::UnknownError("not run");
        {
          py::gil_scoped_release nogil;
          report = gradcheck(source.text, source.format, o, in.map, c);
        }
        GradCheckReport r = unwrap(std::move(report));
        py::dict out;
        out["ok"] = r.ok;
        out["checked"] = r.checked;
        out["max_abs_error"] = r.maxAbsError;
        out["max_rel_error"] = r.maxRelError;
        py::list mismatches;
        for (const auto &mm : r.mismatches) {
          py::dict d;
          d["input"] = mm.input;
          d["index"] = mm.index;
          d["analytic"] = mm.analytic;
          d["numeric"] = mm.numeric;
          mismatches.append(d);
        }
        out["mismatches"] = mismatches;
        out["report"] = r.str();
        return out;
      });
}

} // namespace tl::python
