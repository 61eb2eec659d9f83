// Every tunable linalg op gets its key; a record filed under that key puts
// its measured decision on the op (tl.tuned), and the passes that choose
// follow it: here the 256^3 f32 GEMM, which the volume rule sends to
// oneDNN, stays generated code because a record says so.
// RUN: tl-opt %s --tl-cpu-pipeline="l1=32768 l2=1048576 l3=33554432 vector-bytes=64 threads=2" --mlir-print-ir-after=tl-apply-tuning 2>&1 >/dev/null | FileCheck %s --check-prefix=KEYED
// KEYED: module attributes {tl.tunable_ops = [{{.*}}"[[KEY:[0-9a-f]+]]:matmul-f32"{{.*}}], tl.tuned_ops = 0 : i64}
// KEYED: linalg.matmul {{{.*}}tl.op_key = "[[KEY]]"}

// A record in the documented format (include/tl/Codegen/TuningRecords.h),
// written the way the tuner writes it, and a damaged one beside it.
// RUN: rm -rf %t && mkdir -p %t
// RUN: tl-opt %s --tl-cpu-pipeline="l1=32768 l2=1048576 l3=33554432 vector-bytes=64 threads=2" --mlir-print-ir-after=tl-apply-tuning 2>&1 >/dev/null | %numpy_python -c "import hashlib,re,sys; k=re.search(r'linalg.matmul {[^}]*tl.op_key = \"([0-9a-f]+)\"', sys.stdin.read()).group(1); b='tl-tuning-record 1\nkey %%s\nop linalg.matmul\nkernel generated\nchunks-per-thread 0\nspeedup 1.250\n' %% k; open(sys.argv[1]+'/'+k+'.rec','w').write(b+'sha256 '+hashlib.sha256(b.encode()).hexdigest()+'\n'); open(sys.argv[1]+'/0000000000000000.rec','w').write('tl-tuning-record 1\nkey 0000000000000000\nkernel onednn\nsha256 00\n')" %t

// tl-opt reproduces the tuned compile from the folder.
// RUN: tl-opt %s --tl-cpu-pipeline="tuning-records=%t l1=32768 l2=1048576 l3=33554432 vector-bytes=64 threads=2" --mlir-print-ir-after=tl-apply-tuning 2>&1 >/dev/null | FileCheck %s --check-prefix=TUNED
// TUNED: tl.tuned_ops = 1 : i64
// TUNED: linalg.matmul {{{.*}}tl.op_key = "{{[0-9a-f]+}}", tl.tuned = {chunks_per_thread = 0 : i64, kernel = "generated"}}

// oneDNN without the record, generated code with it.
// RUN: tl-opt %s --tl-cpu-pipeline="l1=32768 l2=1048576 l3=33554432 vector-bytes=64 threads=2" | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: llvm.call @tl_rt_sgemm
// RUN: tl-opt %s --tl-cpu-pipeline="tuning-records=%t l1=32768 l2=1048576 l3=33554432 vector-bytes=64 threads=2" | FileCheck %s --check-prefix=FOLLOWED
// FOLLOWED-NOT: tl_rt_sgemm
// FOLLOWED: llvm.func @main
// FOLLOWED-NOT: tl_rt_sgemm

func.func @main(%a: tensor<256x256xf32> {tl.name = "a"}, %b: tensor<256x256xf32> {tl.name = "b"}) -> tensor<256x256xf32> {
  %c = tl.einsum "ik,kj->ij" %a, %b : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %c : tensor<256x256xf32>
}
