"""Discovery tokens (--discovery): members that know only a token URL and the
cluster size bootstrap a cluster, interoperating with real etcd 3.4 both as
the token's store and as the members. Real processes on loopback."""

import hashlib
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
import socketserver
import struct
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

from harness import Server, check, check_eq, free_port, http, log, run_cli, test


def member_id(peer_url, token):
    """etcd's member id: SHA-1 of the sorted peer URLs and the token."""
    digest = hashlib.sha1((peer_url + token).encode()).digest()
    return "%x" % struct.unpack(">Q", digest[:8])[0]


def new_token(store, size):
    """A token under the store's keyspace with _config/size set (etcd's self-hosted recipe)."""
    token = store.url + "/v2/keys/_etcd/registry/" + uuid.uuid4().hex
    r = http("PUT", token + "/_config/size", form={"value": str(size)})
    check(r.status == 201, "setting the size: %r" % r)
    return token


def discovery_member(kind, name, token, *extra):
    """A member started with --discovery instead of --initial-cluster."""
    m = Server(kind=kind, name=name, flags=False)
    m.extra_args = ["--name", name, "--data-dir", m.data_dir,
                    "--listen-client-urls", m.url, "--advertise-client-urls", m.url,
                    "--listen-peer-urls", m.peer_url, "--initial-advertise-peer-urls", m.peer_url,
                    "--discovery", token] + list(extra)
    if kind == "etcd":
        m.extra_args.append("--enable-v2")
    return m


def registrations(token):
    """{member key: value} of the token, as the store lists it."""
    r = http("GET", token)
    check_eq(r.status, 200, "GET " + token)
    return {n["key"].rsplit("/", 1)[1]: n["value"] for n in r.json()["node"].get("nodes", [])}


def check_cluster(members, token):
    """Every member lists all of them, with the ids etcd derives from the token."""
    want = sorted((member_id(m.peer_url, token), m.name, m.peer_url) for m in members)
    for m in members:
        r = http("GET", m.url + "/v2/members")
        check_eq(r.status, 200, "%s: GET /v2/members" % m.name)
        got = sorted((x["id"], x["name"], x["peerURLs"][0]) for x in r.json()["members"])
        check_eq(got, want, "%s: members" % m.name)
    check_eq(registrations(token),
             {member_id(m.peer_url, token): "%s=%s" % (m.name, m.peer_url) for m in members},
             "registrations under the token")


def bootstrap(kind, token, n):
    members = [discovery_member(kind, "d%d" % i, token) for i in range(n)]
    for m in members:
        m.spawn()
    for m in members:
        m.wait_ready(timeout=30)
    return members


@test(timeout=90, targets=("kvraft",))
def kvraft_members_through_etcd_token():
    store = Server(kind="etcd", name="store").start()
    token = new_token(store, 3)
    members = bootstrap("kvraft", token, 3)
    check_cluster(members, token)
    check_eq(members[0].put("/k", "v").status, 201, "write through the new cluster")
    check_eq(members[2].get("/k", quorum="true").json()["node"]["value"], "v", "read on another member")

    # A fourth member finds the token full: with fallback exit it leaves
    # without registering; with the default it becomes a proxy to the cluster.
    late = discovery_member("kvraft", "late", token, "--discovery-fallback", "exit")
    late.spawn()
    check_eq(late.wait_exit(10), 1, "exit status of a member arriving at a full token")
    check("failed to join discovery cluster (discovery: cluster is full)" in late.log_text(), late.log_tail())
    proxy = discovery_member("kvraft", "late2", token)
    proxy.start(timeout=15)
    check("falling back to proxy" in proxy.log_text(), proxy.log_tail())
    check_eq(proxy.put("/via-proxy", "p").status, 201, "write through the fallback proxy")
    check_eq(members[1].get("/via-proxy", quorum="true").json()["node"]["value"], "p", "the write, on a member")
    r = http("GET", proxy.url + "/v2/config/local/proxy")
    check_eq(sorted(r.json()["endpoints"]), sorted(m.url for m in members), "the proxy's endpoints")
    check(os.path.isdir(os.path.join(proxy.data_dir, "proxy")), "the fallback proxy keeps proxy/ in its data dir")
    check_eq(len(registrations(token)), 3, "registrations after the late members")

    # A restarted member has its data dir: it ignores the token and rejoins.
    index = http("GET", token).headers["x-etcd-index"]
    members[1].restart(timeout=30)
    check("discovery token is ignored since cluster already initialized" in members[1].log_text(),
          members[1].log_tail())
    check_eq(members[1].get("/k", quorum="true").json()["node"]["value"], "v", "read on the restarted member")
    check_eq(http("GET", token).headers["x-etcd-index"], index, "the store's index (untouched by the restart)")
    check_cluster(members, token)


