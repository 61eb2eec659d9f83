//===- SpecializeShapes.cpp - make every shape static (G11) ---------------===//
//
// Sizes are variables in a union-find. Arguments start known; an einsum
// unifies a label's sizes across its operands; NumPy broadcasting unifies
// aligned dimensions when one side is unknown; a broadcast label (G7) starts
// unknown and takes the size of the first dimension it is unified with.
// Nothing is rewritten until the whole function checks out.
//
// Shape-generic code (tier 0) leaves some input sizes unknown (`?`): such a
// size is a symbol, never taken for 1, so a symbol aligned with a size of
// 1 is broadcast over it, and the dims a symbol reaches stay dynamic.
// What the runtime needs to size such code is left as data: each
// argument and result with a symbol carries `tl.dims` (a symbol number per
// dim, -1 for a static one), and each such argument `tl.dim_links` (the op
// that tied that dim to another input's, for the runtime's G11 message).
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSPECIALIZESHAPESPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Dimension sizes as union-find variables.
class SizeSolver {
public:
  using Var = unsigned;

  Var known(int64_t size) { return add(size); }
  Var unknown() { return add(ShapedType::kDynamic); }
  /// A size given as unknown: it stays dynamic unless unified with a
  /// known one.
  Var symbol() {
    Var v = add(ShapedType::kDynamic);
    vars[v].symbol = true;
    return v;
  }
  /// Whether `v`'s class holds a symbol and no known size.
  bool isSymbol(Var v) { return vars[find(v)].symbol && !isKnown(v); }

  int64_t value(Var v) { return vars[find(v)].value; }
  bool isKnown(Var v) { return !ShapedType::isDynamic(value(v)); }

  /// Makes two sizes equal; false when both are known and differ. When
  /// two symbols meet, `why` is remembered as the link of both variables.
  bool unify(Var a, Var b, Operation *why = nullptr) {
    Var oa = a, ob = b;
    a = find(a);
    b = find(b);
    if (a == b)
      return true;
    int64_t va = vars[a].value, vb = vars[b].value;
    if (!ShapedType::isDynamic(va) && !ShapedType::isDynamic(vb))
      return va == vb;
    if (why && vars[a].symbol && vars[b].symbol)
      for (Var v : {oa, ob})
        if (!vars[v].link)
          vars[v].link = why;
    if (ShapedType::isDynamic(va))
      std::swap(a, b); // keep the known one as the root
    vars[b].parent = a;
    vars[a].symbol = vars[a].symbol || vars[b].symbol;
    return true;
  }
  /// The op that first tied `v` to another symbol, or null.
  Operation *link(Var v) const { return vars[v].link; }
  /// The same number for every variable of one class.
  Var root(Var v) { return find(v); }

private:
  struct Entry {
    Var parent;
    int64_t value;
    bool symbol = false;
    Operation *link = nullptr;
  };
  std::vector<Entry> vars;

  Var add(int64_t value) {
    vars.push_back({static_cast<Var>(vars.size()), value, false, nullptr});
    return vars.size() - 1;
  }
  Var find(Var v) {
    while (vars[v].parent != v) {
      vars[v].parent = vars[vars[v].parent].parent;
      v = vars[v].parent;
    }
    return v;
  }
};

using Shape = SmallVector<SizeSolver::Var>;

/// A broadcast label waiting for its size.
struct PendingLabel {
  SizeSolver::Var var;
  Operation *op;
  char label;
};

class ShapeInference {
public:
  ShapeInference(func::FuncOp func, bool generic)
      : func(func), generic(generic) {}

  LogicalResult run(const llvm::StringMap<SmallVector<int64_t>> &inputShapes);
  void rewrite();
  /// Shape-generic code: `tl.dims` and `tl.dim_links` on the arguments
  /// and results that have a symbol (see the file comment).
  void recordSymbols();

private:
  func::FuncOp func;
  /// Unknown input sizes are allowed (symbols) rather than an error.
  bool generic;
  SizeSolver solver;
  DenseMap<Value, Shape> shapes;
  std::vector<PendingLabel> pending;

  std::string show(const Shape &s) {
    SmallVector<int64_t> dims;
    for (SizeSolver::Var v : s)
      dims.push_back(solver.value(v));
    return formatShape(dims);
  }
  Shape fromType(RankedTensorType type) {
    Shape s;
    for (int64_t d : type.getShape())
      s.push_back(ShapedType::isDynamic(d) ? solver.unknown() : solver.known(d));
    return s;
  }
  /// A given or declared input shape; `?` dims become symbols.
  Shape fromInput(ArrayRef<int64_t> dims) {
    Shape s;
    for (int64_t d : dims)
      s.push_back(ShapedType::isDynamic(d) ? solver.symbol() : solver.known(d));
    return s;
  }

