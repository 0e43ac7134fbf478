#include "tests/unit/raft/sim.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace raft_test {

using raft::Entry;
using raft::Message;
using raft::MessageType;

namespace {
constexpr int kSafetySteps = 300;
constexpr int kLivenessSteps = 400;
constexpr NodeId kMaxNodeId = 9;
}  // namespace

void SimStats::Add(const SimStats& o) {
  applied_proposals += o.applied_proposals;
  snapshots_installed += o.snapshots_installed;
  conf_changes_applied += o.conf_changes_applied;
  reads_answered += o.reads_answered;
  leaders_elected += o.leaders_elected;
  crashes += o.crashes;
  async_nodes += o.async_nodes;
  writes_completed += o.writes_completed;
  writes_lost += o.writes_lost;
  applied_before_durable += o.applied_before_durable;
  committed_before_leader_durable += o.committed_before_leader_durable;
}

Simulation::Simulation(uint64_t seed)
    : rng_(seed * 0x2545F4914F6CDD1DULL + 7),
      disk_rng_(seed * 0x9E3779B97F4A7C15ULL + 11) {
  trace_ = std::getenv("KVRAFT_SIM_TRACE") != nullptr;
  size_t n = rng_.Chance(50) ? 3 : 5;
  bool pre_vote = rng_.Chance(50);
  bool check_quorum = rng_.Chance(50);
  size_t inflight = rng_.Chance(50) ? 256 : 1 + rng_.Uniform(4);
  uint64_t max_msg = rng_.Chance(50) ? (1 << 20) : 64;
  tweak_ = [=](raft::Config& c) {
    c.election_ticks = 10;
    c.heartbeat_ticks = 1;
    c.pre_vote = pre_vote;
    c.check_quorum = check_quorum;
    c.max_inflight_msgs = inflight;
    c.max_size_per_msg = max_msg;
    c.max_committed_size_per_ready = 256;
  };
  drop_percent_ = static_cast<int>(rng_.Uniform(15));
  dup_percent_ = static_cast<int>(rng_.Uniform(10));
  max_delay_ = 1 + static_cast<int>(rng_.Uniform(4));
  // Some seeds crash often in the middle of handling a Ready, to hit the
  // windows between send and persist.
  const uint64_t kCrashRates[] = {2, 10, 30};
  ready_crash_permille_ = kCrashRates[rng_.Uniform(3)];
  if (disk_rng_.Chance(50)) {
    // Mostly all nodes async, sometimes a mix (as during a rolling upgrade).
    async_percent_ = disk_rng_.Chance(50) ? 100 : 70;
  }
  std::vector<NodeId> peers;
  for (NodeId id = 1; id <= n; ++id) peers.push_back(id);
  for (NodeId id : peers) {
    nodes_[id] = NewNode(id);
    nodes_[id]->Bootstrap(peers);
  }
  next_id_ = n + 1;
  bootstrap_entries_ = commits_noted_ = n;
}

std::unique_ptr<TestNode> Simulation::NewNode(NodeId id) {
  uint64_t seed = rng_.Next();
  bool async = async_percent_ > 0 && disk_rng_.Chance(async_percent_);
  if (async) {
    ++stats_.async_nodes;
    const uint64_t kMaxDelays[] = {0, 2, 5, 12};
    max_write_delay_[id] = kMaxDelays[disk_rng_.Uniform(4)];
  }
  return std::make_unique<TestNode>(id, seed, tweak_, async);
}

uint64_t Simulation::DurableAt(const TestNode& n) {
  return n.async() ? now_ + disk_rng_.Uniform(max_write_delay_.at(n.id()) + 1) : 0;
}

std::string Simulation::Run() {
  for (int i = 0; i < kSafetySteps && failure_.empty(); ++i) {
    InjectFaults();
    Step();
  }
  if (!failure_.empty()) return failure_;
  // Heal everything: the cluster must now make progress.
  faults_ = false;
  side_.clear();
  drop_percent_ = 0;
  dup_percent_ = 0;
  max_delay_ = 2;
  for (auto& [id, n] : nodes_) {
    if (!n->up() && !removed_.count(id)) n->Restart();
  }
  if (!LivenessPhase() && failure_.empty()) {
    std::ostringstream os;
    os << "liveness: no proposal applied by every member within " << kLivenessSteps
       << " ticks after healing (leader " << Leader() << ")" << Describe();
    Fail(os.str());
  }
  return failure_;
}

void Simulation::Fail(const std::string& what) {
  if (failure_.empty()) {
    std::ostringstream os;
    os << "tick " << now_ << ": " << what;
    failure_ = os.str();
  }
}

