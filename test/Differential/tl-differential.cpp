//===- tl-differential.cpp - compiled code against the interpreter --------===//
//
//   tl-differential [--count=N] [--seed=S] [--first=I] [--verbose] [--sparse]
//
// Generates N seeded random tl graphs (every op and kind, NumPy broadcasts,
// diagonals, broadcast labels, 0-d and zero-size tensors, chains, several
// outputs, NaN and infinity in the inputs), runs each through the CPU
// pipeline and the JIT and through the reference interpreter, and compares.
//
// With --sparse (issue 19) every input of rank >= 1 is a relation at a
// random density (none, 5%, 20%, half, all of its entries), given to the
// compiled code as a sparse tensor (CSR for matrices, COO otherwise) and
// compiled on the sparse route for its measured density at threshold 1,
// so every value the route can store sparse is; the interpreter reads the
// dense arrays. A graph the route cannot compile (it falls back to dense
// code with a warning) is a failure. The inputs are finite and have no -0:
// an implicit zero annihilates in a product (0 * inf is 0, as in SciPy),
// and has no sign.
//
// Values that only element-wise ops and order-free folds (max, min) have
// touched must agree exactly: both sides compute the same IEEE operations
// and call the same libm (except exp and sigmoid, which the compiler
// computes with a polynomial a few ulp from libm: compared with tolerance).
// Values downstream of a sum, product or mean over
// more than one element may differ by summation order, so they are compared
// with a tolerance, and the discontinuous ops (step, round, floor, ceil,
// the comparisons, modulo) only ever consume exact values. Values downstream
// of an einsum that tl-order-contractions may regroup (three or more
// operands, or an einsum reading an einsum) are compared where both sides
// are finite: regrouping IEEE sums and products can turn an infinity into
// NaN and back (0 * inf appears in one grouping and not the other).
//
// Graph I of seed S is reproducible alone with --seed=S --first=I
// --count=1; a failure prints its IR.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Driver/GraphRunner.h"
#include "tl/IO/Npy.h"
#include "tl/InitTL.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::tl;
namespace cl = llvm::cl;

static cl::opt<unsigned> count("count", cl::desc("Graphs to test"),
                               cl::init(1000));
static cl::opt<unsigned> seed("seed", cl::desc("Random seed"), cl::init(1));
static cl::opt<unsigned> first("first", cl::desc("Index of the first graph"),
                               cl::init(0));
static cl::opt<bool> verbose("verbose", cl::desc("Print every graph"));
static cl::opt<bool> sparseInputs(
    "sparse", cl::desc("Give relations sparse, compiled on the sparse route"));

