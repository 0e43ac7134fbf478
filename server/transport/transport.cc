#include "server/transport/transport.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "common/log.h"
#include "common/log_limiter.h"
#include "common/member_id.h"
#include "server/raft/validate.h"
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

// A refused request: its status and text, and why (for the log; empty when
// it is not logged, or logged elsewhere).
struct Refused {
  int status = 0;
  std::string text;
  std::string why;
};

Refused Refuse(int status, std::string text, std::string why) {
  return Refused{status, std::move(text), std::move(why)};
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

  // Why a request is refused before its body is decoded, if it is; sets
  // *from to the sender it names otherwise. The same for /raft and
  // /raft/snapshot.
  std::optional<Refused> CheckSender(const http::Request& req, uint64_t* from);
  // Why a message from sender `from` is refused, if it is.
  std::optional<Refused> CheckMessage(uint64_t from, const raft::Message& m);
  // Checks a decoded batch from `from` and hands it to on_receive: why it is
  // refused, if it is. Every message a member takes, by either path.
  std::optional<Refused> Deliver(uint64_t from, std::vector<raft::Message> messages);
  // The answer to `req`: 204, or the refusal (logged).
  http::Response Answer(const http::Request& req, const std::optional<Refused>& refused);

  const uint64_t member_id;
  const uint64_t cluster_id;
  const Callbacks callbacks;

  mutable std::mutex mu;
  std::map<uint64_t, std::unique_ptr<PeerSender>> peers;  // GUARDED_BY(mu)
  std::set<uint64_t> removed;                              // GUARDED_BY(mu)
  std::set<std::string> mismatch_logged;                   // GUARDED_BY(mu)
  common::LogLimiter refusal_log{10, std::chrono::seconds(1)};
  std::unique_ptr<SnapshotInbox> snapshot_inbox;  // set at construction

  std::atomic<uint64_t> sent_appends{0};
  std::atomic<uint64_t> received_appends{0};
};