bool Simulation::Alive(NodeId id) const {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second->up() && !removed_.count(id);
}

NodeId Simulation::RandomNode(bool up) {
  std::vector<NodeId> ids;
  for (auto& [id, n] : nodes_) {
    if (!removed_.count(id) && n->up() == up) ids.push_back(id);
  }
  if (ids.empty()) return raft::kNone;
  return ids[rng_.Uniform(ids.size())];
}

NodeId Simulation::Leader() const {
  NodeId best = raft::kNone;
  uint64_t best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (!Alive(id)) continue;
    const raft::Raft& r = n->raw().raft();
    if (r.role() == raft::StateRole::kLeader && r.term() >= best_term) {
      best = id;
      best_term = r.term();
    }
  }
  return best;
}

std::vector<NodeId> Simulation::Members() const {
  NodeId from = Leader();
  if (from == raft::kNone) {
    for (const auto& [id, n] : nodes_) {
      if (Alive(id)) from = id;
    }
  }
  std::vector<NodeId> out;
  if (from == raft::kNone) return out;
  for (const auto& [id, pr] : nodes_.at(from)->raw().raft().progress()) out.push_back(id);
  return out;
}

void Simulation::Crash(NodeId id) {
  if (trace_) std::fprintf(stderr, "t%llu n%llu CRASH\n", (unsigned long long)now_, (unsigned long long)id);
  TestNode& n = *nodes_.at(id);
  size_t flushed = n.async() ? disk_rng_.Uniform(n.pending_writes() + 1) : 0;
  stats_.writes_lost += n.pending_writes() - flushed;
  n.Crash(flushed);
  ++stats_.crashes;
}

void Simulation::InjectFaults() {
  uint64_t r = rng_.Uniform(1000);
  if (r < 15) {
    if (NodeId id = RandomNode(true)) Crash(id);
  } else if (r < 45) {
    if (NodeId id = RandomNode(false)) nodes_.at(id)->Restart();
  } else if (r < 60) {
    for (auto& [id, n] : nodes_) side_[id] = static_cast<int>(rng_.Uniform(2));
  } else if (r < 90) {
    side_.clear();
  } else if (r < 190) {
    if (NodeId id = RandomNode(true)) {
      (void)nodes_.at(id)->raw().Propose("p" + std::to_string(++proposals_));
    }
  } else if (r < 200) {
    ProposeConfChange();
  } else if (r < 230) {
    if (NodeId id = RandomNode(true)) {
      TestNode& n = *nodes_.at(id);
      uint64_t keep = rng_.Uniform(8);
      n.Compact(keep, DurableAt(n));
    }
  } else if (r < 240) {
    std::vector<NodeId> members = Members();
    NodeId lead = Leader();
    if (lead && !members.empty()) {
      (void)nodes_.at(lead)->raw().TransferLeadership(members[rng_.Uniform(members.size())]);
    }
  } else if (r < 270) {
    if (NodeId id = RandomNode(true)) {
      uint64_t known = 0;
      for (auto& [nid, n] : nodes_) {
        known = std::max(known, n->storage().hard_state().commit);
        if (n->up()) known = std::max(known, n->raw().raft().log().committed());
      }
      std::string ctx = "r" + std::to_string(++reads_issued_);
      reads_[ctx] = known;
      (void)nodes_.at(id)->raw().ReadIndex(ctx);
    }
  }
}

void Simulation::ProposeConfChange() {
  NodeId on = RandomNode(true);
  if (!on) return;
  std::vector<NodeId> members = Members();
  raft::ConfChange cc;
  // Never shrink below two voters as far as the leader can tell: removing
  // one of two members stalls under apply-time configuration (the removed
  // member may stop before the survivor learns the commit), as in etcd.
  if (rng_.Chance(50) && members.size() >= 4) {
    cc.type = raft::ConfChangeType::kRemoveNode;
    cc.node_id = members[rng_.Uniform(members.size())];
  } else if (next_id_ <= kMaxNodeId) {
    // The new member starts empty, as an operator would start it after
    // `member add`; it learns everything from the leader.
    cc.type = raft::ConfChangeType::kAddNode;
    cc.node_id = next_id_++;
    nodes_[cc.node_id] = NewNode(cc.node_id);
  } else {
    return;
  }
  (void)nodes_.at(on)->raw().ProposeConfChange(cc);
}

bool Simulation::Reachable(NodeId from, NodeId to) const {
  if (side_.empty()) return true;
  auto a = side_.find(from);
  auto b = side_.find(to);
  int sa = a == side_.end() ? 0 : a->second;
  int sb = b == side_.end() ? 0 : b->second;
  return sa == sb;
}

