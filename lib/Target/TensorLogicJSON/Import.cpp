//===- Import.cpp - EinsumGraph JSON to the tl dialect (G1-G5, G8) -------===//
//
// Three steps: parse and check the JSON structure (G1, JSON paths in every
// message), check each node's op without shapes (G6, G8-G10), then run the
// node list as a program over slot variables, emitting SSA (G2-G4).
//
//===----------------------------------------------------------------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "tl/Dialect/TL/IR/OpNames.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Target/TensorLogicJSON/JSONAttributes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"

#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <set>
using namespace mlir;
using namespace mlir::tl;
namespace json = llvm::json;

//===----------------------------------------------------------------------===//
// G3 helpers
//===----------------------------------------------------------------------===//

std::optional<double> mlir::tl::parseConstSlot(llvm::StringRef slotName) {
  llvm::StringRef base = slotName.take_until([](char c) { return c == '['; });
  if (!base.consume_front("const_"))
    return std::nullopt;
  std::string lower = base.lower();
  llvm::StringRef t(lower);
  bool negative = t.starts_with("-");
  llvm::StringRef body = t.drop_front(t.starts_with("-") || t.starts_with("+"));
  if (body == "inf" || body == "infinity")
    return negative ? -INFINITY : INFINITY;
  if (body == "nan")
    return NAN;
  // [+-]?(D+[.D*]|.D+)([eE][+-]?D+)?
  static const llvm::Regex number(
      "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$");
  if (!number.match(t))
    return std::nullopt;
  return std::strtod(lower.c_str(), nullptr);
}

std::string mlir::tl::bindSlotName(llvm::StringRef slot,
                                   llvm::ArrayRef<std::string> callerNames) {
  if (llvm::is_contained(callerNames, slot))
    return slot.str();
  llvm::StringRef base = slot.take_until([](char c) { return c == '['; });
  if (llvm::is_contained(callerNames, base))
    return base.str();
  return "";
}

//===----------------------------------------------------------------------===//
// G1: structure
//===----------------------------------------------------------------------===//

namespace {

enum class NodeKind { Einsum, ElemUnary, ElemBinary, Reduce, Fixpoint };

/// What a node computes, resolved from its op without looking at shapes.
struct NodePlan {
  enum Kind { Einsum, Unary, Binary, Reduce, GenReduce, GenUnary, GenBinary };
  Kind kind = Einsum;
  UnaryKind unary = UnaryKind::relu;
  BinaryKind binary = BinaryKind::multiply;
  ReduceKind reduce = ReduceKind::sum;
  std::vector<int64_t> axes;
  EinsumSpec spec;
};

struct Node {
  /// "3", or "3/0" for the first node of node 3's body.
  std::string label;
  NodeKind kind = NodeKind::Einsum;
  std::string payload; // spec or op name
  std::vector<int64_t> axes;
  std::vector<size_t> inputs;
  size_t output = 0;
  const json::Value *metadata = nullptr;
  NodePlan plan;
  /// Fixpoint only: the body (run over the same slots; the outputs are the
  /// states and the inputs their first values), and when to stop.
  std::vector<Node> body;
  std::vector<size_t> states; // the slots of the states, = outputs
  double tolerance = 0;
  int64_t maxIterations = 1000;
  bool warnAtLimit = false; // "at_limit": "warn"

  std::string describe() const {
    std::string s = "node " + label + " (";
    // A message quotes at most a screen line of the graph's text.
    std::string op = payload.size() <= 80
                         ? payload
                         : payload.substr(0, 80) + "... (" +
                               std::to_string(payload.size() - 80) +
                               " more characters)";
    switch (kind) {
    case NodeKind::Einsum:
      return s + "Einsum '" + op + "')";
    case NodeKind::ElemUnary:
      return s + "ElemUnary " + op + ")";
    case NodeKind::ElemBinary:
      return s + "ElemBinary " + op + ")";
    case NodeKind::Reduce: {
      s += "Reduce " + op + ", axes [";
      for (size_t i = 0; i < axes.size(); ++i)
        s += (i ? ", " : "") + std::to_string(axes[i]);
      return s + "])";
    }
    case NodeKind::Fixpoint:
      return s + "Fixpoint)";
    }
    return s + ")";
  }
};

struct Graph {
  std::vector<std::string> tensors;
  std::vector<Node> nodes;
  std::vector<size_t> inputs, outputs;
  const json::Object *tensorMetadata = nullptr;
  const json::Object *wrapper = nullptr;
  bool fixpointExtension = false; // declared by the wrapper
  size_t totalNodes = 0;          // bodies included
};

/// Collects the first error; every message starts with its rule.
class ImportError {
public:
  bool failed() const { return !message.empty(); }
  ImportError &set(const llvm::Twine &msg) {
    if (message.empty())
      message = msg.str();
    return *this;
  }
  std::string message;
};

class Importer {
public:
  Importer(MLIRContext *ctx, const ImportOptions &options)
      : ctx(ctx), options(options), builder(ctx) {}

  OwningOpRef<ModuleOp> run(llvm::StringRef text);

private:
  MLIRContext *ctx;
  const ImportOptions &options;
  OpBuilder builder;
  ImportError error;
  Graph graph;

  /// Records the first error; returns false so callers can `return fail(..)`.
  bool fail(const llvm::Twine &msg) {
    error.set(msg);
    return false;
  }

