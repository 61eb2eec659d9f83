//===- Streaming.cpp - graphs over inputs larger than memory ---------------===//
//
// Plan (tl::planStreaming decides per output: concatenate, reduce across
// chunks, or write once), compile for the chunk shapes (and the last,
// shorter chunk) before measuring memory, then for each chunk: map its
// rows of every streamed input, run, write or accumulate, record the
// checkpoint. The checkpoint is written after the chunk's output rows are
// on disk, by rename, so a kill at any point leaves either the old or the
// new one; a resumed chunk is recomputed and written to the same place.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Streaming.h"

#include "SourceFormat.h"

#include "tl/Driver/GraphRunner.h"
#include "tl/Driver/StreamPlan.h"
#include "tl/IO/Npy.h"
#include "tl/IO/StreamCheckpoint.h"
#include "tl/Runtime/RuntimeABI.h"
#include "tl/Runtime/Sha256.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <thread>

using namespace tl;
namespace io = mlir::tl::io;

namespace {

absl::Status error(const std::string &msg) {
  return absl::InvalidArgumentError("streaming: " + msg);
}

/// A .npy file opened for reading rows in place.
struct InputFile {
  std::string name, path;
  int fd = -1;
  io::NpyHeader header;
  int64_t rowBytes = 0;
  ~InputFile() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// Rows [begin, end) of a C-order file, mapped; unmapped when destroyed,
/// so their pages leave the resident set.
struct MappedRows {
  void *base = MAP_FAILED;
  size_t length = 0;
  const char *data = nullptr;
  MappedRows(const InputFile &f, int64_t begin, int64_t end) {
    uint64_t offset = f.header.dataOffset + uint64_t(begin) * f.rowBytes;
    uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    uint64_t aligned = offset / page * page;
    length = size_t(offset - aligned + uint64_t(end - begin) * f.rowBytes);
    if (length == 0)
      return;
    base = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, f.fd, off_t(aligned));
    if (base != MAP_FAILED)
      data = static_cast<const char *>(base) + (offset - aligned);
  }
  ~MappedRows() {
    if (base != MAP_FAILED)
      ::munmap(base, length);
  }
};

absl::StatusOr<std::unique_ptr<InputFile>> openInput(const std::string &name,
                                                     const std::string &path) {
  auto f = std::make_unique<InputFile>();
  f->name = name;
  f->path = path;
  f->fd = ::open(path.c_str(), O_RDONLY);
  if (f->fd < 0)
    return error("cannot open '" + path + "' (input '" + name + "')");
  char head[65536];
  ssize_t n = ::pread(f->fd, head, sizeof(head), 0);
  if (n < 0)
    return error("cannot read '" + path + "'");
  auto header = io::parseNpyHeader(std::string_view(head, size_t(n)), path);
  if (!header.ok())
    return error(std::string(header.status().message()));
  f->header = *header;
  struct stat st;
  if (::fstat(f->fd, &st) != 0 ||
      uint64_t(st.st_size) < f->header.dataOffset + f->header.dataBytes)
    return error("'" + path + "' is shorter than its header says");
  return f;
}

int64_t readStatusKiB(const char *key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  size_t n = std::strlen(key);
  while (std::getline(status, line))
    if (line.compare(0, n, key) == 0)
      return std::atoll(line.c_str() + n) * 1024;
  return 0;
}

/// An output file written chunk by chunk: rows [begin, end) of dimension
/// `dim` go to their place with pwrite.
struct OutputFile {
  std::string path;
  int fd = -1;
  uint64_t dataOffset = 0;
  std::vector<int64_t> shape;
  ~OutputFile() {
    if (fd >= 0)
      ::close(fd);
  }
};

absl::Status writeAll(int fd, const char *p, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off_t(offset));
    if (w <= 0)
      return error("write failed");
    p += w;
    n -= size_t(w);
    offset += uint64_t(w);
  }
  return absl::OkStatus();
}

/// What identifies an input file's contents cheaply: its size, its
/// modification time and a hash of up to three 64 KiB samples (start,
/// middle, end), so a resume over another file of the same shape is
/// refused.
std::string fileIdentity(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return path + ": unreadable";
  std::string samples;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    const off_t kSample = 64 << 10;
    off_t size = st.st_size;
    for (off_t at : {off_t(0), size / 2, size > kSample ? size - kSample : 0}) {
      std::string buf(size_t(std::min(kSample, size)), '\0');
      ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
      samples += buf.substr(0, n > 0 ? size_t(n) : 0);
    }
    ::close(fd);
  }
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         tl::runtime::sha256Hex(samples);
}