void Simulation::SendAll(NodeId from, const std::vector<Message>& msgs) {
  for (const Message& m : msgs) {
    bool lost = !Reachable(from, m.to) || !Alive(m.to) ||
                rng_.Chance(static_cast<uint64_t>(drop_percent_));
    if (lost) {
      if (m.type == MessageType::kSnap && Alive(from)) {
        nodes_.at(from)->raw().ReportSnapshot(m.to, true);
      } else if (rng_.Chance(30) && Alive(from)) {
        nodes_.at(from)->raw().ReportUnreachable(m.to);
      }
      continue;
    }
    int copies = rng_.Chance(static_cast<uint64_t>(dup_percent_)) ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      net_.push_back({now_ + rng_.Uniform(static_cast<uint64_t>(max_delay_) + 1), m});
    }
  }
}

void Simulation::DeliverDue() {
  std::vector<Message> due;
  std::vector<InFlight> rest;
  for (InFlight& f : net_) {
    if (f.deliver_at <= now_) {
      due.push_back(std::move(f.msg));
    } else {
      rest.push_back(std::move(f));
    }
  }
  net_ = std::move(rest);
  // Reorder: messages due in the same tick arrive in random order.
  for (size_t i = due.size(); i > 1; --i) std::swap(due[i - 1], due[rng_.Uniform(i)]);
  for (const Message& m : due) {
    bool delivered = Alive(m.to) && Reachable(m.from, m.to);
    if (delivered) {
      // Delayed, duplicated or stale, a correct member's message is never
      // refused as malformed (that is for forged ones).
      common::Status s = nodes_.at(m.to)->raw().Step(m);
      if (s.code() == common::Code::kInvalidArgument && failure_.empty()) failure_ = s.message();
      NoteCommits(*nodes_.at(m.to));
    }
    // The transport reports how a snapshot send ended, as etcd's does.
    if (m.type == MessageType::kSnap && Alive(m.from)) {
      nodes_.at(m.from)->raw().ReportSnapshot(m.to, !delivered);
    }
  }
}

void Simulation::CompleteWrites() {
  for (auto& [id, n] : nodes_) {
    if (!Alive(id) || n->pending_writes() == 0) continue;
    std::vector<Message> out;
    size_t done = n->CompleteDue(now_, &out);
    stats_.writes_completed += done;
    if (trace_ && done > 0) {
      std::fprintf(stderr, "t%llu n%llu %zu write(s) durable, %zu message(s) released\n",
                   (unsigned long long)now_, (unsigned long long)id, done, out.size());
    }
    NoteCommits(*n);  // the leader counts itself in OnPersisted
    SendAll(id, out);
  }
}

void Simulation::HandleReadies() {
  for (auto& [id, n] : nodes_) {
    for (int i = 0; i < 4 && Alive(id) && n->raw().HasReady(); ++i) {
      // Applying a removal may have let the leader commit more.
      NoteCommits(*n);
      uint64_t r = faults_ ? rng_.Uniform(1000) : 1000;
      auto crash = r < ready_crash_permille_       ? TestNode::CrashPoint::kBeforePersist
                   : r < 2 * ready_crash_permille_ ? TestNode::CrashPoint::kAfterPersist
                                                   : TestNode::CrashPoint::kNone;
      std::vector<Message> out;
      raft::Ready rd = n->HandleReady(&out, crash, DurableAt(*n));
      bool crashed = crash != TestNode::CrashPoint::kNone;
      if (trace_) Trace(id, rd, crashed);
      if (crash != TestNode::CrashPoint::kBeforePersist) CheckReady(*n, rd, !crashed);
      SendAll(id, out);
    }
  }
  for (NodeId id : removed_) {
    // A member that was removed shuts itself down (etcd does the same).
    if (nodes_.at(id)->up()) Crash(id);
  }
}

void Simulation::Step() {
  ++now_;
  for (auto& [id, n] : nodes_) {
    if (Alive(id)) n->raw().Tick();
  }
  for (int round = 0; round < 3 && failure_.empty(); ++round) {
    CompleteWrites();
    DeliverDue();
    HandleReadies();
  }
  CheckLeaders();
}

