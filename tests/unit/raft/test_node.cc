#include "tests/unit/raft/test_node.h"

#include <cstdio>
#include <cstdlib>

namespace raft_test {

using raft::Entry;
using raft::EntryType;

namespace {

// A MemoryStorage holding what `from` holds: the log from its first index,
// the snapshot and the hard state.
std::unique_ptr<raft::MemoryStorage> CopyOf(const raft::MemoryStorage& from) {
  auto to = std::make_unique<raft::MemoryStorage>();
  uint64_t first = *from.FirstIndex();
  uint64_t last = *from.LastIndex();
  raft::Snapshot snap = *from.Snapshot();
  if (first > 1) {
    // The log may start before the snapshot (compaction keeps a tail):
    // start it where `from` does, then take the snapshot again below.
    raft::Snapshot start = snap;
    start.metadata.index = first - 1;
    start.metadata.term = *from.Term(first - 1);
    if (!to->ApplySnapshot(start).ok()) std::abort();
  }
  if (last >= first) to->Append(*from.Entries(first, last + 1, UINT64_MAX));
  if (snap.metadata.index > first - 1 &&
      !to->CreateSnapshot(snap.metadata.index, snap.metadata.conf_state, snap.data).ok()) {
    std::abort();
  }
  to->SetHardState(from.hard_state());
  return to;
}

}  // namespace

void StateMachine::Apply(const Entry& e) {
  applied = e.index;
  uint64_t h = digest ^ (e.index * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : e.data) h = (h ^ c) * 0x100000001B3ULL;
  digest = h;
  entries.push_back(e);
}

std::string StateMachine::Encode() const {
  return std::to_string(applied) + ":" + std::to_string(digest);
}

void StateMachine::Restore(const raft::Snapshot& snap) {
  applied = snap.metadata.index;
  const std::string& data = snap.data;
  digest = data.empty() ? 0 : std::strtoull(data.c_str() + data.find(':') + 1, nullptr, 10);
  conf_state = snap.metadata.conf_state;
  entries.clear();
}

TestNode::TestNode(NodeId id, uint64_t seed, Tweak tweak, bool async)
    : id_(id),
      rng_(seed),
      tweak_(std::move(tweak)),
      storage_(new raft::MemoryStorage),
      disk_(async ? new raft::MemoryStorage : nullptr) {
  Restart();
}

void TestNode::Bootstrap(const std::vector<NodeId>& peers) {
  bootstrap_peers_ = peers;
  std::vector<raft::ConfChange> ccs;
  for (NodeId p : peers) ccs.push_back({raft::ConfChangeType::kAddNode, p, "node" + std::to_string(p)});
  auto s = node_->Bootstrap(ccs);
  if (!s.ok()) {
    std::fprintf(stderr, "bootstrap: %s\n", s.message().c_str());
    std::abort();
  }
}

void TestNode::Restart() {
  sm_ = StateMachine{};
  auto snap = storage_->Snapshot();
  if (!snap->IsEmpty()) sm_.Restore(*snap);
  raft::Config c;
  c.id = id_;
  c.storage = storage_.get();
  c.rng = &rng_;
  c.applied = sm_.applied;
  if (tweak_) tweak_(c);
  node_ = std::make_unique<raft::RawNode>(c);
  // Like etcd: a member whose bootstrap never reached the disk starts anew.
  if (!bootstrap_peers_.empty() && *storage_->LastIndex() == 0) Bootstrap(bootstrap_peers_);
}

void TestNode::Crash(size_t flushed) {
  node_.reset();
  if (!async()) {
    storage_->SetHardState(synced_hard_state_);
    return;
  }
  for (; flushed > 0 && !pending_.empty(); --flushed) {
    WriteToDisk(pending_.front());
    pending_.pop_front();
  }
  pending_.clear();
  storage_ = CopyOf(*disk_);
}

raft::Ready TestNode::HandleReady(std::vector<raft::Message>* out, CrashPoint crash,
                                  uint64_t durable_at) {
  raft::Ready rd = node_->GetReady();
  if (crash != CrashPoint::kAfterPersist) {
    out->insert(out->end(), rd.messages.begin(), rd.messages.end());
  }
  if (crash == CrashPoint::kBeforePersist) {
    Crash();
    return rd;
  }
  if (!rd.snapshot.IsEmpty()) {
    auto s = storage_->ApplySnapshot(rd.snapshot);
    if (!s.ok()) std::abort();
  }
  storage_->Append(rd.entries);
  if (rd.hard_state) storage_->SetHardState(*rd.hard_state);
  if (async()) {
    // Like the server: a commit-only change is not written on its own, but
    // held messages still wait for every earlier write.
    if (rd.must_sync || !rd.messages_after_persist.empty()) {
      Write w;
      w.durable_at = durable_at;
      w.snapshot = rd.snapshot;
      w.entries = rd.entries;
      if (rd.must_sync) w.hard_state = storage_->hard_state();
      w.messages = rd.messages_after_persist;
      if (!rd.entries.empty()) w.last = rd.entries.back();
      pending_.push_back(std::move(w));
    }
    if (crash == CrashPoint::kAfterPersist) {
      Crash(pending_.size());
      return rd;
    }
  } else {
    // A write without must_sync is not fsynced: a crash may lose it.
    if (rd.must_sync) synced_hard_state_ = storage_->hard_state();
    if (crash == CrashPoint::kAfterPersist) {
      Crash();
      return rd;
    }
    out->insert(out->end(), rd.messages_after_persist.begin(), rd.messages_after_persist.end());
  }
  if (!rd.snapshot.IsEmpty()) sm_.Restore(rd.snapshot);
  read_states_.insert(read_states_.end(), rd.read_states.begin(), rd.read_states.end());
  for (const Entry& e : rd.committed_entries) {
    if (e.type == EntryType::kConfChange) {
      auto cc = raft::DecodeConfChange(e.data);
      if (!cc.ok()) std::abort();
      sm_.conf_state = node_->ApplyConfChange(*cc);
    }
    sm_.Apply(e);
  }
  if (async()) {
    node_->AdvanceBeforePersist(rd);
  } else {
    node_->Advance(rd);
  }
  return rd;
}

void TestNode::Compact(uint64_t keep, uint64_t durable_at) {
  auto snap = storage_->CreateSnapshot(sm_.applied, sm_.conf_state, sm_.Encode());
  if (!snap.ok()) return;
  Write w;
  w.durable_at = durable_at;
  w.created = *snap;
  uint64_t first = *storage_->FirstIndex();
  if (sm_.applied > keep && sm_.applied - keep > first) {
    w.compact_to = sm_.applied - keep;
    auto s = storage_->Compact(w.compact_to);
    if (!s.ok()) std::abort();
  }
  if (!async()) return;
  // Like the server, the snapshot goes to disk with the latest hard state.
  w.hard_state = storage_->hard_state();
  pending_.push_back(std::move(w));
}

size_t TestNode::CompleteDue(uint64_t now, std::vector<raft::Message>* out) {
  size_t done = 0;
  while (!pending_.empty() && pending_.front().durable_at <= now) {
    Write w = std::move(pending_.front());
    pending_.pop_front();
    WriteToDisk(w);
    out->insert(out->end(), w.messages.begin(), w.messages.end());
    if (w.last) node_->OnPersisted(w.last->index, w.last->term);
    ++done;
  }
  return done;
}

void TestNode::WriteToDisk(const Write& w) {
  if (!w.snapshot.IsEmpty() && !disk_->ApplySnapshot(w.snapshot).ok()) std::abort();
  disk_->Append(w.entries);
  if (w.created) {
    const raft::SnapshotMetadata& m = w.created->metadata;
    if (!disk_->CreateSnapshot(m.index, m.conf_state, w.created->data).ok()) std::abort();
    if (w.compact_to > 0 && !disk_->Compact(w.compact_to).ok()) std::abort();
  }
  if (w.hard_state) disk_->SetHardState(*w.hard_state);
}

bool TestNode::Durable(uint64_t index, uint64_t term) const {
  const raft::MemoryStorage& disk = async() ? *disk_ : *storage_;
  auto t = disk.Term(index);
  if (t.ok()) return *t == term;
  return t.status().code() == common::Code::kCompacted;
}

}  // namespace raft_test
