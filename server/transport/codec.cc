// The wire form of a batch of raft messages. Pure functions; thread-safe.
//
//   batch    = version:byte(1) count:varint message*
//   message  = type from to term log_term index commit flags reject_hint  (varints)
//              entry_count:varint entry*  snapshot  context:bytes
//   entry    = type term index (varints) data:bytes
//   snapshot = index term voter_count:varint voter* (varints) data:bytes
//
// `flags` holds reject (1) and commit_only (2). `bytes` is a varint length
// then the raw bytes.
//
// Decoding is bounded by the input, since a body comes from the network:
// a count larger than the remaining bytes could hold (at the smallest
// encoding of its items) fails at once, and everything decoding allocates
// (the messages, entries and voters at their in-memory size, and every byte
// string) is charged to a budget of the input's size plus kDecodeSlack.
// A batch of tiny messages would otherwise take 9-26 times its size.
#include <string>
#include <vector>

#include "common/bytes.h"
#include "server/transport/transport.h"

namespace transport {
namespace {

constexpr char kCodecVersion = 1;
constexpr uint64_t kReject = 1, kCommitOnly = 2;
// The fewest bytes each item takes on the wire: one per varint and length.
constexpr uint64_t kMinMessageBytes = 15, kMinEntryBytes = 4, kMinVoterBytes = 1;

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

// A reader that charges what decoding allocates to a budget. Any failure
// (input or budget) makes failed() true.
class Decoder {
 public:
  Decoder(std::string_view in, uint64_t budget) : r_(in), budget_(budget) {}

  uint64_t Varint() { return r_.GetVarint(); }
  std::string Bytes() {
    std::string s = r_.GetBytes();
    Charge(s.size());
    return s;
  }
  // Reads a count of items of at least `min_bytes` each on the wire,
  // charges their in-memory size and reserves room for them in `v`.
  template <typename T>
  uint64_t Count(uint64_t min_bytes, std::vector<T>* v) {
    uint64_t n = r_.GetVarint();
    if (n > r_.remaining() / min_bytes || !Charge(n * sizeof(T))) {
      over_ = true;
      return 0;
    }
    v->reserve(n);
    return n;
  }
  bool failed() const { return over_ || r_.failed(); }
  bool done() const { return r_.done(); }

 private:
  bool Charge(uint64_t n) {
    if (n > budget_) over_ = true;
    if (over_) return false;
    budget_ -= n;
    return true;
  }
  common::ByteReader r_;
  uint64_t budget_;
  bool over_ = false;
};

// Reads an enum stored as a varint; fails the read when above `max`.
template <typename E>
bool GetEnum(Decoder& d, E max, E* out) {
  uint64_t v = d.Varint();
  if (d.failed() || v > static_cast<uint64_t>(max)) return false;
  *out = static_cast<E>(v);
  return true;
}

bool GetEntry(Decoder& d, raft::Entry* e) {
  if (!GetEnum(d, raft::EntryType::kConfChange, &e->type)) return false;
  e->term = d.Varint();
  e->index = d.Varint();
  e->data = d.Bytes();
  return !d.failed();
}

bool GetSnapshot(Decoder& d, raft::Snapshot* s) {
  s->metadata.index = d.Varint();
  s->metadata.term = d.Varint();
  std::vector<raft::NodeId>& voters = s->metadata.conf_state.voters;
  uint64_t n = d.Count(kMinVoterBytes, &voters);
  for (uint64_t i = 0; i < n && !d.failed(); ++i) voters.push_back(d.Varint());
  s->data = d.Bytes();
  return !d.failed();
}

bool GetMessage(Decoder& d, raft::Message* m) {
  if (!GetEnum(d, raft::MessageType::kReadIndexResp, &m->type)) return false;
  m->from = d.Varint();
  m->to = d.Varint();
  m->term = d.Varint();
  m->log_term = d.Varint();
  m->index = d.Varint();
  m->commit = d.Varint();
  uint64_t flags = d.Varint();
  if (flags > (kReject | kCommitOnly)) return false;
  m->reject = flags & kReject;
  m->commit_only = flags & kCommitOnly;
  m->reject_hint = d.Varint();
  uint64_t entries = d.Count(kMinEntryBytes, &m->entries);
  for (uint64_t i = 0; i < entries && !d.failed(); ++i) {
    m->entries.emplace_back();
    if (!GetEntry(d, &m->entries.back())) return false;
  }
  if (!GetSnapshot(d, &m->snapshot)) return false;
  m->context = d.Bytes();
  return !d.failed();
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
  Decoder d(std::string_view(bytes).substr(1), bytes.size() + kDecodeSlack);
  std::vector<raft::Message> out;
  uint64_t count = d.Count(kMinMessageBytes, &out);
  for (uint64_t i = 0; i < count && !d.failed(); ++i) {
    out.emplace_back();
    if (!GetMessage(d, &out.back())) {
      return common::Status::InvalidArgument("transport: malformed message " + std::to_string(i));
    }
  }
  if (d.failed()) return common::Status::InvalidArgument("transport: truncated or oversized message batch");
  if (!d.done()) return common::Status::InvalidArgument("transport: trailing bytes after message batch");
  return out;
}

}  // namespace transport
