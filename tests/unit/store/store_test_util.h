// Helpers shared by the store tests: rendering results as the user sees them
// and parsing etcd's RFC 3339 timestamps.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "server/store/store.h"

namespace store_test {

constexpr int64_t kSecond = 1000000000;

// Unix ns of "YYYY-MM-DDTHH:MM:SS.fffffffffZ".
inline int64_t ParseTime(const std::string& s) {
  std::tm tm{};
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(8, 2));
  tm.tm_hour = std::stoi(s.substr(11, 2));
  tm.tm_min = std::stoi(s.substr(14, 2));
  tm.tm_sec = std::stoi(s.substr(17, 2));
  int64_t ns = static_cast<int64_t>(timegm(&tm)) * kSecond;
  if (s.size() > 20 && s[19] == '.') {
    std::string frac = s.substr(20, s.size() - 21);
    frac.resize(9, '0');
    ns += std::stoll(frac);
  }
  return ns;
}

// The HTTP body the user would get: event JSON (keys without "/1") or error JSON.
inline std::string Body(const store::V2Result<store::Event>& r, int64_t now_ns = 0) {
  return r.ok() ? store::EventJson(r.value(), now_ns, "/1") : r.error().Json();
}

inline store::ExpireOptions At(int64_t expire_ns, bool refresh = false) {
  return store::ExpireOptions{expire_ns, refresh};
}

// etcd 3.4 writes three internal entries before the first user write, so
// that one gets index 4; this does the same so indexes match the transcripts.
inline void InternalWrites(store::Store* s) {
  s->Set("/0/version", false, "3.4.0", {});
  s->Set("/0/members/1/attributes", false, "{}", {});
  s->Set("/0/members/1/raftAttributes", false, "{}", {});
}

}  // namespace store_test
