//===- grandparent.cpp - the library API from a user's side ---------------===//
//
//   tl-api-example [GRAPH.json]
//
// Compiles the family example (grandparent(a, c) :- parent(a, b),
// parent(b, c)) for a 5-person parent relation, runs it on memory the
// program owns, and prints each output. Only the public header is used.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"

#include <cstdio>

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "examples/family/grandparent.json";

  // parent[a][b] = 1 when a is a parent of b.
  double parent[5][5] = {};
  parent[0][1] = parent[1][2] = parent[1][3] = parent[4][0] = 1;

  tl::CompileOptions options;
  options.inputShapes = {{"parent", {5, 5}}};
  auto exe = tl::Executable::compileFile(path, options);
  if (!exe.ok()) {
    std::fprintf(stderr, "compile failed: %s\n",
                 std::string(exe.status().message()).c_str());
    return 1;
  }
  std::printf("compiled in %.1f ms\n", (*exe)->compileSeconds() * 1e3);

  // Borrowed: the executable reads the array in place.
  tl::Buffer input = tl::Buffer::borrow(parent, tl::DType::f64, {5, 5});
  auto outputs = (*exe)->run({{"parent", &input}});
  if (!outputs.ok()) {
    std::fprintf(stderr, "run failed: %s\n",
                 std::string(outputs.status().message()).c_str());
    return 1;
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    const tl::Buffer &out = (*outputs)[i];
    std::printf("%s: %s =", outputs->name(i).c_str(),
                out.typeString().c_str());
    for (int64_t k = 0; k < out.numElements(); ++k)
      std::printf(" %g", out.at(k));
    std::printf("\n");
  }
  return 0;
}
