//===- Import.cpp - Tensor Logic equations to the tl dialect --------------===//
//
// Three steps: a recursive-descent parser builds one expression tree per
// equation; the equations are ordered by their dependencies, a cycle
// (Tarjan's strongly connected components) becoming one fixpoint; each
// tree is lowered to tl ops, summing every index that is not on the left
// at the lowest node that holds all its uses.
//
//===----------------------------------------------------------------------===//

#include "tl/Target/TensorEquations/TensorEquations.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>
#include <memory>
#include <optional>

using namespace mlir;
using namespace mlir::tl;

bool mlir::tl::isTensorEquationFile(llvm::StringRef path) {
  return llvm::sys::path::extension(path) == ".tle";
}

namespace {

//===----------------------------------------------------------------------===//
// Expression trees
//===----------------------------------------------------------------------===//

struct Node {
  enum class Kind { number, tensor, apply, negate, binary, product } kind;
  unsigned line = 0, column = 0;
  double number = 0;                // number
  std::string name;                 // tensor
  std::vector<std::string> indices; // tensor, as written
  UnaryKind function{};             // apply
  BinaryKind op{};                  // binary: add, subtract, divide
  std::vector<std::unique_ptr<Node>> operands;
  /// Indices summed once this node is computed (not on the left-hand side,
  /// and every use of them is in this subtree).
  std::vector<std::string> summed;
};

struct Equation {
  std::string name;
  std::vector<std::string> indices;
  std::unique_ptr<Node> value;
  unsigned line = 0, column = 0;
};

/// `@fixpoint Name tolerance=T max_iterations=N at_limit=error|warn`: the
/// limits of the fixpoint that computes Name.
struct FixpointDirective {
  std::string name;
  unsigned line = 0, column = 0;
  std::optional<double> tolerance;
  std::optional<int64_t> maxIterations;
  std::optional<bool> warnAtLimit; // at_limit=warn
};

struct Program {
  std::vector<Equation> equations;
  std::vector<FixpointDirective> directives;
};

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

class Parser {
public:
  Parser(llvm::StringRef text, MLIRContext *context, llvm::StringRef file)
      : text(text), context(context), file(file) {}

  /// The equations in source order (null-free) and the directives, or
  /// failure after a diagnostic.
  FailureOr<Program> parseProgram();

  Location locationAt(unsigned line, unsigned column) {
    return FileLineColLoc::get(context, file, line, column);
  }

private:
  // Tokens are read on demand; newlines end an equation except inside
  // parentheses.
  void skipSpace() {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '#') {
        while (pos < text.size() && text[pos] != '\n')
          ++pos;
      } else if (c == ' ' || c == '\t' || c == '\r' ||
                 (c == '\n' && depth > 0)) {
        advance();
      } else {
        return;
      }
    }
  }
  void advance() {
    if (text[pos] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++pos;
  }
  char peek() {
    skipSpace();
    return pos < text.size() ? text[pos] : '\0';
  }
  bool consume(char c) {
    if (peek() != c)
      return false;
    advance();
    return true;
  }
  InFlightDiagnostic error() { return emitError(locationAt(line, column)); }
  /// What the parser is looking at, for messages.
  std::string here() {
    char c = peek();
    if (c == '\0')
      return "the end of the file";
    if (c == '\n')
      return "the end of the line";
    return "'" + std::string(1, c) + "'";
  }
  static bool isNameStart(char c) { return llvm::isAlpha(c) || c == '_'; }
  std::string parseName() {
    size_t start = pos;
    while (pos < text.size() && (llvm::isAlnum(text[pos]) || text[pos] == '_'))
      advance();
    return text.substr(start, pos - start).str();
  }

  LogicalResult parseIndexList(std::vector<std::string> &indices);
  LogicalResult parseDirective(FixpointDirective &directive);
  std::unique_ptr<Node> parseSum();
  std::unique_ptr<Node> parseProduct();
  std::unique_ptr<Node> parseFactor();
  std::unique_ptr<Node> parsePrimary();
  /// '(' sum ')', at the '('; `after` says where a missing ')' was due.
  std::unique_ptr<Node> parseParenthesized(const std::string &after);
  std::unique_ptr<Node> makeNode(Node::Kind kind) {
    ++nodes;
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->line = line;
    node->column = column;
    return node;
  }

  llvm::StringRef text;
  MLIRContext *context;
  std::string file;
  size_t pos = 0;
  unsigned line = 1, column = 1;
  int depth = 0;   // open parentheses
  int nesting = 0; // subexpressions being parsed, one inside the other
  size_t nodes = 0;
};