namespace {

struct Value_ {
  Value value;
  std::vector<int64_t> shape;
  bool exact; // untouched by order-dependent folds
  /// Downstream of an einsum the compiler may reassociate (tl-order-
  /// contractions splits n-ary einsums and merges einsum chains): sums and
  /// products regrouped, so an infinity may become NaN or the reverse.
  bool reassociated = false;
};

bool isDiscontinuous(UnaryKind k) {
  return k == UnaryKind::step || k == UnaryKind::round ||
         k == UnaryKind::floor || k == UnaryKind::ceil;
}
bool isDiscontinuous(BinaryKind k) {
  switch (k) {
  case BinaryKind::eq:
  case BinaryKind::lt:
  case BinaryKind::gt:
  case BinaryKind::lte:
  case BinaryKind::gte:
  case BinaryKind::modulo:
    return true;
  default:
    return false;
  }
}
bool isOrderFree(ReduceKind k) {
  return k == ReduceKind::max || k == ReduceKind::min;
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Op counts, to show the generator reaches every op and kind.
struct Coverage {
  std::map<std::string, int> counts;
  void add(const std::string &what) { ++counts[what]; }
};

class GraphGenerator {
public:
  GraphGenerator(MLIRContext *ctx, uint64_t seed, Coverage &coverage)
      : ctx(ctx), rng(seed), b(ctx), coverage(coverage) {}

  /// A module with one function @main; `inputs` gets its argument arrays.
  OwningOpRef<ModuleOp> generate(io::NamedArrays &inputs,
                                 std::vector<bool> &exactResults,
                                 std::vector<bool> &reassociatedResults) {
    f32 = coin(0.4);
    elem = f32 ? Type(b.getF32Type()) : Type(b.getF64Type());
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);

    int numArgs = uniform(1, 3);
    std::vector<std::vector<int64_t>> argShapes;
    for (int i = 0; i < numArgs; ++i)
      argShapes.push_back(randomShape());
    SmallVector<Type> argTypes;
    for (auto &s : argShapes)
      argTypes.push_back(RankedTensorType::get(s, elem));
    b.setInsertionPointToEnd(module->getBody());
    auto func = b.create<func::FuncOp>(loc, "main",
                                       b.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    b.setInsertionPointToStart(body);
    for (int i = 0; i < numArgs; ++i) {
      std::string name = "x" + std::to_string(i);
      func.setArgAttr(i, kNameAttr, b.getStringAttr(name));
      pool.push_back({body->getArgument(i), argShapes[i], true});
      inputs.emplace_back(name, randomArray(argShapes[i]));
    }

    int numOps = uniform(1, 7);
    for (int i = 0; i < numOps; ++i)
      addOp(loc);

    // One to three outputs, the last value always among them.
    SmallVector<Value> results = {pool.back().value};
    exactResults = {pool.back().exact};
    reassociatedResults = {pool.back().reassociated};
    int extra = uniform(0, 2);
    for (int i = 0; i < extra && pool.size() > 1; ++i) {
      const Value_ &v = pool[uniform(0, pool.size() - 2)];
      results.push_back(v.value);
      exactResults.push_back(v.exact);
      reassociatedResults.push_back(v.reassociated);
    }
    if (results.size() > 1)
      coverage.add("several outputs");
    b.create<func::ReturnOp>(loc, results);
    func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (unsigned i = 0; i < results.size(); ++i)
      func.setResultAttr(i, kNameAttr,
                         b.getStringAttr("out" + std::to_string(i)));
    return module;
  }

private:
  int uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng); }
  template <typename T> T pick(llvm::ArrayRef<T> xs) {
    return xs[uniform(0, xs.size() - 1)];
  }

  int64_t randomDim() {
    if (coin(0.04))
      return 0;
    static const int64_t sizes[] = {1, 2, 3, 4, 5, 8, 16, 7};
    return pick<int64_t>(sizes);
  }
  std::vector<int64_t> randomShape() {
    int rank = coin(0.1) ? 0 : uniform(1, 3);
    // The runtime binds matrices in sparse layouts: mostly those.
    if (sparseInputs && rank && coin(0.5))
      rank = 2;
    std::vector<int64_t> s;
    for (int i = 0; i < rank; ++i)
      s.push_back(randomDim());
    return s;
  }
  double randomValue() {
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (sparseInputs) {
      double v = pick<double>({0.5, -0.5, 1.0, -1.0, 2.0, 1.5, -2.5});
      return r < 0.35 ? v : std::uniform_real_distribution<double>(-2, 2)(rng);
    }
    if (r < 0.02)
      return NAN;
    if (r < 0.03)
      return INFINITY;
    if (r < 0.04)
      return -INFINITY;
    // Ties and halves, where comparisons, fmax/fmin and round decide.
    if (r < 0.35)
      return pick<double>({0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 1.5, -2.5});
    return std::uniform_real_distribution<double>(-2, 2)(rng);
  }
  io::Array randomArray(const std::vector<int64_t> &shape) {
    std::vector<double> v(numElements(shape));
    for (double &x : v)
      x = randomValue();
    if (sparseInputs && !shape.empty()) {
      double density = pick<double>({0.0, 0.05, 0.2, 0.5, 1.0});
      coverage.add("relation at density " + std::to_string(density));
      for (double &x : v)
        if (!coin(density))
          x = 0;
    }
    return io::Array::fromDoubles(f32 ? io::DType::f32 : io::DType::f64,
                                  shape, v);
  }

  /// A value from the pool, preferring recent ones (chains); `exactOnly`
  /// for the discontinuous ops.
  const Value_ *choose(bool exactOnly) {
    std::vector<const Value_ *> ok;
    for (const Value_ &v : pool)
      if (!exactOnly || v.exact)
        ok.push_back(&v);
    if (ok.empty())
      return nullptr;
    if (coin(0.6))
      return ok.back();
    return ok[uniform(0, ok.size() - 1)];
  }

