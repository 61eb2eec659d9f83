//===- Print.h - arrays as the tools print them -----------------*- C++ -*-===//
//
// IREE's layout, shared by tl-jit and tl-run:
//
//   result[0]: grandparent[ac]
//   2x2xf64=[0 1][1 0]
//
// A vector prints as "3xf64=1 2 3", a 0-d array as "f64=0.5". A sparse
// tensor prints its type and one nonzero per line:
//
//   result[0]: path[xy]
//   1000x1000xf64 sparse, 2 nonzeros (density 2e-06)
//     (0, 17) 1
//     (5, 3) 1

//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_PRINT_H
#define TL_IO_PRINT_H

#include "tl/IO/Array.h"
#include "tl/Runtime/SparseBuffer.h"

#include <cstdint>
#include <ostream>
#include <string>

namespace tl::io {

/// Prints output `index` named `name`, at most `limit` elements (then
/// "...").
void printArray(std::ostream &os, size_t index, const std::string &name,
                const Array &array, int64_t limit);
/// Prints a sparse output: at most `limit` nonzeros (then "...").
void printSparse(std::ostream &os, size_t index, const std::string &name,
                 const runtime::SparseBuffer &tensor, int64_t limit);

} // namespace tl::io

#endif // TL_IO_PRINT_H
