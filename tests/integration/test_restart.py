"""Restart tests: a clean SIGTERM restart keeps every node, index and TTL."""

import time

from harness import Server, check, check_eq, http, log, test

TTL = 300


def populate(s):
    """Writes keys, dirs, TTL keys/dirs and in-order keys; returns nothing."""
    check_eq(s.put("/r/plain", "v1").status, 201, "PUT /r/plain")
    check_eq(s.put("/r/plain", "v2").status, 200, "PUT /r/plain again")
    check_eq(s.put("/r/dir/sub/leaf", "deep").status, 201, "PUT nested key")
    check_eq(s.put("/r/emptydir", dir="true").status, 201, "PUT dir")
    check_eq(s.put("/r/ttlkey", "t", ttl=TTL).status, 201, "PUT ttl key")
    check_eq(s.put("/r/ttldir", dir="true", ttl=TTL).status, 201, "PUT ttl dir")
    check_eq(s.put("/r/_hidden", "h").status, 201, "PUT hidden key")
    check_eq(s.put("/r/cas", "a").status, 201, "PUT cas")
    check_eq(s.put("/r/cas", "b", prevValue="a").status, 200, "CAS")
    check_eq(s.put("/r/gone", "x").status, 201, "PUT gone")
    check_eq(http("DELETE", s.url + "/v2/keys/r/gone").status, 200, "DELETE gone")
    for i in range(3):
        check_eq(http("POST", s.url + "/v2/keys/r/queue", form={"value": "job%d" % i}).status,
                 201, "POST in-order key")


def snapshot(s):
    """Everything a client can read, with TTLs separated out (they tick)."""
    out = {}
    for key in ["/", "/r/plain", "/r/dir/sub/leaf", "/r/ttlkey", "/r/_hidden", "/r/queue"]:
        r = s.get(key, recursive="true", sorted="true")
        out[key] = (r.status, strip_ttl(r.json()))
    return out


def strip_ttl(body, ttls=None):
    """Replaces each ttl with a marker after checking it is in (0, TTL]."""
    if isinstance(body, dict):
        res = {}
        for k, v in body.items():
            if k == "ttl":
                check(0 < v <= TTL, "ttl %r out of range" % v)
                v = "<ttl>"
            res[k] = strip_ttl(v)
        return res
    if isinstance(body, list):
        return [strip_ttl(v) for v in body]
    return body


def etcd_index(s):
    return int(s.get("/").headers["x-etcd-index"])


@test(timeout=60)
def sigterm_restart_keeps_everything():
    s = Server().start()
    populate(s)
    before = snapshot(s)
    index_before = etcd_index(s)
    code = s.stop(timeout=15)
    check(code is not None, "server did not exit")
    s.start()
    after = snapshot(s)
    for key in before:
        check_eq(after[key], before[key], "GET %s after restart" % key)
    # etcd publishes its member attributes on every start, which may use an index.
    index_after = etcd_index(s)
    log("X-Etcd-Index %d before, %d after restart" % (index_before, index_after))
    check(index_after >= index_before, "X-Etcd-Index went backwards")
    r = s.put("/r/after", "x")
    check(r.json()["node"]["modifiedIndex"] > index_before, "index did not continue")


@test(timeout=60)
def ttl_keeps_counting_across_restart():
    s = Server().start()
    check_eq(s.put("/short", "v", ttl=4).status, 201, "PUT ttl=4")
    exp = s.get("/short").json()["node"]["expiration"]
    s.stop(timeout=15)
    s.start()
    r = s.get("/short")
    if r.status == 200:
        check_eq(r.json()["node"]["expiration"], exp, "expiration after restart")
    deadline = time.time() + 8
    while s.get("/short").status != 404:
        check(time.time() < deadline, "TTL key did not expire after restart")
        time.sleep(0.2)
