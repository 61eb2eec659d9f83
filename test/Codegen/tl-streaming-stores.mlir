// RUN: tl-opt %s --split-input-file --tl-streaming-stores=min-bytes=4096 | FileCheck %s

// A chunked single-pass kernel writing a 16 KiB out-parameter it never
// reads: inside each chunk, the loop is versioned on the buffer's
// alignment (tested through an opaque copy of the address); the aligned
// version streams its stores and fences after them, the other keeps
// ordinary stores.
// CHECK-LABEL: func.func private @tl_rt_store_fence()
// CHECK-LABEL: func.func @chunks
// CHECK: scf.forall
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[I:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: %[[O:.*]] = llvm.inline_asm "", "=r,0" %[[I]]
// CHECK: %[[L:.*]] = arith.andi %[[O]], %c63
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[L]]
// CHECK: scf.if %[[OK]] {
// CHECK-NEXT: memref.assume_alignment %arg1, 64
// CHECK: scf.for
// CHECK: vector.store {{.*}} {nontemporal = true}
// CHECK: func.call @tl_rt_store_fence()
// CHECK: } else {
// CHECK: scf.for
// CHECK: vector.store
// CHECK-NOT: nontemporal
// CHECK-NOT: func.call
// CHECK: }
func.func @chunks(%in: memref<4096xf32>, %out: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c2048 = arith.constant 2048 : index
  %pad = arith.constant 0.0 : f32
  scf.forall (%t) in (2) {
    %base = arith.muli %t, %c2048 : index
    %dst = memref.subview %out[%base] [2048] [1] : memref<4096xf32> to memref<2048xf32, strided<[1], offset: ?>>
    scf.for %i = %c0 to %c2048 step %c16 {
      %k = arith.addi %base, %i : index
      %v = vector.transfer_read %in[%k], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
      %w = arith.addf %v, %v : vector<16xf32>
      vector.transfer_write %w, %dst[%i] {in_bounds = [true]} : vector<16xf32>, memref<2048xf32, strided<[1], offset: ?>>
    }
  }
  return
}

// -----

// Serial code: the loop in the function body is versioned, and the fence
// follows it.
// CHECK-LABEL: func.func @serial
// CHECK-NOT: scf.forall
// CHECK: scf.if
// CHECK: scf.for
// CHECK: vector.store {{.*}} {nontemporal = true}
// CHECK: }
// CHECK-NEXT: func.call @tl_rt_store_fence()
func.func @serial(%in: memref<2048xf64>, %out: memref<2048xf64>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c2048 = arith.constant 2048 : index
  %pad = arith.constant 0.0 : f64
  scf.for %i = %c0 to %c2048 step %c8 {
    %v = vector.transfer_read %in[%i], %pad {in_bounds = [true]} : memref<2048xf64>, vector<8xf64>
    vector.transfer_write %v, %out[%i] {in_bounds = [true]} : vector<8xf64>, memref<2048xf64>
  }
  return
}

// -----

// Below min-bytes: the output may stay in cache for its reader.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.if
// CHECK: vector.transfer_write
// CHECK-NOT: tl_rt_store_fence
func.func @small(%in: memref<512xf32>, %out: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c512 step %c16 {
    %v = vector.transfer_read %in[%i], %pad {in_bounds = [true]} : memref<512xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%i] {in_bounds = [true]} : vector<16xf32>, memref<512xf32>
  }
  return
}

// -----

// An output the function reads back (an accumulation) keeps ordinary
// stores: its lines are wanted in cache.
// CHECK-LABEL: func.func @read_back
// CHECK-NOT: nontemporal
// CHECK-NOT: scf.if
func.func @read_back(%in: memref<4096xf32>, %out: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4096 step %c16 {
    %v = vector.transfer_read %in[%i], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
    %o = vector.transfer_read %out[%i], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
    %s = arith.addf %v, %o : vector<16xf32>
    vector.transfer_write %s, %out[%i] {in_bounds = [true]} : vector<16xf32>, memref<4096xf32>
  }
  return
}

// -----

// A masked (out-of-bounds) write is not a whole-vector store: unchanged.
// CHECK-LABEL: func.func @partial
// CHECK-NOT: nontemporal
// CHECK: vector.transfer_write
func.func @partial(%in: memref<2050xf32>, %out: memref<2050xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c2050 = arith.constant 2050 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c2050 step %c16 {
    %v = vector.transfer_read %in[%i], %pad : memref<2050xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%i] : vector<16xf32>, memref<2050xf32>
  }
  return
}