void Simulation::CheckReady(TestNode& n, const raft::Ready& rd, bool applied) {
  std::ostringstream os;
  for (const Entry& e : rd.entries) {
    uint64_t prev_term = *n.storage().Term(e.index - 1);
    auto [it, inserted] = log_records_.emplace(std::make_pair(e.index, e.term),
                                               LogRecord{e.type, e.data, prev_term});
    const LogRecord& rec = it->second;
    if (!inserted && (rec.type != e.type || rec.data != e.data || rec.prev_term != prev_term)) {
      os << "log matching: node " << n.id() << " persisted (" << e.index << ", " << e.term
         << ") = '" << e.data << "' after term " << prev_term << ", another node had '"
         << rec.data << "' after term " << rec.prev_term;
      return Fail(os.str());
    }
  }
  if (!applied) return;
  stats_.reads_answered += rd.read_states.size();
  if (!rd.snapshot.IsEmpty()) {
    ++stats_.snapshots_installed;
    StateMachine restored;
    restored.Restore(rd.snapshot);
    auto [it, inserted] = digests_.emplace(restored.applied, restored.digest);
    if (!inserted && it->second != restored.digest) {
      os << "state machine safety: node " << n.id() << " installed a snapshot at "
         << restored.applied << " with another state";
      return Fail(os.str());
    }
  }
  uint64_t term = n.up() ? n.raw().raft().term() : 0;
  for (const Entry& e : rd.committed_entries) {
    auto [it, inserted] = committed_.emplace(e.index, e);
    if (inserted && !e.data.empty() && e.data[0] == 'p') ++stats_.applied_proposals;
    if (inserted && e.type == raft::EntryType::kConfChange && e.index > nodes_.size()) {
      ++stats_.conf_changes_applied;
    }
    if (!inserted && !(it->second == e)) {
      os << "state machine safety: node " << n.id() << " applied '" << e.data << "' (term "
         << e.term << ") at " << e.index << ", another node applied '" << it->second.data
         << "' (term " << it->second.term << ")";
      return Fail(os.str());
    }
    if (!n.Durable(e.index, e.term)) ++stats_.applied_before_durable;
    if (e.index > bootstrap_entries_) {
      auto rec = commit_records_.find(e.index);
      if (rec == commit_records_.end() || rec->second.term != e.term) {
        os << "durability: node " << n.id() << " applied " << e.index << " (term " << e.term
           << ") that no leader was seen committing";
        if (rec != commit_records_.end()) {
          os << " (a leader committed term " << rec->second.term << ")";
        }
        return Fail(os.str());
      }
      CheckDurableOnQuorum(e.index, e.term, rec->second.voters,
                           "when node " + std::to_string(n.id()) + " applied it");
    }
    auto ct = commit_term_.emplace(e.index, term).first;
    ct->second = std::min(ct->second, term);
    if (!marker_.empty() && e.data == marker_) marker_applied_.insert(n.id());
    if (e.type == raft::EntryType::kConfChange) {
      auto cc = raft::DecodeConfChange(e.data);
      if (cc.ok() && cc->type == raft::ConfChangeType::kRemoveNode) removed_.insert(cc->node_id);
    }
  }
  if (!rd.committed_entries.empty() || !rd.snapshot.IsEmpty()) {
    auto [it, inserted] = digests_.emplace(n.sm().applied, n.sm().digest);
    if (!inserted && it->second != n.sm().digest) {
      os << "state machine safety: node " << n.id() << " has another state at index "
         << n.sm().applied;
      return Fail(os.str());
    }
  }
  for (const raft::ReadState& rs : rd.read_states) {
    auto it = reads_.find(rs.request_ctx);
    if (it != reads_.end() && rs.index < it->second) {
      os << "linearizability: read " << rs.request_ctx << " on node " << n.id()
         << " got index " << rs.index << " but " << it->second << " was committed before";
      return Fail(os.str());
    }
  }
}

void Simulation::CheckLeaders() {
  for (auto& [id, n] : nodes_) {
    if (!Alive(id)) continue;
    const raft::Raft& r = n->raw().raft();
    if (r.role() != raft::StateRole::kLeader) continue;
    auto [it, inserted] = leaders_.emplace(r.term(), id);
    if (!inserted && it->second != id) {
      std::ostringstream os;
      os << "election safety: nodes " << it->second << " and " << id << " both lead term "
         << r.term();
      return Fail(os.str());
    }
    if (checked_leaders_.insert({id, r.term()}).second) {
      ++stats_.leaders_elected;
      CheckLeaderCompleteness(*n);
    }
  }
}