@test(timeout=90, targets=("kvraft",))
def etcd_members_through_kvraft_token_from_the_docs_recipe():
    store = Server(kind="kvraft", name="store").start()
    # etcd's docs, as written: curl -X PUT <store>/v2/keys/discovery/<token>/_config/size -d value=3
    token = store.url + "/v2/keys/discovery/" + uuid.uuid4().hex
    code, out, err = run_cli(["curl", "-sS", "-X", "PUT", token + "/_config/size", "-d", "value=3"])
    check_eq(code, 0, "curl: " + err)
    check('"value":"3"' in out, out)
    members = bootstrap("etcd", token, 3)
    check_cluster(members, token)


class LoggingProxy(socketserver.ThreadingMixIn, HTTPServer):
    """A forward HTTP proxy that records each request line it relays."""
    daemon_threads = True

    def __init__(self):
        self.lines = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                path = self.path.split("/", 3)[3]  # absolute form: http://host:port/<path>
                outer.lines.append("%s /%s%s" % (self.command, path, (" " + body.decode()) if body else ""))
                req = urllib.request.Request(self.path, data=body or None, method=self.command,
                                             headers={"Content-Type": self.headers.get("Content-Type", "")})
                try:
                    resp = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=60)
                except urllib.error.HTTPError as e:
                    resp = e
                data = resp.read()
                self.send_response(resp.status if hasattr(resp, "status") else resp.code)
                for k in ("Content-Type", "X-Etcd-Index"):
                    if resp.headers.get(k):
                        self.send_header(k, resp.headers[k])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = relay

        super().__init__(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server_address[1]


@test(timeout=60, targets=("kvraft",))
def discovery_errors_and_proxy():
    store = Server(kind="kvraft", name="store").start()
    # No size key: a clear error, nothing registered.
    token = store.url + "/v2/keys/_etcd/registry/" + uuid.uuid4().hex
    m = discovery_member("kvraft", "nosize", token, "--discovery-fallback", "exit")
    m.spawn()
    check_eq(m.wait_exit(10), 1, "exit status without a size key")
    check("failed to join discovery cluster (discovery: size key not found)" in m.log_text(), m.log_tail())
    check_eq(store.get(token.split("/v2/keys", 1)[1]).status, 404, "the token after a failed join")
    # A malformed URL fails at once.
    bad = discovery_member("kvraft", "bad", "127.0.0.1:1/tok", "--discovery-fallback", "exit")
    bad.spawn()
    check_eq(bad.wait_exit(10), 1, "exit status with a malformed URL")
    check('bad discovery URL "127.0.0.1:1/tok"' in bad.log_text(), bad.log_tail())

    # --discovery-proxy (without a scheme: http:// is prepended) carries
    # exactly etcd's request sequence.
    proxy = LoggingProxy()
    try:
        token = new_token(store, 1)
        path = token.split(store.url, 1)[1]
        solo = discovery_member("kvraft", "solo", token, "--discovery-proxy", proxy.address)
        solo.start(timeout=30)
        mid = member_id(solo.peer_url, token)
        check_eq(proxy.lines, [
            "GET %s/_config/size?quorum=false&recursive=false&sorted=false" % path,
            "GET %s?quorum=false&recursive=false&sorted=false" % path,
            "PUT %s/%s?prevExist=false value=solo%%3D%s" % (path, mid, urllib.parse.quote(solo.peer_url, safe="")),
            "GET %s/%s?recursive=false&wait=true&waitIndex=%s" % (
                path, mid, store.get(path[len("/v2/keys"):] + "/" + mid).json()["node"]["createdIndex"]),
            "GET %s/_config/size?quorum=false&recursive=false&sorted=false" % path,
            "GET %s?quorum=false&recursive=false&sorted=false" % path,
        ], "requests through the discovery proxy")
        log("proxy saw %d requests" % len(proxy.lines))
    finally:
        proxy.shutdown()
