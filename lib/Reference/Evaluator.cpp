//===- Evaluator.cpp - the reference interpreter of the tl dialect ---------===//
//
// Einsums, G8 specs and reductions share one kernel: every label gets a
// loop; an operand's element is found through per-label strides, where a
// label repeated in one operand adds its strides (the diagonal, G6) and a
// label absent from an operand has stride 0 (a broadcast, G7).
//
//===----------------------------------------------------------------------===//

#include "tl/Reference/Evaluator.h"

#include "tl/Dialect/TL/IR/ScalarSemantics.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Runtime/CallStatus.h"


#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::tl;
using namespace mlir::tl::reference;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static llvm::Error evalError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "reference evaluator: " + msg);
}

static std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  return strides;
}

namespace {

/// One contraction: operands with label lists, output labels, sizes.
struct Contraction {
  std::vector<const Tensor *> operands;
  std::vector<std::vector<int>> operandLabels; // label ids per dimension
  std::vector<int> outputLabels;
  std::vector<int64_t> labelSizes; // indexed by label id
  BinaryKind combine = BinaryKind::multiply;
  ReduceKind reduce = ReduceKind::sum;
};

template <typename T>
Tensor contract(const Contraction &c) {
  size_t numLabels = c.labelSizes.size();
  // Loop order: output labels, then the reduced ones.
  std::vector<int> reduced;
  for (size_t l = 0; l < numLabels; ++l)
    if (std::find(c.outputLabels.begin(), c.outputLabels.end(), int(l)) ==
        c.outputLabels.end())
      reduced.push_back(int(l));
  // strides[j][label]: how far operand j moves when `label` moves by one.
  std::vector<std::vector<int64_t>> strides(c.operands.size(),
                                            std::vector<int64_t>(numLabels, 0));
  for (size_t j = 0; j < c.operands.size(); ++j) {
    std::vector<int64_t> s = rowMajorStrides(c.operands[j]->shape);
    for (size_t d = 0; d < c.operandLabels[j].size(); ++d)
      strides[j][c.operandLabels[j][d]] += s[d];
  }

  Tensor out;
  for (int l : c.outputLabels)
    out.shape.push_back(c.labelSizes[l]);
  int64_t outCount = out.numElements();
  int64_t redCount = 1;
  for (int l : reduced)
    redCount *= c.labelSizes[l];
  out.data.resize(outCount);

  std::vector<int64_t> idx(numLabels, 0);
  auto element = [&]() -> T {
    auto load = [&](size_t j) {
      int64_t off = 0;
      for (size_t l = 0; l < numLabels; ++l)
        off += idx[l] * strides[j][l];
      return static_cast<T>(c.operands[j]->data[off]);
    };
    if (c.operands.size() == 1)
      return load(0);
    if (c.combine != BinaryKind::multiply)
      return applyBinary<T>(c.combine, load(0), load(1));
    T v = load(0);
    for (size_t j = 1; j < c.operands.size(); ++j)
      v = v * load(j);
    return v;
  };
  // Advances the labels in `labels` as an odometer (last fastest).
  auto advance = [&](const std::vector<int> &labels) {
    for (size_t k = labels.size(); k-- > 0;) {
      int l = labels[k];
      if (++idx[l] < c.labelSizes[l])
        return;
      idx[l] = 0;
    }
  };
  for (int64_t o = 0; o < outCount; ++o) {
    T value;
    if (reduced.empty()) {
      value = element(); // nothing is reduced: no fold (max(NaN) stays NaN)
    } else {
      T acc = reduceInit<T>(c.reduce);
      for (int64_t r = 0; r < redCount; ++r) {
        acc = reduceStep<T>(c.reduce, acc, element());
        advance(reduced);
      }
      value = reduceFinish<T>(c.reduce, acc, redCount);
    }
    out.data[o] = static_cast<double>(value);
    advance(c.outputLabels);
  }
  return out;
}

template <typename T>
Tensor broadcastBinary(BinaryKind kind, const Tensor &a, const Tensor &b,
                       const std::vector<int64_t> &outShape) {
  size_t rank = outShape.size();
  auto aligned = [&](const Tensor &t) {
    std::vector<int64_t> s = rowMajorStrides(t.shape), out(rank, 0);
    size_t pad = rank - t.shape.size();
    for (size_t d = 0; d < t.shape.size(); ++d)
      out[pad + d] = t.shape[d] == 1 ? 0 : s[d];
    return out;
  };
  std::vector<int64_t> sa = aligned(a), sb = aligned(b), idx(rank, 0);
  Tensor out{outShape, {}};
  int64_t n = out.numElements();
  out.data.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < rank; ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    out.data[i] = static_cast<double>(applyBinary<T>(
        kind, static_cast<T>(a.data[oa]), static_cast<T>(b.data[ob])));
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

template <typename T> class Interpreter {
public:
  llvm::Expected<std::vector<Tensor>> run(func::FuncOp func,
                                          llvm::ArrayRef<Tensor> args);

private:
  DenseMap<Value, Tensor> values;
  llvm::Expected<Tensor> visit(Operation &op);
  /// Runs the ops of `block` in order; returns its terminator's operands.
  llvm::Expected<std::vector<Tensor>> runBlock(Block &block);
  llvm::Error iterate(FixpointOp op);
  llvm::Error differentiate(FixpointAdjointOp op);
  /// Runs `body` from `state` until no element changes by more than
  /// `tolerance`, as tl.fixpoint does; `state` becomes the last state, and
  /// `trajectory`, when given, receives every state before it.
  llvm::Error runToFixpoint(Block &body, std::vector<Tensor> &state,
                            double tolerance, int64_t maxIterations,
                            bool warnAtLimit, llvm::StringRef site,
                            std::vector<std::vector<Tensor>> *trajectory);
};

} // namespace

static bool isStatic(Type t) {
  auto r = llvm::dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape();
}

static std::vector<int64_t> staticShape(Type t) {
  auto r = llvm::cast<RankedTensorType>(t);
  return std::vector<int64_t>(r.getShape().begin(), r.getShape().end());
}

template <typename T>
llvm::Expected<Tensor> Interpreter<T>::visit(Operation &op) {
  if (auto c = llvm::dyn_cast<ConstantOp>(op)) {
    auto dense = llvm::cast<DenseElementsAttr>(c.getValue());
    Tensor t{staticShape(c.getType()), {}};
    for (const APFloat &v : dense.getValues<APFloat>())
      t.data.push_back(v.convertToDouble());
    return t;
  }
  if (auto u = llvm::dyn_cast<UnaryOp>(op)) {
    Tensor t = values[u.getInput()];
    for (double &x : t.data)
      x = static_cast<double>(applyUnary<T>(u.getKind(), static_cast<T>(x)));
    return t;
  }
  if (auto b = llvm::dyn_cast<BinaryOp>(op))
    return broadcastBinary<T>(b.getKind(), values[b.getLhs()],
                              values[b.getRhs()], staticShape(b.getType()));
  if (auto r = llvm::dyn_cast<ReduceOp>(op)) {
    const Tensor &in = values[r.getInput()];
    if (r.getAxes().empty())
      return in; // G10: axes = [] is the identity
    Contraction c;
    c.operands = {&in};
    c.reduce = r.getKind();
    c.operandLabels.resize(1);
    for (size_t d = 0; d < in.shape.size(); ++d) {
      c.operandLabels[0].push_back(int(d));
      c.labelSizes.push_back(in.shape[d]);
      if (!llvm::is_contained(r.getAxes(), int64_t(d)))
        c.outputLabels.push_back(int(d));
    }
    return contract<T>(c);
  }
  if (auto e = llvm::dyn_cast<EinsumOp>(op)) {
    EinsumSpec spec = e.getParsedSpec();
    Contraction c;
    c.combine = e.getCombine();
    c.reduce = e.getReduce();
    std::string labels; // label character per id
    auto id = [&](char ch) {
      size_t pos = labels.find(ch);
      if (pos != std::string::npos)
        return int(pos);
      labels.push_back(ch);
      c.labelSizes.push_back(0);
      return int(labels.size() - 1);
    };
    for (auto [j, v] : llvm::enumerate(e.getInputs())) {
      const Tensor &t = values[v];
      c.operands.push_back(&t);
      c.operandLabels.emplace_back();
      for (auto [d, ch] : llvm::enumerate(spec.inputs[j])) {
        int l = id(ch);
        c.labelSizes[l] = t.shape[d];
        c.operandLabels.back().push_back(l);
      }
    }
    std::vector<int64_t> outShape = staticShape(e.getType());
    for (auto [d, ch] : llvm::enumerate(spec.output)) {
      int l = id(ch);
      c.labelSizes[l] = outShape[d]; // broadcast labels get theirs here
      c.outputLabels.push_back(l);
    }
    return contract<T>(c);
  }
  return evalError("cannot evaluate '" + op.getName().getStringRef() + "'");
}

template <typename T>
llvm::Expected<std::vector<Tensor>>
Interpreter<T>::run(func::FuncOp func, llvm::ArrayRef<Tensor> args) {
  if (args.size() != func.getNumArguments())
    return evalError("expected " + llvm::Twine(func.getNumArguments()) +
                     " arguments, got " + llvm::Twine(args.size()));
  for (BlockArgument arg : func.getArguments()) {
    if (!isStatic(arg.getType()))
      return evalError("argument " + llvm::Twine(arg.getArgNumber()) +
                       " has no static shape; run tl-specialize-shapes first");
    const Tensor &t = args[arg.getArgNumber()];
    if (t.shape != staticShape(arg.getType()) ||
        int64_t(t.data.size()) != t.numElements())
      return evalError("argument " + llvm::Twine(arg.getArgNumber()) +
                       " does not match its type");
    values[arg] = t;
  }
  return runBlock(func.getBody().front());
}

template <typename T>
llvm::Expected<std::vector<Tensor>> Interpreter<T>::runBlock(Block &block) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      std::vector<Tensor> out;
      for (Value v : op.getOperands())
        out.push_back(values[v]);
      return out;
    }
    for (Value r : op.getResults())
      if (!isStatic(r.getType()))
        return evalError("'" + op.getName().getStringRef() +
                         "' has a result without a static shape; run "
                         "tl-specialize-shapes first");
    if (auto fixpoint = llvm::dyn_cast<FixpointOp>(op)) {
      if (llvm::Error e = iterate(fixpoint))
        return std::move(e);
      continue;
    }
    if (auto adjoint = llvm::dyn_cast<FixpointAdjointOp>(op)) {
      if (llvm::Error e = differentiate(adjoint))
        return std::move(e);
      continue;
    }
    llvm::Expected<Tensor> t = visit(op);
    if (!t)
      return t.takeError();
    values[op.getResult(0)] = std::move(*t);
  }
  return evalError("a block has no terminator");
}

