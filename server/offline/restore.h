// `kvraft snapshot restore FILE` (what `kvraftctl snapshot restore` runs):
// makes the data dir of one member of a new cluster from a file written by
// `kvraftctl snapshot save`. Every member of the new cluster restores the
// same file with the same --initial-cluster and --initial-cluster-token and
// its own --name; they then start (with those flags) already agreeing on
// every key, directory, TTL and index the cluster had at the file's index.
//
// The new cluster's members are those of --initial-cluster, with etcd's
// member ids. Its cluster id is etcd's (from those ids) mixed with the
// file's checksum, so it never equals the id of the cluster the file came
// from: members of that cluster refuse to talk to a restored one, even one
// on the same URLs with the same token.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace offline {

struct RestoreOptions {
  std::string file;
  // --name, --data-dir, --initial-cluster, --initial-cluster-token and
  // --initial-advertise-peer-urls, as given (kvraft's defaults otherwise).
  std::vector<std::string> cluster_flags;
};

// Refuses a damaged or truncated file and a data dir that is not empty;
// writes nothing then. Logs what it made.
common::Status Restore(const RestoreOptions& options);

}  // namespace offline
