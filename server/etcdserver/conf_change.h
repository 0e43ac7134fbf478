// A membership change as it travels in a log entry, and how applying it
// rewrites the membership kept in the store. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/store/store.h"

namespace etcdserver {

struct ConfChange {
  enum class Type : uint64_t { kAdd = 0, kRemove = 1, kUpdate = 2 };
  Type type = Type::kAdd;
  uint64_t member_id = 0;
  std::vector<std::string> peer_urls;  // add and update

  std::string Encode() const;
  static std::optional<ConfChange> Decode(const std::string& bytes);
};

// Writes the change into /0 (raftAttributes, removed_members), as etcd does.
void ApplyConfChange(store::Store& st, const ConfChange& cc);

}  // namespace etcdserver
