//===- LibraryKernels.cpp - GEMMs that libraries run for generated code ---===//
//
// f32: oneDNN, linked. f64: OpenBLAS, loaded with dlopen on the first f64
// GEMM, so that a process that never runs one pays neither its load time
// nor its thread pool, and a machine without it still runs every module
// (the GEMM then runs as a plain loop, and --capabilities says so).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/LibraryKernels.h"
#include "tl/Runtime/RuntimeABI.h"
#include "tl/Runtime/ThreadPool.h"

#include <oneapi/dnnl/dnnl.h>

#include <dlfcn.h>

#include <array>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

namespace {

/// Leading dimension and transpose flag of a row-major view with strides
/// (s0, s1), or false when neither stride is 1 (oneDNN cannot take it).
bool gemmLayout(int64_t rows, int64_t cols, int64_t s0, int64_t s1,
                char &trans, int64_t &ld) {
  if (s1 == 1 && (s0 >= cols || rows == 1)) {
    trans = 'N';
    ld = rows == 1 ? cols : s0;
    return true;
  }
  if (s0 == 1 && (s1 >= rows || cols == 1)) {
    trans = 'T';
    ld = cols == 1 ? rows : s1;
    return true;
  }
  return false;
}

/// C += A x B by plain loops: for layouts no library takes (no unit
/// stride) and f64 without OpenBLAS.
template <typename T>
void gemmLoop(const T *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
              const T *b, int64_t n, int64_t bS0, int64_t bS1, T *c,
              int64_t cS0, int64_t cS1) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      T x = a[i * aS0 + p * aS1];
      for (int64_t j = 0; j < n; ++j)
        c[i * cS0 + j * cS1] += x * b[p * bS0 + j * bS1];
    }
}

void sgemm(const float *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
           const float *b, int64_t n, int64_t bS0, int64_t bS1, float *c,
           int64_t cS0, int64_t cS1) {
  if (m == 0 || n == 0 || k == 0)
    return;
  char ta, tb, tc;
  int64_t lda, ldb, ldc;
  ldb = ldc = lda = 0;
  if (gemmLayout(m, k, aS0, aS1, ta, lda) &&
      gemmLayout(k, n, bS0, bS1, tb, ldb) &&
      gemmLayout(m, n, cS0, cS1, tc, ldc) && tc == 'N' &&
      dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c, ldc) ==
          dnnl_success)
    return;
  gemmLoop(a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

/// OpenBLAS's CBLAS entry points, resolved once. Declared here rather
/// than through cblas.h: the build needs no BLAS headers, only the run
/// needs the library. Debian's OpenBLAS takes 32-bit sizes (LP64).
class OpenBlas {
public:
  static const OpenBlas &get() {
    static const OpenBlas blas;
    return blas;
  }

  bool available() const { return dgemmFn != nullptr; }
  const std::string &description() const { return text; }

  /// C += A x B (row-major, transposes 'N' or 'T'); false when a size does
  /// not fit OpenBLAS's int or the library is absent.
  bool dgemm(char ta, char tb, int64_t m, int64_t n, int64_t k,
             const double *a, int64_t lda, const double *b, int64_t ldb,
             double *c, int64_t ldc) const {
    if (!dgemmFn)
      return false;
    for (int64_t v : {m, n, k, lda, ldb, ldc})
      if (v > INT_MAX)
        return false;
    // OpenBLAS keeps its own threads; give it as many as our pool has, so
    // TL_NUM_THREADS and setNumThreads bound it too.
    int want = tl::runtime::ThreadPool::global().size();
    if (setThreadsFn && threads.exchange(want) != want)
      setThreadsFn(want);
    constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
    dgemmFn(kRowMajor, ta == 'N' ? kNoTrans : kTrans,
            tb == 'N' ? kNoTrans : kTrans, int(m), int(n), int(k), 1.0, a,
            int(lda), b, int(ldb), 1.0, c, int(ldc));
    return true;
  }

private:
  using Dgemm = void (*)(int, int, int, int, int, int, double,
                         const double *, int, const double *, int, double,
                         double *, int);
  using SetThreads = void (*)(int);
  using GetConfig = const char *(*)();

  OpenBlas() {
    const char *env = std::getenv("TL_BLAS_LIBRARY");
    const char *name = env && *env ? env : "libopenblas.so.0";
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *why = dlerror();
      text = why ? why : name;
      return;
    }
    dgemmFn = reinterpret_cast<Dgemm>(dlsym(lib, "cblas_dgemm"));
    setThreadsFn =
        reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads"));
    auto config = reinterpret_cast<GetConfig>(dlsym(lib, "openblas_get_config"));
    if (!dgemmFn) {
      text = std::string(name) + " has no cblas_dgemm";
      return;
    }
    text = config ? config() : name;
  }

  Dgemm dgemmFn = nullptr;
  SetThreads setThreadsFn = nullptr;
  mutable std::atomic<int> threads{0};
  std::string text;
};

