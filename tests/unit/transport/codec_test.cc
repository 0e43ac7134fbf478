// The wire form of raft message batches: every field survives a round trip,
// and malformed input is refused without crashing or allocating wildly.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/bytes.h"
#include "server/transport/transport.h"

namespace transport {
namespace {

bool SameMessage(const raft::Message& a, const raft::Message& b) {
  return a.type == b.type && a.from == b.from && a.to == b.to && a.term == b.term &&
         a.log_term == b.log_term && a.index == b.index && a.entries == b.entries &&
         a.commit == b.commit && a.commit_only == b.commit_only && a.reject == b.reject && a.reject_hint == b.reject_hint &&
         a.snapshot.metadata.index == b.snapshot.metadata.index &&
         a.snapshot.metadata.term == b.snapshot.metadata.term &&
         a.snapshot.metadata.conf_state == b.snapshot.metadata.conf_state &&
         a.snapshot.data == b.snapshot.data && a.context == b.context;
}

std::string AllBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// One message of each type, with every field set to a distinct value.
std::vector<raft::Message> EveryType() {
  std::vector<raft::Message> out;
  for (int t = 0; t <= static_cast<int>(raft::MessageType::kReadIndexResp); ++t) {
    raft::Message m;
    m.type = static_cast<raft::MessageType>(t);
    m.from = 0x8e9e05c52164694dULL + t;
    m.to = UINT64_MAX - t;
    m.term = 7 + t;
    m.log_term = 6;
    m.index = 1ULL << 40;
    m.commit = 99;
    m.reject = t % 2 == 1;
    m.commit_only = t % 3 == 1;
    m.reject_hint = 12345;
    m.entries = {{5, 100, raft::EntryType::kNormal, AllBytes()},
                 {5, 101, raft::EntryType::kConfChange, std::string("\0cc\0", 4)},
                 {6, 102, raft::EntryType::kNormal, ""}};
    m.context = std::string("ctx\0\xff", 5);
    out.push_back(m);
  }
  raft::Message snap;
  snap.type = raft::MessageType::kSnap;
  snap.from = 1;
  snap.to = 2;
  snap.snapshot.metadata = {1000, 9, {{1, 2, 0xffffffffffffffffULL}}};
  snap.snapshot.data = std::string(5 << 20, '\0') + AllBytes();  // several MB, binary
  out.push_back(snap);
  return out;
}

TEST_SUITE("transport") {
  TEST_CASE("codec: every message type and field round-trips") {
    std::vector<raft::Message> in = EveryType();
    auto out = DecodeMessages(EncodeMessages(in));
    REQUIRE(out.ok());
    REQUIRE(out->size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      CAPTURE(i);
      CHECK(SameMessage(in[i], (*out)[i]));
    }
  }

  TEST_CASE("codec: empty batch and default message round-trip") {
    auto empty = DecodeMessages(EncodeMessages({}));
    REQUIRE(empty.ok());
    CHECK(empty->empty());
    auto one = DecodeMessages(EncodeMessages({raft::Message{}}));
    REQUIRE(one.ok());
    REQUIRE(one->size() == 1);
    CHECK(SameMessage((*one)[0], raft::Message{}));
  }

  TEST_CASE("codec: every truncation of a batch is refused") {
    std::vector<raft::Message> in = EveryType();
    in.pop_back();  // keep it small enough to try every prefix
    std::string bytes = EncodeMessages(in);
    for (size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(DecodeMessages(bytes.substr(0, n)).ok());
    }
  }

  TEST_CASE("codec: trailing bytes, unknown version and bad enums are refused") {
    std::string bytes = EncodeMessages({raft::Message{}});
    CHECK_FALSE(DecodeMessages(bytes + "x").ok());
    std::string other_version = bytes;
    other_version[0] = 2;
    CHECK_FALSE(DecodeMessages(other_version).ok());
    std::string bad_type = bytes;
    bad_type[2] = 14;  // version, count, then the message type
    CHECK_FALSE(DecodeMessages(bad_type).ok());
    std::string bad_flags = bytes;
    bad_flags[9] = 4;  // after type from to term log_term index commit: neither reject nor commit_only
    CHECK_FALSE(DecodeMessages(bad_flags).ok());
    CHECK_FALSE(DecodeMessages("").ok());
    CHECK_FALSE(DecodeMessages("not a batch at all").ok());
  }

  TEST_CASE("codec: huge counts and lengths fail on the input's end") {
    // version 1, then a count of 2^63: no message follows.
    CHECK_FALSE(DecodeMessages(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10)).ok());
    // One message whose entry count is huge and whose data length is huge.
    std::string head("\x01\x01" "\x00\x01\x02\x03\x04\x05\x06\x00\x07", 11);
    CHECK_FALSE(DecodeMessages(head + std::string("\xff\xff\xff\xff\x0f", 5)).ok());
    CHECK_FALSE(DecodeMessages(head + std::string("\x01\x00\x01\x01\xff\xff\xff\xff\x0f", 9)).ok());
    // A varint that never ends.
    CHECK_FALSE(DecodeMessages(std::string("\x01") + std::string(20, '\xff')).ok());
  }