// The lowering recurses over the trees, and a graph has at most
// kMaxGraphNodes ops, so deeper or larger programs are refused while
// parsing rather than left to exhaust the stack.
constexpr int kMaxNesting = 200;
constexpr size_t kMaxTerms = 3000;

FailureOr<Program> Parser::parseProgram() {
  Program program;
  std::vector<Equation> &equations = program.equations;
  while (true) {
    char c = peek();
    if (c == '\0')
      return program;
    if (c == '\n') {
      advance();
      continue;
    }
    if (c == '@') {
      FixpointDirective directive;
      if (failed(parseDirective(directive)))
        return failure();
      program.directives.push_back(std::move(directive));
      continue;
    }
    Equation eq;
    eq.line = line;
    eq.column = column;
    if (!isNameStart(c)) {
      error() << "expected an equation (a tensor name) but found " << here();
      return failure();
    }
    eq.name = parseName();
    if (peek() == '[' && failed(parseIndexList(eq.indices)))
      return failure();
    if (!consume('=')) {
      error() << "expected '=' after the left-hand side '" << eq.name
              << "' but found " << here();
      return failure();
    }
    llvm::StringMap<bool> seen;
    for (const std::string &index : eq.indices)
      if (!seen.insert({index, true}).second) {
        emitError(locationAt(eq.line, eq.column))
            << "index '" << index << "' appears twice on the left-hand side";
        return failure();
      }
    eq.value = parseSum();
    if (!eq.value)
      return failure();
    char end = peek();
    if (end != '\n' && end != '\0') {
      error() << "expected the end of the equation but found " << here();
      return failure();
    }
    equations.push_back(std::move(eq));
  }
}

// directive := '@fixpoint' name { ('tolerance' | 'max_iterations') '=' number
//                                | 'at_limit' '=' ('error' | 'warn') }
LogicalResult Parser::parseDirective(FixpointDirective &directive) {
  directive.line = line;
  directive.column = column;
  advance(); // '@'
  std::string keyword = parseName();
  if (keyword != "fixpoint") {
    emitError(locationAt(directive.line, directive.column))
        << "unknown directive '@" << keyword << "'; expected '@fixpoint'";
    return failure();
  }
  if (!isNameStart(peek())) {
    error() << "expected the name of a recursive tensor after '@fixpoint' "
               "but found "
            << here();
    return failure();
  }
  directive.name = parseName();
  while (peek() != '\n' && peek() != '\0') {
    unsigned optionLine = line, optionColumn = column;
    if (!isNameStart(peek())) {
      error() << "expected 'tolerance=', 'max_iterations=' or 'at_limit=' "
                 "but found "
              << here();
      return failure();
    }
    std::string option = parseName();
    auto at = [&]() { return emitError(locationAt(optionLine, optionColumn)); };
    if (option != "tolerance" && option != "max_iterations" &&
        option != "at_limit") {
      at() << "unknown '@fixpoint' option '" << option
           << "'; expected 'tolerance', 'max_iterations' or 'at_limit'";
      return failure();
    }
    if ((option == "tolerance" && directive.tolerance) ||
        (option == "max_iterations" && directive.maxIterations) ||
        (option == "at_limit" && directive.warnAtLimit)) {
      at() << "'" << option << "' is given twice";
      return failure();
    }
    if (!consume('=')) {
      error() << "expected '=' after '" << option << "' but found " << here();
      return failure();
    }
    size_t start = pos;
    while (pos < text.size() && !llvm::isSpace(text[pos]) && text[pos] != '#')
      advance();
    llvm::StringRef literal = text.substr(start, pos - start);
    if (option == "at_limit") {
      if (literal != "error" && literal != "warn") {
        at() << "at_limit '" << literal
             << "' is not 'error' (fail at max_iterations, the default) or "
                "'warn' (return the last states with a warning)";
        return failure();
      }
      directive.warnAtLimit = literal == "warn";
    } else if (option == "tolerance") {
      double value;
      if (literal.getAsDouble(value) || !std::isfinite(value) || value < 0) {
        at() << "tolerance '" << literal
             << "' is not a number >= 0 (the largest element change that "
                "counts as converged)";
        return failure();
      }
      directive.tolerance = value;
    } else {
      int64_t value;
      if (literal.getAsInteger(10, value) || value < 1) {
        at() << "max_iterations '" << literal
             << "' is not a whole number >= 1";
        return failure();
      }
      directive.maxIterations = value;
    }
  }
  return success();
}

