// GET /kvraft/snapshot on the client URLs: an online, consistent backup of
// this member, in the file format of common/snapshot_file.h, which
// `kvraftctl snapshot save` stores and `kvraftctl snapshot restore` seeds a
// new cluster from.
//
// The cut: a read index round (every write acknowledged before the request
// is in), the applied index and store index at that moment, a barrier behind
// the log writer (every entry up to there is on disk), then a copy of the
// database through SQLite's online backup API (db_copy.h), which holds no
// writer up. The copy is checksummed and streamed one piece at a time as the
// client reads, then deleted.
//
// One snapshot at a time per member (another request gets 503); a client
// that reads nothing for 60 s loses it; off with
// --enable-snapshot-endpoint=false (403). The copy needs as much free disk
// in the data dir as the database takes. The work runs on one thread of its
// own; Handle is called on an I/O thread and does not block.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "server/etcdserver/server.h"
#include "server/http/http.h"

namespace api {

class SnapshotService {
 public:
  SnapshotService(etcdserver::EtcdServer& server, std::string data_dir, bool enabled);
  ~SnapshotService();  // ends the worker; a transfer still running is cut off
  SnapshotService(const SnapshotService&) = delete;
  SnapshotService& operator=(const SnapshotService&) = delete;

  void Handle(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

  struct Worker;  // the thread, its queue and the transfer being sent

 private:
  void Cut(std::shared_ptr<http::Exchange> ex, std::string remote, int attempts_left);

  etcdserver::EtcdServer& server_;
  const std::string copy_path_;  // <data-dir>/member/snapshot.tmp
  const bool enabled_;
  std::shared_ptr<std::atomic<bool>> busy_;
  std::shared_ptr<Worker> worker_;
};

}  // namespace api
