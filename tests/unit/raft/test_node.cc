#include "tests/unit/raft/test_node.h"

#include <cstdio>
#include <cstdlib>

namespace raft_test {

using raft::Entry;
using raft::EntryType;

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
  digest = snap.data.empty() ? 0 : std::strtoull(snap.data.c_str() + snap.data.find(':') + 1, nullptr, 10);
  conf_state = snap.metadata.conf_state;
  entries.clear();
}

TestNode::TestNode(NodeId id, uint64_t seed, Tweak tweak)
    : id_(id), rng_(seed), tweak_(std::move(tweak)), storage_(new raft::MemoryStorage) {
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

raft::Ready TestNode::HandleReady(std::vector<raft::Message>* out, CrashPoint crash) {
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
  // A write without must_sync is not fsynced: a crash may lose it.
  if (rd.must_sync) synced_hard_state_ = storage_->hard_state();
  if (crash == CrashPoint::kAfterPersist) {
    Crash();
    return rd;
  }
  out->insert(out->end(), rd.messages_after_persist.begin(), rd.messages_after_persist.end());
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
  node_->Advance(rd);
  return rd;
}

void TestNode::Compact(uint64_t keep) {
  auto snap = storage_->CreateSnapshot(sm_.applied, sm_.conf_state, sm_.Encode());
  if (!snap.ok()) return;
  uint64_t first = *storage_->FirstIndex();
  if (sm_.applied > keep && sm_.applied - keep > first) {
    auto s = storage_->Compact(sm_.applied - keep);
    if (!s.ok()) std::abort();
  }
}

}  // namespace raft_test