/// The largest element-wise change from `a` to `b`: a NaN that stays at
/// its position is no change, a NaN that appears or goes is an infinite
/// one.
static double largestChange(const Tensor &a, const Tensor &b) {
  double change = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    double x = a.data[i], y = b.data[i];
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) != std::isnan(y))
        return INFINITY;
      continue;
    }
    if (x != y) // also two infinities of one sign: no change
      change = std::max(change, std::fabs(x - y));
  }
  return change;
}

template <typename T>
llvm::Error Interpreter<T>::runToFixpoint(
    Block &body, std::vector<Tensor> &state, double tolerance,
    int64_t maxIterations, bool warnAtLimit, llvm::StringRef site,
    std::vector<std::vector<Tensor>> *trajectory) {
  for (int64_t iteration = 1;; ++iteration) {
    for (auto [arg, tensor] : llvm::zip(body.getArguments(), state))
      values[arg] = tensor;
    llvm::Expected<std::vector<Tensor>> next = runBlock(body);
    if (!next)
      return next.takeError();
    double change = 0;
    for (auto [old, now] : llvm::zip(state, *next))
      change = std::max(change, largestChange(old, now));
    if (trajectory)
      trajectory->push_back(std::move(state));
    state = std::move(*next);
    if (change <= tolerance)
      return llvm::Error::success();
    if (iteration == maxIterations) {
      std::string message = ::tl::runtime::noFixpointMessage(
          site.str(), iteration, change, tolerance);
      if (!warnAtLimit)
        return evalError(message);
      ::tl::runtime::addRunWarning(::tl::runtime::limitWarning(message));
      return llvm::Error::success();
    }
  }
}

