//===- Print.cpp - arrays as the tools print them -------------------------===//

#include "tl/IO/Print.h"

#include <algorithm>
#include <cstdio>

using namespace tl::io;

static void printNumber(std::ostream &os, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  os << buf;
}

void tl::io::printArray(std::ostream &os, size_t index, const std::string &name,
                        const Array &array, int64_t limit) {
  os << "result[" << index << "]: " << name << "\n";
  for (int64_t d : array.shape)
    os << d << "x";
  os << (array.dtype == DType::f32 ? "f32" : "f64") << "=";
  std::vector<double> values = array.toDoubles();
  size_t rank = array.shape.size();
  std::vector<int64_t> idx(rank, 0);
  int64_t n = static_cast<int64_t>(values.size());
  int64_t shown = std::min<int64_t>(n, limit);
  if (rank == 0) {
    printNumber(os, values[0]);
    os << "\n";
    return;
  }
  for (int64_t i = 0; i < shown; ++i) {
    // Open a bracket for every inner dimension whose index just became 0
    // (IREE leaves the outermost level bare: 2x2xf64=[1 2][3 4]).
    for (size_t d = 1; d < rank; ++d)
      if (std::all_of(idx.begin() + d, idx.end(),
                      [](int64_t v) { return v == 0; }))
        os << "[";
    if (idx[rank - 1] != 0 || (rank == 1 && i > 0))
      os << " ";
    printNumber(os, values[i]);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < array.shape[d])
        break;
      idx[d] = 0;
      if (d > 0)
        os << "]";
    }
  }
  if (shown < n)
    os << "...";
  os << "\n";
}

void tl::io::printSparse(std::ostream &os, size_t index,
                         const std::string &name,
                         const runtime::SparseBuffer &tensor, int64_t limit) {
  os << "result[" << index << "]: " << name << "\n";
  for (int64_t d : tensor.shape)
    os << d << "x";
  os << runtime::dtypeName(tensor.dtype()) << " sparse, " << tensor.nnz()
     << " nonzero" << (tensor.nnz() == 1 ? "" : "s") << " (density ";
  printNumber(os, tensor.density());
  os << ")\n";
  int64_t shown = std::min<int64_t>(tensor.nnz(), limit);
  for (int64_t k = 0; k < shown; ++k) {
    std::vector<int64_t> c = tensor.coordinate(k);
    os << "  (";
    for (size_t d = 0; d < c.size(); ++d)
      os << (d ? ", " : "") << c[d];
    os << (c.size() == 1 ? ",) " : ") ");
    printNumber(os, tensor.values.at(k));
    os << "\n";
  }
  if (shown < tensor.nnz())
    os << "  ... (" << tensor.nnz() - shown << " more)\n";
}