double combine(mlir::tl::Accumulate k, double acc, double v, int64_t rows) {
  using mlir::tl::Accumulate;
  switch (k) {
  case Accumulate::sum:
    return acc + v;
  case Accumulate::mean:
    return acc + v * double(rows);
  case Accumulate::max:
    return std::fmax(acc, v);
  case Accumulate::min:
    return std::fmin(acc, v);
  case Accumulate::prod:
    return acc * v;
  }
  return acc;
}

double identity(mlir::tl::Accumulate k) {
  using mlir::tl::Accumulate;
  switch (k) {
  case Accumulate::max:
    return -std::numeric_limits<double>::infinity();
  case Accumulate::min:
    return std::numeric_limits<double>::infinity();
  case Accumulate::prod:
    return 1;
  default:
    return 0;
  }
}

} // namespace

int64_t tl::residentBytes() { return readStatusKiB("VmRSS:"); }
int64_t tl::peakResidentBytesSinceReset() { return readStatusKiB("VmHWM:"); }
bool tl::resetPeakResident() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  return bool(f.flush());
}

std::string StreamReport::str() const {
  return "streamed " + std::to_string(rows) + " rows in " +
         std::to_string(chunks) + " chunks of " + std::to_string(chunkRows) +
         (resumedAtRow ? " (resumed at row " + std::to_string(resumedAtRow) +
                             ")"
                       : std::string()) +
         "; peak resident memory " +
         std::to_string((peakBytes - baselineBytes) >> 10) +
         " KiB above the " + std::to_string(baselineBytes >> 20) +
         " MiB before streaming";
}

