#include "server/etcdserver/reconfig_check.h"

namespace etcdserver {
namespace {

using Clock = std::chrono::steady_clock;

size_t Quorum(size_t n) { return n / 2 + 1; }

size_t Started(const std::vector<Member>& members, uint64_t except) {
  size_t n = 0;
  for (const auto& m : members) n += (m.id != except && !m.name.empty()) ? 1 : 0;
  return n;
}

bool ActiveFor(const ActiveSinceFn& active_since, uint64_t peer, Clock::time_point now) {
  Clock::time_point since = active_since(peer);
  return since != Clock::time_point{} && since <= now - kReconfigHealthInterval;
}

}  // namespace

bool ReadyToAddMember(const std::vector<Member>& members, uint64_t self, const ActiveSinceFn& active_since,
                      Clock::time_point now) {
  const size_t started = Started(members, 0), size = members.size() + 1;
  if (started < Quorum(size) && !(started == 1 && size == 2)) return false;
  for (const auto& m : members) {
    if (m.id != self && !ActiveFor(active_since, m.id, now)) return false;
  }
  return true;
}

bool ReadyToRemoveMember(const std::vector<Member>& members, uint64_t self, uint64_t target,
                         const ActiveSinceFn& active_since, Clock::time_point now) {
  size_t others = 0;
  for (const auto& m : members) others += m.id != target ? 1 : 0;
  if (Started(members, target) < Quorum(others)) return false;
  // A member that is down is no part of the working quorum: removing it is safe.
  if (target != self && active_since(target) == Clock::time_point{}) return true;
  size_t active = 0;
  for (const auto& m : members) active += (m.id == self || ActiveFor(active_since, m.id, now)) ? 1 : 0;
  return active - 1 >= Quorum(members.size() - 1);
}

}  // namespace etcdserver
