"""Crash test: kill -9 during concurrent writes loses no acknowledged write."""

import http.client
import json
import threading
import time
import urllib.parse

from harness import Server, check, check_eq, log, test

WRITERS = 4
MAX_WRITES = 3000      # over all writers
MAX_SECONDS = 10.0
KILL_AFTER_WRITES = 1200
KILL_AFTER_SECONDS = 3.0


class Writer(threading.Thread):
    """Writes /crash/wN/kM = vM on one keep-alive connection until an error."""

    def __init__(self, server, n, stop, budget):
        super().__init__(daemon=True)
        self.server, self.n, self.stop, self.budget = server, n, stop, budget
        self.acked = {}   # key -> (value, modifiedIndex)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.client_port, timeout=5)
        deadline = time.time() + MAX_SECONDS
        i = 0
        while not self.stop.is_set() and time.time() < deadline and i < self.budget:
            key = "/crash/w%d/k%d" % (self.n, i)
            value = "value-%d-%d" % (self.n, i)
            try:
                conn.request("PUT", "/v2/keys" + key,
                             body=urllib.parse.urlencode({"value": value}),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
                r = conn.getresponse()
                body = r.read()
            except (OSError, http.client.HTTPException):
                return  # the server died: this write was never acknowledged
            if r.status in (200, 201):
                self.acked[key] = (value, json.loads(body)["node"]["modifiedIndex"])
            i += 1


@test(timeout=90)
def kill9_mid_stream_keeps_acknowledged_writes():
    s = Server().start()
    check_eq(s.put("/crash/ttlkey", "t", ttl=600).status, 201, "PUT ttl key")
    check_eq(s.put("/crash/ttldir", dir="true", ttl=600).status, 201, "PUT ttl dir")
    check_eq(s.put("/crash/dir/a", "1").status, 201, "PUT dir/a")
    stop = threading.Event()
    writers = [Writer(s, n, stop, MAX_WRITES // WRITERS) for n in range(WRITERS)]
    for w in writers:
        w.start()
    start = time.time()
    while time.time() - start < KILL_AFTER_SECONDS:
        if sum(len(w.acked) for w in writers) >= KILL_AFTER_WRITES:
            break
        time.sleep(0.01)
    alive = sum(w.is_alive() for w in writers)
    s.kill9()
    stop.set()
    for w in writers:
        w.join(10)
    acked = {}
    for w in writers:
        acked.update(w.acked)
    log("%d acknowledged writes before kill -9 (%d writers still writing)" % (len(acked), alive))
    check(alive == WRITERS, "writers finished before the kill: raise the write budget")
    check(len(acked) > 100, "too few writes acknowledged: %d" % len(acked))

    s.start()
    max_index = max(idx for _, idx in acked.values())
    for n in range(WRITERS):
        r = s.get("/crash/w%d" % n, recursive="true")
        check_eq(r.status, 200, "GET /crash/w%d" % n)
        stored = {node["key"]: (node["value"], node["modifiedIndex"])
                  for node in r.json()["node"].get("nodes", [])}
        for key, want in acked.items():
            if key.startswith("/crash/w%d/" % n):
                check_eq(stored.get(key), want, "acknowledged write %s after restart" % key)
    r = s.put("/crash/next", "n")
    check_eq(r.status, 201, "PUT after restart")
    check(r.json()["node"]["modifiedIndex"] > max_index,
          "next index %d not above %d" % (r.json()["node"]["modifiedIndex"], max_index))
    ttl = s.get("/crash/ttlkey").json()["node"]
    check_eq(ttl["value"], "t", "TTL key value")
    check(0 < ttl["ttl"] <= 600, "TTL key ttl %r" % ttl["ttl"])
    d = s.get("/crash/ttldir").json()["node"]
    check(d.get("dir") and 0 < d["ttl"] <= 600, "TTL dir after restart: %r" % d)
    check_eq(s.get("/crash/dir/a").json()["node"]["value"], "1", "dir/a after restart")
