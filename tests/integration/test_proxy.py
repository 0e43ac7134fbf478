"""Proxy mode (--proxy on|readonly): a proxy process in front of real members.

Each test runs against kvraft, or against real etcd 3.4 (members and proxy)
with KVRAFT_TEST_TARGET=etcd, which is how the expected answers were checked.
"""

import json
import os
import socket
import time

from http.client import HTTPConnection

from harness import TARGET, Server, TestFailure, check, check_eq, free_port, http, test

TOKEN = "proxy-test-cluster"


def start_members(n):
    members = [Server(name="infra%d" % i) for i in range(n)]
    cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members)
    for m in members:
        m.cluster = cluster
        m.extra_args = ["--initial-cluster-token", TOKEN]
        m.spawn()
    for m in members:
        m.wait_ready(timeout=30)
    return members, cluster


def proxy_server(cluster, mode="on", data_dir=None, client_port=None):
    """A proxy (not started) forwarding to the members of `cluster`."""
    p = Server(name="proxy", flags=False, data_dir=data_dir, client_port=client_port)
    p.extra_args = ["--proxy", mode, "--data-dir", p.data_dir, "--listen-client-urls", p.url,
                    "--initial-cluster", cluster]
    return p


def wait_listening(p, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        check(p.proc.poll() is None, "proxy exited:\n" + p.log_tail())
        try:
            socket.create_connection(("127.0.0.1", p.client_port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TestFailure("proxy not listening:\n" + p.log_tail())


def endpoints(p):
    r = http("GET", p.url + "/v2/config/local/proxy")
    check_eq(r.status, 200, "GET /v2/config/local/proxy")
    return r.json()["endpoints"]


def cluster_file(p):
    with open(os.path.join(p.data_dir, "proxy", "cluster")) as f:
        return json.load(f)


def dead_peer_url():
    return "http://127.0.0.1:%d" % free_port()


@test(timeout=90)
def proxy_forwards_writes_reads_watches_and_fails_over():
    members, cluster = start_members(3)
    p = proxy_server(cluster).start(timeout=30)

    conn = HTTPConnection("127.0.0.1", p.client_port, timeout=5)
    conn.request("PUT", "/v2/keys/greeting", body="value=hello",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    check_eq(r.status, 201, "PUT through the proxy")
    # As etcd: the proxy's CORS headers, then the member's.
    check_eq(r.msg.get_all("Access-Control-Allow-Origin"), ["*", "*"], "CORS headers")
    check_eq(json.loads(r.read())["node"]["value"], "hello", "PUT answer")
    conn.close()
    r = http("GET", members[0].url + "/v2/keys/greeting?quorum=true")
    check_eq(r.json()["node"]["value"], "hello", "the write reached the cluster")
    r = http("GET", p.url + "/v2/keys/greeting")
    check_eq((r.status, r.json()["node"]["value"]), (200, "hello"), "GET through the proxy")
    r = http("GET", p.url + "/v2/members")
    check_eq(sorted(m["name"] for m in r.json()["members"]), ["infra0", "infra1", "infra2"], "members")
    check_eq(sorted(endpoints(p)), sorted(m.url for m in members), "proxy endpoints")

    # A watch through the proxy: the event when it happens, and meanwhile
    # other requests go through. kvraft also sends the head at once (etcd
    # 3.4 holds it back until the event: etcd issue #3894).
    s = socket.create_connection(("127.0.0.1", p.client_port), timeout=5)
    s.sendall(b"GET /v2/keys/greeting?wait=true HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    if TARGET == "kvraft":
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            check(chunk, "proxy closed the watch")
            got += chunk
        check(b"Transfer-Encoding: chunked" in got, "watch is streamed: %r" % got)
    for i in range(3):
        check_eq(http("GET", p.url + "/v2/keys/greeting").status, 200, "GET while a watch waits")
    check_eq(http("PUT", p.url + "/v2/keys/greeting", form={"value": "bye"}).status, 200, "PUT")
    while b'"bye"' not in got:
        chunk = s.recv(4096)
        check(chunk, "watch ended without the event: %r" % got)
        got += chunk
    s.close()
    check(got.startswith(b"HTTP/1.1 200 OK"), "watch head: %r" % got[:200])
    check(b'"action":"set"' in got, "watch event: %r" % got)

    # Kill the member the proxy tries first: requests fail over to the next.
    first = endpoints(p)[0]
    victim = [m for m in members if m.url == first][0]
    victim.kill9()
    # If it led, let the others elect a leader first (members answer 500 meanwhile).
    alive = [m for m in members if m is not victim][0]
    deadline = time.time() + 15
    while alive.put("/elected", "yes", timeout=10).status not in (200, 201) and time.time() < deadline:
        time.sleep(0.1)
    for i in range(5):
        r = http("PUT", p.url + "/v2/keys/after%d" % i, form={"value": str(i)}, timeout=10)
        check_eq(r.status, 201, "PUT %d with %s down" % (i, victim.name))
        r = http("GET", p.url + "/v2/keys/after%d?quorum=true" % i, timeout=10)
        check_eq(r.json()["node"]["value"], str(i), "read back %d" % i)
    check(first not in endpoints(p), "the dead member is marked unavailable: %s" % endpoints(p))


@test(timeout=60)
def readonly_proxy_refuses_writes_with_501():
    members, cluster = start_members(1)
    check_eq(members[0].put("/k", "v").status, 201, "PUT to the member")
    p = proxy_server(cluster, mode="readonly").start(timeout=30)
    for method in ("PUT", "POST", "DELETE"):
        r = http(method, p.url + "/v2/keys/k", form={"value": "x"})
        check_eq((r.status, r.body), (501, b""), "%s through a readonly proxy" % method)
        check_eq(r.headers.get("content-length"), "0", "Content-Length of the 501")
        check("access-control-allow-origin" not in r.headers, "no CORS headers on the 501")
    r = http("GET", p.url + "/v2/keys/k")
    check_eq((r.status, r.json()["node"]["value"]), (200, "v"), "GET through a readonly proxy")
    check_eq(members[0].get("/k").json()["node"]["value"], "v", "nothing was written")


@test(timeout=60)
def proxy_state_file_is_written_and_wins_on_restart():
    # No member reachable yet: etcd's 503, and the state file stays absent.
    bogus = "m=" + dead_peer_url()
    p = proxy_server(bogus)
    p.spawn()
    wait_listening(p)
    r = http("GET", p.url + "/v2/keys/k")
    check_eq((r.status, r.body), (503, b'{"message":"httpproxy: zero endpoints currently available"}'),
             "no endpoints")
    check_eq(endpoints(p), [], "no endpoints listed")
    check(not os.path.exists(os.path.join(p.data_dir, "proxy", "cluster")), "no cluster file yet")
    p.stop()

    members, cluster = start_members(1)
    p = proxy_server(cluster, data_dir=p.data_dir, client_port=p.client_port).start(timeout=30)
    check_eq(cluster_file(p), {"PeerURLs": [members[0].peer_url]}, "cluster file")
    p.stop()

    # Restarted with a wrong --initial-cluster: the file's peers win.
    p = proxy_server(bogus, data_dir=p.data_dir, client_port=p.client_port).start(timeout=30)
    check_eq(http("PUT", p.url + "/v2/keys/k", form={"value": "1"}).status, 201, "PUT after restart")
    check_eq(endpoints(p), [members[0].url], "endpoints from the cluster file's peers")
