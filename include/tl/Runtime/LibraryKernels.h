//===- LibraryKernels.h - the libraries that run GEMMs for generated code -===//
//
// Generated code calls tl_rt_sgemm/tl_rt_dgemm (RuntimeABI.h); these say
// which library is behind them on this machine.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_LIBRARYKERNELS_H
#define TL_RUNTIME_LIBRARYKERNELS_H

#include <string>

namespace tl::runtime {

/// Whether OpenBLAS runs the f64 GEMMs (libopenblas.so.0, or
/// $TL_BLAS_LIBRARY); without it they run as plain loops. Loads it on
/// first use.
bool blasAvailable();
/// OpenBLAS's configuration ("OpenBLAS 0.3.21 DYNAMIC_ARCH ...") when it
/// is available, else why not (the loader's message).
const std::string &blasDescription();

} // namespace tl::runtime

#endif // TL_RUNTIME_LIBRARYKERNELS_H