LogicalResult Parser::parseIndexList(std::vector<std::string> &indices) {
  consume('['); // an index list stays on its line
  if (peek() != ']') {
    do {
      if (!isNameStart(peek())) {
        error() << "expected an index name but found " << here();
        return failure();
      }
      indices.push_back(parseName());
    } while (consume(','));
  }
  if (peek() != ']') {
    error() << "expected ',' or ']' in the index list but found " << here();
    return failure();
  }
  consume(']');
  return success();
}

// sum := product (('+' | '-') product)*
std::unique_ptr<Node> Parser::parseSum() {
  std::unique_ptr<Node> lhs = parseProduct();
  while (lhs && (peek() == '+' || peek() == '-')) {
    auto node = makeNode(Node::Kind::binary);
    node->op = peek() == '+' ? BinaryKind::add : BinaryKind::subtract;
    advance();
    std::unique_ptr<Node> rhs = parseProduct();
    if (!rhs)
      return nullptr;
    node->operands.push_back(std::move(lhs));
    node->operands.push_back(std::move(rhs));
    lhs = std::move(node);
  }
  return lhs;
}

// product := factor (('*' | '/' | <juxtaposition>) factor)*
// Juxtaposed and '*'-joined factors form one product (one einsum).
std::unique_ptr<Node> Parser::parseProduct() {
  std::unique_ptr<Node> first = parseFactor();
  if (!first)
    return nullptr;
  std::unique_ptr<Node> product;
  auto startsFactor = [&](char c) {
    return isNameStart(c) || llvm::isDigit(c) || c == '.' || c == '(';
  };
  while (true) {
    char c = peek();
    if (c == '/') {
      advance();
      std::unique_ptr<Node> rhs = parseFactor();
      if (!rhs)
        return nullptr;
      if (product)
        first = std::move(product);
      auto node = makeNode(Node::Kind::binary);
      node->op = BinaryKind::divide;
      node->operands.push_back(std::move(first));
      node->operands.push_back(std::move(rhs));
      first = std::move(node);
      continue;
    }
    if (c != '*' && !startsFactor(c))
      break;
    if (c == '*')
      advance();
    std::unique_ptr<Node> next = parseFactor();
    if (!next)
      return nullptr;
    if (!product) {
      product = makeNode(Node::Kind::product);
      product->line = first->line;
      product->column = first->column;
      product->operands.push_back(std::move(first));
    }
    product->operands.push_back(std::move(next));
  }
  return product ? std::move(product) : std::move(first);
}

