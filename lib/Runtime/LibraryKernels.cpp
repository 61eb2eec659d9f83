//===- LibraryKernels.cpp - GEMMs that libraries run for generated code ---===//
//
// f32: oneDNN, linked. f64: OpenBLAS, loaded with dlopen on the first f64
// GEMM, so that a process that never runs one pays neither its load time
// nor its thread pool, and a machine without it still runs every module
// (the GEMM then runs as a plain loop, and --capabilities says so).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/LibraryKernels.h"
#include "tl/Runtime/HostCPU.h"
#include "tl/Runtime/RuntimeABI.h"
#include "tl/Runtime/ThreadPool.h"

#include <oneapi/dnnl/dnnl.h>

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

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

/// OpenMP's thread count on this thread set to 1 while it lives. Debian
/// builds oneDNN on OpenMP, which sizes each parallel region by this
/// count: at 1, oneDNN runs on the calling thread and starts no team.
/// Reached through the OpenMP library oneDNN already loaded (we link no
/// OpenMP of our own); without one it does nothing.
class SerialOpenMp {
public:
  SerialOpenMp() {
    const Api &api = get();
    if (api.maxThreads && api.setThreads && (saved = api.maxThreads()) != 1)
      api.setThreads(1);
  }
  ~SerialOpenMp() {
    if (saved > 1)
      get().setThreads(saved);
  }
  SerialOpenMp(const SerialOpenMp &) = delete;
  SerialOpenMp &operator=(const SerialOpenMp &) = delete;

private:
  struct Api {
    int (*maxThreads)() = nullptr;
    void (*setThreads)(int) = nullptr;
  };
  static const Api &get() {
    static const Api api = [] {
      Api found;
      for (const char *name : {"libgomp.so.1", "libiomp5.so", "libomp.so.5"})
        if (void *lib = dlopen(name, RTLD_NOW | RTLD_NOLOAD)) {
          found.maxThreads =
              reinterpret_cast<int (*)()>(dlsym(lib, "omp_get_max_threads"));
          found.setThreads =
              reinterpret_cast<void (*)(int)>(dlsym(lib, "omp_set_num_threads"));
          break;
        }
      return found;
    }();
    return api;
  }
  int saved = 0;
};

/// Runs f(begin, end) over [0, extent) cut into at most one part per pool
/// thread, each at least `minPart` long, with oneDNN serial inside: the
/// pool's threads run the libraries' work too, so no second team of
/// threads spins while ours works (or the other way round) between a GEMM
/// and the element-wise loops around it, and TL_NUM_THREADS bounds both.
template <typename F>
void onPoolThreads(int64_t extent, int64_t minPart, F f) {
  tl::runtime::ThreadPool &pool = tl::runtime::ThreadPool::global();
  int64_t parts = std::clamp<int64_t>(extent / minPart, 1, pool.size());
  pool.parallelFor(parts, [&](int64_t p) {
    SerialOpenMp serial;
    f(extent * p / parts, extent * (p + 1) / parts);
  });
}

