//===- Inputs.cpp - the arrays a run tool binds ---------------------------===//

#include "tl/IO/Inputs.h"

#include "Text.h"
#include "tl/IO/Buffers.h"
#include "tl/IO/SparseNpz.h"

#include <map>

using namespace tl::io;

namespace {

/// The members of the archive at `path`: dense ones as arrays, each group
/// "NAME/..." that makes a sparse layout as one sparse tensor.
absl::StatusOr<NamedInputs> readArchiveValues(std::string_view path) {
  auto members = readNpzMembers(path);
  if (!members.ok())
    return members.status();
  // Members "NAME/KEY" whose KEYs make a sparse layout are one tensor.
  std::map<std::string, NpyMembers> groups;
  for (const auto &[key, bytes] : *members)
    if (size_t slash = key.rfind('/'); slash != std::string::npos)
      groups[key.substr(0, slash)].emplace_back(key.substr(slash + 1), bytes);
  for (auto it = groups.begin(); it != groups.end();) {
    std::vector<std::string> keys;
    for (const auto &member : it->second)
      keys.push_back(member.first);
    it = isSparseLayout(keys) ? std::next(it) : groups.erase(it);
  }
  NamedInputs out;
  for (const auto &[key, bytes] : *members) {
    size_t slash = key.rfind('/');
    auto group = slash == std::string::npos ? groups.end()
                                            : groups.find(key.substr(0, slash));
    if (group == groups.end()) {
      auto array = parseNpy(bytes, std::string(path) + ":" + key + ".npy");
      if (!array.ok())
        return array.status();
      out.emplace_back(key, std::move(*array));
      continue;
    }
    if (group->second.empty())
      continue; // read at its first member
    std::string what = std::string(path) + ":" + group->first + "/";
    auto sparse = parseSparse(group->second, what);
    if (!sparse.ok())
      return sparse.status();
    out.emplace_back(group->first, std::move(*sparse));
    group->second.clear();
  }
  return out;
}

/// `inputs` with every sparse tensor densified; `where` says, for a name,
/// where it was read from (for the message over the memory limit).
template <typename Where>
absl::StatusOr<NamedArrays> densified(NamedInputs inputs, Where where) {
  NamedArrays out;
  for (auto &[name, value] : inputs) {
    if (auto *array = std::get_if<Array>(&value)) {
      out.emplace_back(name, std::move(*array));
      continue;
    }
    auto dense = toArray(std::get<tl::runtime::SparseBuffer>(value));
    if (!dense.ok())
      return absl::Status(dense.status().code(),
                          where(name) + ": " +
                              std::string(dense.status().message()));
    out.emplace_back(name, std::move(*dense));
  }
  return out;
}

} // namespace

absl::StatusOr<NamedArrays> tl::io::readInputArchive(std::string_view path) {
  auto values = readArchiveValues(path);
  if (!values.ok())
    return values.status();
  return densified(std::move(*values), [&](const std::string &name) {
    return "sparse input '" + name + "' in " + std::string(path);
  });
}

absl::StatusOr<NamedInputs>
tl::io::readInputValues(std::string_view archive,
                        const std::vector<std::string> &specs) {
  NamedInputs values;
  if (!archive.empty()) {
    auto read = readArchiveValues(archive);
    if (!read.ok())
      return read.status();
    values = std::move(*read);
  }
  for (const std::string &spec : specs) {
    auto parsed = parseInlineValue(spec);
    if (!parsed.ok())
      return parsed.status();
    auto it = std::find_if(values.begin(), values.end(), [&](const auto &a) {
      return a.first == parsed->first;
    });
    if (it != values.end())
      it->second = std::move(parsed->second);
    else
      values.push_back(std::move(*parsed));
  }
  return values;
}

absl::StatusOr<NamedArrays>
tl::io::readInputs(std::string_view archive,
                   const std::vector<std::string> &specs) {
  auto values = readInputValues(archive, specs);
  if (!values.ok())
    return values.status();
  return denseInputs(std::move(*values), archive, specs);
}

absl::StatusOr<NamedArrays>
tl::io::denseInputs(NamedInputs values, std::string_view archive,
                    const std::vector<std::string> &specs) {
  return densified(std::move(values), [&](const std::string &name) {
    // Where the tensor came from: the last --input of its name wins.
    for (auto spec = specs.rbegin(); spec != specs.rend(); ++spec)
      if (spec->compare(0, name.size() + 1, name + "=") == 0)
        return "--input='" + text::clip(*spec, text::kPathEchoLimit) + "'";
    return "sparse input '" + name + "' in " + std::string(archive);
  });
}