  LogicalResult visit(Operation *op);
  LogicalResult visitBinary(BinaryOp op, Shape &out);
  LogicalResult visitReduce(ReduceOp op, Shape &out);
  LogicalResult visitEinsum(EinsumOp op, Shape &out);
  LogicalResult visitFixpoint(FixpointOp op);
  LogicalResult visitFixpointAdjoint(FixpointAdjointOp op);
  LogicalResult checkDeclared(Operation *op, Value result, const Shape &out);
};

} // namespace

LogicalResult
ShapeInference::run(const llvm::StringMap<SmallVector<int64_t>> &inputShapes) {
  for (BlockArgument arg : func.getArguments()) {
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
    std::string label = name ? "'" + name.str() + "'"
                             : "#" + std::to_string(arg.getArgNumber());
    auto declared = llvm::dyn_cast<RankedTensorType>(arg.getType());
    auto it = name ? inputShapes.find(name.strref()) : inputShapes.end();
    // G3: a slot `parent[ab]` also takes the shape given for `parent`.
    if (name && it == inputShapes.end())
      it = inputShapes.find(
          name.strref().take_until([](char c) { return c == '['; }));
    if (it == inputShapes.end()) {
      // Shape-generic: a ranked argument's dynamic dims are symbols.
      if (!declared || (!declared.hasStaticShape() && !generic))
        return func.emitError("G11: no shape given for input ")
               << label << " of type " << arg.getType()
               << (declared ? "" : " (its rank is needed, even for "
                                   "shape-generic code)");
      shapes[arg] = fromInput(declared.getShape());
      continue;
    }
    ArrayRef<int64_t> given = it->second;
    if (declared) {
      bool ok = declared.getRank() == static_cast<int64_t>(given.size());
      for (size_t i = 0; ok && i < given.size(); ++i)
        ok = declared.isDynamicDim(i) || ShapedType::isDynamic(given[i]) ||
             declared.getDimSize(i) == given[i];
      if (!ok)
        return func.emitError("G11: input ")
               << label << " has shape " << formatShape(given)
               << " but the function declares " << arg.getType();
    }
    SmallVector<int64_t> dims(given);
    // A `?` where the function declares a size takes that size.
    for (size_t i = 0; declared && i < dims.size(); ++i)
      if (ShapedType::isDynamic(dims[i]))
        dims[i] = declared.getDimSize(i);
    shapes[arg] = fromInput(dims);
  }

  for (Operation &op : func.getBody().front())
    if (failed(visit(&op)))
      return failure();

  for (const PendingLabel &p : pending)
    if (!solver.isKnown(p.var) && !solver.isSymbol(p.var))
      return p.op->emitError("G7: cannot infer the size of label '")
             << p.label << "' in " << describeOp(p.op)
             << ": no later op aligns it with a dimension of known size";
  return success();
}

LogicalResult ShapeInference::visit(Operation *op) {
  if (llvm::isa<func::ReturnOp, YieldOp>(op))
    return success();
  if (auto f = llvm::dyn_cast<FixpointOp>(op))
    return visitFixpoint(f);
  if (auto a = llvm::dyn_cast<FixpointAdjointOp>(op))
    return visitFixpointAdjoint(a);
  Shape out;
  if (auto c = llvm::dyn_cast<ConstantOp>(op)) {
    auto type = llvm::dyn_cast<RankedTensorType>(c.getType());
    if (!type || !type.hasStaticShape())
      return op->emitError("G11: constant of type ")
             << c.getType() << " has no static shape";
    out = fromType(type);
  } else if (auto u = llvm::dyn_cast<UnaryOp>(op)) {
    out = shapes.lookup(u.getInput());
  } else if (auto b = llvm::dyn_cast<BinaryOp>(op)) {
    if (failed(visitBinary(b, out)))
      return failure();
  } else if (auto r = llvm::dyn_cast<ReduceOp>(op)) {
    if (failed(visitReduce(r, out)))
      return failure();
  } else if (auto e = llvm::dyn_cast<EinsumOp>(op)) {
    if (failed(visitEinsum(e, out)))
      return failure();
  } else {
    return op->emitError("G11: tl-specialize-shapes cannot infer the shapes of '")
           << op->getName() << "'";
  }
  if (failed(checkDeclared(op, op->getResult(0), out)))
    return failure();
  shapes[op->getResult(0)] = out;
  return success();
}