/// C += A x B on this thread through `library(ta, tb, m, n, k, a, lda, b,
/// ldb, c, ldc)` when the strides give it a row-major C and unit-stride
/// operands and it succeeds, else by plain loops.
template <typename T, typename Library>
void gemmWith(Library library, const T *a, int64_t m, int64_t k, int64_t aS0,
              int64_t aS1, const T *b, int64_t n, int64_t bS0, int64_t bS1,
              T *c, int64_t cS0, int64_t cS1) {
  char ta, tb, tc;
  int64_t lda = 0, ldb = 0, ldc = 0;
  if (gemmLayout(m, k, aS0, aS1, ta, lda) &&
      gemmLayout(k, n, bS0, bS1, tb, ldb) &&
      gemmLayout(m, n, cS0, cS1, tc, ldc) && tc == 'N' &&
      library(ta, tb, m, n, k, a, lda, b, ldb, c, ldc))
    return;
  gemmLoop(a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

void sgemmSerial(const float *a, int64_t m, int64_t k, int64_t aS0,
                 int64_t aS1, const float *b, int64_t n, int64_t bS0,
                 int64_t bS1, float *c, int64_t cS0, int64_t cS1) {
  auto onednn = [](char ta, char tb, int64_t m, int64_t n, int64_t k,
                   const float *a, int64_t lda, const float *b, int64_t ldb,
                   float *c, int64_t ldc) {
    return dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c, ldc) ==
           dnnl_success;
  };
  gemmWith(onednn, a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

/// Rows of C per pool thread, or columns when C is wider than tall.
constexpr int64_t kMinGemmPart = 32;

/// C += A x B split over the pool's threads by rows of C (or columns when
/// C is wider than tall), each part run by `serial` on its thread.
template <typename T, typename Serial>
void gemmOnPool(Serial serial, const T *a, int64_t m, int64_t k, int64_t aS0,
                int64_t aS1, const T *b, int64_t n, int64_t bS0, int64_t bS1,
                T *c, int64_t cS0, int64_t cS1) {
  if (m == 0 || n == 0 || k == 0)
    return;
  if (m >= n)
    onPoolThreads(m, kMinGemmPart, [&](int64_t i0, int64_t i1) {
      serial(a + i0 * aS0, i1 - i0, k, aS0, aS1, b, n, bS0, bS1,
             c + i0 * cS0, cS0, cS1);
    });
  else
    onPoolThreads(n, kMinGemmPart, [&](int64_t j0, int64_t j1) {
      serial(a, m, k, aS0, aS1, b + j0 * bS1, j1 - j0, bS0, bS1,
             c + j0 * cS1, cS0, cS1);
    });
}

void sgemm(const float *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
           const float *b, int64_t n, int64_t bS0, int64_t bS1, float *c,
           int64_t cS0, int64_t cS1) {
  gemmOnPool(sgemmSerial, a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
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
    constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
    dgemmFn(kRowMajor, ta == 'N' ? kNoTrans : kTrans,
            tb == 'N' ? kNoTrans : kTrans, int(m), int(n), int(k), 1.0, a,
            int(lda), b, int(ldb), 1.0, c, int(ldc));
    return true;
  }

  /// OpenBLAS at one thread while it lives: our pool's threads run its
  /// kernels (onPoolThreads), and its own threads, which spin for a long
  /// time after each call, are never woken. OpenBLAS's count is global
  /// (a NumPy in the same process shares it), so the first of concurrent
  /// guards saves it and the last puts it back.
  class Serial {
  public:
    explicit Serial(const OpenBlas &blas) : blas(blas) {
      if (!blas.setThreadsFn || !blas.getThreadsFn)
        return;
      std::lock_guard<std::mutex> lock(blas.serialMutex);
      if (blas.serialDepth++ == 0 &&
          (blas.savedThreads = blas.getThreadsFn()) != 1)
        blas.setThreadsFn(1);
    }
    ~Serial() {
      if (!blas.setThreadsFn || !blas.getThreadsFn)
        return;
      std::lock_guard<std::mutex> lock(blas.serialMutex);
      if (--blas.serialDepth == 0 && blas.savedThreads != 1)
        blas.setThreadsFn(blas.savedThreads);
    }
    Serial(const Serial &) = delete;
    Serial &operator=(const Serial &) = delete;

  private:
    const OpenBlas &blas;
  };

private:
  using Dgemm = void (*)(int, int, int, int, int, int, double,
                         const double *, int, const double *, int, double,
                         double *, int);
  using SetThreads = void (*)(int);
  using GetThreads = int (*)();
  using GetConfig = const char *(*)();

  OpenBlas() {
    const char *env = std::getenv("TL_BLAS_LIBRARY");
    const char *name = env && *env ? env : "libopenblas.so.0";
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    // OpenBLAS picks its kernels from the CPU's model number, read once
    // when it loads. On a CPU it does not know (a virtual machine that
    // reports a generic model, as ours here) it falls back to Prescott's
    // SSE3 kernels, a third of the speed of its AVX-512 ones. Unless the
    // user chose (OPENBLAS_CORETYPE) or someone loaded it already, tell
    // it what the CPU can do for the duration of the load.
    const char *core = nullptr;
    if (!lib && !std::getenv("OPENBLAS_CORETYPE")) {
      if (tl::runtime::hostHasFeature("avx512f") &&
          tl::runtime::hostHasFeature("avx512vl") &&
          tl::runtime::hostHasFeature("avx512dq"))
        core = "SkylakeX";
      else if (tl::runtime::hostHasFeature("avx2") &&
               tl::runtime::hostHasFeature("fma"))
        core = "Haswell";
    }
    if (core)
      setenv("OPENBLAS_CORETYPE", core, 0);
    if (!lib)
      lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (core)
      unsetenv("OPENBLAS_CORETYPE");
    if (!lib) {
      const char *why = dlerror();
      text = why ? why : name;
      return;
    }
    dgemmFn = reinterpret_cast<Dgemm>(dlsym(lib, "cblas_dgemm"));
    setThreadsFn =
        reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads"));
    getThreadsFn =
        reinterpret_cast<GetThreads>(dlsym(lib, "openblas_get_num_threads"));
    auto config = reinterpret_cast<GetConfig>(dlsym(lib, "openblas_get_config"));
    if (!dgemmFn) {
      text = std::string(name) + " has no cblas_dgemm";
      return;
    }
    text = config ? config() : name; // names the kernels' core
  }

  Dgemm dgemmFn = nullptr;
  SetThreads setThreadsFn = nullptr;
  GetThreads getThreadsFn = nullptr;
  mutable std::mutex serialMutex;
  mutable int serialDepth = 0;
  mutable int savedThreads = 0;
  std::string text;
};

void dgemmSerial(const double *a, int64_t m, int64_t k, int64_t aS0,
                 int64_t aS1, const double *b, int64_t n, int64_t bS0,
                 int64_t bS1, double *c, int64_t cS0, int64_t cS1) {
  auto openblas = [](char ta, char tb, int64_t m, int64_t n, int64_t k,
                     const double *a, int64_t lda, const double *b,
                     int64_t ldb, double *c, int64_t ldc) {
    return OpenBlas::get().dgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
  };
  gemmWith(openblas, a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

void dgemm(const double *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
           const double *b, int64_t n, int64_t bS0, int64_t bS1, double *c,
           int64_t cS0, int64_t cS1) {
  OpenBlas::Serial serial(OpenBlas::get());
  gemmOnPool(dgemmSerial, a, m, k, aS0, aS1, b, n, bS0, bS1, c, cS0, cS1);
}

} // namespace

bool tl::runtime::blasAvailable() { return OpenBlas::get().available(); }

const std::string &tl::runtime::blasDescription() {
  return OpenBlas::get().description();
}

namespace {

/// A batched matmul as one oneDNN primitive, C += A x B over the batch
/// (the generated code zero-fills C first, as for sgemm), created once per
/// shape and strides and kept: each pool thread runs its share of the
/// batch as one call instead of one sgemm call per batch item.
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
    // Destroyed when the thread ends: pool workers end with their pool.
    struct ThreadStream {
      dnnl_stream_t stream = nullptr;
      ~ThreadStream() {
        if (stream)
          dnnl_stream_destroy(stream);
      }
    };
    thread_local ThreadStream local;
    dnnl_stream_t &stream = local.stream;
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
    // The scratchpad is this thread's: oneDNN's own would be shared by
    // the pool threads running this primitive at once.
    thread_local std::vector<char> scratch;
    if (scratch.size() < scratchBytes)
      scratch.resize(scratchBytes);
    dnnl_memory_t ms = nullptr;
    if (scratchBytes &&
        dnnl_memory_create(&ms, &dscratch, engine(), scratch.data()) !=
            dnnl_success)
      ms = nullptr;
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, ma},
                               {DNNL_ARG_WEIGHTS, mb},
                               {DNNL_ARG_DST, mc},
                               {DNNL_ARG_SCRATCHPAD, ms}};
    bool ok = (!scratchBytes || ms) &&
              dnnl_primitive_execute(primitive, stream, ms ? 4 : 3, args) ==
                  dnnl_success &&
              dnnl_stream_wait(stream) == dnnl_success;
    dnnl_memory_destroy(ma);
    dnnl_memory_destroy(mb);
    dnnl_memory_destroy(mc);
    if (ms)
      dnnl_memory_destroy(ms);
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
              dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success &&
              dnnl_primitive_attr_set_scratchpad_mode(
                  attr, dnnl_scratchpad_mode_user) == dnnl_success;
    dnnl_primitive_desc_t pd = nullptr;
    ok = ok && dnnl_primitive_desc_create(&pd, &desc, attr, engine(),
                                          nullptr) == dnnl_success;
    if (ok) {
      const dnnl_memory_desc_t *scratch =
          dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
      if (scratch) {
        m->dscratch = *scratch;
        m->scratchBytes = dnnl_memory_desc_get_size(scratch);
      }
    }
    ok = ok && dnnl_primitive_create(&m->primitive, pd) == dnnl_success;
    if (pd)
      dnnl_primitive_desc_destroy(pd);
    if (attr)
      dnnl_primitive_attr_destroy(attr);
    if (ops)
      dnnl_post_ops_destroy(ops);
    return ok ? std::move(m) : nullptr;
  }

  dnnl_memory_desc_t da, db, dc, dscratch;
  size_t scratchBytes = 0;
  dnnl_primitive_t primitive = nullptr;
};

} // namespace

