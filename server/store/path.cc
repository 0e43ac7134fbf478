// CleanPath (Go's path.Clean of "/" + p) and the store's private path helpers.
#include "server/store/path.h"

#include <vector>

#include "server/store/store.h"

namespace store {
namespace internal {

bool IsCleanPath(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  if (p.size() == 1) return true;
  if (p.back() == '/') return false;
  size_t seg_start = 1;
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i < p.size() && p[i] != '/') continue;
    size_t len = i - seg_start;
    if (len == 0) return false;
    if (len == 1 && p[seg_start] == '.') return false;
    if (len == 2 && p[seg_start] == '.' && p[seg_start + 1] == '.') return false;
    seg_start = i + 1;
  }
  return true;
}

}  // namespace internal

std::string CleanPath(const std::string& p) {
  if (internal::IsCleanPath(p)) return p;
  std::vector<std::string_view> segments;
  std::string_view rest(p);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();  // a rooted path never climbs above "/"
      continue;
    }
    segments.push_back(seg);
  }
  if (segments.empty()) return "/";
  std::string out;
  out.reserve(p.size() + 1);
  for (std::string_view seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  return out;
}

namespace internal {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

bool IsHiddenBelow(std::string_view watch_path, std::string_view key) {
  // A deleted directory notifies watchers below it: those are never hidden.
  if (watch_path.size() > key.size()) return false;
  std::string_view below = key.substr(watch_path.size());
  return (!below.empty() && below[0] == '_') || below.find("/_") != std::string_view::npos;
}

std::string UserCause(std::string_view store_path) {
  constexpr std::string_view kUserRoot = "/1";
  if (store_path == kUserRoot) return "";
  if (store_path.size() > kUserRoot.size() && store_path.substr(0, 2) == kUserRoot &&
      store_path[2] == '/') {
    return std::string(store_path.substr(2));
  }
  return std::string(store_path);
}

}  // namespace internal
}  // namespace store
