//===- Options.cpp - Python arguments as CompileOptions -------------------===//

#include "Options.h"
#include "Arrays.h"
#include "Errors.h"

#include <pybind11/stl.h>

#include <functional>

namespace py = pybind11;

namespace tl::python {
namespace {

std::string typeName(py::handle value) {
  return py::str(py::type::handle_of(value).attr("__name__"));
}

bool asBool(const char *name, py::handle v) {
  if (!py::isinstance<py::bool_>(v))
    throw py::type_error(std::string("option '") + name +
                         "' takes True or False; got " + typeName(v));
  return v.cast<bool>();
}
int64_t asInt(const char *name, py::handle v, int64_t lo) {
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
    throw py::type_error(std::string("option '") + name +
                         "' takes an int; got " + typeName(v));
  int64_t x = v.cast<int64_t>();
  if (x < lo)
    throw py::value_error(std::string("option '") + name + "' must be >= " +
                          std::to_string(lo) + "; got " + std::to_string(x));
  return x;
}
double asFloat(const char *name, py::handle v) {
  if (!py::isinstance<py::float_>(v) && !py::isinstance<py::int_>(v))
    throw py::type_error(std::string("option '") + name +
                         "' takes a number; got " + typeName(v));
  return v.cast<double>();
}
std::string asPath(const char *name, py::handle v) {
  if (!py::isinstance<py::str>(v) && !py::hasattr(v, "__fspath__"))
    throw py::type_error(std::string("option '") + name +
                         "' takes a str or os.PathLike; got " + typeName(v));
  return py::str(py::module_::import("os").attr("fspath")(v));
}

using Setter = std::function<void(CompileOptions &, py::handle)>;

const std::vector<std::pair<const char *, Setter>> &setters() {
  static const std::vector<std::pair<const char *, Setter>> table = {
      {"dtype_from_graph",
       [](CompileOptions &o, py::handle v) {
         o.dtypeFromGraph = asBool("dtype_from_graph", v);
       }},
      {"strict_inputs",
       [](CompileOptions &o, py::handle v) {
         o.strictInputs = asBool("strict_inputs", v);
       }},
      {"hot_threshold",
       [](CompileOptions &o, py::handle v) {
         o.hotThreshold = int(asInt("hot_threshold", v, 0));
       }},
      {"max_versions",
       [](CompileOptions &o, py::handle v) {
         o.maxVersions = int(asInt("max_versions", v, 1));
       }},
      {"tune",
       [](CompileOptions &o, py::handle v) { o.tune = asFloat("tune", v); }},
      {"value_profiles",
       [](CompileOptions &o, py::handle v) {
         o.valueProfiles = asBool("value_profiles", v);
       }},
      {"function",
       [](CompileOptions &o, py::handle v) {
         if (!py::isinstance<py::str>(v))
           throw py::type_error("option 'function' takes a str; got " +
                                typeName(v));
         o.function = py::str(v);
       }},
      {"opt_level",
       [](CompileOptions &o, py::handle v) {
         int64_t level = asInt("opt_level", v, 0);
         if (level > 3)
           throw py::value_error("option 'opt_level' is 0 to 3; got " +
                                 std::to_string(level));
         o.optLevel = unsigned(level);
       }},
      {"vectorize", [](CompileOptions &o,
                       py::handle v) { o.vectorize = asBool("vectorize", v); }},
      {"cpu", [](CompileOptions &o, py::handle v) { o.cpu = py::str(v); }},
      {"features",
       [](CompileOptions &o, py::handle v) { o.features = py::str(v); }},
      {"device",
       [](CompileOptions &o, py::handle v) {
         std::string d = py::str(v);
         if (d != "cpu" && d != "cuda")
           throw py::value_error("option 'device' is \"cpu\" or \"cuda\"; got '" +
                                 d + "'");
         o.device = d;
       }},
      {"gpu_arch",
       [](CompileOptions &o, py::handle v) { o.gpuArch = py::str(v); }},
      {"gpu_format",
       [](CompileOptions &o, py::handle v) { o.gpuFormat = py::str(v); }},
      {"threads",
       [](CompileOptions &o, py::handle v) {
         o.threads = int(asInt("threads", v, 0));
       }},
      {"onednn",
       [](CompileOptions &o, py::handle v) { o.onednn = asBool("onednn", v); }},
      {"blas",
       [](CompileOptions &o, py::handle v) { o.blas = asBool("blas", v); }},
      {"approximate_exp",
       [](CompileOptions &o, py::handle v) {
         o.approximateExp = asBool("approximate_exp", v);
       }},
      {"profile", [](CompileOptions &o,
                     py::handle v) { o.profile = asBool("profile", v); }},
      {"cache",
       [](CompileOptions &o, py::handle v) { o.cache = asBool("cache", v); }},
      {"cache_dir", [](CompileOptions &o,
                       py::handle v) { o.cacheDir = asPath("cache_dir", v); }},
      {"sparse_threshold",
       [](CompileOptions &o, py::handle v) {
         double t = asFloat("sparse_threshold", v);
         if (!(t >= 0 && t <= 1))
           throw py::value_error(
               "option 'sparse_threshold' is a density between 0 and 1; "
               "got " +
               std::to_string(t));
         o.sparseThreshold = t;
       }},
      {"cache_max_bytes",
       [](CompileOptions &o, py::handle v) {
         o.cacheMaxBytes = uint64_t(asInt("cache_max_bytes", v, 0));
       }},
      {"expose_intermediates",
       [](CompileOptions &o, py::handle v) {
         o.exposeIntermediates = asBool("expose_intermediates", v);
       }},
  };
  return table;
}

std::vector<int64_t> shapeFrom(const std::string &name, py::handle value) {
  if (py::isinstance<py::str>(value)) {
    auto parsed = parseShapeSpec(name + "=" + std::string(py::str(value)));
    return unwrap(std::move(parsed)).second;
  }
  if (!py::isinstance<py::sequence>(value))
    throwStatus(absl::InvalidArgumentError(
        "shapes['" + name + "'] is a tuple of sizes (None or -1 where only "
        "the call knows it) or a string like '?x8'; got " + typeName(value)));
  std::vector<int64_t> shape;
  for (py::handle d : py::reinterpret_borrow<py::sequence>(value)) {
    if (d.is_none() || (py::isinstance<py::str>(d) && py::str(d).cast<std::string>() == "?")) {
      shape.push_back(-1);
      continue;
    }
    if (!py::isinstance<py::int_>(d) || py::isinstance<py::bool_>(d) ||
        d.cast<int64_t>() < -1)
      throwStatus(absl::InvalidArgumentError(
          "shapes['" + name + "'] has size " + std::string(py::repr(d)) +
          "; a size is an int >= 0, or None / -1 / '?' for one known only "
          "at the call"));
    shape.push_back(d.cast<int64_t>());
  }
  return shape;
}

} // namespace

std::map<std::string, std::vector<int64_t>> shapesFrom(py::handle shapes) {
  if (!py::isinstance<py::dict>(shapes))
    throwStatus(absl::InvalidArgumentError(
        "shapes are a dict of input shapes by name; got " + typeName(shapes)));
  std::map<std::string, std::vector<int64_t>> out;
  for (auto item : py::reinterpret_borrow<py::dict>(shapes)) {
    std::string name = py::str(item.first);
    out[name] = shapeFrom(name, item.second);
  }
  return out;
}

CompileOptions compileOptionsFrom(py::handle dtype, py::handle shapes,
                                  const py::dict &options) {
  CompileOptions o;
  o.dtype = dtypeFrom(dtype);
  if (!shapes.is_none())
    o.inputShapes = shapesFrom(shapes);
  for (auto item : options) {
    std::string key = py::str(item.first);
    bool known = false;
    for (const auto &[name, set] : setters())
      if (key == name) {
        set(o, item.second);
        known = true;
      }
    if (!known) {
      std::string names;
      for (const auto &[name, set] : setters())
        names += std::string(names.empty() ? "" : ", ") + name;
      throw py::type_error("unknown option '" + key + "'; the options are " +
                           names + " (docs/Python.md)");
    }
  }
  return o;
}

StreamOptions streamOptionsFrom(py::dict &options) {
  StreamOptions s;
  auto take = [&](const char *key) -> py::object {
    if (!options.contains(key))
      return py::none();
    py::object v = options[key];
    PyDict_DelItemString(options.ptr(), key);
    return v;
  };
  py::object inputs = take("inputs");
  if (inputs.is_none() || !py::isinstance<py::dict>(inputs))
    throw py::type_error("tl.stream needs inputs={name: '.npy path'}");
  for (auto item : py::reinterpret_borrow<py::dict>(inputs))
    s.inputFiles[py::str(item.first)] = asPath("inputs", item.second);
  py::object streamed = take("streamed");
  if (py::isinstance<py::str>(streamed))
    s.streamed.push_back(py::str(streamed));
  else if (!streamed.is_none())
    s.streamed = streamed.cast<std::vector<std::string>>();
  if (py::object v = take("memory_budget"); !v.is_none())
    s.memoryBudget = asInt("memory_budget", v, 1);
  if (py::object v = take("chunk_rows"); !v.is_none())
    s.chunkRows = asInt("chunk_rows", v, 0);
  if (py::object v = take("output_dir"); !v.is_none())
    s.outputDir = asPath("output_dir", v);
  if (py::object v = take("checkpoint"); !v.is_none())
    s.checkpoint = asPath("checkpoint", v);
  if (py::object v = take("throttle_ms"); !v.is_none())
    s.throttleMs = int(asInt("throttle_ms", v, 0));
  return s;
}

GraphSource graphFrom(py::handle graph, bool isPath) {
  if (isPath)
    return unwrap(readGraphFile(py::str(graph)));
  GraphSource source;
  source.text = py::str(graph);
  source.format = resolveGraphFormat(source.text, GraphFormat::kAuto);
  return source;
}

} // namespace tl::python