void dgemm(const double *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
           const double *b, int64_t n, int64_t bS0, int64_t bS1, double *c,
           int64_t cS0, int64_t cS1) {
  if (m == 0 || n == 0 || k == 0)
    return;
  char ta, tb, tc;
  int64_t lda, ldb, ldc;
  ldb = ldc = lda = 0;
  if (gemmLayout(m, k, aS0, aS1, ta, lda) &&
      gemmLayout(k, n, bS0, bS1, tb, ldb) &&
      gemmLayout(m, n, cS0, cS1, tc, ldc) && tc == 'N' &&
      OpenBlas::get().dgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc))
    return;
  gemmLoop(a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

} // namespace

bool tl::runtime::blasAvailable() { return OpenBlas::get().available(); }

const std::string &tl::runtime::blasDescription() {
  return OpenBlas::get().description();
}

namespace {

/// A batched matmul as one oneDNN primitive, C += A x B over the batch
/// (the generated code zero-fills C first, as for sgemm), created once per
/// shape and strides and kept: one call runs the whole batch on oneDNN's
/// threads instead of one sgemm call per batch item.
class BatchMatmul {
public:
  using Key = std::array<int64_t, 13>;

  /// The primitive for `key` (batch, m, k, n, then the strides of A, B,
  /// C), or null when oneDNN refuses it (the caller loops over sgemm).
  static const BatchMatmul *get(const Key &key) {
    static std::mutex mutex;
    static auto *cache = new std::map<Key, std::unique_ptr<BatchMatmul>>();
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache->find(key);
    if (it == cache->end())
      it = cache->emplace(key, create(key)).first;
    return it->second.get();
  }

  /// Runs it on this thread's stream; false when oneDNN reports an error.
  bool run(const float *a, const float *b, float *c) const {
    thread_local dnnl_stream_t stream = nullptr;
    if (!stream && dnnl_stream_create(&stream, engine(),
                                      dnnl_stream_default_flags) != dnnl_success)
      return false;
    dnnl_memory_t ma, mb, mc;
    if (dnnl_memory_create(&ma, &da, engine(), const_cast<float *>(a)) !=
        dnnl_success)
      return false;
    if (dnnl_memory_create(&mb, &db, engine(), const_cast<float *>(b)) !=
        dnnl_success) {
      dnnl_memory_destroy(ma);
      return false;
    }
    if (dnnl_memory_create(&mc, &dc, engine(), c) != dnnl_success) {
      dnnl_memory_destroy(ma);
      dnnl_memory_destroy(mb);
      return false;
    }
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma},
                               {DNNL_ARG_WEIGHTS, mb},
                               {DNNL_ARG_DST, mc}};
    bool ok = dnnl_primitive_execute(primitive, stream, 3, args) ==
                  dnnl_success &&
              dnnl_stream_wait(stream) == dnnl_success;
    dnnl_memory_destroy(ma);
    dnnl_memory_destroy(mb);
    dnnl_memory_destroy(mc);
    return ok;
  }