  // Structure (G1).
  bool parseStructure(const json::Value &rootValue);
  bool parseNode(const json::Value &v, const std::string &label,
                 const std::string &path, std::vector<Node> &into);
  bool parseFixpoint(const json::Object &payload, const std::string &path,
                     Node &node);
  bool indexList(const json::Object &obj, llvm::StringRef key,
                 const std::string &path, std::vector<size_t> &out);
  // Ops (G6, G8-G10).
  bool analyseNode(Node &node);
  bool analyseGeneralized(Node &node, llvm::StringRef op,
                          llvm::StringRef inner);
  bool checkArity(Node &node, size_t n, const char *rule);
  // Program (G2-G4).
  OwningOpRef<ModuleOp> build();
};

/// A number written as an integer: LLVM's parser keeps those exact (a
/// number written `0.0` or `1e2` is a double, which serde rejects as an
/// index, G1). Negative integers are told from integral doubles by sign
/// only, so both read as integers in messages.
bool isWrittenInteger(const json::Value &v) {
  if (v.getAsUINT64())
    return true;
  std::optional<int64_t> i = v.getAsInteger();
  return i && *i < 0;
}

/// A non-negative integer as G1 wants an index or an axis: written as an
/// integer, not `0.0`.
std::optional<uint64_t> asIndex(const json::Value &v) {
  return v.getAsUINT64();
}

std::string typeName(const json::Value &v) {
  switch (v.kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Boolean:
    return "boolean";
  case json::Value::Number:
    return isWrittenInteger(v) ? "integer" : "number";
  case json::Value::String:
    return "string";
  case json::Value::Array:
    return "array";
  case json::Value::Object:
    return "object";
  }
  return "value";
}

/// What a message says it got: the type, then (for scalars) the value as
/// Python's json.dumps writes it (the oracle's words), at most one line.
std::string describeValue(const json::Value &v) {
  switch (v.kind()) {
  case json::Value::Array:
  case json::Value::Object:
  case json::Value::Null:
    return typeName(v);
  case json::Value::Number: {
    if (std::optional<uint64_t> u = v.getAsUINT64())
      return "integer " + std::to_string(*u);
    std::optional<int64_t> i = v.getAsInteger();
    if (i && *i < 0)
      return "integer " + std::to_string(*i);
    double d = v.getAsNumber().value_or(0);
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string text(buf, ec == std::errc() ? end : buf);
    if (text.find_first_of(".en") == std::string::npos)
      text += ".0"; // 0.0, not 0: Python's repr
    return "number " + text;
  }
  default:
    break;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v;
  if (s.size() > 80)
    s = s.substr(0, 80) + "... (" + std::to_string(s.size() - 80) +
        " more characters)";
  return typeName(v) + " " + s;
}

/// A piece of the graph's text as a message quotes it: at most 80
/// characters.
std::string clip(llvm::StringRef text) {
  if (text.size() <= 80)
    return text.str();
  return text.take_front(80).str() + "... (" +
         std::to_string(text.size() - 80) + " more characters)";
}

std::string join(const std::string &path, llvm::StringRef key) {
  return path.empty() ? key.str() : path + "." + key.str();
}

} // namespace

bool Importer::indexList(const json::Object &obj, llvm::StringRef key,
                         const std::string &path, std::vector<size_t> &out) {
  std::string p = join(path, key);
  const json::Value *v = obj.get(key);
  if (!v)
    return fail("G1: " + p + ": missing required field '" + key + "'");
  const json::Array *arr = v->getAsArray();
  if (!arr)
    return fail("G1: " + p + ": expected an array, got " + describeValue(*v));
  for (size_t j = 0; j < arr->size(); ++j) {
    const json::Value &e = (*arr)[j];
    std::string ep = p + "[" + std::to_string(j) + "]";
    std::optional<uint64_t> idx = asIndex(e);
    if (!idx)
      return fail("G1: " + ep + ": expected a non-negative integer, got " +
                  describeValue(e));
    if (static_cast<uint64_t>(*idx) >= graph.tensors.size())
      return fail("G1: " + ep + ": tensor index " + std::to_string(*idx) +
                  " out of range (graph has " +
                  std::to_string(graph.tensors.size()) + " tensors)");
    out.push_back(static_cast<size_t>(*idx));
  }
  return true;
}

bool Importer::parseStructure(const json::Value &rootValue) {
  const json::Object *obj = rootValue.getAsObject();
  if (!obj)
    return fail("G1: (root): expected an object, got " +
                describeValue(rootValue));
  std::string prefix;
  if (obj->get("graph") && !obj->get("tensors")) {
    graph.wrapper = obj;
    const json::Value *version = obj->get("version");
    if (!version)
      return fail("G1: version: missing required field 'version' of "
                  "the versioned wrapper");
    std::optional<llvm::StringRef> vs = version->getAsString();
    if (!vs)
      return fail("G1: version: expected a string, got " +
                  describeValue(*version));
    // MAJOR.MINOR.PATCH as digits, anything after (1.2.3-beta); the major
    // version exactly "1" (not "01"), as the oracle reads it.
    static const llvm::Regex versionForm("^([0-9]+)\\.[0-9]+\\.[0-9]+");
    llvm::SmallVector<llvm::StringRef, 2> m;
    if (!versionForm.match(*vs, &m))
      return fail("G1: version: malformed format version '" +
                  llvm::StringRef(*vs).take_front(80) +
                  "' (expected MAJOR.MINOR.PATCH)");
    if (m[1] != "1")
      return fail("G1: version: unsupported format version '" + *vs +
                  "' (major version 1 only)");
    if (const json::Value *ext = obj->get("extensions")) {
      const json::Array *arr = ext->getAsArray();
      if (!arr)
        return fail("G1: extensions: expected an array, got " +
                    describeValue(*ext));
      for (size_t i = 0; i < arr->size(); ++i) {
        std::optional<llvm::StringRef> name = (*arr)[i].getAsString();
        std::string p = "G1: extensions[" + std::to_string(i) + "]: ";
        if (!name)
          return fail(p + "expected a string, got " + describeValue((*arr)[i]));
        if (*name != kFixpointExtension)
          return fail(p + "unsupported extension '" + clip(*name) +
                      "' (this tl reads " + kFixpointExtension + ")");
        graph.fixpointExtension = true;
      }
    }
    obj = obj->get("graph")->getAsObject();
    if (!obj)
      return fail("G1: graph: expected an object");
    prefix = "graph";
  }

  const json::Value *tensors = obj->get("tensors");
  if (!tensors)
    return fail("G1: " + join(prefix, "tensors") +
                ": missing required field 'tensors'");
  const json::Array *tarr = tensors->getAsArray();
  if (!tarr)
    return fail("G1: " + join(prefix, "tensors") + ": expected an array, got " +
                describeValue(*tensors));
  for (size_t i = 0; i < tarr->size(); ++i) {
    std::optional<llvm::StringRef> s = (*tarr)[i].getAsString();
    if (!s)
      return fail("G1: " + join(prefix, "tensors") + "[" + std::to_string(i) +
                  "]: expected a string, got " + describeValue((*tarr)[i]));
    graph.tensors.push_back(s->str());
  }
  const json::Value *nodes = obj->get("nodes");
  if (!nodes)
    return fail("G1: " + join(prefix, "nodes") +
                ": missing required field 'nodes'");
  const json::Array *narr = nodes->getAsArray();
  if (!narr)
    return fail("G1: " + join(prefix, "nodes") + ": expected an array, got " +
                describeValue(*nodes));
  if (!indexList(*obj, "inputs", prefix, graph.inputs) ||
      !indexList(*obj, "outputs", prefix, graph.outputs))
    return false;
  if (const json::Value *tm = obj->get("tensor_metadata")) {
    graph.tensorMetadata = tm->getAsObject();
    if (!graph.tensorMetadata && tm->kind() != json::Value::Null)
      return fail("G1: " + join(prefix, "tensor_metadata") +
                  ": expected an object, got " + describeValue(*tm));
  }
  if (narr->size() > kMaxGraphNodes)
    return fail("G1: " + join(prefix, "nodes") + ": the graph has " +
                std::to_string(narr->size()) + " nodes; tl compiles graphs "
                "of up to " + std::to_string(kMaxGraphNodes) +
                " (compile time grows faster than linearly beyond; split "
                "the program)");
  for (size_t i = 0; i < narr->size(); ++i)
    if (!parseNode((*narr)[i], std::to_string(i),
                   join(prefix, "nodes") + "[" + std::to_string(i) + "]",
                   graph.nodes))
      return false;
  return true;
}

bool Importer::parseNode(const json::Value &v, const std::string &label,
                         const std::string &path, std::vector<Node> &into) {
  if (++graph.totalNodes > kMaxGraphNodes)
    return fail("G1: " + path + ": the graph has more than " +
                std::to_string(kMaxGraphNodes) +
                " nodes (fixpoint bodies included); tl compiles graphs of up "
                "to that many (compile time grows faster than linearly "
                "beyond; split the program)");
  const json::Object *obj = v.getAsObject();
  if (!obj)
    return fail("G1: " + path + ": expected an object, got " +
                describeValue(v));
  const json::Value *op = obj->get("op");
  if (!op)
    return fail("G1: " + path + ".op: missing required field 'op'");
  const json::Object *opObj = op->getAsObject();
  if (!opObj || opObj->size() != 1) {
    std::vector<std::string> sorted;
    if (opObj)
      for (const auto &kv : *opObj)
        sorted.push_back(kv.first.str());
    llvm::sort(sorted); // json::Object iterates in hash order
    std::string keys = llvm::join(sorted, ", ");
    return fail(
        "G1: " + path +
        ".op: expected an object with exactly one of Einsum, "
        "ElemUnary, ElemBinary, Reduce" +
        (graph.fixpointExtension ? std::string(", Fixpoint") : "") +
        (opObj ? ", got keys [" + keys + "]" : ", got " + describeValue(*op)));
  }
  const auto &[kindKey, payload] = *opObj->begin();
  Node node;
  node.label = label;
  std::string ppath = path + ".op." + kindKey.str();
  if (kindKey == "Einsum")
    node.kind = NodeKind::Einsum;
  else if (kindKey == "ElemUnary")
    node.kind = NodeKind::ElemUnary;
  else if (kindKey == "ElemBinary")
    node.kind = NodeKind::ElemBinary;
  else if (kindKey == "Reduce")
    node.kind = NodeKind::Reduce;
  else if (kindKey == "Fixpoint" && graph.fixpointExtension)
    node.kind = NodeKind::Fixpoint;
  else if (kindKey == "Fixpoint")
    return fail("G1: " + path + ".op: 'Fixpoint' belongs to the extension '" +
                kFixpointExtension +
                "'; a graph that uses it is versioned and declares it "
                "({\"version\": \"1.0.0\", \"extensions\": [\"" +
                kFixpointExtension + "\"], \"graph\": ...})");
  else
    return fail("G1: " + path + ".op: unknown op variant '" +
                clip(kindKey.str()) +
                "' (expected Einsum, ElemUnary, ElemBinary" +
                (graph.fixpointExtension ? ", Reduce or Fixpoint)"
                                         : " or Reduce)"));
  const json::Object *pobj = payload.getAsObject();
  if (!pobj)
    return fail("G1: " + ppath + ": expected an object, got " +
                describeValue(payload));
  if (node.kind == NodeKind::Fixpoint) {
    if (!parseFixpoint(*pobj, ppath, node) ||
        !indexList(*obj, "inputs", path, node.inputs))
      return false;
    std::vector<size_t> outs;
    if (!indexList(*obj, "outputs", path, outs))
      return false;
    if (outs.empty() || outs.size() != node.inputs.size())
      return fail("G2: " + path + ": a Fixpoint has one output (a state) per "
                  "input (its first value) and at least one; got " +
                  std::to_string(node.inputs.size()) + " input(s) and " +
                  std::to_string(outs.size()) + " output(s)");
    for (size_t j = 0; j < outs.size(); ++j)
      for (size_t k = 0; k < j; ++k)
        if (outs[j] == outs[k])
          return fail("G2: " + path + ".outputs[" + std::to_string(j) +
                      "]: slot " + std::to_string(outs[j]) +
                      " is already state " + std::to_string(k));
    node.output = outs[0];
    node.states = std::move(outs);
    into.push_back(std::move(node));
    return true;
  }
  llvm::StringRef field = node.kind == NodeKind::Einsum ? "spec" : "op";
  const json::Value *text = pobj->get(field);
  if (!text)
    return fail("G1: " + ppath + "." + field + ": missing required field '" +
                field + "'");
  if (!text->getAsString())
    return fail("G1: " + ppath + "." + field + ": expected a string, got " +
                describeValue(*text));
  node.payload = text->getAsString()->str();
  if (node.kind == NodeKind::Reduce) {
    const json::Value *axes = pobj->get("axes");
    if (!axes)
      return fail("G1: " + ppath + ".axes: missing required field 'axes'");
    const json::Array *arr = axes->getAsArray();
    if (!arr)
      return fail("G1: " + ppath + ".axes: expected an array, got " +
                  describeValue(*axes));
    for (size_t j = 0; j < arr->size(); ++j) {
      std::optional<uint64_t> a = asIndex((*arr)[j]);
      if (!a || *a > uint64_t(std::numeric_limits<int64_t>::max()))
        return fail("G1: " + ppath + ".axes[" + std::to_string(j) +
                    "]: expected a non-negative integer, got " +
                    describeValue((*arr)[j]));
      node.axes.push_back(int64_t(*a));
    }
  }
  if (!indexList(*obj, "inputs", path, node.inputs))
    return false;
  std::vector<size_t> outs;
  if (!indexList(*obj, "outputs", path, outs))
    return false;
  if (outs.size() != 1)
    return fail("G2: " + path +
                ".outputs: a node writes exactly one "
                "slot, got " +
                std::to_string(outs.size()));
  node.output = outs[0];
  if (const json::Value *md = obj->get("metadata")) {
    if (md->kind() != json::Value::Null && !md->getAsObject())
      return fail("G1: " + path + ".metadata: expected an object, got " +
                  describeValue(*md));
    if (md->kind() != json::Value::Null)
      node.metadata = md;
  }
  into.push_back(std::move(node));
  return analyseNode(into.back());
}

bool Importer::parseFixpoint(const json::Object &payload,
                             const std::string &path, Node &node) {
  const json::Value *body = payload.get("body");
  if (!body)
    return fail("G1: " + path + ".body: missing required field 'body'");
  const json::Array *arr = body->getAsArray();
  if (!arr)
    return fail("G1: " + path + ".body: expected an array, got " +
                describeValue(*body));
  if (const json::Value *t = payload.get("tolerance")) {
    std::optional<double> v = t->getAsNumber();
    if (!v || !(*v >= 0) || std::isinf(*v))
      return fail("G1: " + path +
                  ".tolerance: expected a finite number >= 0, got " +
                  describeValue(*t));
    node.tolerance = *v;
  }
  if (const json::Value *m = payload.get("max_iterations")) {
    std::optional<int64_t> v = isWrittenInteger(*m) ? m->getAsInteger()
                                                    : std::nullopt;
    if (!v || *v < 1)
      return fail("G1: " + path +
                  ".max_iterations: expected an integer >= 1, got " +
                  describeValue(*m));
    node.maxIterations = *v;
  }
  if (const json::Value *a = payload.get("at_limit")) {
    std::optional<llvm::StringRef> v = a->getAsString();
    if (!v || (*v != "error" && *v != "warn"))
      return fail("G1: " + path +
                  ".at_limit: expected \"error\" or \"warn\", got " +
                  describeValue(*a));
    node.warnAtLimit = *v == "warn";
  }
  for (size_t j = 0; j < arr->size(); ++j)
    if (!parseNode((*arr)[j], node.label + "/" + std::to_string(j),
                   path + ".body[" + std::to_string(j) + "]", node.body))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Ops (G6, G8-G10)
//===----------------------------------------------------------------------===//

bool Importer::checkArity(Node &node, size_t n, const char *rule) {
  if (node.inputs.size() == n)
    return true;
  return fail(llvm::Twine(rule) + ": " + node.describe() + ": expected " +
              llvm::Twine(n) + " input(s), got " +
              llvm::Twine(node.inputs.size()));
}

bool Importer::analyseNode(Node &node) {
  NodePlan &plan = node.plan;
  llvm::StringRef name = node.payload;
  switch (node.kind) {
  case NodeKind::Fixpoint:
    return true; // its body's nodes are analysed one by one
  case NodeKind::ElemUnary: {
    std::optional<UnaryKind> k = lookupUnaryKind(name);
    if (!k) {
      if (lookupBinaryKind(name) || lookupReduceKind(name))
        return fail("G9: " + node.describe() + ": '" + name +
                    "' is not a unary op");
      return fail("G9: " + node.describe() + ": unknown unary op '" + clip(name) +
                  "'" + suggestName(name, allUnaryNames()));
    }
    plan.kind = NodePlan::Unary;
    plan.unary = *k;
    return checkArity(node, 1, "G9");
  }
  case NodeKind::ElemBinary: {
    std::optional<BinaryKind> k = lookupBinaryKind(name);
    if (!k) {
      if (lookupUnaryKind(name))
        return fail("G9: " + node.describe() + ": '" + name +
                    "' is a unary op, ElemBinary needs a binary op");
      return fail("G9: " + node.describe() + ": unknown binary op '" + clip(name) +
                  "'" + suggestName(name, allBinaryNames()));
    }
    plan.kind = NodePlan::Binary;
    plan.binary = *k;
    return checkArity(node, 2, "G9");
  }
  case NodeKind::Reduce: {
    std::optional<ReduceKind> k = lookupReduceKind(name);
    if (!k)
      return fail("G10: " + node.describe() + ": unknown reduce op '" + clip(name) +
                  "'" + suggestName(name, allReduceNames()));
    for (size_t i = 0; i < node.axes.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (node.axes[i] == node.axes[j])
          return fail("G10: " + node.describe() + ": duplicate axis " +
                      std::to_string(node.axes[i]) + " in axes");
    plan.kind = NodePlan::Reduce;
    plan.reduce = *k;
    plan.axes = node.axes;
    return checkArity(node, 1, "G10");
  }
  case NodeKind::Einsum:
    break;
  }
  // OP(spec) (G8) or a plain einsum (G6).
  static const llvm::Regex generalized("^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)[["
                                       ":space:]]*\\((.*)\\)[[:space:]]*$");
  llvm::SmallVector<llvm::StringRef, 3> m;
  if (generalized.match(name, &m))
    return analyseGeneralized(node, m[1], m[2]);
  llvm::Expected<EinsumSpec> spec = EinsumSpec::parse(name);
  if (!spec)
    return fail("G6: " + node.describe() + ": " +
                llvm::toString(spec.takeError()));
  if (spec->inputs.size() != node.inputs.size())
    return fail("G6: " + node.describe() + ": the spec has " +
                llvm::Twine(spec->inputs.size()) +
                " input subscript(s) but the node has " +
                llvm::Twine(node.inputs.size()) + " input(s)");
  plan.kind = NodePlan::Einsum;
  plan.spec = std::move(*spec);
  return true;
}

bool Importer::analyseGeneralized(Node &node, llvm::StringRef op,
                                  llvm::StringRef inner) {
  NodePlan &plan = node.plan;
  std::string where = node.describe();
  llvm::Expected<EinsumSpec> parsed = EinsumSpec::parse(inner);
  if (!parsed)
    return fail("G8: " + where + ": " + llvm::toString(parsed.takeError()));
  EinsumSpec &spec = *parsed;
  size_t n = spec.inputs.size();
  if (n != node.inputs.size())
    return fail("G8: " + where + ": the spec has " + llvm::Twine(n) +
                " input subscript(s) but the node has " +
                llvm::Twine(node.inputs.size()) + " input(s)");
  std::optional<ReduceKind> r = lookupReduceKind(op);
  std::optional<UnaryKind> u = lookupUnaryKind(op);
  std::optional<BinaryKind> b = lookupBinaryKind(op);
  if (n == 1 && r) {
    plan.kind = NodePlan::GenReduce;
    plan.reduce = *r;
  } else if (n == 1 && u) {
    plan.kind = NodePlan::GenUnary;
    plan.unary = *u;
  } else if (n == 2 && b) {
    plan.kind = NodePlan::GenBinary;
    plan.binary = *b;
  } else if (r || u || b)
    return fail("G8: " + where + ": op '" + op + "' cannot take " +
                llvm::Twine(n) + " operand(s)");
  else {
    std::vector<std::string> all = allUnaryNames();
    for (auto &v : {allBinaryNames(), allReduceNames()})
      all.insert(all.end(), v.begin(), v.end());
    return fail("G8: " + where + ": unknown generalized op '" + clip(op) + "'" +
                suggestName(op, all));
  }
  for (size_t j = 0; j < n; ++j) {
    const std::string &s = spec.inputs[j];
    for (size_t k = 0; k < s.size(); ++k)
      if (s.find(s[k], k + 1) != std::string::npos)
        return fail("G8: " + where + ": label '" + std::string(1, s[k]) +
                    "' repeats in operand " + llvm::Twine(j) +
                    " (diagonals are not defined for OP(spec))");
  }
  if (plan.kind == NodePlan::GenReduce) {
    for (char c : spec.output)
      if (spec.inputs[0].find(c) == std::string::npos)
        return fail("G8: " + where + ": output label '" + std::string(1, c) +
                    "' is not in the operand of the reduction");
  } else {
    for (size_t j = 0; j < n; ++j)
      for (char c : spec.inputs[j])
        if (spec.output.find(c) == std::string::npos)
          return fail("G8: " + where + ": label '" + std::string(1, c) +
                      "' of operand " + llvm::Twine(j) +
                      " is not in the output '" + spec.output + "'");
  }
  plan.spec = std::move(spec);
  return true;
}

//===----------------------------------------------------------------------===//
// Program (G2-G4)
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::build() {
  Location fileLoc = FileLineColLoc::get(ctx, options.sourceName, 0, 0);
  Type elementType =
      options.useF32 ? Type(builder.getF32Type()) : Type(builder.getF64Type());
  Type unranked = UnrankedTensorType::get(elementType);
  auto ranked = [&](size_t rank) {
    return RankedTensorType::get(
        SmallVector<int64_t>(rank, ShapedType::kDynamic), elementType);
  };

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(fileLoc, options.functionName,
                                           builder.getFunctionType({}, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);

  std::vector<Value> current(graph.tensors.size());
  llvm::StringMap<Value> argsByName;
  std::vector<std::string> argNames;

  auto constant = [&](double v, llvm::StringRef slot, Location loc) -> Value {
    auto type = RankedTensorType::get({}, elementType);
    APFloat value =
        options.useF32 ? APFloat(static_cast<float>(v)) : APFloat(v);
    return builder.create<ConstantOp>(loc, type,
                                      DenseElementsAttr::get(type, value),
                                      builder.getStringAttr(slot));
  };
  auto argument = [&](const std::string &name) -> Value {
    auto it = argsByName.find(name);
    if (it != argsByName.end())
      return it->second;
    Value arg = body->addArgument(unranked, fileLoc);
    argsByName[name] = arg;
    argNames.push_back(name);
    return arg;
  };
  // G3: the value of a slot read before any node writes it; null if unbound.
  auto bind = [&](size_t slot) -> Value {
    const std::string &name = graph.tensors[slot];
    Location loc = NameLoc::get(builder.getStringAttr(name), fileLoc);
    if (options.callerNames) {
      std::string caller = bindSlotName(name, *options.callerNames);
      if (!caller.empty())
        return argument(caller);
      if (auto c = parseConstSlot(name))
        return constant(*c, name, loc);
      return nullptr;
    }
    if (auto c = parseConstSlot(name))
      return constant(*c, name, loc);
    return argument(name);
  };

  // Slots written only inside a fixpoint's body: reading one after it is
  // an error (by the node that hides it), never a silent input.
  std::map<size_t, std::string> hiddenBy;
  auto readsHidden = [&](size_t s, const Node &node) {
    error.set("G3: slot " + std::to_string(s) + " '" + graph.tensors[s] +
              "', read by " + node.describe() +
              ", is written only inside the body of " + hiddenBy[s] +
              "; after the fixpoint only its states (its outputs) are "
              "visible");
    return false;
  };
  std::function<bool(const std::vector<Node> &, std::set<size_t> &)>
      buildNodes;
  auto buildFixpoint = [&](const Node &node, SmallVector<Value> &inits,
                           Location loc, std::set<size_t> &written) -> bool {
    auto op = builder.create<FixpointOp>(loc, ValueRange(inits));
    op.setToleranceAttr(builder.getF64FloatAttr(node.tolerance));
    op.setMaxIterationsAttr(builder.getI64IntegerAttr(node.maxIterations));
    op.setWarnAtLimit(node.warnAtLimit);
    Block &loop = op.getBodyBlock();
    std::vector<Value> saved = current;
    for (auto [j, slot] : llvm::enumerate(node.states))
      current[slot] = loop.getArgument(j);
    std::set<size_t> inner;
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToEnd(&loop);
      if (!buildNodes(node.body, inner))
        return false;
      SmallVector<Value> next;
      for (size_t slot : node.states)
        next.push_back(current[slot]);
      builder.create<YieldOp>(loc, next);
    }
    // Inputs bound inside the body stay bound; its constants and the
    // values its nodes wrote do not outlive it.
    for (size_t slot = 0; slot < current.size(); ++slot) {
      Value v = current[slot];
      bool isArgument = v && llvm::isa<BlockArgument>(v) &&
                        llvm::cast<BlockArgument>(v).getOwner() == body;
      if (inner.count(slot)) {
        current[slot] = nullptr;
        hiddenBy[slot] = node.describe();
      } else if (!isArgument) {
        current[slot] = saved[slot];
      }
    }
    for (auto [j, slot] : llvm::enumerate(node.states)) {
      current[slot] = op.getResult(j);
      hiddenBy.erase(slot);
      written.insert(slot);
    }
    return true;
  };
  buildNodes = [&](const std::vector<Node> &nodes,
                   std::set<size_t> &written) -> bool {
    for (const Node &node : nodes) {
      SmallVector<Value> ins;
      for (size_t s : node.inputs) {
        if (!current[s] && hiddenBy.count(s))
          return readsHidden(s, node);
        if (!current[s]) {
          current[s] = bind(s);
          if (!current[s]) {
            std::string given;
            if (options.callerNames)
              given = options.callerNames->empty()
                          ? " (no arrays were given)"
                          : " (the arrays given: " +
                                llvm::join(*options.callerNames, ", ") + ")";
            error.set("G3: unbound tensor '" + graph.tensors[s] + "' (slot " +
                      std::to_string(s) + "), read by node " + node.label +
                      given);
            return false;
          }
        }
        ins.push_back(current[s]);
      }
      // The node, then the slot it writes (what --dump-intermediates names
      // the value by); both wrap the file location that messages print.
      Location loc = NameLoc::get(
          builder.getStringAttr(node.describe()),
          NameLoc::get(builder.getStringAttr(kSlotLocPrefix.str() +
                                             graph.tensors[node.output]),
                       fileLoc));
      if (node.kind == NodeKind::Fixpoint) {
        if (!buildFixpoint(node, ins, loc, written))
          return false;
        continue;
      }
      const NodePlan &plan = node.plan;
      auto rankOf = [](Value v) -> std::optional<int64_t> {
        if (auto t = llvm::dyn_cast<RankedTensorType>(v.getType()))
          return t.getRank();
        return std::nullopt;
      };
      // Operand ranks known at import must match the subscripts (G6/G8).
      if (plan.kind != NodePlan::Unary && plan.kind != NodePlan::Binary &&
          plan.kind != NodePlan::Reduce) {
        const char *rule = plan.kind == NodePlan::Einsum ? "G6" : "G8";
        for (size_t j = 0; j < ins.size(); ++j) {
          std::optional<int64_t> r = rankOf(ins[j]);
          if (r && *r != static_cast<int64_t>(plan.spec.inputs[j].size())) {
            error.set(llvm::Twine(rule) + ": " + node.describe() +
                      ": operand " + llvm::Twine(j) + " ('" +
                      graph.tensors[node.inputs[j]] + "', slot " +
                      llvm::Twine(node.inputs[j]) + ") has rank " +
                      llvm::Twine(*r) + ", but its subscript '" +
                      plan.spec.inputs[j] + "' has " +
                      llvm::Twine(plan.spec.inputs[j].size()) + " label(s)");
            return false;
          }
        }
      }
      Value result;
      StringAttr specAttr = builder.getStringAttr(plan.spec.str());
      Type specType = ranked(plan.spec.output.size());
      switch (plan.kind) {
      case NodePlan::Unary:
        result =
            builder.create<UnaryOp>(loc, ins[0].getType(), plan.unary, ins[0]);
        break;
      case NodePlan::Binary: {
        std::optional<int64_t> a = rankOf(ins[0]), b = rankOf(ins[1]);
        Type t = a && b ? Type(ranked(std::max(*a, *b))) : unranked;
        result = builder.create<BinaryOp>(loc, t, plan.binary, ins[0], ins[1]);
        break;
      }
      case NodePlan::Reduce: {
        Type t = unranked;
        if (std::optional<int64_t> r = rankOf(ins[0])) {
          for (int64_t a : plan.axes)
            if (a >= *r) {
              error.set(
                  "G10: " + node.describe() + ": axis " + std::to_string(a) +
                  " out of range for an input of rank " + std::to_string(*r));
              return false;
            }
          t = ranked(*r - plan.axes.size());
        }
        result =
            builder.create<ReduceOp>(loc, t, plan.reduce, ins[0],
                                     builder.getDenseI64ArrayAttr(plan.axes));
        break;
      }
      case NodePlan::Einsum:
        result =
            builder.create<EinsumOp>(loc, specType, specAttr, ins,
                                     BinaryKind::multiply, ReduceKind::sum);
        break;
      case NodePlan::GenReduce:
        result = builder.create<EinsumOp>(loc, specType, specAttr, ins,
                                          BinaryKind::multiply, plan.reduce);
        break;
      case NodePlan::GenBinary:
        result = builder.create<EinsumOp>(loc, specType, specAttr, ins,
                                          plan.binary, ReduceKind::sum);
        break;
      case NodePlan::GenUnary: {
        // Align (transpose/broadcast) by label, then apply the op.
        Value aligned =
            builder.create<EinsumOp>(loc, specType, specAttr, ins,
                                     BinaryKind::multiply, ReduceKind::sum);
        result = builder.create<UnaryOp>(loc, specType, plan.unary, aligned);
        break;
      }
      }
      if (node.metadata)
        result.getDefiningOp()->setAttr("tl.metadata",
                                        jsonToAttribute(*node.metadata, ctx));
      current[node.output] = result;
      written.insert(node.output);
    }
    return true;
  };
  std::set<size_t> written;
  if (!buildNodes(graph.nodes, written))
    return nullptr;


  // G4: every output, in order, under its slot name.
  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  llvm::StringMap<size_t> owner;
  for (size_t j = 0; j < graph.outputs.size(); ++j) {
    size_t s = graph.outputs[j];
    const std::string &name = graph.tensors[s];
    auto it = owner.find(name);
    if (it != owner.end()) {
      if (it->second == s)
        continue; // the same slot listed twice is one output
      error.set("G4: outputs: slots " + std::to_string(it->second) + " and " +
                std::to_string(s) + " are both named '" + name +
                "'; outputs are keyed by name");
      return nullptr;
    }
    owner[name] = s;
    if (!current[s] && hiddenBy.count(s)) {
      error.set("G4: output " + std::to_string(j) + ": slot " +
                std::to_string(s) + " '" + name +
                "' is written only inside the body of " + hiddenBy[s] +
                "; a fixpoint's outputs are its states");
      return nullptr;
    }
    if (!current[s])
      current[s] = bind(s);
    if (!current[s]) {
      error.set("G4: output " + std::to_string(j) + ": slot " +
                std::to_string(s) + " '" + name +
                "' is neither written by a node nor bound to an input");
      return nullptr;
    }
    results.push_back(current[s]);
    resultNames.push_back(name);
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  func.setType(builder.getFunctionType(body->getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  for (size_t i = 0; i < argNames.size(); ++i)
    func.setArgAttr(i, kNameAttr, builder.getStringAttr(argNames[i]));
  for (size_t i = 0; i < resultNames.size(); ++i)
    func.setResultAttr(i, kNameAttr, builder.getStringAttr(resultNames[i]));

  // Metadata (G1: preserved on export), keyed by slot name.
  if (graph.tensorMetadata && !graph.tensorMetadata->empty()) {
    SmallVector<NamedAttribute> entries;
    for (const auto &[key, value] : *graph.tensorMetadata) {
      size_t idx;
      if (llvm::StringRef(key).getAsInteger(10, idx) ||
          idx >= graph.tensors.size()) {
        error.set("G1: tensor_metadata: key '" + key.str() +
                  "' is not a tensor index (graph has " +
                  std::to_string(graph.tensors.size()) + " tensors)");
        return nullptr;
      }
      entries.push_back(builder.getNamedAttr(graph.tensors[idx],
                                             jsonToAttribute(value, ctx)));
    }
    func->setAttr("tl.tensor_metadata", builder.getDictionaryAttr(entries));
  }
  if (!graph.inputs.empty()) {
    SmallVector<Attribute> names;
    for (size_t s : graph.inputs)
      names.push_back(builder.getStringAttr(graph.tensors[s]));
    func->setAttr("tl.graph_inputs", builder.getArrayAttr(names));
  }
  if (graph.wrapper) {
    SmallVector<NamedAttribute> entries;
    for (const auto &[key, value] : *graph.wrapper)
      if (key != "graph")
        entries.push_back(
            builder.getNamedAttr(key, jsonToAttribute(value, ctx)));
    func->setAttr("tl.wrapper", builder.getDictionaryAttr(entries));
  }
  return module;
}

/// llvm::json::parse recurses once per nesting level; a hostile file with
/// 100k levels would overflow the stack. No EinsumGraph nests deeper than
/// a few levels of metadata, so anything past kMaxDepth is refused first.
static constexpr unsigned kMaxDepth = 256;

static std::optional<std::string> checkNesting(llvm::StringRef text) {
  unsigned depth = 0, line = 1;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (c == '\n')
      ++line;
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth)
        return "G1: malformed JSON at line " + std::to_string(line) +
               ": nesting deeper than " + std::to_string(kMaxDepth) + " levels";
    } else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  return std::nullopt;
}

OwningOpRef<ModuleOp> Importer::run(llvm::StringRef text) {
  if (std::optional<std::string> tooDeep = checkNesting(text)) {
    mlir::emitError(FileLineColLoc::get(ctx, options.sourceName, 0, 0))
        << *tooDeep;
    return nullptr;
  }
  llvm::Expected<json::Value> parsed = json::parse(text);
  OwningOpRef<ModuleOp> module;
  if (!parsed) {
    // llvm::json says "[LINE:COL, byte=N]: what"; say it in words.
    std::string msg = llvm::toString(parsed.takeError());
    static const llvm::Regex where(
        "^\\[([0-9]+):([0-9]+), byte=[0-9]+\\]: (.*)$");
    llvm::SmallVector<llvm::StringRef, 4> m;
    if (where.match(msg, &m))
      msg = "line " + m[1].str() + ", column " + m[2].str() + ": " + m[3].str();
    error.set("G1: malformed JSON at " + msg);
  } else if (parseStructure(*parsed))
    module = build();
  if (error.failed()) {
    mlir::emitError(FileLineColLoc::get(ctx, options.sourceName, 0, 0))
        << error.message;
    return nullptr;
  }
  return module;
}

bool mlir::tl::isTensorLogicJSON(llvm::StringRef path, llvm::StringRef text) {
  if (path.ends_with(".json"))
    return true;
  if (path.ends_with(".mlir"))
    return false;
  return text.ltrim().starts_with("{");
}

OwningOpRef<ModuleOp>
mlir::tl::importTensorLogicJSON(llvm::StringRef text, MLIRContext *context,
                                const ImportOptions &options) {
  context->loadDialect<TLDialect, func::FuncDialect>();
  Importer importer(context, options);
  return importer.run(text);
}
