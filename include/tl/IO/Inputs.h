//===- Inputs.h - the arrays a run tool binds -------------------*- C++ -*-===//
//
// One reader for every tool that takes inputs (tl-jit, tl-run,
// tl-compile): the members of --inputs=IN.npz, then each --input spec,
// which replaces a member of the same name. A sparse tensor (SparseNpz.h)
// is a group of members "NAME/..." in IN.npz, or --input=NAME=@FILE.npz.
// readInputs binds sparse tensors in their dense form; readInputValues
// keeps them sparse for code compiled for them (docs/CLI.md, "Sparse
// tensors").
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_INPUTS_H
#define TL_IO_INPUTS_H

#include "tl/IO/InlineInput.h"
#include "tl/IO/Npy.h"

#include <string>
#include <vector>

namespace tl::io {

/// The arrays of an input archive (dense members and sparse groups), in
/// archive order.
absl::StatusOr<NamedArrays> readInputArchive(std::string_view path);

/// --inputs (may be empty) and --input specs, as parseInlineInput reports
/// errors (exitStatus maps them).
absl::StatusOr<NamedArrays> readInputs(std::string_view archive,
                                       const std::vector<std::string> &specs);

using NamedInputs = std::vector<std::pair<std::string, InputValue>>;
/// The same with sparse tensors kept sparse.
absl::StatusOr<NamedInputs>
readInputValues(std::string_view archive,
                const std::vector<std::string> &specs);
/// `values` (from readInputValues(archive, specs)) with every sparse
/// tensor in its dense form: what readInputs returns.
absl::StatusOr<NamedArrays> denseInputs(NamedInputs values,
                                        std::string_view archive,
                                        const std::vector<std::string> &specs);

} // namespace tl::io

#endif // TL_IO_INPUTS_H