  TEST_CASE("codec: a body of tiny messages that would decode to many times its size is refused") {
    // 16 MiB of the smallest messages: about a million of them, some 200
    // MB in memory; the budget is the body plus kDecodeSlack.
    const std::string tiny(15, '\0');  // type 0 and every field 0
    size_t count = (16u << 20) / tiny.size();
    common::ByteWriter w;
    w.str().push_back(1);
    w.PutVarint(count);
    for (size_t i = 0; i < count; ++i) w.str() += tiny;
    auto r = DecodeMessages(w.str());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("oversized") != std::string::npos);
    // Also when the count is told small and the messages carry many entries
    // of 4 bytes each (an entry takes some 56 bytes in memory).
    common::ByteWriter e;
    e.str().push_back(1);
    e.PutVarint(1);
    e.str() += std::string(9, '\0');
    size_t entries = (4u << 20) / 4;
    e.PutVarint(entries);
    for (size_t i = 0; i < entries; ++i) e.str() += std::string(4, '\0');
    e.str() += std::string(5, '\0');  // empty snapshot, empty context
    CHECK_FALSE(DecodeMessages(e.str()).ok());
  }

  TEST_CASE("codec: what members really send fits the decode budget") {
    // A full queue of heartbeats in one batch.
    std::vector<raft::Message> beats(kMaxQueuedMessages);
    for (raft::Message& m : beats) {
      m.type = raft::MessageType::kHeartbeat;
      m.from = 0x8e9e05c52164694dULL;
      m.to = 0x91bc3c398fb3c146ULL;
      m.term = 5;
    }
    auto r = DecodeMessages(EncodeMessages(beats));
    REQUIRE(r.ok());
    CHECK(r->size() == kMaxQueuedMessages);
    // A batch of appends of small entries, at the batch size limit.
    std::vector<raft::Message> apps;
    size_t bytes = 0;
    for (uint64_t index = 1; bytes < kMaxBatchBytes; ++index) {
      raft::Message m;
      m.type = raft::MessageType::kApp;
      m.term = 5;
      m.index = index * 64;
      for (uint64_t i = 1; i <= 64; ++i) {
        m.entries.push_back({5, m.index + i, raft::EntryType::kNormal, std::string(30, 'x')});
        bytes += 30 + 24;
      }
      apps.push_back(std::move(m));
    }
    r = DecodeMessages(EncodeMessages(apps));
    REQUIRE(r.ok());
    CHECK(r->size() == apps.size());
  }

  TEST_CASE("codec: random garbage never decodes into a crash") {
    uint64_t x = 88172645463325252ULL;  // xorshift64, fixed seed
    for (int round = 0; round < 2000; ++round) {
      std::string bytes(1, '\x01');
      size_t len = round % 64;
      for (size_t i = 0; i < len; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push_back(static_cast<char>(x));
      }
      auto r = DecodeMessages(bytes);  // must simply return
      if (r.ok()) CHECK(EncodeMessages(*r).size() <= bytes.size());  // varints only shrink
    }
  }
}

}  // namespace
}  // namespace transport
