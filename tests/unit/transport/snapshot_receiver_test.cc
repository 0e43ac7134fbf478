// Snapshot uploads put back together chunk by chunk, without sockets: the
// chunk codec, and a SnapshotReceiver fed whole, broken, forged, reordered,
// oversized and abandoned uploads. Each refusal leaves no file behind.
#include "server/transport/snapshot_receiver.h"

#include <dirent.h>
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "server/transport/snapshot_chunk.h"
#include "server/transport/transport.h"
#include "tests/unit/temp_dir.h"

namespace transport {
namespace {

using namespace std::chrono_literals;
using Clock = SnapshotReceiver::Clock;

constexpr uint64_t kSelf = 2, kLeader = 1;

raft::Message SnapTo(uint64_t to, uint64_t from = kLeader) {
  raft::Message m;
  m.type = raft::MessageType::kSnap;
  m.from = from;
  m.to = to;
  m.term = 3;
  m.snapshot.metadata = {40, 3, {{1, 2}}};
  return m;
}

// The bodies a sender would post for `data`, in chunks of `chunk` bytes.
std::vector<std::string> Chunks(const std::string& data, size_t chunk, uint64_t upload = 7,
                                const raft::Message& meta = SnapTo(kSelf)) {
  SnapshotChunk c;
  c.upload = upload;
  c.total = data.size();
  c.digest = common::Sha256::Of(data);
  c.message = EncodeMessages({meta});
  std::vector<std::string> bodies;
  for (size_t at = 0; at == 0 || at < data.size(); at += chunk) {
    c.offset = at;
    bodies.push_back(EncodeSnapshotChunkHead(c) + data.substr(at, chunk));
    c.message.clear();
  }
  return bodies;
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.emplace_back(e->d_name);
    }
    closedir(d);
  }
  return names;
}

std::string Data(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 131 + i / 7) % 256));
  return s;
}

struct Fixture {
  explicit Fixture(SnapshotReceiver::Limits limits = {}, SnapshotReceiver::Check check = nullptr)
      : dir(test_util::MakeTempDir("snaprecv") + "/spool"), receiver(dir, limits, std::move(check)) {}
  SnapshotReceiver::Outcome Post(const std::string& body, uint64_t from = kLeader) {
    return receiver.Receive(from, body, now);
  }
  std::string dir;
  SnapshotReceiver receiver;
  Clock::time_point now = Clock::now();
};

}  // namespace