// factor := '-' factor | primary
std::unique_ptr<Node> Parser::parseFactor() {
  if (nesting >= kMaxNesting) {
    error() << "the expression nests more than " << kMaxNesting
            << " levels deep";
    return nullptr;
  }
  if (nodes >= kMaxTerms) {
    error() << "the program has more than " << kMaxTerms
            << " terms; split it into smaller programs";
    return nullptr;
  }
  ++nesting;
  auto done = llvm::make_scope_exit([&] { --nesting; });
  if (peek() == '-') {
    auto node = makeNode(Node::Kind::negate);
    advance();
    std::unique_ptr<Node> operand = parseFactor();
    if (!operand)
      return nullptr;
    node->operands.push_back(std::move(operand));
    return node;
  }
  return parsePrimary();
}

// primary := number | name '(' sum ')' | name ('[' indices ']')? | '(' sum ')'
std::unique_ptr<Node> Parser::parsePrimary() {
  char c = peek();
  if (llvm::isDigit(c) || c == '.') {
    auto node = makeNode(Node::Kind::number);
    size_t start = pos;
    while (pos < text.size() &&
           (llvm::isDigit(text[pos]) || text[pos] == '.' ||
            ((text[pos] == 'e' || text[pos] == 'E') && pos + 1 < text.size()) ||
            ((text[pos] == '+' || text[pos] == '-') && pos > start &&
             (text[pos - 1] == 'e' || text[pos - 1] == 'E'))))
      advance();
    llvm::StringRef literal = text.substr(start, pos - start);
    if (literal.getAsDouble(node->number)) {
      emitError(locationAt(node->line, node->column))
          << "'" << literal << "' is not a number";
      return nullptr;
    }
    return node;
  }
  if (c == '(')
    return parseParenthesized("");
  if (!isNameStart(c)) {
    error() << "expected a tensor, a number, a function or '(' but found "
            << here();
    return nullptr;
  }
  unsigned nameLine = line, nameColumn = column;
  std::string name = parseName();
  if (pos < text.size() && text[pos] == '(') {
    std::optional<UnaryKind> function = symbolizeUnaryKind(name);
    if (!function) {
      std::string known;
      for (uint32_t k = 0; k <= getMaxEnumValForUnaryKind(); ++k)
        known += (k ? ", " : "") +
                 stringifyUnaryKind(static_cast<UnaryKind>(k)).str();
      emitError(locationAt(nameLine, nameColumn))
          << "unknown function '" << name << "'; the functions are " << known;
      return nullptr;
    }
    auto node = makeNode(Node::Kind::apply);
    node->line = nameLine;
    node->column = nameColumn;
    node->function = *function;
    std::unique_ptr<Node> argument =
        parseParenthesized(" after the argument of '" + name + "'");
    if (!argument)
      return nullptr;
    node->operands.push_back(std::move(argument));
    return node;
  }
  auto node = makeNode(Node::Kind::tensor);
  node->line = nameLine;
  node->column = nameColumn;
  node->name = name;
  if (peek() == '[' && failed(parseIndexList(node->indices)))
    return nullptr;
  return node;
}

std::unique_ptr<Node> Parser::parseParenthesized(const std::string &after) {
  advance();
  ++depth;
  std::unique_ptr<Node> inner = parseSum();
  if (!inner)
    return nullptr;
  if (peek() != ')') {
    error() << "expected ')'" << after << " but found " << here();
    return nullptr;
  }
  --depth;
  advance();
  return inner;
}

//===----------------------------------------------------------------------===//
// Where each index is summed
//===----------------------------------------------------------------------===//

void countUses(const Node &node, llvm::StringMap<int> &uses) {
  for (const std::string &index : node.indices)
    ++uses[index];
  for (const auto &operand : node.operands)
    countUses(*operand, uses);
}

