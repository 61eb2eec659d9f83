//===- TuningRecords.cpp - measured code generation choices ---------------===//

#include "tl/Codegen/TuningRecords.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <unistd.h>

using namespace mlir;
using namespace mlir::tl;

static std::string sha256Hex(llvm::StringRef text) {
  llvm::SHA256 h;
  h.update(text);
  std::array<uint8_t, 32> digest = h.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

std::string TuningDecision::str() const {
  std::string s;
  if (!kernel.empty())
    s += "kernel=" + kernel;
  if (chunksPerThread >= 0)
    s += (s.empty() ? "" : " ") + std::string("chunks-per-thread=") +
         std::to_string(chunksPerThread);
  if (cacheScale > 0)
    s += (s.empty() ? "" : " ") + std::string("cache-scale=") +
         std::to_string(cacheScale);
  return s.empty() ? "default" : s;
}

std::string mlir::tl::tuningKey(Operation *op, llvm::StringRef target,
                                std::string *description) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << "\n";
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (AffineMap map : linalgOp.getIndexingMapsArray())
      os << map << "\n";
    for (utils::IteratorType it : linalgOp.getIteratorTypesArray())
      os << (it == utils::IteratorType::parallel ? "p" : "r");
    os << "\n";
  }
  std::string types;
  llvm::raw_string_ostream ts(types);
  for (Type t : op->getOperandTypes())
    ts << t << " ";
  os << types << "\n";
  // The body's ops tell a max-join from a sum-join.
  op->walk([&](Operation *inner) {
    if (inner != op)
      os << inner->getName() << ";";
  });
  os << "\n" << target;
  if (description)
    *description = op->getName().getStringRef().str() + " " + ts.str();
  return sha256Hex(os.str()).substr(0, 16);
}

std::string mlir::tl::formatTuningRecord(const TuningRecord &r) {
  std::string body = "tl-tuning-record 1\nkey " + r.key + "\n";
  std::string op = r.op;
  for (char &c : op)
    if (c == '\n')
      c = ' ';
  body += "op " + op + "\n";
  if (!r.decision.kernel.empty())
    body += "kernel " + r.decision.kernel + "\n";
  if (r.decision.chunksPerThread >= 0)
    body += "chunks-per-thread " + std::to_string(r.decision.chunksPerThread) +
            "\n";
  if (r.decision.cacheScale > 0)
    body += "cache-scale " + std::to_string(r.decision.cacheScale) + "\n";
  char speedup[32];
  std::snprintf(speedup, sizeof speedup, "%.3f", r.speedup);
  body += std::string("speedup ") + speedup + "\n";
  return body + "sha256 " + sha256Hex(body) + "\n";
}

std::optional<TuningRecord> mlir::tl::parseTuningRecord(llvm::StringRef text,
                                                        std::string &why) {
  size_t last = text.rfind("sha256 ");
  if (last == llvm::StringRef::npos || (last > 0 && text[last - 1] != '\n')) {
    why = "no checksum line";
    return std::nullopt;
  }
  llvm::StringRef body = text.take_front(last);
  llvm::StringRef sum = text.drop_front(last + 7).trim();
  if (sum != sha256Hex(body)) {
    why = "checksum mismatch";
    return std::nullopt;
  }
  TuningRecord r;
  llvm::SmallVector<llvm::StringRef> lines;
  body.split(lines, '\n', -1, /*KeepEmpty=*/false);
  if (lines.empty() || lines[0] != "tl-tuning-record 1") {
    why = "not a version 1 tuning record";
    return std::nullopt;
  }
  for (llvm::StringRef line : llvm::ArrayRef(lines).drop_front()) {
    auto [field, value] = line.split(' ');
    int64_t n = 0;
    if (field == "key") {
      r.key = value.str();
    } else if (field == "op") {
      r.op = value.str();
    } else if (field == "kernel") {
      if (value != "onednn" && value != "blas" && value != "generated") {
        why = "unknown kernel '" + value.str() + "'";
        return std::nullopt;
      }
      r.decision.kernel = value.str();
    } else if (field == "chunks-per-thread" || field == "cache-scale") {
      if (value.getAsInteger(10, n) || n < 0 || n > 1000) {
        why = "bad " + field.str() + " '" + value.str() + "'";
        return std::nullopt;
      }
      (field == "cache-scale" ? r.decision.cacheScale
                              : r.decision.chunksPerThread) = n;
    } else if (field == "speedup") {
      double v;
      if (value.getAsDouble(v)) {
        why = "bad speedup '" + value.str() + "'";
        return std::nullopt;
      }
      r.speedup = v;
    }
    // Other fields: a newer writer's; ignored.
  }
  if (r.key.size() != 16 || !llvm::all_of(r.key, llvm::isHexDigit)) {
    why = "no valid key";
    return std::nullopt;
  }
  return r;
}

std::map<std::string, TuningRecord>
mlir::tl::loadTuningRecords(const std::string &dir,
                            std::vector<std::string> *notes) {
  std::map<std::string, TuningRecord> records;
  if (dir.empty())
    return records;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.ends_with(".rec"))
      continue;
    auto buffer = llvm::MemoryBuffer::getFile(path);
    std::string why = "unreadable";
    std::optional<TuningRecord> r;
    if (buffer)
      r = parseTuningRecord((*buffer)->getBuffer(), why);
    if (r && llvm::sys::path::stem(path) != r->key) {
      why = "its key does not match its file name";
      r.reset();
    }
    if (!r) {
      if (notes)
        notes->push_back("ignored tuning record '" + path.str() + "': " +
                         why + " (it is never trusted; tune again to "
                         "replace it)");
      continue;
    }
    records[r->key] = std::move(*r);
  }
  return records;
}

bool mlir::tl::writeTuningRecord(const std::string &dir,
                                 const TuningRecord &record) {
  if (llvm::sys::fs::create_directories(dir))
    return false;
  std::string path = dir + "/" + record.key + ".rec";
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec);
    if (ec)
      return false;
    os << formatTuningRecord(record);
    if (os.has_error()) {
      os.clear_error();
      return false;
    }
  }
  return !llvm::sys::fs::rename(tmp, path);
}

TuningDecision mlir::tl::tunedDecision(Operation *op) {
  TuningDecision d;
  auto dict = op->getAttrOfType<DictionaryAttr>(kTunedAttr);
  if (!dict)
    return d;
  if (auto k = dict.getAs<StringAttr>("kernel"))
    d.kernel = k.str();
  if (auto c = dict.getAs<IntegerAttr>("chunks_per_thread"))
    d.chunksPerThread = c.getInt();
  if (auto s = dict.getAs<IntegerAttr>("cache_scale"))
    d.cacheScale = s.getInt();
  return d;
}