Transport::Transport(uint64_t member_id, uint64_t cluster_id, Callbacks callbacks, std::string snapshot_dir)
    : impl_(std::make_unique<Impl>(member_id, cluster_id, std::move(callbacks))) {
  if (snapshot_dir.empty()) return;
  Impl* impl = impl_.get();
  // An upload's message is checked before its data comes, and again, data
  // included, when it is delivered as a /raft batch is.
  auto check = [impl](uint64_t from, const raft::Message& m) {
    std::optional<Refused> refused = impl->CheckMessage(from, m);
    if (!refused) return SnapshotReceiver::Outcome{};
    return SnapshotReceiver::Outcome{refused->status, refused->text + ": " + refused->why, std::nullopt};
  };
  auto receiver = std::make_unique<SnapshotReceiver>(std::move(snapshot_dir), SnapshotReceiver::Limits{}, check);
  impl_->snapshot_inbox = std::make_unique<SnapshotInbox>(
      std::move(receiver), [impl](const http::Request& req, uint64_t from, SnapshotReceiver::Outcome out) {
        if (out.status != 204) return impl->Answer(req, Refuse(out.status, out.error, out.error));
        if (!out.snapshot) return impl->Answer(req, std::nullopt);
        std::vector<raft::Message> batch;
        batch.push_back(std::move(*out.snapshot));
        return impl->Answer(req, impl->Deliver(from, std::move(batch)));
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

std::optional<Refused> Transport::Impl::CheckSender(const http::Request& req, uint64_t* from) {
  if (req.method != "POST") return Refuse(405, "Method Not Allowed", "");
  std::string sender = req.Header("X-Server-From");
  std::string remote_cluster = req.Header("X-Etcd-Cluster-Id");
  std::lock_guard<std::mutex> lock(mu);
  if (!ParsesTo(remote_cluster, cluster_id)) {
    if (mismatch_logged.size() < kMaxMismatchLogged && mismatch_logged.insert(sender).second) {
      KV_LOG(kWarn, "rafthttp") << "request cluster ID mismatch (local cluster ID "
                                << common::FormatId(cluster_id) << ", remote cluster ID "
                                << (remote_cluster.empty() ? "<none>" : remote_cluster) << ", sender "
                                << (sender.empty() ? "<unknown>" : sender) << ")";
    }
    return Refuse(412, "cluster ID mismatch", "");  // logged above, once per sender
  }
  auto id = common::ParseId(sender);
  if (id.ok() && removed.count(*id) != 0) return Refuse(410, "removed member", "the sender was removed");
  // Raft traffic comes from current members only (etcd answers a stream from
  // an unknown member so).
  if (!id.ok() || peers.count(*id) == 0) return Refuse(404, "error sender not found", "not a member");
  if (req.body_too_large) return Refuse(413, "error reading raft message", "body too large");
  *from = *id;
  return std::nullopt;
}

std::optional<Refused> Transport::Impl::CheckMessage(uint64_t from, const raft::Message& m) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (removed.count(m.from) != 0) return Refuse(410, "removed member", "a message from a removed member");
    // A forwarded transfer request names the transferee as its sender.
    bool transfer = m.type == raft::MessageType::kTransferLeader;
    if (transfer ? m.from != member_id && peers.count(m.from) == 0 : m.from != from) {
      return Refuse(412, "from field mismatch",
                    std::string(raft::MessageTypeName(m.type)) + " from " + common::FormatId(m.from));
    }
  }
  if (m.to != member_id) {
    return Refuse(412, "to field mismatch", std::string(raft::MessageTypeName(m.type)) + " to " + common::FormatId(m.to));
  }
  common::Status s = raft::CheckMessage(m);
  if (!s.ok()) return Refuse(400, "error unmarshalling raft message", s.message());
  return std::nullopt;
}

std::optional<Refused> Transport::Impl::Deliver(uint64_t from, std::vector<raft::Message> messages) {
  for (const raft::Message& m : messages) {
    if (std::optional<Refused> refused = CheckMessage(from, m)) return refused;
  }
  if (messages.empty() || !callbacks.on_receive) return std::nullopt;
  uint64_t appends = 0;
  for (const raft::Message& m : messages) appends += m.type == raft::MessageType::kApp ? 1 : 0;
  // Handed to raft before the answer goes out: a 204 means delivered.
  common::Status s = callbacks.on_receive(std::move(messages));
  if (s.ok()) {
    received_appends += appends;
    return std::nullopt;
  }
  return Refuse(s.code() == common::Code::kInvalidArgument ? 400 : 503, "error processing raft message", s.message());
}

// Refusals are logged at most 10 a second: a flood must not fill the disk.
http::Response Transport::Impl::Answer(const http::Request& req, const std::optional<Refused>& refused) {
  if (!refused) return http::Response{204, {}, ""};
  uint64_t held_back = 0;
  if (!refused->why.empty() && refusal_log.Allow(&held_back)) {
    std::string sender = req.Header("X-Server-From");
    KV_LOG(kWarn, "rafthttp") << "refused raft message(s) from " << (sender.empty() ? "<unknown>" : sender)
                              << " at " << req.remote_addr << " (" << req.path << ", " << refused->status
                              << "): " << refused->why
                              << (held_back > 0 ? " (" + std::to_string(held_back) + " more refusals not logged)" : "");
  }
  http::Response answer = http::TextError(refused->status, refused->text);
  if (refused->status == 405) answer.headers.emplace_back("Allow", "POST");
  return answer;
}

void Transport::HandleSnapshot(http::Request req, const std::shared_ptr<http::Exchange>& ex) {
  uint64_t from = 0;
  std::optional<Refused> refused = impl_->CheckSender(req, &from);
  if (refused) return ex->Reply(impl_->Answer(req, refused));
  if (!impl_->snapshot_inbox) return ex->Reply(http::TextError(503, "snapshots are not received here"));
  impl_->snapshot_inbox->Submit(from, std::move(req), ex);
}

void Transport::HandleRaft(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  uint64_t from = 0;
  std::optional<Refused> refused = impl_->CheckSender(req, &from);
  if (!refused) {
    auto decoded = DecodeMessages(req.body);
    refused = decoded.ok() ? impl_->Deliver(from, std::move(decoded).value())
                           : Refuse(400, "error unmarshalling raft message", decoded.status().message());
  }
  ex->Reply(impl_->Answer(req, refused));
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
