// Version constants. kvraft imitates etcd 3.4.23 at the API level: /version
// reports kServerVersion and kClusterVersion, --version prints both ours and
// the etcd API version we follow. Constants only; thread-safe.
#pragma once

namespace common {

inline constexpr char kKvraftVersion[] = "0.1.0";
inline constexpr char kServerVersion[] = "3.4.23";   // "etcdserver" in GET /version
inline constexpr char kClusterVersion[] = "3.4.0";   // "etcdcluster" in GET /version

}  // namespace common
