"""Hostile keys and ttls (issue 18): deep and long keys are refused before
anything is written, the member goes on answering with its memory and files
in bound, snapshots holding the deepest keys a client can write load at
restart and reach a new member, and extreme ttls answer as etcd 3.4 does.

Limits (README "Limits"): a key is at most 4,096 bytes and 2,048 segments
(errorCode 209, HTTP 400). etcd 3.4 resets the connection when the request
line is over 4,096 bytes, and kvraft's front end may answer such a line with
414 before the keys handler sees it; either answer is a refusal. The deepest
key that fits such a request line ("/a" 2,036 times) must work everywhere.
"""

import json
import re
import sys
import time
import urllib.parse

from harness import Server, check, check_eq, decode_body, http, log, open_fds, proc_status, raw_request, test
from test_cluster import TOKEN, add_member, leader_of, restart_all, start_cluster, wait_value

# The longest request line etcd 3.4 serves, CRLF included.
MAX_REQUEST_LINE = 4096
# The deepest and the longest key a PUT fits in that line:
# "PUT /v2/keys" + key + " HTTP/1.1\r\n".
DEEPEST = "/a" * 2036
LONGEST = "/" + "x" * (MAX_REQUEST_LINE - len("PUT /v2/keys HTTP/1.1\r\n") - 1)


def request(server, method, key, query="", form=None, timeout=10.0):
    """One request on its own connection (closed after the answer): (status, json or None).

    A refused request may end in a reset rather than an answer: status 0."""
    target = "/v2/keys" + urllib.parse.quote(key) + ("?" + query if query else "")
    body = urllib.parse.urlencode(form).encode() if form else b""
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %d\r\n" % (
        method, target, len(body))
    if form:
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
    raw = raw_request("127.0.0.1", server.client_port, head.encode() + b"\r\n" + body, timeout=timeout)
    if not raw.startswith(b"HTTP/1."):
        return 0, None
    status = int(raw.split(b" ", 2)[1])
    payload = decode_body(raw)
    try:
        return status, json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return status, None


def check_refused(server, what, method, key, query="", form=None, cause=None):
    """A key over the limits: 400 with errorCode 209 (and `cause` when given),
    or the front end's 414 for a request line over its limit."""
    status, body = request(server, method, key, query, form)
    if status == 414:
        return
    check_eq(status, 400, "%s: status (body %r)" % (what, body))
    if method == "HEAD":
        return
    check(body is not None and body.get("errorCode") == 209,
          "%s: want errorCode 209, got %r" % (what, body))
    if cause is not None:
        check_eq(body.get("cause"), cause, "%s: cause" % what)


def etcd_index(server):
    return int(http("GET", server.url + "/v2/keys/").headers["x-etcd-index"])


def put_ok(server, key, value, acked, **params):
    r = server.put(key, value, timeout=10, **params)
    check(r.status in (200, 201), "PUT %s...: %s" % (key[:40], r.body[:200]))
    acked[key] = value
    return r


def check_acked(server, acked):
    for key, value in acked.items():
        r = server.get(key, timeout=10)
        check_eq(r.status, 200, "%s: GET %s..." % (server.name, key[:40]))
        check_eq(r.json()["node"].get("value"), value, "%s: value of %s..." % (server.name, key[:40]))


