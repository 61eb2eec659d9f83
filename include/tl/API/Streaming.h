//===- Streaming.h - graphs over inputs larger than memory ------*- C++ -*-===//
//
//   StreamOptions s;
//   s.inputFiles = {{"knows", "knows.npy"}, {"likes", "likes.npy"}};
//   s.streamed = {"knows"};          // chunked along dimension 0
//   s.memoryBudget = 64 << 20;
//   s.outputDir = "out";
//   s.checkpoint = "out/run.ckpt";   // resumable after a crash
//   auto report = runStreaming(text, GraphFormat::kAuto, CompileOptions(), s);
//
// Inputs are memory-mapped .npy files, read one chunk of rows at a time;
// outputs are written to <outputDir>/<output name>.npy as chunks complete
// (outputs that keep the streamed axis), or accumulated across chunks and
// written at the end (reductions over it: sum, max, min, mean, prod). The
// chunk size comes from the budget. With a checkpoint, a run killed at any
// point resumes after its last completed chunk and writes exactly what an
// uninterrupted run writes. This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_STREAMING_H
#define TL_API_STREAMING_H

#include "tl/API/Executable.h"

namespace tl {

struct StreamOptions {
  /// The .npy file of every input array, by the name the graph binds.
  std::map<std::string, std::string> inputFiles;
  /// The arrays chunked along their first dimension (one entity axis: all
  /// the same extent). The others are read whole.
  std::vector<std::string> streamed;
  /// Bytes the run may add to the process's resident memory once compiled
  /// (chunks, temporaries, accumulators, whole inputs).
  int64_t memoryBudget = int64_t(256) << 20;
  /// Rows per chunk; 0 chooses the largest that fits the budget.
  int64_t chunkRows = 0;
  std::string outputDir;
  /// If set: progress is recorded there after every chunk, and a run that
  /// finds one resumes from it (it must be the same graph and inputs).
  std::string checkpoint;
  /// Sleep after each chunk (tests kill a run mid-way with it).
  int throttleMs = 0;
};

struct StreamReport {
  int64_t rows = 0, chunkRows = 0, chunks = 0;
  int64_t resumedAtRow = 0; // > 0 when a checkpoint was resumed
  /// Resident memory when streaming started (after compiling) and its
  /// peak during the run (the process's high-water mark, reset at start).
  int64_t baselineBytes = 0, peakBytes = 0;
  std::vector<std::string> outputFiles;
  std::string str() const;
};

absl::StatusOr<StreamReport> runStreaming(std::string_view text,
                                          GraphFormat format,
                                          const CompileOptions &options,
                                          const StreamOptions &stream);

/// The resident set size now and its high-water mark (/proc/self/status),
/// and a reset of the mark (false where the kernel does not allow it).
int64_t residentBytes();
int64_t peakResidentBytesSinceReset();
bool resetPeakResident();

} // namespace tl

#endif // TL_API_STREAMING_H
