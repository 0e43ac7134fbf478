#include "server/transport/transport.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "common/log.h"
#include "common/member_id.h"
#include "server/transport/peer_sender.h"
#include "server/transport/snapshot_inbox.h"

namespace transport {
namespace {

// Senders whose cluster-id mismatch was logged; bounded against a flood of
// made-up sender ids.
constexpr size_t kMaxMismatchLogged = 1024;

bool ParsesTo(const std::string& hex, uint64_t want) {
  auto id = common::ParseId(hex);
  return id.ok() && *id == want;
}

}  // namespace

struct Transport::Impl {
  Impl(uint64_t member_id, uint64_t cluster_id, Callbacks callbacks)
      : member_id(member_id), cluster_id(cluster_id), callbacks(std::move(callbacks)) {}

  // Takes the senders out under the lock, then stops them all before joining
  // any, so a dead peer delays teardown once, not once per peer.
  static void StopAll(std::vector<std::unique_ptr<PeerSender>> senders) {
    for (auto& s : senders) s->Stop();
    senders.clear();
  }

  std::optional<http::Response> Refusal(const http::Request& req);
  std::optional<uint64_t> PeerId(const std::string& from);

  const uint64_t member_id;
  const uint64_t cluster_id;
  const Callbacks callbacks;

  mutable std::mutex mu;
  std::map<uint64_t, std::unique_ptr<PeerSender>> peers;  // GUARDED_BY(mu)
  std::set<uint64_t> removed;                              // GUARDED_BY(mu)
  std::set<std::string> mismatch_logged;                   // GUARDED_BY(mu)
  std::set<std::string> non_peer_logged;                   // GUARDED_BY(mu)
  std::unique_ptr<SnapshotInbox> snapshot_inbox;           // set at construction

  std::atomic<uint64_t> sent_appends{0};
  std::atomic<uint64_t> received_appends{0};
};

Transport::Transport(uint64_t member_id, uint64_t cluster_id, Callbacks callbacks, std::string snapshot_dir)
    : impl_(std::make_unique<Impl>(member_id, cluster_id, std::move(callbacks))) {
  if (snapshot_dir.empty()) return;
  auto receiver = std::make_unique<SnapshotReceiver>(member_id, std::move(snapshot_dir), SnapshotReceiver::Limits{},
                                                     impl_->callbacks.validate_snapshot);
  Impl* impl = impl_.get();
  impl_->snapshot_inbox = std::make_unique<SnapshotInbox>(std::move(receiver), [impl](raft::Message m) {
    if (impl->callbacks.on_receive) impl->callbacks.on_receive({std::move(m)});
  });
}

Transport::~Transport() {
  impl_->snapshot_inbox.reset();  // no snapshot is delivered from here on
  std::vector<std::unique_ptr<PeerSender>> senders;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [id, sender] : impl_->peers) senders.push_back(std::move(sender));
    impl_->peers.clear();
  }
  Impl::StopAll(std::move(senders));
}

void Transport::UpdatePeers(const std::map<uint64_t, std::vector<std::string>>& peers) {
  std::vector<std::unique_ptr<PeerSender>> gone;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto it = impl_->peers.begin(); it != impl_->peers.end();) {
      if (peers.count(it->first) == 0) {
        gone.push_back(std::move(it->second));
        it = impl_->peers.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [id, urls] : peers) {
      if (id == impl_->member_id) continue;
      auto it = impl_->peers.find(id);
      if (it != impl_->peers.end()) {
        it->second->SetUrls(urls);
        continue;
      }
      PeerSender::Identity identity{impl_->member_id, impl_->cluster_id, id};
      impl_->peers.emplace(id, std::make_unique<PeerSender>(identity, urls, impl_->callbacks));
    }
  }
  Impl::StopAll(std::move(gone));
}

void Transport::MarkRemoved(uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->removed.insert(id);
}

void Transport::Send(std::vector<raft::Message> messages) {
  if (messages.empty()) return;
  // One hand-over per peer, in the order raft produced them.
  std::map<uint64_t, std::vector<raft::Message>> by_peer;
  for (raft::Message& m : messages) by_peer[m.to].push_back(std::move(m));
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& [to, batch] : by_peer) {
    auto it = impl_->peers.find(to);
    if (it == impl_->peers.end()) {
      KV_LOG(kDebug, "rafthttp") << "ignored " << batch.size() << " message(s) to unknown peer "
                                 << common::FormatId(to);
      continue;
    }
    impl_->sent_appends += it->second->Enqueue(std::move(batch));
  }
}