/// Marks, for each index off the left-hand side, the lowest node whose
/// subtree holds all its uses; returns the uses below `node`.
llvm::StringMap<int> placeSums(Node &node, const llvm::StringMap<int> &total,
                               const std::vector<std::string> &lhs) {
  llvm::StringMap<int> below;
  for (const std::string &index : node.indices)
    ++below[index];
  for (auto &operand : node.operands)
    for (auto &entry : placeSums(*operand, total, lhs))
      below[entry.getKey()] += entry.getValue();
  for (auto &entry : below) {
    llvm::StringRef index = entry.getKey();
    if (entry.getValue() == total.lookup(index) &&
        !llvm::is_contained(lhs, index.str()))
      node.summed.push_back(index.str());
  }
  // Later nodes must not sum them again.
  for (const std::string &index : node.summed)
    below.erase(index);
  llvm::sort(node.summed);
  return below;
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

/// A lowered subexpression: its value and the index of each dimension.
struct Indexed {
  Value value;
  std::vector<std::string> indices;
};

class Lowering {
public:
  Lowering(OpBuilder &builder, Parser &parser, Type element)
      : b(builder), parser(parser), element(element) {}

  /// Tensors by name: arguments, equations lowered so far, states.
  llvm::StringMap<Value> tensors;

  FailureOr<Value> lowerEquation(const Equation &eq);
  Type typeOfRank(size_t rank) {
    return RankedTensorType::get(
        SmallVector<int64_t>(rank, ShapedType::kDynamic), element);
  }
  /// Zeros of `rank` whose sizes the uses decide (broadcast labels, G7).
  Value zeros(Location loc, size_t rank);

private:
  FailureOr<Indexed> lower(const Node &node);
  /// One einsum over `operands` to `out`; the labels of the spec are
  /// letters given to the index names in order of appearance.
  Value einsum(Location loc, ArrayRef<Indexed> operands,
               const std::vector<std::string> &out, BinaryKind combine);
  /// Sums `node.summed` out of `x` (and a repeated index to its diagonal).
  Indexed sumOut(Location loc, Indexed x, const Node &node);
  Location loc(const Node &node) {
    return parser.locationAt(node.line, node.column);
  }

  OpBuilder &b;
  Parser &parser;
  Type element;
};

Value Lowering::zeros(Location loc, size_t rank) {
  Value zero = b.create<ConstantOp>(
      loc,
      DenseElementsAttr::get(RankedTensorType::get({}, element),
                             b.getFloatAttr(element, 0.0)),
      StringAttr());
  if (rank == 0)
    return zero;
  std::string spec = "->";
  for (size_t i = 0; i < rank; ++i)
    spec.push_back(char('a' + i));
  return b.create<EinsumOp>(loc, typeOfRank(rank), spec, ValueRange{zero});
}

Value Lowering::einsum(Location loc, ArrayRef<Indexed> operands,
                       const std::vector<std::string> &out,
                       BinaryKind combine) {
  llvm::StringMap<char> letters; // per einsum: specs read "ab,bc->ac"
  auto letter = [&](const std::string &index) {
    auto it = letters.find(index);
    if (it != letters.end())
      return it->second;
    size_t n = letters.size(); // at most 52: checked by lowerEquation
    char c = n < 26 ? char('a' + n) : char('A' + n - 26);
    letters[index] = c;
    return c;
  };
  std::string spec;
  SmallVector<Value> values;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    if (i)
      spec.push_back(',');
    for (const std::string &index : operand.indices)
      spec.push_back(letter(index));
    values.push_back(operand.value);
  }
  spec += "->";
  for (const std::string &index : out)
    spec.push_back(letter(index));
  return b.create<EinsumOp>(loc, typeOfRank(out.size()), spec, values, combine);
}

/// The indices of `operands` in order of first appearance, without
/// `summed`.
static std::vector<std::string>
unionOf(ArrayRef<Indexed> operands, const std::vector<std::string> &summed) {
  std::vector<std::string> out;
  for (const Indexed &x : operands)
    for (const std::string &index : x.indices)
      if (!llvm::is_contained(out, index) && !llvm::is_contained(summed, index))
        out.push_back(index);
  return out;
}

Indexed Lowering::sumOut(Location loc, Indexed x, const Node &node) {
  std::vector<std::string> out = unionOf({x}, node.summed);
  if (out == x.indices)
    return x;
  return {einsum(loc, {x}, out, BinaryKind::multiply), out};
}