TEST_SUITE("transport") {
  TEST_CASE("snapshot chunk: the head round-trips and every truncation of it is refused") {
    SnapshotChunk c{9, 100, 0, common::Sha256::Of("x"), EncodeMessages({SnapTo(kSelf)}), {}};
    std::string body = EncodeSnapshotChunkHead(c) + "payload";
    auto d = DecodeSnapshotChunk(body);
    REQUIRE(d.ok());
    CHECK(d->upload == 9);
    CHECK(d->total == 100);
    CHECK(d->offset == 0);
    CHECK(d->digest == c.digest);
    CHECK(d->message == c.message);
    CHECK(d->data == "payload");
    std::string head = EncodeSnapshotChunkHead(c);
    for (size_t n = 0; n < head.size(); ++n) CHECK_FALSE(DecodeSnapshotChunk(head.substr(0, n)).ok());
    CHECK_FALSE(DecodeSnapshotChunk("\x02" + head.substr(1)).ok());  // unknown version
  }

  TEST_CASE("snapshot chunk: a short digest, a misplaced message and data past the total are refused") {
    SnapshotChunk c{9, 10, 0, "short", "m", {}};
    CHECK_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c)).ok());
    c.digest = common::Sha256::Of("x");
    c.offset = 4;  // a message after the first chunk
    CHECK_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c)).ok());
    c.message.clear();
    c.offset = 0;  // a first chunk without one
    CHECK_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c)).ok());
    c.offset = 4;
    CHECK(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c) + "123456").ok());
    CHECK_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c) + "1234567").ok());
    c.offset = 11;
    CHECK_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunkHead(c)).ok());
  }

  TEST_CASE("snapshot receiver: chunks in order give the whole snapshot once, and no file stays") {
    Fixture f;
    std::string data = Data(10000);
    auto bodies = Chunks(data, 3000);
    REQUIRE(bodies.size() == 4);
    for (size_t i = 0; i + 1 < bodies.size(); ++i) {
      auto out = f.Post(bodies[i]);
      CHECK(out.status == 204);
      CHECK_FALSE(out.snapshot);
      CHECK(f.receiver.uploads() == 1);
      CHECK(Files(f.dir).size() == 1);  // spooled to disk, not memory
    }
    auto out = f.Post(bodies.back());
    CHECK(out.status == 204);
    REQUIRE(out.snapshot);
    CHECK(out.snapshot->type == raft::MessageType::kSnap);
    CHECK(out.snapshot->from == kLeader);
    CHECK(out.snapshot->term == 3);
    CHECK(out.snapshot->snapshot.metadata.index == 40);
    CHECK(out.snapshot->snapshot.metadata.conf_state.voters == std::vector<uint64_t>{1, 2});
    CHECK(out.snapshot->snapshot.data == data);
    CHECK(f.receiver.uploads() == 0);
    CHECK(Files(f.dir).empty());
  }

  TEST_CASE("snapshot receiver: the upload's message is checked before any data is taken; a refusal keeps nothing") {
    std::vector<std::pair<uint64_t, raft::Message>> seen;
    Fixture f({}, [&](uint64_t from, const raft::Message& m) {
      seen.emplace_back(from, m);
      if (m.to == kSelf) return SnapshotReceiver::Outcome{};
      return SnapshotReceiver::Outcome{412, "to field mismatch", std::nullopt};
    });
    auto refused = f.Post(Chunks(Data(5000), 2000, 7, SnapTo(3))[0]);
    CHECK(refused.status == 412);
    CHECK(refused.error == "to field mismatch");
    CHECK_FALSE(refused.snapshot);
    CHECK(f.receiver.uploads() == 0);
    CHECK(Files(f.dir).empty());
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].first == kLeader);
    CHECK(seen[0].second.to == 3);
    CHECK(seen[0].second.snapshot.metadata.index == 40);
    // Checked once, at the first chunk.
    std::string data = Data(5000);
    for (const std::string& body : Chunks(data, 2000)) CHECK(f.Post(body).status == 204);
    CHECK(seen.size() == 2);
  }

  TEST_CASE("snapshot receiver: data that does not match its digest is refused") {
    Fixture f;
    auto bodies = Chunks(Data(4000), 2000);
    bodies[1].back() ^= 1;  // one flipped bit in the last chunk
    CHECK(f.Post(bodies[0]).status == 204);
    auto out = f.Post(bodies[1]);
    CHECK(out.status == 400);
    CHECK_FALSE(out.snapshot);
    CHECK(Files(f.dir).empty());
  }

  TEST_CASE("snapshot receiver: a chunk out of order or of another upload drops the upload") {
    Fixture f;
    auto bodies = Chunks(Data(9000), 3000);
    CHECK(f.Post(bodies[0]).status == 204);
    CHECK(f.Post(bodies[2]).status == 409);  // skipped one
    CHECK(f.receiver.uploads() == 0);
    CHECK(Files(f.dir).empty());
    CHECK(f.Post(bodies[1]).status == 409);  // the upload is gone: start over
    CHECK(f.Post(Chunks(Data(9000), 3000, 8)[1]).status == 409);  // no upload 8 either
    // A restart from the first chunk works.
    for (size_t i = 0; i < 3; ++i) CHECK(f.Post(bodies[i]).status == 204);
    CHECK(Files(f.dir).empty());
  }

  TEST_CASE("snapshot receiver: a new upload from the same sender replaces the one in progress") {
    Fixture f;
    auto old_upload = Chunks(Data(9000), 3000, 1);
    auto new_upload = Chunks(Data(4000), 3000, 2);
    CHECK(f.Post(old_upload[0]).status == 204);
    CHECK(f.Post(new_upload[0]).status == 204);
    CHECK(f.receiver.uploads() == 1);
    CHECK(f.Post(old_upload[1]).status == 409);  // the old one is gone
    CHECK(f.Post(new_upload[0]).status == 204);  // and a retried new one starts over
    auto out = f.Post(new_upload[1]);
    REQUIRE(out.snapshot);
    CHECK(out.snapshot->snapshot.data == Data(4000));
  }

  TEST_CASE("snapshot receiver: uploads from two members go on side by side") {
    Fixture f;
    raft::Message from3 = SnapTo(kSelf, 3);
    auto a = Chunks(Data(6000), 3000, 5);
    auto b = Chunks("other", 3000, 5, from3);
    CHECK(f.Post(a[0]).status == 204);
    auto out = f.Post(b[0], 3);
    REQUIRE(out.snapshot);
    CHECK(out.snapshot->snapshot.data == "other");
    out = f.Post(a[1]);
    REQUIRE(out.snapshot);
    CHECK(out.snapshot->snapshot.data == Data(6000));
  }

  TEST_CASE("snapshot receiver: a first chunk whose message is not one snapshot without its data is refused") {
    Fixture f;
    raft::Message not_snap = SnapTo(kSelf);
    not_snap.type = raft::MessageType::kApp;
    raft::Message with_data = SnapTo(kSelf);
    with_data.snapshot.data = "x";
    for (const raft::Message& m : {not_snap, with_data}) {
      auto out = f.Post(Chunks("data", 100, 1, m)[0]);
      CHECK(out.status == 400);
      CHECK_FALSE(out.snapshot);
    }
    SnapshotChunk c{1, 4, 0, common::Sha256::Of("data"), "garbage", {}};
    CHECK(f.Post(EncodeSnapshotChunkHead(c) + "data").status == 400);
    c.message = EncodeMessages({SnapTo(kSelf), SnapTo(kSelf)});  // two messages
    CHECK(f.Post(EncodeSnapshotChunkHead(c) + "data").status == 400);
    CHECK(f.Post("").status == 400);
    CHECK(f.Post(std::string(1000, '\xff')).status == 400);
    CHECK(f.receiver.uploads() == 0);
    CHECK(Files(f.dir).empty());
  }

  TEST_CASE("snapshot receiver: a snapshot or chunk over the limits is refused before anything is written") {
    SnapshotReceiver::Limits limits;
    limits.max_total_bytes = 5000;
    limits.max_chunk_bytes = 2000;
    Fixture f(limits);
    auto out = f.Post(Chunks(Data(5001), 2000)[0]);
    CHECK(out.status == 413);
    CHECK(Files(f.dir).empty());
    CHECK(f.Post(Chunks(Data(4000), 2001)[0]).status == 413);
    auto ok = Chunks(Data(5000), 2000);
    for (const std::string& body : ok) CHECK(f.Post(body).status == 204);
    // A declared size beyond the free disk (2^62 bytes, within the limit).
    limits.max_total_bytes = uint64_t{1} << 63;
    Fixture g(limits);
    SnapshotChunk huge{1, uint64_t{1} << 62, 0, common::Sha256::Of(""), EncodeMessages({SnapTo(kSelf)}), {}};
    CHECK(g.Post(EncodeSnapshotChunkHead(huge)).status == 507);
    // By default, larger than this machine's memory.
    Fixture h;
    CHECK(h.Post(EncodeSnapshotChunkHead(huge)).status == 413);
    CHECK(Files(g.dir).empty());
    CHECK(Files(h.dir).empty());
  }

  TEST_CASE("snapshot receiver: an abandoned upload is deleted after the idle timeout") {
    SnapshotReceiver::Limits limits;
    limits.idle_timeout = 10s;
    Fixture f(limits);
    auto bodies = Chunks(Data(6000), 3000);
    CHECK(f.Post(bodies[0]).status == 204);
    f.receiver.Expire(f.now + 9s);
    CHECK(Files(f.dir).size() == 1);
    f.receiver.Expire(f.now + 10s);
    CHECK(f.receiver.uploads() == 0);
    CHECK(Files(f.dir).empty());
  }

  TEST_CASE("snapshot receiver: files an earlier run left are deleted at start") {
    std::string dir = test_util::MakeTempDir("snaprecv");
    std::ofstream(dir + "/1.part") << "half an upload";
    std::ofstream(dir + "/keep.txt") << "not ours";
    SnapshotReceiver r(dir, {}, nullptr);
    CHECK(Files(dir) == std::vector<std::string>{"keep.txt"});
  }

  TEST_CASE("snapshot receiver: an empty snapshot is one chunk") {
    Fixture f;
    auto bodies = Chunks("", 100);
    REQUIRE(bodies.size() == 1);
    auto out = f.Post(bodies[0]);
    REQUIRE(out.snapshot);
    CHECK(out.snapshot->snapshot.data.empty());
  }
}

}  // namespace transport