// Why this request is refused before its body is decoded, if it is.
std::optional<http::Response> Transport::Impl::Refusal(const http::Request& req) {
  if (req.method != "POST") {
    http::Response r = http::TextError(405, "Method Not Allowed");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  std::string from = req.Header("X-Server-From");
  std::string remote_cluster = req.Header("X-Etcd-Cluster-Id");
  std::lock_guard<std::mutex> lock(mu);
  if (!ParsesTo(remote_cluster, cluster_id)) {
    if (mismatch_logged.size() < kMaxMismatchLogged && mismatch_logged.insert(from).second) {
      KV_LOG(kWarn, "rafthttp") << "request cluster ID mismatch (local cluster ID "
                                << common::FormatId(cluster_id) << ", remote cluster ID "
                                << (remote_cluster.empty() ? "<none>" : remote_cluster) << ", sender "
                                << (from.empty() ? "<unknown>" : from) << ")";
    }
    return http::TextError(412, "cluster ID mismatch");
  }
  auto from_id = common::ParseId(from);
  if (from_id.ok() && removed.count(*from_id) != 0) return http::TextError(410, "removed member");
  if (req.body_too_large) return http::TextError(413, "error reading raft message");
  return std::nullopt;
}

// The id of sender `from` (X-Server-From) when it is a current peer. Only
// members may upload a snapshot: another sender (a forged X-Server-From, or
// none) is refused, logged once per name.
std::optional<uint64_t> Transport::Impl::PeerId(const std::string& from) {
  auto id = common::ParseId(from);
  std::lock_guard<std::mutex> lock(mu);
  if (id.ok() && peers.count(*id) != 0 && removed.count(*id) == 0) return *id;
  if (non_peer_logged.size() < kMaxMismatchLogged && non_peer_logged.insert(from).second) {
    KV_LOG(kWarn, "rafthttp") << "refused a snapshot upload from " << (from.empty() ? "<unknown>" : from)
                              << ": not a member of this cluster";
  }
  return std::nullopt;
}

void Transport::HandleSnapshot(http::Request req, const std::shared_ptr<http::Exchange>& ex) {
  if (auto refusal = impl_->Refusal(req)) return ex->Reply(std::move(*refusal));
  std::optional<uint64_t> from = impl_->PeerId(req.Header("X-Server-From"));
  if (!from) return ex->Reply(http::TextError(403, "sender is not a member of this cluster"));
  if (!impl_->snapshot_inbox) return ex->Reply(http::TextError(503, "snapshots are not received here"));
  impl_->snapshot_inbox->Submit(*from, std::move(req.body), ex);
}

void Transport::HandleRaft(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (auto refusal = impl_->Refusal(req)) {
    ex->Reply(std::move(*refusal));
    return;
  }
  auto messages = DecodeMessages(req.body);
  if (!messages.ok()) {
    KV_LOG(kWarn, "rafthttp") << "failed to decode raft message from " << req.Header("X-Server-From") << ": "
                              << messages.status().message();
    ex->Reply(http::TextError(400, "error unmarshalling raft message"));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (const raft::Message& m : *messages) {
      if (impl_->removed.count(m.from) != 0) {
        ex->Reply(http::TextError(410, "removed member"));
        return;
      }
    }
  }
  // Members before /raft/snapshot sent a MsgSnap here: it passes the same
  // check as an upload before raft sees it.
  for (const raft::Message& m : *messages) {
    if (m.type != raft::MessageType::kSnap || !impl_->callbacks.validate_snapshot) continue;
    common::Status s = impl_->callbacks.validate_snapshot(m);
    if (!s.ok()) {
      KV_LOG(kWarn, "rafthttp") << "refused snapshot from " << common::FormatId(m.from) << ": " << s.message();
      ex->Reply(http::TextError(400, "invalid snapshot"));
      return;
    }
  }
  uint64_t appends = 0;
  for (const raft::Message& m : *messages) appends += m.type == raft::MessageType::kApp ? 1 : 0;
  impl_->received_appends += appends;
  // Handed to raft before the 204 goes out: a 204 means delivered.
  if (!messages->empty() && impl_->callbacks.on_receive) impl_->callbacks.on_receive(std::move(messages).value());
  ex->Reply(http::Response{204, {}, ""});
}

std::map<uint64_t, PeerStats> Transport::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::map<uint64_t, PeerStats> out;
  for (const auto& [id, sender] : impl_->peers) out.emplace(id, sender->Stats());
  return out;
}

std::chrono::steady_clock::time_point Transport::ActiveSince(uint64_t peer) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->peers.find(peer);
  return it == impl_->peers.end() ? std::chrono::steady_clock::time_point{} : it->second->ActiveSince();
}

uint64_t Transport::sent_append_count() const { return impl_->sent_appends; }
uint64_t Transport::received_append_count() const { return impl_->received_appends; }

}  // namespace transport