FailureOr<Indexed> Lowering::lower(const Node &node) {
  Location at = loc(node);
  switch (node.kind) {
  case Node::Kind::number: {
    auto type = RankedTensorType::get({}, element);
    Value c = b.create<ConstantOp>(
        at, DenseElementsAttr::get(type, b.getFloatAttr(element, node.number)),
        StringAttr());
    return Indexed{c, {}};
  }
  case Node::Kind::tensor: {
    Value value = tensors.lookup(node.name);
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getRank() != int64_t(node.indices.size())) {
      emitError(at) << "'" << node.name << "' has " << type.getRank()
                    << " index(es) but is used here with "
                    << node.indices.size();
      return failure();
    }
    return sumOut(at, {value, node.indices}, node);
  }
  case Node::Kind::apply:
  case Node::Kind::negate: {
    FailureOr<Indexed> x = lower(*node.operands[0]);
    if (failed(x))
      return failure();
    UnaryKind kind =
        node.kind == Node::Kind::negate ? UnaryKind::negate : node.function;
    Value r = b.create<UnaryOp>(at, x->value.getType(), kind, x->value);
    return sumOut(at, {r, x->indices}, node);
  }
  case Node::Kind::binary: {
    FailureOr<Indexed> lhs = lower(*node.operands[0]);
    if (failed(lhs))
      return failure();
    FailureOr<Indexed> rhs = lower(*node.operands[1]);
    if (failed(rhs))
      return failure();
    if (lhs->indices.empty() || rhs->indices.empty() ||
        lhs->indices == rhs->indices) {
      // Equal index lists, or a 0-d side: NumPy broadcasting aligns them.
      const Indexed &wider = lhs->indices.empty() ? *rhs : *lhs;
      Value r = b.create<BinaryOp>(at, wider.value.getType(), node.op,
                                   lhs->value, rhs->value);
      return sumOut(at, {r, wider.indices}, node);
    }
    std::vector<std::string> out = unionOf({*lhs, *rhs}, node.summed);
    return Indexed{einsum(at, {*lhs, *rhs}, out, node.op), out};
  }
  case Node::Kind::product: {
    // Factors with indices form one einsum (aligned by index name); 0-d
    // factors multiply its result.
    SmallVector<Indexed> factors;
    SmallVector<Value> scalars;
    for (const auto &operand : node.operands) {
      FailureOr<Indexed> x = lower(*operand);
      if (failed(x))
        return failure();
      if (x->indices.empty())
        scalars.push_back(x->value);
      else
        factors.push_back(*x);
    }
    Indexed result;
    if (factors.size() == 1) {
      result = sumOut(at, factors[0], node);
    } else if (!factors.empty()) {
      std::vector<std::string> out = unionOf(factors, node.summed);
      result = {einsum(at, factors, out, BinaryKind::multiply), out};
    }
    for (Value s : scalars)
      result.value =
          result.value
              ? b.create<BinaryOp>(at, result.value.getType(),
                                   BinaryKind::multiply, result.value, s)
              : s;
    return result;
  }
  }
  llvm_unreachable("every node kind is lowered");
}

FailureOr<Value> Lowering::lowerEquation(const Equation &eq) {
  // An einsum spec names indices by the 52 ASCII letters (G6).
  llvm::StringMap<int> indices;
  countUses(*eq.value, indices);
  for (const std::string &index : eq.indices)
    ++indices[index];
  if (indices.size() > 52) {
    emitError(parser.locationAt(eq.line, eq.column))
        << "the equation has " << indices.size()
        << " distinct indices; an einsum names at most 52 (G6)";
    return failure();
  }
  FailureOr<Indexed> x = lower(*eq.value);
  if (failed(x))
    return failure();
  if (x->indices == eq.indices)
    return x->value;
  // Transposed or broadcast to the left-hand side's order.
  Location at = parser.locationAt(eq.line, eq.column);
  return einsum(at, {*x}, eq.indices, BinaryKind::multiply);
}

} // namespace