  Value_ constant(Location loc, const std::vector<int64_t> &shape) {
    auto type = RankedTensorType::get(shape, elem);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < numElements(shape); ++i)
      values.push_back(b.getFloatAttr(elem, randomValue()));
    coverage.add("constant");
    Value c = b.create<ConstantOp>(loc, type,
                                   DenseElementsAttr::get(type, values),
                                   StringAttr());
    return {c, shape, true};
  }

  void addOp(Location loc) {
    switch (uniform(0, 3)) {
    case 0:
      return addUnary(loc);
    case 1:
      return addBinary(loc);
    case 2:
      return addReduce(loc);
    default:
      return addEinsum(loc);
    }
  }

  void addUnary(Location loc) {
    auto kind = static_cast<UnaryKind>(uniform(0, getMaxEnumValForUnaryKind()));
    const Value_ *in = choose(isDiscontinuous(kind));
    if (!in)
      kind = UnaryKind::sigmoid, in = choose(false);
    coverage.add("unary " + stringifyUnaryKind(kind).str());
    Value r = b.create<UnaryOp>(loc, in->value.getType(), kind, in->value);
    // exp (and sigmoid, through it) is a polynomial within a few ulp of
    // libm (tl-approximate-math), not libm's bits.
    bool approximated = kind == UnaryKind::exp || kind == UnaryKind::sigmoid;
    pool.push_back(
        {r, in->shape, in->exact && !approximated, in->reassociated});
  }

  void addBinary(Location loc) {
    auto kind =
        static_cast<BinaryKind>(uniform(0, getMaxEnumValForBinaryKind()));
    bool exactOnly = isDiscontinuous(kind);
    const Value_ *lhsP = choose(exactOnly);
    if (!lhsP)
      kind = BinaryKind::add, exactOnly = false, lhsP = choose(false);
    Value_ lhs = *lhsP;
    // The other operand: a pool value whose shape broadcasts with lhs, or
    // a constant of a broadcastable shape (a suffix, some dims set to 1).
    Value_ rhs;
    std::vector<const Value_ *> fits;
    for (const Value_ &v : pool)
      if ((!exactOnly || v.exact) && broadcast(lhs.shape, v.shape))
        fits.push_back(&v);
    if (!fits.empty() && coin(0.6)) {
      rhs = *fits[uniform(0, fits.size() - 1)];
    } else {
      std::vector<int64_t> s(lhs.shape.begin() +
                                 uniform(0, lhs.shape.size()),
                             lhs.shape.end());
      for (int64_t &d : s)
        if (coin(0.3))
          d = 1;
      rhs = constant(loc, s);
    }
    if (coin(0.5))
      std::swap(lhs, rhs);
    std::vector<int64_t> out = *broadcast(lhs.shape, rhs.shape);
    coverage.add("binary " + stringifyBinaryKind(kind).str());
    if (lhs.shape != rhs.shape)
      coverage.add("binary with broadcast");
    Value r = b.create<BinaryOp>(loc, RankedTensorType::get(out, elem), kind,
                                 lhs.value, rhs.value);
    pool.push_back({r, out, lhs.exact && rhs.exact,
                    lhs.reassociated || rhs.reassociated});
  }

  static std::optional<std::vector<int64_t>>
  broadcast(const std::vector<int64_t> &a, const std::vector<int64_t> &b) {
    size_t rank = std::max(a.size(), b.size());
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
      int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
      int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
      if (x != y && x != 1 && y != 1)
        return std::nullopt;
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  void addReduce(Location loc) {
    std::vector<const Value_ *> ranked;
    for (const Value_ &v : pool)
      if (!v.shape.empty())
        ranked.push_back(&v);
    if (ranked.empty())
      return addUnary(loc);
    const Value_ &in = *(coin(0.6) ? ranked.back()
                                   : ranked[uniform(0, ranked.size() - 1)]);
    auto kind =
        static_cast<ReduceKind>(uniform(0, getMaxEnumValForReduceKind()));
    SmallVector<int64_t> axes;
    std::vector<int64_t> out;
    int64_t folded = 1;
    for (int64_t d = 0; d < int64_t(in.shape.size()); ++d) {
      if (coin(0.5)) {
        axes.push_back(d);
        folded *= in.shape[d];
      } else {
        out.push_back(in.shape[d]);
      }
    }
    std::shuffle(axes.begin(), axes.end(), rng);
    coverage.add("reduce " + stringifyReduceKind(kind).str());
    if (axes.empty())
      coverage.add("reduce over no axes");
    Value r = b.create<ReduceOp>(loc, RankedTensorType::get(out, elem), kind,
                                 in.value, b.getDenseI64ArrayAttr(axes));
    pool.push_back({r, out, in.exact && (isOrderFree(kind) || folded <= 1),
                    in.reassociated || in.value.getDefiningOp<EinsumOp>()});
  }

  void addEinsum(Location loc) {
    int numOperands = uniform(1, 3);
    std::vector<const Value_ *> operands;
    for (int i = 0; i < numOperands; ++i)
      operands.push_back(choose(false));
    // Labels: reuse one of equal size (a contraction, or a diagonal within
    // an operand) or start a new one.
    std::string letters = "abcdefghijklmnopqrstuvwxyz";
    std::map<char, int64_t> sizes;
    std::vector<std::string> subscripts;
    bool diagonal = false;
    for (const Value_ *v : operands) {
      std::string sub;
      for (int64_t size : v->shape) {
        std::vector<char> same;
        for (auto [c, s] : sizes)
          if (s == size && (sub.find(c) == std::string::npos || coin(0.15)))
            same.push_back(c);
        char label;
        if (!same.empty() && coin(0.6)) {
          label = same[uniform(0, same.size() - 1)];
          diagonal |= sub.find(label) != std::string::npos;
        } else {
          label = letters[sizes.size()];
          sizes[label] = size;
        }
        sub.push_back(label);
      }
      subscripts.push_back(sub);
    }
    // Output: a random subset of the labels in random order, and
    // sometimes a broadcast label (G7).
    std::string output;
    for (auto [c, s] : sizes)
      if (coin(0.6))
        output.push_back(c);
    std::shuffle(output.begin(), output.end(), rng);
    if (coin(0.15) && sizes.size() < 26) {
      char c = letters[sizes.size()];
      sizes[c] = uniform(1, 3);
      output.insert(output.begin() + uniform(0, output.size()), c);
      coverage.add("einsum broadcast label");
    }
    int64_t space = 1, folded = 1;
    for (auto [c, s] : sizes) {
      space *= s;
      if (output.find(c) == std::string::npos)
        folded *= s;
    }
    if (space > 20000) // keep the interpreter quick
      return addUnary(loc);

    BinaryKind combine = BinaryKind::multiply;
    bool exactOnly = false;
    if (numOperands == 2 && coin(0.4)) {
      combine =
          static_cast<BinaryKind>(uniform(0, getMaxEnumValForBinaryKind()));
      exactOnly = isDiscontinuous(combine);
    }
    if (exactOnly && !(operands[0]->exact && operands[1]->exact))
      combine = BinaryKind::or_prob_sum;
    ReduceKind reduce =
        coin(0.5) ? ReduceKind::sum
                  : static_cast<ReduceKind>(
                        uniform(0, getMaxEnumValForReduceKind()));
    std::string spec;
    for (auto [i, s] : llvm::enumerate(subscripts))
      spec += (i ? "," : "") + s;
    spec += "->" + output;
    std::vector<int64_t> outShape;
    for (char c : output)
      outShape.push_back(sizes[c]);
    SmallVector<Value> values;
    bool exact = true, reassociated = numOperands >= 3;
    for (const Value_ *v : operands) {
      values.push_back(v->value);
      exact &= v->exact;
      reassociated |= v->reassociated || v->value.getDefiningOp<EinsumOp>();
    }
    coverage.add("einsum " + std::to_string(numOperands) + " operand(s)");
    coverage.add("einsum combine " + stringifyBinaryKind(combine).str());
    coverage.add("einsum reduce " + stringifyReduceKind(reduce).str());
    if (diagonal)
      coverage.add("einsum diagonal");
    if (numElements(outShape) == 0 || folded == 0)
      coverage.add("einsum zero-size");
    auto op = b.create<EinsumOp>(loc, RankedTensorType::get(outShape, elem),
                                 b.getStringAttr(spec), values, combine,
                                 reduce);
    pool.push_back({op.getResult(), outShape,
                    exact && !reassociated &&
                        (folded <= 1 || isOrderFree(reduce)),
                    reassociated});
  }

  MLIRContext *ctx;
  std::mt19937_64 rng;
  OpBuilder b;
  Coverage &coverage;
  bool f32 = false;
  Type elem;
  std::vector<Value_> pool;
};

