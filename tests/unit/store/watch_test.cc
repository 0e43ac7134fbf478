// Watch delivery rules (shared/spec/keys-api.md §9), checked against what
// etcd 3.4.23 delivered in the transcripts and in probes against it.
#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::At;
using store_test::kSecond;

store::WatcherPtr MustWatch(store::Store& s, const std::string& path, bool recursive,
                            bool stream = false, uint64_t since = 0,
                            std::function<void()> notify = nullptr) {
  auto w = s.Watch(path, recursive, stream, since, std::move(notify));
  REQUIRE(w.ok());
  return w.value();
}

std::string NextJson(const store::WatcherPtr& w) {
  auto e = w->Next();
  return e ? store::EventJson(*e, 0, "/1") : "<none>";
}

TEST_SUITE("store") {

TEST_CASE("a one-shot watcher gets the next event on its key, then is removed") {
  store::Store s;
  int notified = 0;
  auto w = MustWatch(s, "/1/wk", false, false, 0, [&] { ++notified; });
  CHECK(s.WatcherCount() == 1);
  CHECK(w->start_index() == 0);
  CHECK_FALSE(w->Next());
  s.Set("/1/other", false, "x", {});
  CHECK(notified == 0);
  s.Set("/1/wk", false, "1", {});
  CHECK(notified == 1);
  CHECK(w->removed());
  CHECK(s.WatcherCount() == 0);
  CHECK(NextJson(w) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/wk\",\"value\":\"1\",\"modifiedIndex\":2,"
        "\"createdIndex\":2}}\n");
  s.Set("/1/wk", false, "2", {});
  CHECK_FALSE(w->Next());
}

TEST_CASE("recursive watchers see changes below; plain ones only the key itself") {
  store::Store s;
  auto rec = MustWatch(s, "/1/wd", true);
  auto plain = MustWatch(s, "/1/wd", false);
  auto root = MustWatch(s, "/1", true);
  auto sibling = MustWatch(s, "/1/wdx", true);
  s.Set("/1/wd/child/x", false, "1", {});
  CHECK(NextJson(rec) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/wd/child/x\",\"value\":\"1\",\"modifiedIndex\":1,"
        "\"createdIndex\":1}}\n");
  CHECK(root->Next());
  CHECK_FALSE(plain->Next());
  CHECK_FALSE(sibling->Next());
  CHECK_FALSE(plain->removed());
  CHECK(s.WatcherCount() == 2);
}

TEST_CASE("deleting or expiring a dir notifies watchers of keys inside it") {
  store::Store s;
  s.Set("/1/dd/k", false, "1", {});
  auto w = MustWatch(s, "/1/dd/k", false);
  auto deep = MustWatch(s, "/1/dd/k/never", false);  // below a key: not a removed path
  s.Delete("/1/dd", false, true);
  CHECK(NextJson(w) ==
        "{\"action\":\"delete\",\"node\":{\"key\":\"/dd\",\"dir\":true,\"modifiedIndex\":2,"
        "\"createdIndex\":1},\"prevNode\":{\"key\":\"/dd\",\"dir\":true,\"modifiedIndex\":1,"
        "\"createdIndex\":1}}\n");
  CHECK_FALSE(deep->Next());

  const int64_t exp = 1800000000 * kSecond;
  s.Set("/1/ed", true, "", At(exp));
  s.Set("/1/ed/c", false, "v", {});
  auto child = MustWatch(s, "/1/ed/c", false);
  s.DeleteExpiredKeys(exp);
  CHECK(NextJson(child) ==
        "{\"action\":\"expire\",\"node\":{\"key\":\"/ed\",\"dir\":true,\"modifiedIndex\":5,"
        "\"createdIndex\":3},\"prevNode\":{\"key\":\"/ed\",\"dir\":true,\"expiration\":"
        "\"2027-01-15T08:00:00Z\",\"modifiedIndex\":3,\"createdIndex\":3}}\n");
}

TEST_CASE("events on hidden nodes reach only watchers of that exact key") {
  store::Store s;
  auto dir = MustWatch(s, "/1/hd", true);
  auto exact = MustWatch(s, "/1/hd/_secret", false);
  auto top = MustWatch(s, "/1", true);
  s.Set("/1/hd/_secret", false, "1", {});
  CHECK_FALSE(dir->Next());
  CHECK_FALSE(top->Next());
  CHECK(exact->Next());
  s.Set("/1/hd/visible", false, "1", {});
  CHECK(NextJson(dir) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/hd/visible\",\"value\":\"1\",\"modifiedIndex\":2,"
        "\"createdIndex\":2}}\n");

  // Inside a hidden dir: hidden from above it, visible from the dir itself.
  auto inside = MustWatch(s, "/1/_d", true);
  auto above = MustWatch(s, "/1", true);
  s.Set("/1/_d/x", false, "1", {});
  CHECK_FALSE(above->Next());
  CHECK(inside->Next());
}

TEST_CASE("history scans do not apply the hidden rule (etcd quirk)") {
  store::Store s;
  s.Set("/1/hd/_secret", false, "1", {});
  s.Set("/1/hd/visible", false, "1", {});
  auto w = MustWatch(s, "/1/hd", true, false, 1);
  auto e = w->Next();
  REQUIRE(e);
  CHECK(e->node.key == "/1/hd/_secret");
}

TEST_CASE("a history scan matches a deleted dir as a plain string prefix (etcd quirk)") {
  // Observed: after DELETE /fo?recursive=true at index 14,
  // GET /foo?wait=true&waitIndex=14 answered with that delete of "/fo".
  store::Store s;
  s.Set("/1/fo/c", false, "1", {});
  s.Delete("/1/fo", false, true);
  auto w = MustWatch(s, "/1/foo", false, false, 2);
  auto e = w->Next();
  REQUIRE(e);
  CHECK(e->node.key == "/1/fo");
  // Live delivery has no such quirk: only real ancestors are notified.
  s.Set("/1/fo/c", false, "1", {});
  auto live = MustWatch(s, "/1/foo", false);
  s.Delete("/1/fo", false, true);
  CHECK_FALSE(live->Next());
}

TEST_CASE("refresh events are kept in history but never delivered") {
  store::Store s;
  const int64_t exp = 1800000000 * kSecond;
  s.Set("/1/rf", false, "v", At(exp));
  auto w = MustWatch(s, "/1/rf", false);
  s.Update("/1/rf", "", At(exp + kSecond, true));
  s.CompareAndSwap("/1/rf", "v", 0, "", At(exp + 2 * kSecond, true));
  s.Set("/1/rf", false, "", At(exp + 3 * kSecond, true));
  CHECK_FALSE(w->Next());
  CHECK_FALSE(w->removed());
  CHECK(s.Index() == 4);
  // A history scan skips them too.
  auto from_history = MustWatch(s, "/1/rf", false, false, 2);
  CHECK_FALSE(from_history->Next());
  s.Set("/1/rf", false, "new", {});
  auto e = w->Next();
  REQUIRE(e);
  CHECK(e->node.modified_index == 5);
  CHECK(from_history->Next());
}

TEST_CASE("a stream watcher keeps receiving, one event per change") {
  store::Store s;
  auto w = MustWatch(s, "/1/st", false, true);
  s.Set("/1/st", false, "0", {});
  s.Set("/1/st", false, "1", {});
  CHECK(NextJson(w) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/st\",\"value\":\"0\",\"modifiedIndex\":1,"
        "\"createdIndex\":1}}\n");
  CHECK(NextJson(w) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/st\",\"value\":\"1\",\"modifiedIndex\":2,"
        "\"createdIndex\":2},\"prevNode\":{\"key\":\"/st\",\"value\":\"0\",\"modifiedIndex\":1,"
        "\"createdIndex\":1}}\n");
  CHECK_FALSE(w->removed());
  CHECK(s.WatcherCount() == 1);
  w->Remove();
  CHECK(w->removed());
  CHECK(s.WatcherCount() == 0);
  w->Remove();  // idempotent
  s.Set("/1/st", false, "2", {});
  CHECK_FALSE(w->Next());
}

TEST_CASE("a stream watcher on a deleted key gets the delete twice, as etcd 3.4 does") {
  // Observed: curl "/v2/keys/sk?wait=true&stream=true" printed the delete twice,
  // a recursive stream on "/" once.
  store::Store s;
  s.Set("/1/sk", false, "1", {});
  auto exact = MustWatch(s, "/1/sk", false, true);
  auto root = MustWatch(s, "/1", true, true);
  s.Delete("/1/sk", false, false);
  CHECK(exact->Next());
  CHECK(exact->Next());
  CHECK_FALSE(exact->Next());
  CHECK(root->Next());
  CHECK_FALSE(root->Next());
}

TEST_CASE("a stream watch answered from history gets that one event and stays open") {
  // Observed: "?wait=true&stream=true&waitIndex=1" printed one event, stayed
  // open, got nothing more and was not counted in "watchers".
  store::Store s;
  s.Set("/1/sk", false, "1", {});
  auto w = MustWatch(s, "/1/sk", false, true, 1);
  CHECK(w->Next());
  CHECK_FALSE(w->removed());
  CHECK(s.WatcherCount() == 0);
  s.Set("/1/sk", false, "2", {});
  CHECK_FALSE(w->Next());
}

TEST_CASE("a watch from a future index waits for an event at or after it") {
  store::Store s;
  auto w = MustWatch(s, "/1/fut", false, false, 3);
  CHECK(w->start_index() == 0);
  s.Set("/1/fut", false, "a", {});  // index 1 < 3
  CHECK_FALSE(w->Next());
  s.Set("/1/x", false, "a", {});    // 2
  s.Set("/1/fut", false, "b", {});  // 3
  auto e = w->Next();
  REQUIRE(e);
  CHECK(e->node.modified_index == 3);
}

TEST_CASE("history answers from since_index and reports the current index") {
  store::Store s;
  s.Set("/1/a", false, "1", {});
  s.Set("/1/b", false, "1", {});
  s.Set("/1/a", false, "2", {});
  auto w = MustWatch(s, "/1/a", false, false, 2);
  auto e = w->Next();
  REQUIRE(e);
  CHECK(e->node.modified_index == 3);
  CHECK(e->etcd_index == 3);
  CHECK(w->start_index() == 3);
  CHECK(w->removed());
  CHECK(s.WatcherCount() == 0);
}

TEST_CASE("history keeps 1000 events; older since_index answers 401") {
  store::Store s;
  store_test::InternalWrites(&s);
  for (int i = 0; i < 1051; ++i) s.Set("/1/flood", false, std::to_string(i), {});
  REQUIRE(s.Index() == 1054);
  auto w = s.Watch("/1/message", false, false, 2, nullptr);
  REQUIRE_FALSE(w.ok());
  // Observed: {"errorCode":401,...,"cause":"the requested history has been cleared [55/2]","index":1054}
  CHECK(w.error().Json() ==
        "{\"errorCode\":401,\"message\":\"The event in requested index is outdated and cleared\","
        "\"cause\":\"the requested history has been cleared [55/2]\",\"index\":1054}\n");
  CHECK(w.error().HttpStatus() == 400);
  CHECK(s.Watch("/1/flood", false, false, 55, nullptr).value()->Next()->node.modified_index == 55);
}

TEST_CASE("a watcher that falls 100 events behind is dropped") {
  store::Store s;
  int notified = 0;
  auto w = MustWatch(s, "/1/q", false, true, 0, [&] { ++notified; });
  for (int i = 0; i < 100; ++i) s.Set("/1/q", false, "v", {});
  CHECK_FALSE(w->removed());
  CHECK(notified == 100);
  s.Set("/1/q", false, "overflow", {});
  CHECK(w->removed());
  CHECK(notified == 101);
  CHECK(s.WatcherCount() == 0);
  int queued = 0;
  while (auto e = w->Next()) {
    ++queued;
    CHECK(e->node.modified_index == static_cast<uint64_t>(queued));
  }
  CHECK(queued == 100);
}

TEST_CASE("Remove from other threads races safely with writes") {
  store::Store s;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) s.Set("/1/race/" + std::to_string(i % 7), false, "v", {});
  });
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        auto w = s.Watch("/1/race", true, (i + t) % 2 == 0, 0, [] {});
        if (!w.ok()) continue;  // cannot happen: since_index 0 never hits cleared history
        while (w.value()->Next()) {
        }
        w.value()->Remove();
        CHECK(w.value()->removed());
      }
    });
  }
  for (auto& c : clients) c.join();
  stop = true;
  writer.join();
  CHECK(s.WatcherCount() == 0);
}

TEST_CASE("a watcher outliving its store can still be removed") {
  store::WatcherPtr w;
  {
    store::Store s;
    w = MustWatch(s, "/1/x", false);
  }
  w->Remove();
  CHECK(w->removed());
}

}  // TEST_SUITE

}  // namespace