namespace {

/// Tarjan's algorithm over "equation i reads the tensor equation j
/// defines": the components come out dependencies first, the order in
/// which they are computed.
class Components {
public:
  explicit Components(const std::vector<std::vector<size_t>> &reads)
      : reads(reads), index(reads.size(), -1), low(reads.size(), 0),
        onStack(reads.size(), false) {
    for (size_t v = 0; v < reads.size(); ++v)
      if (index[v] < 0)
        visit(v);
  }
  std::vector<std::vector<size_t>> order;

private:
  void visit(size_t v) {
    index[v] = low[v] = next++;
    stack.push_back(v);
    onStack[v] = true;
    for (size_t w : reads[v]) {
      if (index[w] < 0) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (onStack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v])
      return;
    std::vector<size_t> component;
    size_t w;
    do {
      w = stack.back();
      stack.pop_back();
      onStack[w] = false;
      component.push_back(w);
    } while (w != v);
    llvm::sort(component); // states in source order
    order.push_back(std::move(component));
  }

  const std::vector<std::vector<size_t>> &reads;
  std::vector<int> index, low;
  std::vector<bool> onStack;
  std::vector<size_t> stack;
  int next = 0;
};

void collectTensors(const Node &node, std::vector<const Node *> &uses) {
  if (node.kind == Node::Kind::tensor)
    uses.push_back(&node);
  for (const auto &operand : node.operands)
    collectTensors(*operand, uses);
}

} // namespace

