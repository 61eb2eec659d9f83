//===- CompiledGraph.cpp - a JIT-compiled graph and its signature ----------===//
//
// The boundary with generated code. After bufferization with
// buffer-results-to-out-params, the function takes every input memref and
// then one out-parameter memref per result. The LLVM lowering expands a
// memref of rank r into 3 + 2r scalars (allocated pointer, aligned pointer,
// offset, sizes, strides), and the packed wrapper takes one pointer per
// scalar.
//
//===----------------------------------------------------------------------===//

#include "tl/Driver/CompiledGraph.h"

#include "llvm/ADT/StringExtras.h"

#include <cassert>

using namespace mlir;
using namespace mlir::tl;
using ::tl::runtime::Buffer;
using ::tl::runtime::DType;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    "x");
}

CompiledGraph::CompiledGraph(std::unique_ptr<JitModule> jit,
                             JitModule::PackedFn fn, GraphSignature signature)
    : jit(std::move(jit)), fn(fn), signature(std::move(signature)) {
  for (const ArgBinding &arg : this->signature.args) {
    constants.emplace_back();
    if (!arg.constant)
      continue;
    Buffer c = Buffer::allocate(getDType(), {});
    if (getDType() == DType::f32)
      *c.data<float>() = static_cast<float>(*arg.constant);
    else
      *c.data<double>() = *arg.constant;
    constants.back() = std::move(c);
  }
}

std::vector<Buffer> CompiledGraph::allocateResults() const {
  std::vector<Buffer> out;
  for (const ResultInfo &r : signature.results)
    out.push_back(Buffer::allocate(getDType(), r.shape));
  return out;
}

namespace {
/// The scalars of one memref descriptor, laid out as the lowered function
/// expects them.
struct Descriptor {
  std::vector<int64_t> words;

  explicit Descriptor(const Buffer &b) {
    auto ptr = reinterpret_cast<int64_t>(b.data());
    words = {ptr, ptr, 0};
    words.insert(words.end(), b.shape().begin(), b.shape().end());
    words.insert(words.end(), b.strides().begin(), b.strides().end());
  }
};
} // namespace

void CompiledGraph::runUnchecked(llvm::ArrayRef<const Buffer *> args,
                                 llvm::ArrayRef<Buffer *> results) const {
  assert(args.size() == signature.args.size() &&
         results.size() == signature.results.size());
  std::vector<Descriptor> descriptors;
  descriptors.reserve(args.size() + results.size());
  for (const Buffer *b : args)
    descriptors.emplace_back(*b);
  for (const Buffer *b : results)
    descriptors.emplace_back(*b);
  std::vector<void *> packed;
  for (Descriptor &d : descriptors)
    for (int64_t &w : d.words)
      packed.push_back(&w);
  fn(packed.data());
}

llvm::Expected<CompiledGraph::BoundArgs> CompiledGraph::bind(
    const std::map<std::string, const Buffer *> &inputs) const {
  DType dtype = getDType();
  BoundArgs bound;
  // Reserved so the pointers into it stay valid.
  bound.copies.reserve(signature.args.size());
  for (auto [i, arg] : llvm::enumerate(signature.args)) {
    if (arg.constant) {
      bound.args.push_back(&constants[i]);
      continue;
    }
    auto it = inputs.find(arg.caller);
    if (it == inputs.end() || !it->second)
      return makeError("G3: no input named '" + arg.caller + "' for argument '" +
                       arg.slot + "'");
    const Buffer &in = *it->second;
    if (in.shape() != arg.shape)
      return makeError("input '" + arg.caller + "' has shape " +
                       shapeString(in.shape()) +
                       " but the graph was compiled for " +
                       shapeString(arg.shape) +
                       " (compile again for other shapes)");
    if (in.numElements() > 0 && !in.data())
      return makeError("input '" + arg.caller + "' has no data");
    if (in.dtype() == dtype && in.isContiguous()) {
      bound.args.push_back(&in);
      continue;
    }
    bound.copies.push_back(in.copyAs(dtype)); // G5: one float type
    if (!bound.copies.back().data())
      return makeError("out of memory converting input '" + arg.caller + "'");
    bound.args.push_back(&bound.copies.back());
  }
  return bound;
}

llvm::Expected<NamedBuffers> CompiledGraph::run(
    const std::map<std::string, const Buffer *> &inputs) const {
  auto bound = bind(inputs);
  if (!bound)
    return bound.takeError();
  std::vector<Buffer> outputs = allocateResults();
  std::vector<Buffer *> results;
  for (Buffer &b : outputs) {
    if (!b.data())
      return makeError("out of memory allocating an output of " +
                       b.typeString());
    results.push_back(&b);
  }
  runUnchecked(bound->args, results);
  NamedBuffers named;
  for (auto [r, b] : llvm::zip(signature.results, outputs))
    named.emplace_back(r.name, std::move(b));
  return named;
}
