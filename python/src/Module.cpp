//===- Module.cpp - the _tl extension module ------------------------------===//
//
// `import tl` loads this (python/tl/__init__.py re-exports it and adds the
// parts written in Python). Only the library API (include/tl/API) is
// bound: no MLIR or LLVM type reaches Python.
//
//===----------------------------------------------------------------------===//

#include "Arrays.h"
#include "Errors.h"
#include "Executable.h"
#include "Options.h"

#include "tl/API/Capabilities.h"
#include "tl/API/Streaming.h"
#include "tl/Version.h"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace tl::python {
void registerTraining(py::module_ &m);
} // namespace tl::python

using namespace tl::python;

PYBIND11_MODULE(_tl, m) {
  m.doc() = "tl: a compiler for TensorLogic (docs/Python.md)";
  m.attr("__version__") = TL_VERSION;
  registerErrors(m);
  registerArrays(m);
  registerExecutable(m);
  registerTraining(m);

  m.def(
      "capabilities",
      [] {
        tl::Capabilities c = tl::queryCapabilities();
        py::dict d;
        d["version"] = c.version;
        d["dtypes"] = c.dtypes;
        d["unary_ops"] = c.unaryOps;
        d["binary_ops"] = c.binaryOps;
        d["reduce_ops"] = c.reduceOps;
        d["features"] = c.features;
        d["devices"] = c.devices;
        d["cpu"] = c.cpuName;
        d["cpu_features"] = c.cpuFeatures;
        d["hardware_threads"] = c.hardwareThreads;
        d["threads"] = c.threads;
        d["onednn"] = c.onednn;
        d["onednn_version"] = c.onednnVersion;
        d["blas"] = c.blas;
        d["blas_note"] = c.blasNote;
        d["cuda"] = c.cuda;
        d["cuda_note"] = c.cudaNote;
        d["cuda_driver"] = c.cudaDriver;
        py::list gpus;
        for (const auto &g : c.gpus) {
          py::dict gpu;
          gpu["name"] = g.name;
          gpu["arch"] = g.arch;
          gpu["multiprocessors"] = g.multiprocessors;
          gpu["memory_bytes"] = g.memoryBytes;
          gpus.append(gpu);
        }
        d["gpus"] = gpus;
        return d;
      },
      "What this build and machine support (tl-jit --capabilities).");

  m.def(
      "_stream",
      [](py::handle graph, bool isPath, py::handle dtype, py::dict options) {
        tl::StreamOptions s = streamOptionsFrom(options);
        tl::GraphSource source = graphFrom(graph, isPath);
        tl::CompileOptions o = compileOptionsFrom(dtype, py::none(), options);
        absl::StatusOr<tl::StreamReport> report =
            absl::UnknownError("not run");
        {
          py::gil_scoped_release nogil;
          report = tl::runStreaming(source.text, source.format, o, s);
        }
        tl::StreamReport r = unwrap(std::move(report));
        py::dict d;
        d["rows"] = r.rows;
        d["chunk_rows"] = r.chunkRows;
        d["chunks"] = r.chunks;
        d["resumed_at_row"] = r.resumedAtRow;
        d["baseline_bytes"] = r.baselineBytes;
        d["peak_bytes"] = r.peakBytes;
        d["output_files"] = r.outputFiles;
        d["report"] = r.str();
        return d;
      });

  m.def(
      "_emit",
      [](py::handle graph, bool isPath, const std::string &stage,
         py::handle shapes, py::handle dtype, const py::dict &options) {
        tl::GraphSource source = graphFrom(graph, isPath);
        tl::CompileOptions o = compileOptionsFrom(dtype, shapes, options);
        absl::StatusOr<std::string> text = absl::UnknownError("not emitted");
        {
          py::gil_scoped_release nogil;
          text = tl::emitGraph(source.text, source.format, o, stage);
        }
        return unwrap(std::move(text));
      });
  m.def("emit_stages", &tl::emitStages,
        "The stages tl.emit prints (tl-jit --emit).");

  m.def("resident_bytes", &tl::residentBytes,
        "The process's resident memory now, in bytes.");
  m.def(
      "peak_resident_bytes",
      [](bool reset) {
        int64_t peak = tl::peakResidentBytesSinceReset();
        if (reset)
          tl::resetPeakResident();
        return peak;
      },
      py::arg("reset") = false,
      "The high-water mark of resident memory since the last reset.");
  m.def("clear_in_process_cache", &tl::Executable::clearInProcessCache,
        "Forgets the modules compiled or loaded by this process (the disk "
        "cache stays).");
}