LogicalResult ShapeInference::checkDeclared(Operation *op, Value result,
                                            const Shape &out) {
  auto declared = llvm::dyn_cast<RankedTensorType>(result.getType());
  if (!declared)
    return success();
  if (declared.getRank() != static_cast<int64_t>(out.size()))
    return op->emitError("G11: ")
           << describeOp(op) << ": result is declared " << declared
           << " but the operands give shape " << show(out);
  for (auto [i, v] : llvm::enumerate(out))
    if (!declared.isDynamicDim(i) &&
        !solver.unify(v, solver.known(declared.getDimSize(i)), op))
      return op->emitError("G11: ")
             << describeOp(op) << ": result is declared " << declared
             << " but the operands give shape " << show(out);
  return success();
}

LogicalResult ShapeInference::visitBinary(BinaryOp op, Shape &out) {
  const Shape &a = shapes[op.getLhs()], &b = shapes[op.getRhs()];
  size_t n = std::max(a.size(), b.size());
  size_t padA = n - a.size(), padB = n - b.size();
  for (size_t i = 0; i < n; ++i) {
    if (i < padA) {
      out.push_back(b[i - padB]);
      continue;
    }
    if (i < padB) {
      out.push_back(a[i - padA]);
      continue;
    }
    SizeSolver::Var da = a[i - padA], db = b[i - padB];
    if (solver.isKnown(da) && solver.isKnown(db)) {
      int64_t va = solver.value(da), vb = solver.value(db);
      if (va == vb || vb == 1)
        out.push_back(da);
      else if (va == 1)
        out.push_back(db);
      else
        return op.emitError("G9: ")
               << describeOp(op) << ": operand shapes " << show(a) << " and "
               << show(b) << " are not broadcast-compatible";
    } else if (solver.isSymbol(da) && solver.isKnown(db) &&
               solver.value(db) == 1) {
      out.push_back(da); // a symbol is never 1: the 1 is broadcast
    } else if (solver.isSymbol(db) && solver.isKnown(da) &&
               solver.value(da) == 1) {
      out.push_back(db);
    } else {
      // G11: an unknown (broadcast-label) size takes the size it is aligned
      // with, even a size of 1.
      solver.unify(da, db, op);
      out.push_back(da);
    }
  }
  return success();
}

LogicalResult ShapeInference::visitReduce(ReduceOp op, Shape &out) {
  const Shape &in = shapes[op.getInput()];
  ArrayRef<int64_t> axes = op.getAxes();
  for (int64_t a : axes)
    if (a >= static_cast<int64_t>(in.size()))
      return op.emitError("G10: ")
             << describeOp(op) << ": axis " << a
             << " out of range for an input of rank " << in.size()
             << ", shape " << show(in);
  for (auto [i, v] : llvm::enumerate(in))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(v);
  return success();
}

LogicalResult ShapeInference::visitEinsum(EinsumOp op, Shape &out) {
  EinsumSpec spec = op.getParsedSpec();
  bool generalized = op.getCombine() != BinaryKind::multiply ||
                     op.getReduce() != ReduceKind::sum;
  const char *rule = generalized ? "G8: " : "G6: ";
  llvm::DenseMap<char, std::pair<SizeSolver::Var, size_t>> labels;
  for (auto [j, operand] : llvm::enumerate(op.getInputs())) {
    const Shape &s = shapes[operand];
    const std::string &sub = spec.inputs[j];
    if (s.size() != sub.size()) {
      auto diag = op.emitError(rule);
      diag << describeOp(op) << ": operand " << j;
      if (auto arg = llvm::dyn_cast<BlockArgument>(operand))
        if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                          kNameAttr))
          diag << " ('" << name.strref() << "')";
      diag << " has rank " << s.size() << ", shape " << show(s)
           << ", but its subscript '" << sub << "' has " << sub.size()
           << " label(s)";
      return diag;
    }
    for (auto [d, ch] : llvm::enumerate(sub)) {
      auto [it, inserted] = labels.try_emplace(ch, s[d], j);
      if (inserted)
        continue;
      int64_t before = solver.value(it->second.first);
      if (!solver.unify(it->second.first, s[d], op))
        return op.emitError(rule)
               << describeOp(op) << ": label '" << ch << "' has size "
               << before << " in operand " << it->second.second
               << " but size " << solver.value(s[d]) << " in operand " << j
               << " (einsum does not stretch size-1 dimensions)";
    }
  }
  for (char ch : spec.output) {
    auto it = labels.find(ch);
    if (it != labels.end()) {
      out.push_back(it->second.first);
      continue;
    }
    SizeSolver::Var v = solver.unknown(); // G7: a broadcast label
    pending.push_back({v, op, ch});
    labels.try_emplace(ch, v, ~size_t(0));
    out.push_back(v);
  }
  return success();
}

