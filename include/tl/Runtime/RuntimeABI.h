//===- RuntimeABI.h - functions generated code calls -------------*- C++ -*-===//
//
// The C entry points that compiled graphs call, and the table the JIT uses
// to resolve them (the executables link the runtime statically, so the
// symbols are not in the process's dynamic symbol table).
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_RUNTIMEABI_H
#define TL_RUNTIME_RUNTIMEABI_H

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <utility>
#include <vector>

extern "C" {
/// The memory compiled code allocates: the loader binds the object's
/// malloc, aligned_alloc, free, calloc and realloc to these
/// (Allocator.cpp). Blocks are
/// 64-byte aligned; large ones are cached for the next call.
void *tl_rt_malloc(size_t size);
void *tl_rt_aligned_alloc(size_t alignment, size_t size);
void tl_rt_free(void *ptr);
void *tl_rt_calloc(size_t count, size_t size);
void *tl_rt_realloc(void *ptr, size_t size);

/// Runs body(i, i + 1, ctx) for every i in [0, trips) on the global thread
/// pool (tl-outline-parallel emits the calls).
void tl_rt_parallel_for(int64_t trips,
                        void (*body)(int64_t lo, int64_t hi, void *ctx),
                        void *ctx);

/// Orders the non-temporal stores this thread issued before its later
/// stores (sfence on x86): tl-streaming-stores calls it after the loops
/// that stream an output, so a chunk's writes are visible before the
/// pool reports the chunk done.
void tl_rt_store_fence();

/// Bracket one node's kernel in code compiled with the `profile` option
/// (tl-instrument-nodes); recorded only while a profile is being taken
/// (Profiler.h).
void tl_rt_span_begin(int64_t id);
void tl_rt_span_end(int64_t id);

/// Records for the calling thread that a tl.fixpoint loop ran
/// max_iterations iterations and still changed an element by `change`
/// (CallStatus.h): the call then fails. tl-call-kernels emits it for
/// tl.no_fixpoint; `site` indexes Signature::fixpointSites.
void tl_rt_fixpoint_diverged(int64_t site, int64_t iterations, double change,
                             double tolerance);

/// The same event for a tl.fixpoint with warn_at_limit: the call succeeds
/// with the last states, and the message becomes one of the calling
/// thread's run warnings (CallStatus.h).
void tl_rt_fixpoint_limit_reached(int64_t site, int64_t iterations,
                                  double change, double tolerance);

/// The transitive closure of the square relation E (entries > 0) into R,
/// 1 for a pair joined by a path and 0 otherwise, by semi-naive search
/// over bit rows (Closure.cpp): tl.semi_naive_closure, whose attributes
/// follow the two memref descriptors. Returns 0, R unwritten, when an
/// entry of E is negative, NaN or infinite; records a tl.fixpoint failure
/// (as tl_rt_fixpoint_diverged) when the plain loop from `start` (0:
/// zeros, 1: E) would need more than max_iterations iterations.
int64_t tl_rt_closure_f32(float *, float *e, int64_t eOff, int64_t n,
                          int64_t m, int64_t eS0, int64_t eS1, float *,
                          float *r, int64_t rOff, int64_t, int64_t,
                          int64_t rS0, int64_t rS1, int64_t start,
                          int64_t maxIterations, int64_t site,
                          double tolerance);
int64_t tl_rt_closure_f64(double *, double *e, int64_t eOff, int64_t n,
                          int64_t m, int64_t eS0, int64_t eS1, double *,
                          double *r, int64_t rOff, int64_t, int64_t,
                          int64_t rS0, int64_t rS1, int64_t start,
                          int64_t maxIterations, int64_t site,
                          double tolerance);

/// The fixpoint from zeros of R = step(B + L R M) (entries > 0; L or M
/// the identity when has_left / has_right is 0, its descriptor then
/// ignored), semi-naively over bit rows (LinearRule.cpp):
/// tl.semi_naive_rule. Four memref descriptors (B, L, M, R), then the op's
/// attributes. Returns 0, R unwritten, when the loop's step could depend on
/// the values (a negative, NaN or infinite entry; a sum that could
/// overflow; a product that could round to zero); records a tl.fixpoint
/// failure when the loop would need more than max_iterations iterations.
int64_t tl_rt_linear_rule_f32(
    float *, float *b, int64_t bOff, int64_t bN, int64_t bM, int64_t bS0,
    int64_t bS1, float *, float *l, int64_t lOff, int64_t lN, int64_t lM,
    int64_t lS0, int64_t lS1, float *, float *m, int64_t mOff, int64_t mN,
    int64_t mM, int64_t mS0, int64_t mS1, float *, float *r, int64_t rOff,
    int64_t, int64_t, int64_t rS0, int64_t rS1, int64_t hasLeft,
    int64_t hasRight, int64_t maxIterations, int64_t site, double tolerance);
int64_t tl_rt_linear_rule_f64(
    double *, double *b, int64_t bOff, int64_t bN, int64_t bM, int64_t bS0,
    int64_t bS1, double *, double *l, int64_t lOff, int64_t lN, int64_t lM,
    int64_t lS0, int64_t lS1, double *, double *m, int64_t mOff, int64_t mN,
    int64_t mM, int64_t mS0, int64_t mS1, double *, double *r, int64_t rOff,
    int64_t, int64_t, int64_t rS0, int64_t rS1, int64_t hasLeft,
    int64_t hasRight, int64_t maxIterations, int64_t site, double tolerance);

/// C += A * B for f32 matrices given as MLIR memref descriptors
/// (allocated, aligned, offset, sizes, strides): A is MxK, B KxN, C MxN.
/// oneDNN's sgemm when each operand has a unit stride in one dimension,
/// a plain loop otherwise. tl-call-kernels emits the calls.
void tl_rt_sgemm(float *aBase, float *a, int64_t aOff, int64_t m, int64_t k,
                 int64_t aS0, int64_t aS1, float *bBase, float *b,
                 int64_t bOff, int64_t k2, int64_t n, int64_t bS0,
                 int64_t bS1, float *cBase, float *c, int64_t cOff,
                 int64_t m2, int64_t n2, int64_t cS0, int64_t cS1);

/// The same per batch: A is BxMxK, B BxKxN, C BxMxN; the whole batch in
/// one oneDNN matmul primitive (created once per shape and strides), one
/// sgemm per item where oneDNN refuses the layout.
void tl_rt_batch_sgemm(float *aBase, float *a, int64_t aOff, int64_t batch,
                       int64_t m, int64_t k, int64_t aS0, int64_t aS1,
                       int64_t aS2, float *bBase, float *b, int64_t bOff,
                       int64_t batch2, int64_t k2, int64_t n, int64_t bS0,
                       int64_t bS1, int64_t bS2, float *cBase, float *c,
                       int64_t cOff, int64_t batch3, int64_t m2, int64_t n2,
                       int64_t cS0, int64_t cS1, int64_t cS2);

/// The same for f64 matrices, through OpenBLAS's cblas_dgemm (loaded on
/// first use, LibraryKernels.h); a plain loop when it is absent or an
/// operand has no unit stride. The batched form calls dgemm per item.
void tl_rt_dgemm(double *aBase, double *a, int64_t aOff, int64_t m, int64_t k,
                 int64_t aS0, int64_t aS1, double *bBase, double *b,
                 int64_t bOff, int64_t k2, int64_t n, int64_t bS0,
                 int64_t bS1, double *cBase, double *c, int64_t cOff,
                 int64_t m2, int64_t n2, int64_t cS0, int64_t cS1);
void tl_rt_batch_dgemm(double *aBase, double *a, int64_t aOff, int64_t batch,
                       int64_t m, int64_t k, int64_t aS0, int64_t aS1,
                       int64_t aS2, double *bBase, double *b, int64_t bOff,
                       int64_t batch2, int64_t k2, int64_t n, int64_t bS0,
                       int64_t bS1, int64_t bS2, double *cBase, double *c,
                       int64_t cOff, int64_t batch3, int64_t m2, int64_t n2,
                       int64_t cS0, int64_t cS1, int64_t cS2);
}

namespace tl::runtime {

/// Name and address of every entry point above, under the names generated
/// code calls them by (malloc is tl_rt_malloc).
std::vector<std::pair<const char *, void *>> runtimeSymbols();

/// Returns the blocks the allocator keeps for reuse to the system.
void releaseCachedMemory();

/// Records, while it lives, every block tl_rt_malloc hands out on this
/// thread and tl_rt_free has not taken back: code that does not free all
/// its temporaries (MLIR 19's sparsifier leaves a sparse temporary's
/// buffers) is cleaned up after its call by freeLive(). One per thread at
/// a time.
class CallAllocations {
public:
  CallAllocations();
  ~CallAllocations();
  CallAllocations(const CallAllocations &) = delete;
  CallAllocations &operator=(const CallAllocations &) = delete;
  /// Frees every recorded block still live (and stops recording).
  void freeLive();

private:
  std::unordered_set<void *> live;
};

} // namespace tl::runtime

#endif // TL_RUNTIME_RUNTIMEABI_H
