//===- Inputs.cpp - the arrays a run tool binds ---------------------------===//

#include "tl/IO/Inputs.h"

#include "tl/IO/Buffers.h"
#include "tl/IO/InlineInput.h"
#include "tl/IO/SparseNpz.h"

#include <map>

using namespace tl::io;

absl::StatusOr<NamedArrays> tl::io::readInputArchive(std::string_view path) {
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
  NamedArrays out;
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
    auto dense = toArray(*sparse);
    if (!dense.ok())
      return absl::Status(dense.status().code(),
                          "sparse input '" + group->first + "' in " +
                              std::string(path) + ": " +
                              std::string(dense.status().message()));
    out.emplace_back(group->first, std::move(*dense));
    group->second.clear();
  }
  return out;
}

absl::StatusOr<NamedArrays>
tl::io::readInputs(std::string_view archive,
                   const std::vector<std::string> &specs) {
  NamedArrays arrays;
  if (!archive.empty()) {
    auto read = readInputArchive(archive);
    if (!read.ok())
      return read.status();
    arrays = std::move(*read);
  }
  for (const std::string &spec : specs) {
    auto parsed = parseInlineInput(spec);
    if (!parsed.ok())
      return parsed.status();
    auto it = std::find_if(arrays.begin(), arrays.end(), [&](const auto &a) {
      return a.first == parsed->first;
    });
    if (it != arrays.end())
      it->second = std::move(parsed->second);
    else
      arrays.push_back(std::move(*parsed));
  }
  return arrays;
}