template <typename T> llvm::Error Interpreter<T>::iterate(FixpointOp op) {
  std::vector<Tensor> state;
  for (Value init : op.getInits())
    state.push_back(values[init]);
  if (llvm::Error e = runToFixpoint(
          op.getBodyBlock(), state, op.getTolerance().convertToDouble(),
          static_cast<int64_t>(op.getMaxIterations()), op.getWarnAtLimit(),
          op.describeSite(), nullptr))
    return e;
  for (auto [result, tensor] : llvm::zip(op.getResults(), state))
    values[result] = std::move(tensor);
  return llvm::Error::success();
}

// The states s_0 ... s_{K-1} the fixpoint stepped from are kept; the
// adjoint region maps (s_k, lambda_{k+1}) to lambda_k and the step's
// contributions to the captured values' cotangents, summed in T as the
// compiled code sums them.
template <typename T>
llvm::Error Interpreter<T>::differentiate(FixpointAdjointOp op) {
  size_t n = op.getInits().size();
  std::vector<Tensor> state;
  for (Value init : op.getInits())
    state.push_back(values[init]);
  std::vector<std::vector<Tensor>> trajectory;
  if (llvm::Error e = runToFixpoint(
          op.getBodyBlock(), state, op.getTolerance().convertToDouble(),
          static_cast<int64_t>(op.getMaxIterations()), op.getWarnAtLimit(),
          op.describeSite(), &trajectory))
    return e;
  std::vector<Tensor> lambda;
  for (Value ct : op.getCotangents())
    lambda.push_back(values[ct]);
  std::vector<Tensor> sums;
  for (Value v : op.getCaptured()) {
    Tensor zero = values[v];
    std::fill(zero.data.begin(), zero.data.end(), 0.0);
    sums.push_back(std::move(zero));
  }
  Block &step = op.getAdjointBlock();
  for (size_t k = trajectory.size(); k-- > 0;) {
    for (size_t i = 0; i < n; ++i) {
      values[step.getArgument(i)] = trajectory[k][i];
      values[step.getArgument(n + i)] = lambda[i];
    }
    llvm::Expected<std::vector<Tensor>> out = runBlock(step);
    if (!out)
      return out.takeError();
    for (size_t i = 0; i < n; ++i)
      lambda[i] = std::move((*out)[i]);
    for (size_t j = 0; j < sums.size(); ++j)
      for (size_t e = 0; e < sums[j].data.size(); ++e)
        sums[j].data[e] = static_cast<double>(
            static_cast<T>(sums[j].data[e]) +
            static_cast<T>((*out)[n + j].data[e]));
  }
  for (size_t i = 0; i < n; ++i)
    values[op.getResult(i)] = std::move(lambda[i]);
  for (size_t j = 0; j < sums.size(); ++j)
    values[op.getResult(n + j)] = std::move(sums[j]);
  return llvm::Error::success();
}

llvm::Expected<std::vector<Tensor>>
mlir::tl::reference::evaluate(func::FuncOp func, llvm::ArrayRef<Tensor> args) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return evalError("the function must have a single block");
  bool f32 = false;
  func.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto s = llvm::dyn_cast<ShapedType>(t))
        f32 |= s.getElementType().isF32();
  });
  for (Type t : func.getArgumentTypes())
    if (auto s = llvm::dyn_cast<ShapedType>(t))
      f32 |= s.getElementType().isF32();
  if (f32) {
    Interpreter<float> interp;
    return interp.run(func, args);
  }
  Interpreter<double> interp;
  return interp.run(func, args);
}