// A state keeps its shape: the body sees the initial shapes, and what it
// yields must have them.
LogicalResult ShapeInference::visitFixpoint(FixpointOp op) {
  Block &body = op.getBodyBlock();
  for (auto [arg, init] : llvm::zip(body.getArguments(), op.getInits()))
    shapes[arg] = shapes.lookup(init);
  for (Operation &inner : body)
    if (failed(visit(&inner)))
      return failure();
  for (auto [i, init, next] :
       llvm::enumerate(op.getInits(), op.getYield().getValues())) {
    const Shape &start = shapes[init], &end = shapes[next];
    bool same = start.size() == end.size();
    for (size_t d = 0; same && d < start.size(); ++d)
      same = solver.unify(start[d], end[d], op);
    if (!same)
      return op.emitError("G11: ")
             << describeOp(op) << ": state " << i << " starts with shape "
             << show(start) << " but the body yields shape " << show(end);
  }
  for (auto [init, result] : llvm::zip(op.getInits(), op.getResults())) {
    if (failed(checkDeclared(op, result, shapes[init])))
      return failure();
    shapes[result] = shapes.lookup(init);
  }
  return success();
}

// The regions see the states' shapes (and the adjoint their cotangents');
// a result has its state's or its captured value's shape.
LogicalResult ShapeInference::visitFixpointAdjoint(FixpointAdjointOp op) {
  size_t n = op.getInits().size();
  for (auto [i, init] : llvm::enumerate(op.getInits())) {
    shapes[op.getBodyBlock().getArgument(i)] = shapes.lookup(init);
    shapes[op.getAdjointBlock().getArgument(i)] = shapes.lookup(init);
    shapes[op.getAdjointBlock().getArgument(n + i)] = shapes.lookup(init);
  }
  for (Block *block : {&op.getBodyBlock(), &op.getAdjointBlock()})
    for (Operation &inner : *block)
      if (failed(visit(&inner)))
        return failure();
  SmallVector<Value> sources(op.getInits());
  llvm::append_range(sources, op.getCaptured());
  for (auto [source, result] : llvm::zip(sources, op.getGradients())) {
    if (failed(checkDeclared(op, result, shapes[source])))
      return failure();
    shapes[result] = shapes.lookup(source);
  }
  return success();
}

void ShapeInference::rewrite() {
  auto staticType = [&](Value v) {
    SmallVector<int64_t> dims;
    for (SizeSolver::Var var : shapes[v])
      dims.push_back(solver.value(var));
    return RankedTensorType::get(dims, getElementTypeOrSelf(v.getType()));
  };
  for (BlockArgument arg : func.getArguments())
    arg.setType(staticType(arg));
  func.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (BlockArgument arg : region.getArguments())
        if (op != func.getOperation())
          arg.setType(staticType(arg));
    for (Value r : op->getResults())
      r.setType(staticType(r));
  });
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().front().getArgumentTypes(),
                                 ret.getOperandTypes()));
}

/// The op for a runtime message: its node, or for MLIR input its line.
static std::string describeLink(Operation *op) {
  std::string text = describeOp(op);
  if (!llvm::StringRef(text).starts_with("node "))
    if (auto loc = llvm::dyn_cast<FileLineColLoc>(op->getLoc()))
      text += " at line " + std::to_string(loc.getLine());
  return text;
}

