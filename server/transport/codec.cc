// The wire form of a batch of raft messages. Pure functions; thread-safe.
//
//   batch    = version:byte(1) count:varint message*
//   message  = type from to term log_term index commit flags reject_hint  (varints)
//              entry_count:varint entry*  snapshot  context:bytes
//   entry    = type term index (varints) data:bytes
//   snapshot = index term voter_count:varint voter* (varints) data:bytes
//
// `flags` holds reject (1) and commit_only (2). `bytes` is a varint length
// then the raw bytes. Every count is read item by
// item (nothing is reserved from a count), and every item consumes input, so
// a bogus count or length fails on the input's end instead of allocating.
#include <string>
#include <vector>

#include "common/bytes.h"
#include "server/transport/transport.h"

namespace transport {
namespace {

constexpr char kCodecVersion = 1;
constexpr uint64_t kReject = 1, kCommitOnly = 2;

void PutEntry(common::ByteWriter& w, const raft::Entry& e) {
  w.PutVarint(static_cast<uint64_t>(e.type));
  w.PutVarint(e.term);
  w.PutVarint(e.index);
  w.PutBytes(e.data);
}

void PutSnapshot(common::ByteWriter& w, const raft::Snapshot& s) {
  w.PutVarint(s.metadata.index);
  w.PutVarint(s.metadata.term);
  w.PutVarint(s.metadata.conf_state.voters.size());
  for (raft::NodeId v : s.metadata.conf_state.voters) w.PutVarint(v);
  w.PutBytes(s.data.str());
}

void PutMessage(common::ByteWriter& w, const raft::Message& m) {
  w.PutVarint(static_cast<uint64_t>(m.type));
  w.PutVarint(m.from);
  w.PutVarint(m.to);
  w.PutVarint(m.term);
  w.PutVarint(m.log_term);
  w.PutVarint(m.index);
  w.PutVarint(m.commit);
  w.PutVarint((m.reject ? kReject : 0) | (m.commit_only ? kCommitOnly : 0));
  w.PutVarint(m.reject_hint);
  w.PutVarint(m.entries.size());
  for (const raft::Entry& e : m.entries) PutEntry(w, e);
  PutSnapshot(w, m.snapshot);
  w.PutBytes(m.context);
}

// Reads an enum stored as a varint; fails the read when above `max`.
template <typename E>
bool GetEnum(common::ByteReader& r, E max, E* out) {
  uint64_t v = r.GetVarint();
  if (r.failed() || v > static_cast<uint64_t>(max)) return false;
  *out = static_cast<E>(v);
  return true;
}

bool GetEntry(common::ByteReader& r, raft::Entry* e) {
  if (!GetEnum(r, raft::EntryType::kConfChange, &e->type)) return false;
  e->term = r.GetVarint();
  e->index = r.GetVarint();
  e->data = r.GetBytes();
  return !r.failed();
}

bool GetSnapshot(common::ByteReader& r, raft::Snapshot* s) {
  s->metadata.index = r.GetVarint();
  s->metadata.term = r.GetVarint();
  uint64_t voters = r.GetVarint();
  for (uint64_t i = 0; i < voters && !r.failed(); ++i) {
    s->metadata.conf_state.voters.push_back(r.GetVarint());
  }
  s->data = r.GetBytes();
  return !r.failed();
}

bool GetMessage(common::ByteReader& r, raft::Message* m) {
  if (!GetEnum(r, raft::MessageType::kReadIndexResp, &m->type)) return false;
  m->from = r.GetVarint();
  m->to = r.GetVarint();
  m->term = r.GetVarint();
  m->log_term = r.GetVarint();
  m->index = r.GetVarint();
  m->commit = r.GetVarint();
  uint64_t flags = r.GetVarint();
  if (flags > (kReject | kCommitOnly)) return false;
  m->reject = flags & kReject;
  m->commit_only = flags & kCommitOnly;
  m->reject_hint = r.GetVarint();
  uint64_t entries = r.GetVarint();
  for (uint64_t i = 0; i < entries && !r.failed(); ++i) {
    raft::Entry e;
    if (!GetEntry(r, &e)) return false;
    m->entries.push_back(std::move(e));
  }
  if (!GetSnapshot(r, &m->snapshot)) return false;
  m->context = r.GetBytes();
  return !r.failed();
}

}  // namespace

std::string EncodeMessages(const std::vector<raft::Message>& messages) {
  common::ByteWriter w;
  w.str().push_back(kCodecVersion);
  w.PutVarint(messages.size());
  for (const raft::Message& m : messages) PutMessage(w, m);
  return std::move(w.str());
}

common::Result<std::vector<raft::Message>> DecodeMessages(const std::string& bytes) {
  if (bytes.empty() || bytes[0] != kCodecVersion) {
    return common::Status::InvalidArgument("transport: unknown message batch version");
  }
  common::ByteReader r(std::string_view(bytes).substr(1));
  uint64_t count = r.GetVarint();
  std::vector<raft::Message> out;
  for (uint64_t i = 0; i < count && !r.failed(); ++i) {
    raft::Message m;
    if (!GetMessage(r, &m)) {
      return common::Status::InvalidArgument("transport: malformed message " + std::to_string(i));
    }
    out.push_back(std::move(m));
  }
  if (r.failed()) return common::Status::InvalidArgument("transport: truncated message batch");
  if (!r.done()) return common::Status::InvalidArgument("transport: trailing bytes after message batch");
  return out;
}

}  // namespace transport