private:
  static dnnl_engine_t engine() {
    static dnnl_engine_t e = [] {
      dnnl_engine_t made = nullptr;
      if (dnnl_engine_create(&made, dnnl_cpu, 0) != dnnl_success)
        return static_cast<dnnl_engine_t>(nullptr);
      return made;
    }();
    return e;
  }

  static std::unique_ptr<BatchMatmul> create(const Key &key) {
    if (!engine())
      return nullptr;
    auto m = std::make_unique<BatchMatmul>();
    const int64_t batch = key[0], rows = key[1], inner = key[2], cols = key[3];
    dnnl_dims_t aDims = {batch, rows, inner}, bDims = {batch, inner, cols},
                cDims = {batch, rows, cols};
    dnnl_dims_t aStrides = {key[4], key[5], key[6]},
                bStrides = {key[7], key[8], key[9]},
                cStrides = {key[10], key[11], key[12]};
    if (dnnl_memory_desc_init_by_strides(&m->da, 3, aDims, dnnl_f32,
                                         aStrides) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&m->db, 3, bDims, dnnl_f32,
                                         bStrides) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&m->dc, 3, cDims, dnnl_f32,
                                         cStrides) != dnnl_success)
      return nullptr;
    dnnl_matmul_desc_t desc;
    if (dnnl_matmul_desc_init(&desc, &m->da, &m->db, nullptr, &m->dc) !=
        dnnl_success)
      return nullptr;
    // C += A x B: a sum post-op keeps what C holds.
    dnnl_post_ops_t ops = nullptr;
    dnnl_primitive_attr_t attr = nullptr;
    bool ok = dnnl_post_ops_create(&ops) == dnnl_success &&
              dnnl_post_ops_append_sum(ops, 1.0f) == dnnl_success &&
              dnnl_primitive_attr_create(&attr) == dnnl_success &&
              dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success;
    dnnl_primitive_desc_t pd = nullptr;
    ok = ok && dnnl_primitive_desc_create(&pd, &desc, attr, engine(),
                                          nullptr) == dnnl_success;
    ok = ok && dnnl_primitive_create(&m->primitive, pd) == dnnl_success;
    if (pd)
      dnnl_primitive_desc_destroy(pd);
    if (attr)
      dnnl_primitive_attr_destroy(attr);
    if (ops)
      dnnl_post_ops_destroy(ops);
    return ok ? std::move(m) : nullptr;
  }

  dnnl_memory_desc_t da, db, dc;
  dnnl_primitive_t primitive = nullptr;
};

/// oneDNN and OpenBLAS run on threads of their own: our spinning workers
/// go to sleep first so they do not take the cores those threads need.
void handCoresToLibrary() { tl::runtime::ThreadPool::global().park(); }
} // namespace

extern "C" void tl_rt_sgemm(float *, float *a, int64_t aOff, int64_t m,
                            int64_t k, int64_t aS0, int64_t aS1, float *,
                            float *b, int64_t bOff, int64_t, int64_t n,
                            int64_t bS0, int64_t bS1, float *, float *c,
                            int64_t cOff, int64_t, int64_t, int64_t cS0,
                            int64_t cS1) {
  handCoresToLibrary();
  sgemm(a + aOff, m, k, aS0, aS1, b + bOff, n, bS0, bS1, c + cOff, cS0, cS1);
}

extern "C" void tl_rt_batch_sgemm(
    float *, float *a, int64_t aOff, int64_t batch, int64_t m, int64_t k,
    int64_t aS0, int64_t aS1, int64_t aS2, float *, float *b, int64_t bOff,
    int64_t, int64_t, int64_t n, int64_t bS0, int64_t bS1, int64_t bS2,
    float *, float *c, int64_t cOff, int64_t, int64_t, int64_t, int64_t cS0,
    int64_t cS1, int64_t cS2) {
  handCoresToLibrary();
  if (batch > 1 && m > 0 && n > 0 && k > 0) {
    const BatchMatmul *op = BatchMatmul::get(
        {batch, m, k, n, aS0, aS1, aS2, bS0, bS1, bS2, cS0, cS1, cS2});
    if (op && op->run(a + aOff, b + bOff, c + cOff))
      return;
  }
  for (int64_t i = 0; i < batch; ++i)
    sgemm(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n, bS1, bS2,
          c + cOff + i * cS0, cS1, cS2);
}

extern "C" void tl_rt_dgemm(double *, double *a, int64_t aOff, int64_t m,
                            int64_t k, int64_t aS0, int64_t aS1, double *,
                            double *b, int64_t bOff, int64_t, int64_t n,
                            int64_t bS0, int64_t bS1, double *, double *c,
                            int64_t cOff, int64_t, int64_t, int64_t cS0,
                            int64_t cS1) {
  handCoresToLibrary();
  dgemm(a + aOff, m, k, aS0, aS1, b + bOff, n, bS0, bS1, c + cOff, cS0, cS1);
}

extern "C" void tl_rt_batch_dgemm(
    double *, double *a, int64_t aOff, int64_t batch, int64_t m, int64_t k,
    int64_t aS0, int64_t aS1, int64_t aS2, double *, double *b, int64_t bOff,
    int64_t, int64_t, int64_t n, int64_t bS0, int64_t bS1, int64_t bS2,
    double *, double *c, int64_t cOff, int64_t, int64_t, int64_t, int64_t cS0,
    int64_t cS1, int64_t cS2) {
  handCoresToLibrary();
  for (int64_t i = 0; i < batch; ++i)
    dgemm(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n, bS1, bS2,
          c + cOff + i * cS0, cS1, cS2);
}
