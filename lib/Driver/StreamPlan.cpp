//===- StreamPlan.cpp - how a graph runs chunk by chunk --------------------===//

#include "tl/Driver/StreamPlan.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Where a value stands with respect to the streamed axis.
struct State {
  enum Kind { Invariant, Streamed, Reduced } kind = Invariant;
  int64_t dim = 0;                     // Streamed: its dimension
  Accumulate accumulate = Accumulate::sum; // Reduced
};

Accumulate accumulateOf(ReduceKind k) {
  switch (k) {
  case ReduceKind::sum:
    return Accumulate::sum;
  case ReduceKind::max:
    return Accumulate::max;
  case ReduceKind::min:
    return Accumulate::min;
  case ReduceKind::mean:
    return Accumulate::mean;
  case ReduceKind::prod:
    return Accumulate::prod;
  }
  return Accumulate::sum;
}

llvm::Error fail(Operation *op, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "cannot stream: " + describeOp(op) + " " +
                                     why);
}

int64_t bytesOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.getNumElements() *
         int64_t(getElementTypeOrSelf(t).getIntOrFloatBitWidth() / 8);
}

} // namespace

llvm::Expected<StreamPlan>
mlir::tl::planStreaming(func::FuncOp func, const GraphSignature &signature,
                        const std::set<std::string> &streamed,
                        int64_t chunkRows) {
  llvm::DenseMap<Value, State> states;
  StreamPlan plan;
  auto account = [&](Value v, const State &s) {
    if (s.kind == State::Streamed)
      plan.bytesPerRow += bytesOf(v) / chunkRows;
    else
      plan.fixedBytes += bytesOf(v);
  };
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    State s;
    if (i < signature.args.size() && streamed.count(signature.args[i].caller))
      s.kind = State::Streamed;
    states[arg] = s;
    account(arg, s);
  }
  const char *needsWhole = "reads a reduction over the streamed axis: it "
                           "needs the whole reduction, not chunks of it";
  for (Operation &op : func.getBody().front().without_terminator()) {
    if (op.getNumResults() != 1)
      return fail(&op, "has several results");
    State out;
    SmallVector<State> in;
    for (Value v : op.getOperands())
      in.push_back(states.lookup(v));
    bool anyReduced = llvm::any_of(
        in, [](const State &s) { return s.kind == State::Reduced; });
    if (anyReduced)
      return fail(&op, needsWhole);
    int64_t outRank = cast<RankedTensorType>(op.getResult(0).getType()).getRank();
    if (auto e = dyn_cast<EinsumOp>(op)) {
      EinsumSpec spec = e.getParsedSpec();
      char label = 0;
      for (auto [s, labels] : llvm::zip(in, spec.inputs)) {
        if (s.kind != State::Streamed)
          continue;
        char l = labels[s.dim];
        if (llvm::count(labels, l) > 1)
          return fail(&op, "takes a diagonal of the streamed axis");
        if (label && l != label)
          return fail(&op, "joins two streamed values along different labels");
        label = l;
      }
      if (label) {
        size_t pos = spec.output.find(label);
        if (pos != std::string::npos) {
          out.kind = State::Streamed;
          out.dim = int64_t(pos);
        } else {
          out.kind = State::Reduced;
          out.accumulate = accumulateOf(e.getReduce());
        }
      }
    } else if (auto r = dyn_cast<ReduceOp>(op)) {
      if (in[0].kind == State::Streamed) {
        ArrayRef<int64_t> axes = r.getAxes();
        if (llvm::is_contained(axes, in[0].dim)) {
          out.kind = State::Reduced;
          out.accumulate = accumulateOf(r.getKind());
        } else {
          out.kind = State::Streamed;
          out.dim = in[0].dim - llvm::count_if(axes, [&](int64_t a) {
                      return a < in[0].dim;
                    });
        }
      }
    } else if (isa<UnaryOp, BinaryOp>(op)) {
      // NumPy broadcasting aligns trailing dimensions.
      for (auto [s, v] : llvm::zip(in, op.getOperands())) {
        if (s.kind != State::Streamed)
          continue;
        int64_t d =
            s.dim + outRank - cast<RankedTensorType>(v.getType()).getRank();
        if (out.kind == State::Streamed && out.dim != d)
          return fail(&op, "combines values streamed along different axes");
        out.kind = State::Streamed;
        out.dim = d;
      }
    } else if (!isa<ConstantOp>(op)) {
      return fail(&op, "is not a tl op");
    }
    states[op.getResult(0)] = out;
    account(op.getResult(0), out);
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value v : ret.getOperands()) {
    State s = states.lookup(v);
    StreamedOutput o;
    o.kind = s.kind == State::Streamed  ? StreamedOutput::Concat
             : s.kind == State::Reduced ? StreamedOutput::Reduce
                                        : StreamedOutput::Invariant;
    o.dim = s.dim;
    o.accumulate = s.accumulate;
    plan.outputs.push_back(o);
  }
  return plan;
}