void ShapeInference::recordSymbols() {
  Builder b(func.getContext());
  llvm::DenseMap<SizeSolver::Var, int64_t> numbers; // by class root
  auto symbolsOf = [&](Value v, bool number) {
    SmallVector<int64_t> dims;
    bool any = false;
    for (SizeSolver::Var var : shapes[v]) {
      if (!solver.isSymbol(var)) {
        dims.push_back(-1);
        continue;
      }
      SizeSolver::Var root = solver.root(var);
      auto it = numbers.find(root);
      if (it == numbers.end() && number)
        it = numbers.try_emplace(root, numbers.size()).first;
      // Every symbol class holds an argument's dim, numbered first.
      dims.push_back(it == numbers.end() ? -1 : it->second);
      any = true;
    }
    return std::make_pair(dims, any);
  };
  for (BlockArgument arg : func.getArguments()) {
    auto [dims, any] = symbolsOf(arg, /*number=*/true);
    if (!any)
      continue;
    SmallVector<Attribute> links;
    for (SizeSolver::Var var : shapes[arg]) {
      Operation *why = solver.link(var);
      links.push_back(b.getStringAttr(why ? describeLink(why) : ""));
    }
    func.setArgAttr(arg.getArgNumber(), kDimsAttr,
                    b.getDenseI64ArrayAttr(dims));
    func.setArgAttr(arg.getArgNumber(), kDimLinksAttr, b.getArrayAttr(links));
  }
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto [dims, any] = symbolsOf(v, /*number=*/false);
    if (any)
      func.setResultAttr(i, kDimsAttr, b.getDenseI64ArrayAttr(dims));
  }
  // A broadcast label (G7) sized by a symbol has no operand to read its
  // size from at run time: name an argument dim of the same symbol.
  llvm::DenseMap<SizeSolver::Var, std::pair<int64_t, int64_t>> argDim;
  for (BlockArgument arg : func.getArguments())
    for (auto [axis, var] : llvm::enumerate(shapes[arg]))
      if (solver.isSymbol(var))
        argDim.try_emplace(solver.root(var), arg.getArgNumber(), axis);
  func.walk([&](EinsumOp op) {
    EinsumSpec spec = op.getParsedSpec();
    SmallVector<int64_t> sources;
    bool any = false;
    for (auto [i, c] : llvm::enumerate(spec.output)) {
      auto it = argDim.end();
      if (spec.broadcastLabels().find(c) != std::string::npos &&
          solver.isSymbol(shapes[op.getResult()][i]))
        it = argDim.find(solver.root(shapes[op.getResult()][i]));
      if (it == argDim.end()) {
        sources.append({-1, -1});
        continue;
      }
      sources.append({it->second.first, it->second.second});
      any = true;
    }
    if (any)
      op->setAttr(kDimArgsAttr, b.getDenseI64ArrayAttr(sources));
  });
}

/// Parses "name=2x3", "name=" or "name=scalar".
static FailureOr<std::pair<std::string, SmallVector<int64_t>>>
parseShapeOption(StringRef text, std::string &error) {
  auto [name, dims] = text.split('=');
  if (name.empty() || !text.contains('=')) {
    error = "expected name=DxD... (name= for 0-d), got '" + text.str() + "'";
    return failure();
  }
  SmallVector<int64_t> shape;
  if (!dims.empty() && dims != "scalar") {
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef p : parts) {
      int64_t d;
      if (p == "?") {
        shape.push_back(ShapedType::kDynamic);
        continue;
      }
      if (p.getAsInteger(10, d) || d < 0) {
        error = "bad size '" + p.str() + "' in '" + text.str() + "'";
        return failure();
      }
      shape.push_back(d);
    }
  }
  return std::make_pair(name.str(), shape);
}

namespace {
struct TLSpecializeShapesPass
    : mlir::tl::impl::TLSpecializeShapesPassBase<TLSpecializeShapesPass> {
  using TLSpecializeShapesPassBase::TLSpecializeShapesPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    llvm::StringMap<SmallVector<int64_t>> given;
    bool generic = this->generic;
    if (auto dict = func->getAttrOfType<DictionaryAttr>(kInputShapesAttr)) {
      for (NamedAttribute entry : dict) {
        auto dims = llvm::dyn_cast<DenseI64ArrayAttr>(entry.getValue());
        if (!dims) {
          func.emitError("G11: '")
              << kInputShapesAttr << "' entry '" << entry.getName()
              << "' must be an array<i64: ...>";
          return signalPassFailure();
        }
        given[entry.getName()] = SmallVector<int64_t>(dims.asArrayRef());
        generic = generic || llvm::any_of(dims.asArrayRef(), ShapedType::isDynamic);
      }
    }
    for (const std::string &text : inputShapes) {
      std::string error;
      auto parsed = parseShapeOption(text, error);
      if (failed(parsed)) {
        func.emitError("tl-specialize-shapes: input-shapes: ") << error;
        return signalPassFailure();
      }
      generic = generic ||
                llvm::any_of(parsed->second, ShapedType::isDynamic);
      given[parsed->first] = parsed->second;
    }

    ShapeInference inference(func, generic);
    if (failed(inference.run(given)))
      return signalPassFailure();
    inference.rewrite();
    if (generic)
      inference.recordSymbols();
    func->removeAttr(kInputShapesAttr);
  }
};
} // namespace