extern "C" void tl_rt_sgemm(float *, float *a, int64_t aOff, int64_t m,
                            int64_t k, int64_t aS0, int64_t aS1, float *,
                            float *b, int64_t bOff, int64_t, int64_t n,
                            int64_t bS0, int64_t bS1, float *, float *c,
                            int64_t cOff, int64_t, int64_t, int64_t cS0,
                            int64_t cS1) {
  sgemm(a + aOff, m, k, aS0, aS1, b + bOff, n, bS0, bS1, c + cOff, cS0, cS1);
}

extern "C" void tl_rt_batch_sgemm(
    float *, float *a, int64_t aOff, int64_t batch, int64_t m, int64_t k,
    int64_t aS0, int64_t aS1, int64_t aS2, float *, float *b, int64_t bOff,
    int64_t, int64_t, int64_t n, int64_t bS0, int64_t bS1, int64_t bS2,
    float *, float *c, int64_t cOff, int64_t, int64_t, int64_t, int64_t cS0,
    int64_t cS1, int64_t cS2) {
  if (m == 0 || n == 0 || k == 0)
    return;
  if (batch < 2) {
    for (int64_t i = 0; i < batch; ++i)
      sgemm(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n, bS1,
            bS2, c + cOff + i * cS0, cS1, cS2);
    return;
  }
  // Each pool thread runs one primitive over its share of the batch
  // (created on that thread, so serial), or item by item if oneDNN
  // refuses the shape.
  onPoolThreads(batch, 1, [&](int64_t b0, int64_t b1) {
    const BatchMatmul *op = BatchMatmul::get(
        {b1 - b0, m, k, n, aS0, aS1, aS2, bS0, bS1, bS2, cS0, cS1, cS2});
    if (op && op->run(a + aOff + b0 * aS0, b + bOff + b0 * bS0,
                      c + cOff + b0 * cS0))
      return;
    for (int64_t i = b0; i < b1; ++i)
      sgemmSerial(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n,
                  bS1, bS2, c + cOff + i * cS0, cS1, cS2);
  });
}

extern "C" void tl_rt_dgemm(double *, double *a, int64_t aOff, int64_t m,
                            int64_t k, int64_t aS0, int64_t aS1, double *,
                            double *b, int64_t bOff, int64_t, int64_t n,
                            int64_t bS0, int64_t bS1, double *, double *c,
                            int64_t cOff, int64_t, int64_t, int64_t cS0,
                            int64_t cS1) {
  dgemm(a + aOff, m, k, aS0, aS1, b + bOff, n, bS0, bS1, c + cOff, cS0, cS1);
}

extern "C" void tl_rt_batch_dgemm(
    double *, double *a, int64_t aOff, int64_t batch, int64_t m, int64_t k,
    int64_t aS0, int64_t aS1, int64_t aS2, double *, double *b, int64_t bOff,
    int64_t, int64_t, int64_t n, int64_t bS0, int64_t bS1, int64_t bS2,
    double *, double *c, int64_t cOff, int64_t, int64_t, int64_t, int64_t cS0,
    int64_t cS1, int64_t cS2) {
  for (int64_t i = 0; i < batch; ++i)
    dgemm(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n, bS1, bS2,
          c + cOff + i * cS0, cS1, cS2);
}