OwningOpRef<ModuleOp>
mlir::tl::importTensorEquations(llvm::StringRef text, MLIRContext *context,
                                const TensorEquationOptions &options) {
  context->loadDialect<TLDialect, func::FuncDialect>();
  Parser parser(text, context, options.sourceName);
  FailureOr<Program> parsed = parser.parseProgram();
  if (failed(parsed))
    return nullptr;
  std::vector<Equation> &equations = parsed->equations;
  Location fileLoc = parser.locationAt(1, 1);
  if (equations.empty()) {
    emitError(fileLoc) << "the program has no equation";
    return nullptr;
  }

  // Which equation defines each tensor; the others are inputs.
  llvm::StringMap<size_t> definedBy;
  for (auto [i, eq] : llvm::enumerate(equations)) {
    auto [it, inserted] = definedBy.insert({eq.name, i});
    if (!inserted) {
      emitError(parser.locationAt(eq.line, eq.column))
          << "'" << eq.name << "' is already defined at line "
          << equations[it->second].line
          << "; write one equation per tensor (a sum of rules as one "
             "right-hand side)";
      return nullptr;
    }
  }
  llvm::MapVector<llvm::StringRef, size_t> inputRanks;
  std::vector<std::vector<size_t>> reads(equations.size());
  for (auto [i, eq] : llvm::enumerate(equations)) {
    std::vector<const Node *> uses;
    collectTensors(*eq.value, uses);
    for (const Node *use : uses) {
      auto defined = definedBy.find(use->name);
      if (defined != definedBy.end()) {
        if (!llvm::is_contained(reads[i], defined->second))
          reads[i].push_back(defined->second);
        continue;
      }
      auto [it, inserted] = inputRanks.insert({use->name, use->indices.size()});
      if (!inserted && it->second != use->indices.size()) {
        emitError(parser.locationAt(use->line, use->column))
            << "'" << use->name << "' is used with " << use->indices.size()
            << " index(es) here but with " << it->second << " before";
        return nullptr;
      }
    }
    llvm::StringMap<int> total;
    countUses(*eq.value, total);
    placeSums(*eq.value, total, eq.indices);
  }

  OpBuilder b(context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  Type element = options.useF32 ? Type(b.getF32Type()) : Type(b.getF64Type());
  Lowering lowering(b, parser, element);
  SmallVector<Type> argTypes, resultTypes;
  for (auto &input : inputRanks)
    argTypes.push_back(lowering.typeOfRank(input.second));
  for (const Equation &eq : equations)
    resultTypes.push_back(lowering.typeOfRank(eq.indices.size()));
  auto func = b.create<func::FuncOp>(fileLoc, options.functionName,
                                     b.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(inputRanks)) {
    func.setArgAttr(i, kNameAttr, b.getStringAttr(input.first));
    lowering.tensors[input.first] = entry->getArgument(i);
  }
  for (auto [i, eq] : llvm::enumerate(equations))
    func.setResultAttr(i, kNameAttr, b.getStringAttr(eq.name));
  b.setInsertionPointToStart(entry);

  std::vector<std::vector<size_t>> order = Components(reads).order;
  auto isRecursive = [&](const std::vector<size_t> &component) {
    return component.size() > 1 ||
           llvm::is_contained(reads[component.front()], component.front());
  };
  // Each directive names a tensor of a recursive component; one directive
  // per component (a cycle's states share one loop).
  std::map<size_t, const FixpointDirective *> limits; // by component
  for (const FixpointDirective &directive : parsed->directives) {
    Location at = parser.locationAt(directive.line, directive.column);
    auto defined = definedBy.find(directive.name);
    if (defined == definedBy.end()) {
      emitError(at) << "'@fixpoint " << directive.name
                    << "': no equation defines '" << directive.name << "'";
      return nullptr;
    }
    size_t c = 0;
    while (!llvm::is_contained(order[c], defined->second))
      ++c;
    if (!isRecursive(order[c])) {
      emitError(at) << "'@fixpoint " << directive.name << "': '"
                    << directive.name
                    << "' is not recursive (its equation does not read it, "
                       "directly or through a cycle)";
      return nullptr;
    }
    auto [it, inserted] = limits.insert({c, &directive});
    if (!inserted) {
      emitError(at) << "'@fixpoint " << directive.name
                    << "': the fixpoint computing '" << directive.name
                    << "' already has limits at line " << it->second->line;
      return nullptr;
    }
  }

  for (auto [c, component] : llvm::enumerate(order)) {
    const Equation &first = equations[component.front()];
    if (!isRecursive(component)) {
      FailureOr<Value> value = lowering.lowerEquation(first);
      if (failed(value))
        return nullptr;
      lowering.tensors[first.name] = *value;
      continue;
    }
    // The states start at zero and are updated together from the
    // previous iteration's values.
    Location at = parser.locationAt(first.line, first.column);
    SmallVector<Value> inits;
    for (size_t i : component)
      inits.push_back(lowering.zeros(at, equations[i].indices.size()));
    auto fixpoint = b.create<FixpointOp>(at, inits);
    if (auto limit = limits.find(c); limit != limits.end()) {
      if (limit->second->tolerance)
        fixpoint.setToleranceAttr(b.getF64FloatAttr(*limit->second->tolerance));
      if (limit->second->maxIterations)
        fixpoint.setMaxIterationsAttr(
            b.getI64IntegerAttr(*limit->second->maxIterations));
      fixpoint.setWarnAtLimit(limit->second->warnAtLimit.value_or(false));
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fixpoint.getBodyBlock());
    for (auto [k, i] : llvm::enumerate(component))
      lowering.tensors[equations[i].name] =
          fixpoint.getBodyBlock().getArgument(k);
    SmallVector<Value> next;
    for (size_t i : component) {
      FailureOr<Value> value = lowering.lowerEquation(equations[i]);
      if (failed(value))
        return nullptr;
      next.push_back(*value);
    }
    b.create<YieldOp>(at, next);
    for (auto [k, i] : llvm::enumerate(component))
      lowering.tensors[equations[i].name] = fixpoint.getResult(k);
  }
  SmallVector<Value> results;
  for (const Equation &eq : equations)
    results.push_back(lowering.tensors.lookup(eq.name));
  b.create<func::ReturnOp>(fileLoc, results);
  if (failed(verify(*module)))
    return nullptr;
  return module;
}