absl::StatusOr<StreamReport> tl::runStreaming(std::string_view text,
                                              GraphFormat format,
                                              const CompileOptions &options,
                                              const StreamOptions &stream) {
  if (stream.streamed.empty())
    return error("no input is streamed (StreamOptions::streamed is empty)");
  if (stream.outputDir.empty())
    return error("no output directory");
  format = resolveGraphFormat(text, format);
  DType dtype = options.dtype;
  int64_t elemBytes = dtype == DType::f32 ? 4 : 8;

  // Inputs: headers only; the streamed ones must agree on their rows.
  std::vector<std::unique_ptr<InputFile>> files;
  std::set<std::string> streamed(stream.streamed.begin(), stream.streamed.end());
  int64_t rows = -1;
  // The checkpoint's key: the graph, how it is computed, and every input
  // file's identity (not only its shape).
  std::string key = std::string(text) + "\ndtype=" +
                    (dtype == DType::f32 ? "f32" : "f64") +
                    "\nfunction=" + options.function + "\nstreamed=";
  for (const std::string &name : stream.streamed)
    key += name + ",";
  for (const auto &[name, path] : stream.inputFiles) {
    auto f = openInput(name, path);
    if (!f.ok())
      return f.status();
    const io::NpyHeader &h = (*f)->header;
    key += "\ninput " + name + "=" + fileIdentity(path);
    if (streamed.count(name)) {
      if (h.shape.empty())
        return error("input '" + name + "' is 0-d: it has no rows to stream");
      if (h.fortranOrder || h.bigEndian ||
          (h.dtype != io::DType::f64 && h.dtype != io::DType::f32))
        return error("streamed input '" + name + "' ('" + path +
                     "') must be a little-endian C-order f32 or f64 array");
      if (rows >= 0 && h.shape[0] != rows)
        return error("streamed inputs disagree on the streamed axis: '" +
                     name + "' has " + std::to_string(h.shape[0]) +
                     " rows, another has " + std::to_string(rows));
      rows = h.shape[0];
      (*f)->rowBytes = int64_t(h.dataBytes / uint64_t(std::max<int64_t>(rows, 1)));
    }
    files.push_back(std::move(*f));
  }
  for (const std::string &s : stream.streamed)
    if (!stream.inputFiles.count(s))
      return error("streamed input '" + s + "' has no file");
  if (rows <= 0)
    return error("the streamed axis is empty");

  auto shapesFor = [&](int64_t chunk) {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto &f : files) {
      std::vector<int64_t> s = f->header.shape;
      if (streamed.count(f->name))
        s[0] = chunk;
      shapes[f->name] = s;
    }
    return shapes;
  };

  // Plan on two rows (any count >= 2 gives the same plan).
  mlir::tl::StreamPlan plan;
  {
    mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
    mlir::tl::GraphRunner runner(&context);
    mlir::tl::RunOptions run;
    run.useF32 = dtype == DType::f32;
    run.dtypeGiven = true;
    run.functionName = options.function;
    std::vector<std::string> names;
    for (const auto &f : files)
      names.push_back(f->name);
    mlir::tl::SourceFormat source = toSourceFormat(format);
    if (llvm::Error e = runner.loadBuffer(
            llvm::StringRef(text.data(), text.size()), source,
            mlir::tl::defaultSourceName(source), names, run))
      return error(llvm::toString(std::move(e)));
    if (llvm::Error e = runner.bind(shapesFor(2)))
      return error(llvm::toString(std::move(e)));
    if (llvm::Error e =
            runner.lower(mlir::tl::Stage::tl, mlir::tl::TLCpuPipelineOptions())) {
      std::string why = llvm::toString(std::move(e));
      // Shapes that agree with every row but not with a chunk of rows:
      // the streamed axis is also used as another axis (a join of the
      // array with itself, say). A limitation of streaming, not a graph
      // error: say so, and what to do.
      CompileOptions whole = options;
      whole.inputShapes = shapesFor(rows);
      whole.cache = false;
      if (Executable::compileReference(text, format, whole).ok()) {
        std::string names;
        for (const std::string &n : stream.streamed)
          names += (names.empty() ? "'" : ", '") + n + "'";
        return error("the graph uses the streamed axis of " + names +
                     " as another axis too (for example a join of the "
                     "array with itself), so it cannot be split into "
                     "chunks of rows; run it without --stream, or stream "
                     "an array whose first axis only indexes rows (" +
                     why + ")");
      }
      return error(why);
    }
    auto p = mlir::tl::planStreaming(runner.getFunction(),
                                     runner.getSignature(), streamed, 2);
    if (!p)
      return error(llvm::toString(p.takeError()));
    plan = std::move(*p);
  }
  // Whole (not streamed) inputs count against the budget too.
  int64_t fixed = plan.fixedBytes;
  for (const auto &f : files)
    if (!streamed.count(f->name))
      fixed += int64_t(f->header.dataBytes);
  // Temporaries and allocator slack: twice the sum of all values.
  int64_t perRow = 2 * plan.bytesPerRow;
  int64_t chunk = stream.chunkRows;
  if (chunk <= 0) {
    int64_t room = stream.memoryBudget - 2 * fixed;
    if (room < perRow)
      return error("a memory budget of " + std::to_string(stream.memoryBudget) +
                   " bytes does not hold one row (" + std::to_string(perRow) +
                   " bytes per row, " + std::to_string(2 * fixed) +
                   " bytes for the rest)");
    chunk = std::min(rows, room / perRow);
  }
  chunk = std::min(chunk, rows);

  const std::string keyHash = tl::runtime::sha256Hex(key);
  // A checkpoint fixes the chunk size: the chunks already written.
  StreamReport report;
  report.rows = rows;
  std::optional<io::StreamCheckpoint> previous;
  if (!stream.checkpoint.empty()) {
    auto read = io::readStreamCheckpoint(stream.checkpoint, keyHash, rows,
                               plan.outputs.size());
    if (!read.ok())
      return read.status();
    previous = std::move(*read);
    if (previous) {
      chunk = previous->chunkRows;
      report.resumedAtRow = previous->nextRow;
    }
  }

  // Compile for the chunk and for the last, shorter one, before measuring.
  CompileOptions copts = options;
  copts.inputShapes = shapesFor(chunk);
  auto exe = Executable::compile(text, format, copts);
  if (!exe.ok())
    return exe.status();
  std::shared_ptr<const Executable> lastExe = *exe;
  if (int64_t rest = rows % chunk) {
    copts.inputShapes = shapesFor(rest);
    auto e = Executable::compile(text, format, copts);
    if (!e.ok())
      return e.status();
    lastExe = *e;
  }
  const std::vector<TensorInfo> &outInfos = (*exe)->outputs();
  if (outInfos.size() != plan.outputs.size())
    return error("internal: the plan and the executable disagree on outputs");

  // Whole inputs, read once.
  std::vector<Buffer> wholeBuffers;
  wholeBuffers.reserve(files.size());
  std::map<std::string, const Buffer *> inputs;
  for (const auto &f : files) {
    if (streamed.count(f->name))
      continue;
    auto a = io::readNpy(f->path);
    if (!a.ok())
      return error(std::string(a.status().message()));
    Buffer b = Buffer::allocate(DType::f64, a->shape);
    std::vector<double> v = a->toDoubles();
    std::copy(v.begin(), v.end(), b.data<double>());
    wholeBuffers.push_back(std::move(b));
    inputs[f->name] = &wholeBuffers.back();
  }

  // Accumulators: from the checkpoint, or the reductions' identities.
  io::StreamCheckpoint ckpt;
  ckpt.key = keyHash;
  ckpt.rows = rows;
  ckpt.chunkRows = chunk;
  std::vector<std::vector<double>> acc(plan.outputs.size());
  for (size_t k = 0; k < plan.outputs.size(); ++k) {
    if (plan.outputs[k].kind != mlir::tl::StreamedOutput::Reduce)
      continue;
    int64_t n = 1;
    for (int64_t d : outInfos[k].shape)
      n *= d;
    acc[k].assign(size_t(n), identity(plan.outputs[k].accumulate));
    if (!previous)
      continue;
    if (k >= previous->accumulators.size() ||
        previous->accumulators[k].size() != acc[k].size())
      return error("checkpoint '" + stream.checkpoint +
                   "' has no accumulator for output " + std::to_string(k));
    acc[k] = previous->accumulators[k];
  }
  report.chunkRows = chunk;

  // Output files of concatenated outputs: created (or, resuming, reopened).
  if (std::error_code ec = llvm::sys::fs::create_directories(stream.outputDir))
    return error("cannot create '" + stream.outputDir + "': " + ec.message());
  std::vector<std::unique_ptr<OutputFile>> outFiles(plan.outputs.size());
  auto outPath = [&](size_t k) {
    std::string file = outInfos[k].name;
    for (char &c : file)
      if (c == '/' || c == '\\')
        c = '_';
    llvm::SmallString<256> p(stream.outputDir);
    llvm::sys::path::append(p, file + ".npy");
    return std::string(p);
  };
  for (size_t k = 0; k < plan.outputs.size(); ++k) {
    report.outputFiles.push_back(outPath(k));
    if (plan.outputs[k].kind != mlir::tl::StreamedOutput::Concat)
      continue;
    auto f = std::make_unique<OutputFile>();
    f->path = outPath(k);
    f->shape = outInfos[k].shape;
    f->shape[plan.outputs[k].dim] = rows;
    io::Array header;
    header.dtype = dtype == DType::f32 ? io::DType::f32 : io::DType::f64;
    header.shape = f->shape;
    std::string bytes = io::serializeNpy(header); // the header alone
    f->dataOffset = bytes.size();
    uint64_t total = uint64_t(elemBytes);
    for (int64_t d : f->shape)
      total *= uint64_t(d);
    if (report.resumedAtRow) {
      // The rows before the checkpoint must still be there.
      uint64_t size = 0;
      if (llvm::sys::fs::file_size(f->path, size) ||
          size != f->dataOffset + total)
        return error("resuming from '" + stream.checkpoint + "', but '" +
                     f->path + "' is missing or has another size; delete "
                     "the checkpoint to start over");
    }
    int flags = O_RDWR | O_CREAT | (report.resumedAtRow ? 0 : O_TRUNC);
    f->fd = ::open(f->path.c_str(), flags, 0644);
    if (f->fd < 0)
      return error("cannot open '" + f->path + "' for writing");
    if (absl::Status s = writeAll(f->fd, bytes.data(), bytes.size(), 0); !s.ok())
      return s;
    if (::ftruncate(f->fd, off_t(f->dataOffset + total)) != 0)
      return error("cannot size '" + f->path + "'");
    outFiles[k] = std::move(f);
  }

  // Measure from here: what streaming adds.
  resetPeakResident();
  report.baselineBytes = residentBytes();

  auto finish = [&]() -> absl::Status {
    for (size_t k = 0; k < plan.outputs.size(); ++k) {
      if (plan.outputs[k].kind != mlir::tl::StreamedOutput::Reduce)
        continue;
      std::vector<double> v = acc[k];
      if (plan.outputs[k].accumulate == mlir::tl::Accumulate::mean)
        for (double &x : v)
          x /= double(rows);
      io::Array a = io::Array::fromDoubles(
          dtype == DType::f32 ? io::DType::f32 : io::DType::f64,
          outInfos[k].shape, v);
      if (absl::Status st = io::writeNpy(outPath(k), a); !st.ok())
        return error(std::string(st.message()));
    }
    return absl::OkStatus();
  };

  const std::vector<std::unique_ptr<InputFile>> &in = files;
  for (int64_t begin = report.resumedAtRow; begin < rows; begin += chunk) {
    int64_t end = std::min(rows, begin + chunk), n = end - begin;
    const Executable &e = n == chunk ? **exe : *lastExe;
    std::vector<std::unique_ptr<MappedRows>> maps;
    std::vector<Buffer> views;
    views.reserve(in.size());
    std::map<std::string, const Buffer *> chunkInputs = inputs;
    for (const auto &f : in) {
      if (!streamed.count(f->name))
        continue;
      maps.push_back(std::make_unique<MappedRows>(*f, begin, end));
      if (!maps.back()->data)
        return error("cannot map rows " + std::to_string(begin) + ".." +
                     std::to_string(end) + " of '" + f->path + "'");
      std::vector<int64_t> shape = f->header.shape;
      shape[0] = n;
      views.push_back(Buffer::borrow(
          const_cast<char *>(maps.back()->data),
          f->header.dtype == io::DType::f32 ? DType::f32 : DType::f64, shape));
      chunkInputs[f->name] = &views.back();
    }
    auto out = e.run(chunkInputs);
    if (!out.ok())
      return absl::Status(out.status().code(),
                          "streaming: rows " + std::to_string(begin) + ".." +
                              std::to_string(end) + ": " +
                              std::string(out.status().message()));
    for (size_t k = 0; k < plan.outputs.size(); ++k) {
      const Buffer &b = (*out)[k];
      const mlir::tl::StreamedOutput &o = plan.outputs[k];
      if (o.kind == mlir::tl::StreamedOutput::Concat) {
        OutputFile &f = *outFiles[k];
        int64_t prefix = 1, inner = 1;
        for (int64_t d = 0; d < o.dim; ++d)
          prefix *= f.shape[d];
        for (size_t d = size_t(o.dim) + 1; d < f.shape.size(); ++d)
          inner *= f.shape[d];
        const char *src = static_cast<const char *>(b.data());
        for (int64_t p = 0; p < prefix; ++p) {
          uint64_t at = f.dataOffset +
                        uint64_t((p * rows + begin) * inner) * elemBytes;
          if (absl::Status s = writeAll(f.fd, src + p * n * inner * elemBytes,
                                        size_t(n * inner * elemBytes), at);
              !s.ok())
            return s;
        }
      } else if (o.kind == mlir::tl::StreamedOutput::Reduce) {
        for (int64_t i = 0; i < b.numElements(); ++i)
          acc[k][i] = combine(o.accumulate, acc[k][i], b.at(i), n);
      } else if (begin == report.resumedAtRow) {
        // The same for every chunk: written once, by the first chunk this
        // run computes (so a resume rewrites it if it was lost).
        std::vector<double> v(b.numElements());
        for (int64_t i = 0; i < b.numElements(); ++i)
          v[i] = b.at(i);
        io::Array a = io::Array::fromDoubles(
            dtype == DType::f32 ? io::DType::f32 : io::DType::f64, b.shape(), v);
        if (absl::Status st = io::writeNpy(outPath(k), a); !st.ok())
          return error(std::string(st.message()));
      }
    }
    ++report.chunks;
    // The chunk's outputs and temporaries go back to the system, not to
    // the runtime's block cache: the budget bounds what one chunk needs,
    // and a cache holding the blocks of two chunk shapes (the last chunk
    // is shorter) or of two threads would count against it.
    out = absl::StatusOr<Outputs>();
    tl::runtime::releaseCachedMemory();
    if (!stream.checkpoint.empty()) {
      for (const auto &f : outFiles)
        if (f)
          ::fdatasync(f->fd);
      ckpt.nextRow = end;
      ckpt.accumulators = acc;
      if (absl::Status s = io::writeStreamCheckpoint(stream.checkpoint, ckpt); !s.ok())
        return s;
    }
    if (stream.throttleMs > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(stream.throttleMs));
  }
  if (absl::Status s = finish(); !s.ok())
    return s;
  for (auto &f : outFiles)
    if (f)
      ::fdatasync(f->fd);
  if (!stream.checkpoint.empty())
    std::remove(stream.checkpoint.c_str());
  report.peakBytes = peakResidentBytesSinceReset();
  return report;
}