@test(timeout=120, targets=("kvraft",))
def deep_and_long_keys_are_refused_and_leave_nothing_behind():
    s = Server(args=["--snapshot-count", "10"]).start()
    acked = {}
    for i in range(5):
        put_ok(s, "/before/k%d" % i, "v%d" % i, acked)
    index = etcd_index(s)
    rss_before, fds_before = proc_status(s, "VmRSS"), open_fds(s)

    deep = "/r" + "/a" * 8199  # the reported brick: 8,200 segments, a 16 KB URL
    check_refused(s, "PUT 8200 deep", "PUT", deep, form={"value": "x"})
    over_depth = "/r" + "/a" * 2048
    over_length = "/r/" + "x" * 4094
    for method in ("PUT", "POST", "GET", "DELETE", "HEAD"):
        check_refused(s, method + " 2049 deep", method, over_depth, form={"value": "x"})
        check_refused(s, method + " 4097 bytes", method, over_length, form={"value": "x"})
    check_refused(s, "PUT dir 3000 deep", "PUT", "/r" + "/d" * 2999, query="dir=true")
    check_refused(s, "PUT with a ttl", "PUT", over_depth, form={"value": "x", "ttl": "5"})
    check_refused(s, "GET recursive", "GET", over_depth, query="recursive=true")
    check_refused(s, "watch", "GET", over_depth, query="wait=true")
    check_refused(s, "compare-and-swap", "PUT", over_length, form={"value": "x", "prevValue": "y"})
    for i in range(300):  # many, to see memory held by refused requests
        check_refused(s, "PUT 8200 deep #%d" % i, "PUT", deep, form={"value": "x"})

    check_eq(etcd_index(s), index, "index after the refusals: nothing was written")
    check_eq(s.get("/r").status, 404, "nothing exists under /r")
    check_eq(http("GET", s.url + "/health").status, 200, "the member still answers")
    grown = proc_status(s, "VmRSS") - rss_before
    log("RSS %d KB -> +%d KB, fds %d -> %d" % (rss_before, grown, fds_before, open_fds(s)))
    check(grown < 32 * 1024, "RSS grew by %d KB over the refused requests" % grown)
    check(open_fds(s) <= fds_before + 4, "open fds %d -> %d" % (fds_before, open_fds(s)))

    for i in range(20):  # past --snapshot-count: the restart loads a snapshot
        put_ok(s, "/after/k%d" % i, "v%d" % i, acked)
    check("saved snapshot" in s.log_text(), "a snapshot was taken")
    s.restart(timeout=30)
    check_acked(s, acked)


@test(timeout=120)
def deepest_key_a_request_line_holds_works_end_to_end():
    """Also against etcd: what it accepts, kvraft accepts."""
    s = Server().start()
    status, body = request(s, "PUT", DEEPEST, form={"value": "deep"})
    check_eq(status, 201, "PUT 2036 deep: %r" % (body,))
    check_eq(body["node"]["key"], DEEPEST, "key of the deepest key")
    status, body = request(s, "PUT", LONGEST, form={"value": "long"})
    check_eq(status, 201, "PUT %d bytes: %r" % (len(LONGEST), body))
    # POST under a dir 2,035 deep creates a key 2,036 deep.
    status, body = request(s, "POST", DEEPEST[:-2], form={"value": "job"})
    check_eq(status, 201, "POST under 2035 deep: %r" % (body,))
    check(re.fullmatch(re.escape(DEEPEST[:-2]) + r"/\d{20}", body["node"]["key"]) is not None,
          "in-order key: %s" % body["node"]["key"][-40:])
    status, body = request(s, "GET", DEEPEST)
    check_eq((status, body["node"]["value"]), (200, "deep"), "GET of the deepest key")
    r = http("GET", s.url + "/v2/keys/?recursive=true&sorted=true", timeout=20)
    check_eq(r.status, 200, "recursive GET of everything")
    sys.setrecursionlimit(20000)  # the answer nests 4,000 JSON levels
    node = r.json()["node"]
    for _ in range(2035):
        node = node["nodes"][0]
    check_eq(node["nodes"][-1]["key"], DEEPEST, "the chain renders to its bottom")
    status, body = request(s, "DELETE", "/a", query="recursive=true")
    check_eq(status, 200, "recursive DELETE of the chain: %r" % (body,))
    check_eq(request(s, "GET", DEEPEST)[0], 404, "the chain is gone")
    check_eq(http("GET", s.url + "/health").status, 200, "the member still answers")