void Simulation::NoteCommits(TestNode& n) {
  if (!n.up() || n.raw().raft().role() != raft::StateRole::kLeader) return;
  const raft::Raft& r = n.raw().raft();
  std::vector<NodeId> voters;
  for (const auto& [id, pr] : r.progress()) voters.push_back(id);
  for (; commits_noted_ < r.log().committed() && failure_.empty();) {
    uint64_t index = ++commits_noted_;
    uint64_t term = r.log().TermOrZero(index);
    commit_records_[index] = CommitRecord{term, voters};
    if (!n.Durable(index, term)) ++stats_.committed_before_leader_durable;
    CheckDurableOnQuorum(index, term, voters,
                         "when leader " + std::to_string(n.id()) + " committed it");
  }
}

void Simulation::CheckDurableOnQuorum(uint64_t index, uint64_t term,
                                      const std::vector<NodeId>& voters,
                                      const std::string& when) {
  std::ostringstream os;
  os << "durability: entry " << index << " (term " << term << ") is on the disks of";
  size_t copies = 0;
  for (NodeId v : voters) {
    auto it = nodes_.find(v);
    if (it != nodes_.end() && it->second->Durable(index, term)) {
      ++copies;
      os << " " << v;
    }
  }
  if (copies * 2 > voters.size()) return;
  os << " only, of voters";
  for (NodeId v : voters) os << " " << v;
  os << ", " << when;
  Fail(os.str());
}

void Simulation::CheckLeaderCompleteness(TestNode& n) {
  const raft::RaftLog& log = n.raw().raft().log();
  uint64_t term = n.raw().raft().term();
  for (const auto& [index, e] : committed_) {
    if (commit_term_.at(index) >= term || index < log.FirstIndex()) continue;
    if (index > log.LastIndex() || log.TermOrZero(index) != e.term) {
      std::ostringstream os;
      os << "leader completeness: node " << n.id() << " leads term " << term
         << " without committed entry " << index << " (term " << e.term << ")";
      return Fail(os.str());
    }
  }
}

void Simulation::Trace(NodeId id, const raft::Ready& rd, bool crash) const {
  std::ostringstream os;
  os << "t" << now_ << " n" << id << (crash ? " CRASH" : "");
  if (rd.soft_state) os << " " << raft::StateRoleName(rd.soft_state->role) << " lead " << rd.soft_state->lead;
  if (rd.hard_state) os << " hs(" << rd.hard_state->term << "," << rd.hard_state->vote << "," << rd.hard_state->commit << ")";
  if (!rd.snapshot.IsEmpty()) os << " snap@" << rd.snapshot.metadata.index;
  for (const Entry& e : rd.entries) os << " +" << e.index << "/" << e.term << "'" << e.data.size() << "'";
  if (!rd.committed_entries.empty()) os << " apply " << rd.committed_entries.front().index << ".." << rd.committed_entries.back().index;
  for (const auto* v : {&rd.messages, &rd.messages_after_persist}) {
    for (const Message& m : *v) {
      os << "\n      " << raft::MessageTypeName(m.type) << " ->" << m.to << " t" << m.term << " i" << m.index << " lt" << m.log_term << " c" << m.commit << " n" << m.entries.size() << (m.reject ? " reject" : "");
    }
  }
  std::fprintf(stderr, "%s\n", os.str().c_str());
}

std::string Simulation::Describe() const {
  std::ostringstream os;
  for (const auto& [id, n] : nodes_) {
    os << "\n    node " << id;
    if (removed_.count(id)) os << " removed";
    if (!n->up()) {
      os << " down";
      continue;
    }
    const raft::Raft& r = n->raw().raft();
    os << " " << raft::StateRoleName(r.role()) << " term " << r.term() << " vote " << r.vote()
       << " lead " << r.lead() << " commit " << r.log().committed() << " applied "
       << r.log().applied() << " last " << r.log().LastIndex() << " first "
       << r.log().FirstIndex() << " voters";
    for (const auto& [pid, pr] : r.progress()) {
      os << " " << pid;
      if (r.role() == raft::StateRole::kLeader) {
        os << "(" << raft::ProgressStateName(pr.state) << " m" << pr.match << " n" << pr.next
           << (pr.probe_sent ? " paused" : "") << ")";
      }
    }
  }
  return os.str();
}

bool Simulation::LivenessPhase() {
  marker_ = "final";
  for (int t = 0; t < kLivenessSteps; ++t) {
    Step();
    if (!failure_.empty()) return false;
    NodeId lead = Leader();
    if (lead == raft::kNone) continue;
    std::vector<NodeId> members = Members();
    bool done = std::all_of(members.begin(), members.end(),
                            [&](NodeId id) { return marker_applied_.count(id) > 0; });
    if (done) return true;
    // Re-propose now and then: a proposal can be dropped during elections.
    if (t % 20 == 0) (void)nodes_.at(lead)->raw().Propose(marker_);
  }
  return false;
}

}  // namespace raft_test
