//===- sparse_graphblas.cpp - SuiteSparse:GraphBLAS, the W9 peer ----------===//
//
// bench/sparse.py's GraphBLAS peer: P @ Q for two CSR matrices read from
// SciPy .npz files, in the plus-times semiring over f32 and in LOR_LAND
// over bool (the Boolean join), each the median of `runs` after one
// warm-up, on `threads` threads. Prints one line per semiring:
//
//   plus_times_fp32 ms=12.3 nnz=9990049
//
// usage: tl-bench-sparse-graphblas P.npz Q.npz THREADS RUNS
//
//===----------------------------------------------------------------------===//

#include "tl/IO/SparseNpz.h"

extern "C" {
#include <GraphBLAS.h>
}

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void check(GrB_Info info, const char *what) {
  if (info != GrB_SUCCESS) {
    std::fprintf(stderr, "GraphBLAS: %s failed (%d)\n", what, int(info));
    std::exit(1);
  }
}

/// `s` (CSR) as a GraphBLAS matrix of f32 or bool.
GrB_Matrix import(const tl::runtime::SparseBuffer &s, bool boolean) {
  std::vector<GrB_Index> p(s.positions.begin(), s.positions.end());
  std::vector<GrB_Index> j(s.coordinates.begin(), s.coordinates.end());
  GrB_Matrix m;
  GrB_Index rows = s.shape[0], cols = s.shape[1], nnz = s.nnz();
  if (boolean) {
    std::vector<char> ones(nnz, 1);
    check(GrB_Matrix_import_BOOL(&m, GrB_BOOL, rows, cols, p.data(), j.data(),
                                 reinterpret_cast<const bool *>(ones.data()),
                                 p.size(), j.size(), nnz, GrB_CSR_FORMAT),
          "import bool");
  } else {
    std::vector<float> v(nnz);
    for (GrB_Index k = 0; k < nnz; ++k)
      v[k] = float(s.values.at(k));
    check(GrB_Matrix_import_FP32(&m, GrB_FP32, rows, cols, p.data(), j.data(),
                                 v.data(), p.size(), j.size(), nnz,
                                 GrB_CSR_FORMAT),
          "import fp32");
  }
  return m;
}

void timeMxm(const char *name, GrB_Matrix a, GrB_Matrix b, GrB_Type type,
          GrB_Semiring semiring, int runs) {
  std::vector<double> ms;
  GrB_Index nnz = 0;
  for (int r = 0; r <= runs; ++r) {
    GrB_Matrix c;
    GrB_Index n, m;
    check(GrB_Matrix_nrows(&n, a), "nrows");
    check(GrB_Matrix_ncols(&m, b), "ncols");
    auto start = std::chrono::steady_clock::now();
    check(GrB_Matrix_new(&c, type, n, m), "new");
    check(GrB_mxm(c, nullptr, nullptr, semiring, a, b, nullptr), "mxm");
    check(GrB_Matrix_wait(c, GrB_MATERIALIZE), "wait");
    auto end = std::chrono::steady_clock::now();
    check(GrB_Matrix_nvals(&nnz, c), "nvals");
    GrB_Matrix_free(&c);
    if (r > 0) // the first is a warm-up
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%s ms=%.3f nnz=%llu\n", name, ms[ms.size() / 2],
              (unsigned long long)nnz);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: tl-bench-sparse-graphblas P.npz Q.npz THREADS RUNS\n");
    return 2;
  }
  auto p = tl::io::readSparseNpz(argv[1]);
  auto q = tl::io::readSparseNpz(argv[2]);
  if (!p.ok() || !q.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string((p.ok() ? q.status() : p.status()).message()).c_str());
    return 1;
  }
  check(GrB_init(GrB_NONBLOCKING), "init");
  check(GxB_Global_Option_set(GxB_GLOBAL_NTHREADS, std::atoi(argv[3])),
        "threads");
  int runs = std::max(1, std::atoi(argv[4]));
  GrB_Matrix a = import(*p, false), b = import(*q, false);
  timeMxm("plus_times_fp32", a, b, GrB_FP32, GrB_PLUS_TIMES_SEMIRING_FP32, runs);
  GrB_Matrix ab = import(*p, true), bb = import(*q, true);
  timeMxm("lor_land_bool", ab, bb, GrB_BOOL, GrB_LOR_LAND_SEMIRING_BOOL, runs);
  GrB_Matrix_free(&a);
  GrB_Matrix_free(&b);
  GrB_Matrix_free(&ab);
  GrB_Matrix_free(&bb);
  GrB_finalize();
  return 0;
}