/// Exact: equal as IEEE values (NaN == NaN, -0 == +0). Otherwise within
/// rtol of the output's largest magnitude.
bool close(double got, double want, bool exact, double rtol, double scale) {
  if (std::isnan(got) || std::isnan(want))
    return std::isnan(got) && std::isnan(want);
  if (std::isinf(got) || std::isinf(want))
    return got == want;
  if (exact)
    return got == want;
  return std::fabs(got - want) <= rtol * std::max(1.0, scale);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "tl-differential: JIT against interpreter\n");
  DialectRegistry registry;
  registerTLCompilerDialects(registry);
  Coverage coverage;
  unsigned failures = 0;
  for (unsigned g = first; g < first + count; ++g) {
    // The generator's context only holds the graph; each side loads the
    // printed text into its own, as a user's process would.
    std::string text;
    io::NamedArrays inputs;
    std::vector<bool> exact, reassociated;
    {
      MLIRContext ctx(registry, MLIRContext::Threading::DISABLED);
      ctx.loadAllAvailableDialects();
      GraphGenerator gen(&ctx, (uint64_t(seed) << 32) ^ g, coverage);
      OwningOpRef<ModuleOp> module = gen.generate(inputs, exact, reassociated);
      if (failed(verify(*module))) {
        llvm::errs() << "graph " << g << ": the generator made invalid IR\n";
        module->print(llvm::errs());
        return 1;
      }
      llvm::raw_string_ostream os(text);
      module->print(os);
    }
    auto report = [&](const llvm::Twine &what) {
      llvm::errs() << "graph " << g << " (--seed=" << seed << " --first=" << g
                   << " --count=1): " << what << "\n"
                   << text << "\n";
      ++failures;
    };
    if (verbose)
      llvm::outs() << "graph " << g << ":\n" << text << "\n";

    std::vector<std::string> names;
    std::map<std::string, std::vector<int64_t>> shapes;
    std::vector<::tl::runtime::Buffer> buffers;
    buffers.reserve(inputs.size());
    std::map<std::string, const ::tl::runtime::Buffer *> named;
    for (auto &[name, array] : inputs) {
      names.push_back(name);
      shapes[name] = array.shape;
      auto dtype = array.dtype == io::DType::f32 ? ::tl::runtime::DType::f32
                                                 : ::tl::runtime::DType::f64;
      buffers.push_back(::tl::runtime::Buffer::allocate(dtype, array.shape));
      if (!array.data.empty())
        std::memcpy(buffers.back().data(), array.data.data(), array.data.size());
      named[name] = &buffers.back();
    }

    MLIRContext refCtx(MLIRContext::Threading::DISABLED);
    GraphRunner reference(&refCtx);
    if (llvm::Error e = reference.loadBuffer(text, SourceFormat::mlir, "graph", names, {})) {
      report("reference load: " + llvm::toString(std::move(e)));
      continue;
    }
    auto want = reference.runReference(named);
    if (!want) {
      report("interpreter: " + llvm::toString(want.takeError()));
      continue;
    }

    absl::StatusOr<std::vector<std::pair<std::string, ::tl::runtime::Buffer>>>
        got = absl::UnknownError("not run");
    if (sparseInputs) {
      ::tl::CompileOptions options;
      options.dtypeFromGraph = true;
      options.inputShapes = shapes;
      options.sparseThreshold = 1;
      options.cache = false;
      std::vector<::tl::runtime::SparseBuffer> sparse;
      sparse.reserve(buffers.size());
      std::map<std::string, const ::tl::runtime::Buffer *> dense;
      std::map<std::string, const ::tl::runtime::SparseBuffer *> relations;
      for (const auto &[name, buffer] : named) {
        if (buffer->rank() == 0) {
          dense[name] = buffer;
          continue;
        }
        sparse.push_back(::tl::runtime::SparseBuffer::fromDense(
            *buffer, buffer->rank() == 2 ? ::tl::runtime::SparseFormat::csr
                                         : ::tl::runtime::SparseFormat::coo));
        relations[name] = &sparse.back();
        options.inputDensities[name] = sparse.back().density();
      }
      auto exe =
          ::tl::Executable::compile(text, ::tl::GraphFormat::kMLIR, options);
      if (!exe.ok()) {
        report("compile: " + std::string(exe.status().message()));
        continue;
      }
      // A kernel MLIR's sparsifier crashes on (caught) compiles dense: the
      // results must still match; how often is counted. Any other warning
      // is a failure.
      bool warned = false;
      for (const std::string &w : (*exe)->warnings()) {
        if (w.find("MLIR's sparsifier crashed") != std::string::npos) {
          coverage.add("sparse route: sparsifier crashed, compiled dense");
          continue;
        }
        std::string densities;
        for (const auto &[name, d] : options.inputDensities)
          densities += " " + name + "=" + std::to_string(d);
        report("warning: " + w + " (densities" + densities + ")");
        warned = true;
      }
      if (warned)
        continue;
      auto outputs = (*exe)->runSparse(dense, relations);
      if (outputs.ok())
        for (const auto &[name, result] : *outputs)
          coverage.add(
              std::holds_alternative<::tl::runtime::SparseBuffer>(result)
                  ? "sparse route: a result computed sparse"
                  : "sparse route: a result computed dense");
      got = outputs.ok() ? ::tl::runtime::denseResults(std::move(*outputs))
                         : outputs.status();
    } else {
      MLIRContext jitCtx(MLIRContext::Threading::DISABLED);
      GraphRunner runner(&jitCtx);
      llvm::Error e =
          runner.loadBuffer(text, SourceFormat::mlir, "graph", names, {});
      if (!e)
        e = runner.bind(shapes);
      if (e) {
        report("load: " + llvm::toString(std::move(e)));
        continue;
      }
      auto compiled = runner.compile(TLCpuPipelineOptions(), JitOptions());
      if (!compiled) {
        report("compile: " + llvm::toString(compiled.takeError()));
        continue;
      }
      got = (*compiled)->run(named);
    }
    if (!got.ok()) {
      report("run: " + std::string(got.status().message()));
      continue;
    }
    bool f32 = !got->empty() &&
               got->front().second.dtype() == ::tl::runtime::DType::f32;
    double rtol = f32 ? 1e-4 : 1e-9;
    for (size_t i = 0; i < want->size(); ++i) {
      const ::tl::runtime::Buffer &w = (*want)[i].second;
      const ::tl::runtime::Buffer &h = (*got)[i].second;
      std::vector<double> wv(w.numElements());
      for (int64_t k = 0; k < w.numElements(); ++k)
        wv[k] = w.at(k);
      if (h.shape() != w.shape()) {
        report("output " + llvm::Twine(i) + " has shape " + h.typeString());
        break;
      }
      double scale = 0;
      for (double x : wv)
        if (std::isfinite(x))
          scale = std::max(scale, std::fabs(x));
      for (int64_t k = 0; k < h.numElements(); ++k) {
        if (reassociated[i] &&
            (!std::isfinite(h.at(k)) || !std::isfinite(wv[k])))
          continue;
        if (!close(h.at(k), wv[k], exact[i], rtol, scale)) {
          report("output " + llvm::Twine(i) + (exact[i] ? " (exact)" : "") +
                 " element " + llvm::Twine(k) +
                 ": compiled " + std::to_string(h.at(k)) + ", interpreter " +
                 std::to_string(wv[k]));
          break;
        }
      }
    }
  }
  llvm::outs() << count << " graphs (seed " << seed << "), " << failures
               << " failed\n";
  for (auto &[what, n] : coverage.counts)
    llvm::outs() << "  " << what << ": " << n << "\n";
  return failures ? 1 : 0;
}