@test(timeout=240, targets=("kvraft",))
def deep_keys_survive_snapshots_restart_and_a_new_member():
    members = start_cluster(3, args=["--snapshot-count", "20",
                                     "--experimental-snapshot-catchup-entries", "5"])
    leader = leader_of(members)
    follower = next(m for m in members if m is not leader)
    acked = {}
    # Through a follower: forwarded, refused or applied alike.
    status, body = request(follower, "PUT", DEEPEST, form={"value": "deep", "ttl": "100000"})
    check_eq(status, 201, "PUT 2036 deep: %r" % (body,))
    acked[DEEPEST] = "deep"
    status, _ = request(follower, "PUT", LONGEST, form={"value": "long"})
    check_eq(status, 201, "PUT the longest key")
    acked[LONGEST] = "long"
    status, body = request(leader, "POST", DEEPEST[:-2], form={"value": "job"})
    check_eq(status, 201, "POST under 2035 deep")
    acked[body["node"]["key"]] = "job"
    check_refused(follower, "2049 deep via a follower", "PUT", "/r" + "/a" * 2048, form={"value": "x"})
    for i in range(60):
        put_ok(members[i % 3], "/w/k%d" % i, "v%d" % i, acked)
    for m in members:
        check("saved snapshot" in m.log_text(), "%s took a snapshot" % m.name)
        check_eq(http("GET", m.url + "/v2/keys/?recursive=true", timeout=20).status, 200,
                 "%s: recursive GET of everything" % m.name)

    restart_all(members)
    for m in members:
        check_acked(m, acked)

    # A new member: the log it would need is compacted, so it takes a snapshot.
    for i in range(30):
        put_ok(members[i % 3], "/w2/k%d" % i, "v%d" % i, acked)
    new = Server(name="infra3")
    r = add_member(leader_of(members), new.peer_url)
    check_eq(r.status, 201, "POST /v2/members: %s" % r.body[:200])
    new.cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members + [new])
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"]
    new.start(timeout=30)
    wait_value(new, DEEPEST, "deep", timeout=30)
    check("restored store from snapshot" in new.log_text(), "the new member caught up by snapshot")
    check_acked(new, acked)
    put_ok(new, "/after/join", "x", acked)
    for m in members:
        wait_value(m, "/after/join", "x")


@test(timeout=60)
def extreme_ttls_answer_like_etcd():
    """etcd 3.4 computes now + ttl s in wrapping int64 nanoseconds."""
    s = Server().start()
    for bad in ("-1", "1e20", "18446744073709551616", " 5", "0x10"):
        r = s.put("/t/bad", "v", ttl=bad)
        check_eq((r.status, r.json()["errorCode"]), (400, 202), "ttl=%r" % bad)
    # 2^63-1 s wraps to one second ago: kept until the next sweep.
    r = s.put("/t/max", "v", ttl="9223372036854775807")
    check_eq(r.status, 201, "ttl=2^63-1")
    check_eq(r.json()["node"]["ttl"], -1, "ttl shown for 2^63-1")
    # A ttl whose sum wraps far into the past: create makes the key permanent...
    r = s.put("/t/perm", "v", ttl="9223372036")
    check_eq(r.status, 201, "create with ttl=9223372036")
    check("expiration" not in r.json()["node"], "created permanent: %s" % r.body[:200])
    # ...update and compare-and-swap keep it (1734), shown with Go's saturated ttl.
    s.put("/t/u", "a")
    r = s.put("/t/u", "b", ttl="9223372036", prevExist="true")
    check_eq(r.status, 200, "update with ttl=9223372036")
    check_eq(r.json()["node"]["ttl"], -9223372036, "ttl after the update")
    check(r.json()["node"]["expiration"].startswith("1734-"), "expiration %s" % r.json()["node"]["expiration"])
    s.put("/t/c", "a")
    r = s.put("/t/c", "b", ttl="9300000000", prevValue="a")
    check_eq(r.status, 200, "compare-and-swap with ttl=9300000000")
    check(r.json()["node"]["ttl"] < -9000000000, "ttl after the swap: %s" % r.body[:200])
    # Such keys go at the next sweep; the member goes on.
    deadline = time.time() + 15
    while time.time() < deadline and any(s.get(k).status != 404 for k in ("/t/max", "/t/u", "/t/c")):
        time.sleep(0.1)
    for k in ("/t/max", "/t/u", "/t/c"):
        check_eq(s.get(k).status, 404, "%s expired" % k)
    check_eq(s.get("/t/perm").json()["node"]["value"], "v", "the permanent key stays")
    check_eq(http("GET", s.url + "/health").status, 200, "the member still answers")
