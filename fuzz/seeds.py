#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ and the dictionaries
fuzz/<target>.dict (run from anywhere; the files are committed, this only
regenerates them). Seeds are real-looking
inputs: the requests of the conformance scenarios (tests/conformance), the
examples of the unit tests, and encodings of typical peer messages and store
snapshots. File names are a hash of the content, so reruns change nothing.

  fuzz/seeds.py            every target
  fuzz/seeds.py form ...   only these
"""
import glob
import hashlib
import json
import os
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEEDS = 100  # per target: enough variety, small repository


def write(target, seeds):
    out = os.path.join(CORPUS, target)
    os.makedirs(out, exist_ok=True)
    # Generated seeds are named by hash; inputs kept by hand (crash-*,
    # deep-nesting-*) stay.
    for old in glob.glob(os.path.join(out, "[0-9a-f]" * 16)):
        os.remove(old)
    unique = []
    for s in seeds:
        b = s.encode() if isinstance(s, str) else bytes(s)
        if b not in unique:
            unique.append(b)
    # The last 10 (the hand-written ones) are all kept; the rest evenly spaced.
    if len(unique) > MAX_SEEDS:
        unique = [unique[i * len(unique) // MAX_SEEDS] for i in range(MAX_SEEDS - 10)] + unique[-10:]
    for b in unique:
        with open(os.path.join(out, hashlib.sha1(b).hexdigest()[:16]), "wb") as f:
            f.write(b)
    print("%-16s %d seeds, %d bytes" % (target, len(unique), sum(len(b) for b in unique)))


# ---- HTTP requests from the conformance scenarios ----

def scenario_requests():
    """(method, target, headers, body) of every step that is an HTTP request."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "conformance", "scenarios", "*.json"))):
        with open(path) as f:
            scenario = json.load(f)
        for step in scenario["steps"]:
            if "path" not in step:
                continue
            method = step.get("method", "GET").upper()
            p = step["path"].replace("{p}", "t")
            target = urllib.parse.quote(p, safe="/%!$&'()*+,;=:@-._~?")
            q = step.get("query")
            if isinstance(q, dict):
                qs = urllib.parse.urlencode([(k, str(v).replace("{p}", "t")) for k, v in q.items()],
                                            quote_via=urllib.parse.quote)
            elif isinstance(q, str):
                qs = urllib.parse.quote(q.replace("{p}", "t"), safe="=&%+!$'()*,;:@-._~/?")
            else:
                qs = ""
            if qs:
                target += ("&" if "?" in target else "?") + qs
            headers = dict(step.get("headers") or {})
            body = ""
            form = step.get("form")
            if isinstance(form, dict):
                body = urllib.parse.urlencode([(k, str(v)) for k, v in form.items()],
                                              quote_via=urllib.parse.quote)
            elif isinstance(form, str):
                body = form
            if form is not None and not any(h.lower() == "content-type" for h in headers):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "body" in step:
                b = step["body"]
                body = b if isinstance(b, str) else json.dumps(b)
            out.append((method, target, headers, body))
    return out


def raw_http(method, target, headers, body, version="1.1"):
    lines = ["%s %s HTTP/%s" % (method, target, version), "Host: 127.0.0.1:2379"]
    lines += ["%s: %s" % kv for kv in headers.items()]
    if body or method in ("PUT", "POST"):
        lines.append("Content-Length: %d" % len(body.encode()))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def content_type(headers):
    return next((v for k, v in headers.items() if k.lower() == "content-type"), "")


def keys_parse_seeds(requests):
    return ["%s\n%s\n%s\n%s" % (m, t, content_type(h), b) for m, t, h, b in requests
            if t.startswith("/v2/keys")]


def form_seeds(requests):
    seeds = []
    for m, t, h, b in requests:
        query = t.split("?", 1)[1] if "?" in t else ""
        seeds.append("%s\n%s\n%s\n%s" % (m, content_type(h), query, b))
    # form_test.cc's cases: bad escapes, ';', media types
    seeds += [
        "PUT\napplication/x-www-form-urlencoded\nx=1;y=2\nvalue=a+b%20c&=x&k&k=2&&k=%33",
        "PUT\napplication/x-www-form-urlencoded; charset=utf-8\n\nvalue=%zz",
        "POST\nAPPLICATION/X-WWW-FORM-URLENCODED ; a=\"b\\\"c\"\nttl=5\nvalue=1&&&=&dir",
        "PATCH\nmultipart/form-data; boundary=b\n%41=%4\n--b--",
        "PUT\ntext/\n\nvalue=1",
        "PUT\napplication/x-www-form-urlencoded; a=1; a=2\n\nvalue=1",
    ]
    return seeds


def go_path_seeds(requests):
    seeds = ["%s\n%s" % (m, t) for m, t, h, b in requests]
    seeds += ["GET\n/v2/keys/a/../b//c/./d/", "HEAD\n/v2/keys/%2F%2e%2E/x?y=1",
              "GET\n//v2/keys/%00%ff\xc3\xa9", "PUT\n/v2/keys/a%zz", "GET\n/..%2f..%2fetc"]
    return seeds


def http_request_seeds(requests):
    seeds = [raw_http(*r) for r in requests]
    pipelined = "".join(raw_http(*r) for r in requests[:3])
    seeds += [
        pipelined,
        "GET /v2/keys/a HTTP/1.0\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "PUT /v2/keys/a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n7\r\nvalue=1\r\n0\r\n\r\n",
        "PUT /v2/keys/a HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\nvalue=1",
        "GET http://127.0.0.1:2379/v2/keys/a?recursive=true HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\n\r\n",
        "POST /raft HTTP/1.1\r\nHost: a\r\nX-Server-From: 8e9e05c52164694d\r\n"
        "X-Etcd-Cluster-Id: cdf818194e3a8c32\r\nContent-Type: application/protobuf\r\n"
        "Content-Length: 2\r\n\r\n\x01\x00",
    ]
    return seeds


# ---- Binary encodings (formats in server/transport/codec.cc,
# server/etcdserver/request.cc, server/raft/messages.cc, server/store/snapshot.cc) ----

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zigzag(v):
    return varint(((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF)


def lenbytes(b):
    b = b.encode() if isinstance(b, str) else b
    return varint(len(b)) + b


def v2_request(method, path, val="", prev_value="", prev_index=0, expiration=0, flags=0, rid=7):
    return (varint(1) + varint(rid) + lenbytes(method) + lenbytes(path) + lenbytes(val) +
            lenbytes(prev_value) + varint(prev_index) + zigzag(expiration) + varint(0) + zigzag(0) +
            varint(flags))


def conf_change(kind, node_id, peer_urls, rid=9):
    ctx = varint(rid) + varint(len(peer_urls)) + b"".join(lenbytes(u) for u in peer_urls)
    return bytes([kind]) + node_id.to_bytes(8, "little") + ctx


# MessageType values
APP, APP_RESP, VOTE, VOTE_RESP, PRE_VOTE, PRE_VOTE_RESP, HEARTBEAT, HEARTBEAT_RESP, SNAP = range(9)
TIMEOUT_NOW, TRANSFER_LEADER, PROP, READ_INDEX, READ_INDEX_RESP = range(9, 14)
IDS = [0x8E9E05C52164694D, 0x91BC3C398FB3C146, 0xFD422379FDA50E48]


def message(mtype, term=2, log_term=2, index=5, commit=5, flags=0, hint=0, entries=(),
            snapshot=(0, 0, [], b""), context=b"", frm=IDS[0], to=IDS[1]):
    out = b"".join(varint(v) for v in (mtype, frm, to, term, log_term, index, commit, flags, hint))
    out += varint(len(entries))
    for etype, eterm, eindex, data in entries:
        out += varint(etype) + varint(eterm) + varint(eindex) + lenbytes(data)
    sindex, sterm, voters, sdata = snapshot
    out += varint(sindex) + varint(sterm) + varint(len(voters)) + b"".join(varint(v) for v in voters)
    out += lenbytes(sdata) + lenbytes(context)
    return out


def batch(*messages):
    return b"\x01" + varint(len(messages)) + b"".join(messages)


def peer_message_seeds():
    put = v2_request("PUT", "/1/foo", "bar")
    ttl = v2_request("PUT", "/1/dir", "", expiration=1700000005000000000, flags=1)
    cas = v2_request("PUT", "/1/foo", "baz", prev_value="bar", prev_index=4)
    sync = v2_request("SYNC", "", rid=0)
    add = conf_change(0, IDS[2], ["http://127.0.0.1:22380"])
    remove = conf_change(1, IDS[1], [])
    entries = [(0, 2, 6, put), (0, 2, 7, ttl), (1, 2, 8, add), (0, 2, 9, b"")]
    return [
        batch(message(APP, entries=entries)),
        batch(message(APP, entries=[(0, 3, 6, cas), (0, 3, 7, sync), (1, 3, 8, remove)]),
              message(HEARTBEAT, index=0, log_term=0)),
        batch(message(APP, flags=2)),
        batch(message(APP_RESP, flags=1, hint=3, frm=IDS[1], to=IDS[0])),
        batch(message(VOTE, term=3), message(PRE_VOTE, term=4, context=b"CampaignTransfer")),
        batch(message(VOTE_RESP, flags=1), message(PRE_VOTE_RESP)),
        batch(message(HEARTBEAT_RESP, context=b"\x00\x00\x00\x00\x00\x00\x00\x01")),
        batch(message(SNAP, snapshot=(100, 2, sorted(IDS), store_snapshot(1)))),
        batch(message(TIMEOUT_NOW), message(TRANSFER_LEADER)),
        batch(message(PROP, term=0, entries=[(0, 0, 0, put)])),
        batch(message(READ_INDEX, term=0, entries=[(0, 0, 0, b"ctx")]), message(READ_INDEX_RESP)),
        batch(),
        put, ttl, cas, sync, add, remove,
    ]


# ---- Store snapshots ----

def tree_node(name, created, modified, expire=0, value=None, children=()):
    out = lenbytes(name) + bytes([0 if value is not None else 1]) + varint(created) + varint(modified)
    out += zigzag(expire)
    if value is not None:
        return out + lenbytes(value)
    return out + varint(len(children)) + b"".join(children)


def extern(key, value=None, is_dir=False, expire=0, modified=1, created=1, nodes=()):
    flags = (1 if is_dir else 0) | (2 if value is not None else 0)
    out = lenbytes(key) + bytes([flags]) + (lenbytes(value) if value is not None else b"")
    return out + zigzag(expire) + varint(modified) + varint(created) + varint(len(nodes)) + b"".join(nodes)


def event(action, index, node, prev=None, refresh=False, happened=0):
    flags = (1 if refresh else 0) | (2 if prev is not None else 0) | (4 if happened else 0)
    out = lenbytes(action) + bytes([flags]) + varint(index)
    if happened:
        out += varint(happened)
    return out + node + (prev if prev is not None else b"")


def store_snapshot(variant):
    """A store after a few writes: /0 membership, user keys, a TTL'd dir, history."""
    t = 1700000005000000000
    member = tree_node("8e9e05c52164694d", 1, 1, children=[
        tree_node("raftAttributes", 1, 1, value='{"peerURLs":["http://127.0.0.1:2380"]}'),
        tree_node("attributes", 2, 2, value='{"name":"default","clientURLs":["http://127.0.0.1:2379"]}')])
    zero = tree_node("0", 1, 1, children=[tree_node("members", 1, 1, children=[member]),
                                          tree_node("version", 3, 3, value="3.4.0")])
    user = [tree_node("foo", 4, 5, value="bar"),
            tree_node("dir", 6, 6, expire=t, children=[tree_node("k", 7, 7, value="v")])]
    if variant == 0:
        return b"kvstore1" + varint(0) + tree_node("", 0, 0, children=[]) + varint(0)
    root = tree_node("", 0, 0, children=[zero, tree_node("1", 4, 4, children=user)])
    history = [
        event("set", 4, extern("/1/foo", "baz", modified=4, created=4)),
        event("set", 5, extern("/1/foo", "bar", modified=5, created=4),
              prev=extern("/1/foo", "baz", modified=4, created=4)),
        event("set", 6, extern("/1/dir", is_dir=True, expire=t, modified=6, created=6), happened=t - 5000000000),
        event("create", 7, extern("/1/dir/k", "v", modified=7, created=7)),
    ]
    if variant == 2:
        history.append(event("update", 8, extern("/1/dir", is_dir=True, expire=t + 1, modified=8, created=6),
                             prev=extern("/1/dir", is_dir=True, expire=t, modified=6, created=6,
                                         nodes=[extern("/1/dir/k", "v", modified=7, created=7)]),
                             refresh=True))
    index = 7 + (variant == 2)
    return b"kvstore1" + varint(index) + root + varint(len(history)) + b"".join(history)


# ---- Configuration: YAML files and command lines (tests/unit/config) ----

YAML_FULL = """name: infra1
data-dir: /var/lib/x
snapshot-count: 5000
heartbeat-interval: 50
election-timeout: 500
listen-peer-urls: http://10.0.0.1:2380
listen-client-urls: http://127.0.0.1:2379,http://10.0.0.1:2379
advertise-client-urls: http://10.0.0.1:2379
initial-advertise-peer-urls: http://10.0.0.1:2380
initial-cluster: infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380
initial-cluster-state: existing
initial-cluster-token: tok
enable-v2: true
strict-reconfig-check: false
proxy: readonly
discovery-fallback: exit
log-outputs: [stderr]
unknown-key: ignored
"""

YAML_SAMPLE = """# etcd.conf.yml.sample's shape
name: 'default'
data-dir:
wal-dir:
snapshot-count: 10000
heartbeat-interval: 100
election-timeout: 1000
quota-backend-bytes: 0
listen-peer-urls: http://localhost:2380
listen-client-urls: http://localhost:2379
max-snapshots: 5
max-wals: 5
cors:
initial-advertise-peer-urls: http://localhost:2380
advertise-client-urls: http://localhost:2379
discovery:
discovery-fallback: 'proxy'
discovery-proxy:
discovery-srv:
initial-cluster:
initial-cluster-token: 'etcd-cluster'
initial-cluster-state: 'new'
strict-reconfig-check: false
enable-v2: true
enable-pprof: true
proxy: 'off'
proxy-failure-wait: 5000
proxy-refresh-interval: 30000
proxy-dial-timeout: 1000
proxy-write-timeout: 5000
proxy-read-timeout: 0
client-transport-security:
  cert-file:
  key-file:
  client-cert-auth: false
  trusted-ca-file:
  auto-tls: false
peer-transport-security:
  cert-file:
  key-file:
  client-cert-auth: false
  trusted-ca-file:
  auto-tls: false
debug: false
logger: zap
log-outputs: [stderr]
force-new-cluster: false
auto-compaction-mode: periodic
auto-compaction-retention: "1"
"""

YAML_SEEDS = [
    YAML_FULL, YAML_SAMPLE, "", "name: [a\n", "election-timeout: abc\n", "election-timeout: \"1000\"\n",
    "snapshot-count: -1\n", "enable-v2: maybe\n", "election-timeout: 1\n", "listen-client-urls: ftp://x:1\n",
    "initial-cluster-state: foo\n", "proxy: foo\n", "- a\n- b\n", "enable-v2: yes\nname: 0x10\n",
    "discovery: http://d:1/t\n", "peer-transport-security:\n  key-file: /pk.pem\n",
    "base: &b {name: x, snapshot-count: 7}\n<<: *b\ncors: [\"http://a\", \"*\"]\n",
    "name: !!str 123\nmax-request-bytes: 1e3\nlog-level: |\n  debug\n---\nname: second\n",
    "discovery-srv: example.com\ndiscovery-srv-name: c1\ninitial-advertise-peer-urls: http://infra0.example.com:2380\n",
]

FLAG_SEEDS = [
    "--name\ninfra0\n--initial-advertise-peer-urls\nhttp://10.0.1.10:2380\n--listen-peer-urls\n"
    "http://10.0.1.10:2380\n--listen-client-urls\nhttp://10.0.1.10:2379,http://127.0.0.1:2379\n"
    "--advertise-client-urls\nhttp://10.0.1.10:2379\n--initial-cluster-token\netcd-cluster-1\n"
    "--initial-cluster\ninfra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380\n"
    "--initial-cluster-state\nnew\n",
    "-name=a\n-enable-v2\n--snapshot-count=0x10\n--heartbeat-interval\n0b101\n-election-timeout=1_000\n",
    "--proxy\non\n--discovery\nhttps://discovery.etcd.io/3e86b59982e49066c5d813af1c2e2579cbf573de\n",
    "--discovery-srv\nexample.com\n--discovery-srv-name=c1\n--discovery-fallback\nexit\n",
    "--config-file\n/etc/kvraft.yml\n--name\nignored\n\nETCD_SNAPSHOT_COUNT=1\n\nname: fromfile\n",
    "\nETCD_NAME=envname\nETCD_SNAPSHOT_COUNT=7\nETCD_ENABLE_V2=1\nETCD_FOO=abc\nPATH=/bin\n",
    "--name\ny\n\nETCD_NAME=x\n",
    "---bad\n",
    "--help\n",
    "--version\n--\nextra\n",
    "-strict-reconfig-check=maybe\n-cors\nhttp://a,*\n--host-whitelist=a.example.com\n",
    "--listen-client-urls\nhttps://127.0.0.1:2379\n--advertise-client-urls\nhttp://127.0.0.1:2379\n",
    "--initial-cluster\na=http://[::1]:2380,b=unix://x\n--name\na\n--initial-advertise-peer-urls\nhttp://[::1]:2380\n",
    "--max-request-bytes\n18446744073709551616\n--quota-backend-bytes=-1\n--log-level\ndebug\n",
]


def flag_names():
    import re
    with open(os.path.join(ROOT, "server", "config", "flags.cc")) as f:
        return sorted(set(re.findall(r'[A-Za-z]+\("([a-z0-9-]+)"', f.read())))


def write_dict(target, tokens):
    path = os.path.join(ROOT, "fuzz", target + ".dict")
    with open(path, "w") as f:
        f.write("# libFuzzer dictionary for %s (written by fuzz/seeds.py)\n" % target)
        for t in tokens:
            # libFuzzer's escapes: \\, \" and \xNN only
            f.write('"%s"\n' % "".join(c if " " <= c <= "~" and c not in '\\"' else
                                         ("\\" + c if c in '\\"' else "\\x%02x" % ord(c)) for c in t))


def write_dicts():
    names = flag_names()
    write_dict("flags", ["--" + n for n in names] + ["-" + n + "=" for n in names] +
               ["ETCD_" + n.upper().replace("-", "_") + "=" for n in names] +
               ["http://", "https://", "unix://", "127.0.0.1:2379", "[::1]:2380", "0x", "0b", "0o", "_", ","])
    write_dict("yaml_config", [n + ": " for n in names] +
               ["client-transport-security:", "peer-transport-security:", "\n  ", "---", "- ", "&a", "*a",
                "<<: ", "!!str", "!!int", "{", "}", "[", "]", "|", ">", "'", "\"", "yes", "no", "~", "null",
                "0x", "1e3", ".inf", "http://", "https://"])
    write_dict("members_json", JSON_TOKENS)
    params = ["value=", "ttl=", "dir=true", "prevExist=false", "prevValue=", "prevIndex=", "recursive=true",
              "sorted=true", "wait=true", "waitIndex=", "quorum=true", "stream=true", "refresh=true",
              "noValueOnSuccess=true", "&", ";", "%", "%zz", "%00", "%2F", "+", "="]
    write_dict("form", params + ["application/x-www-form-urlencoded", "multipart/form-data", "; charset=",
                                 "PUT", "POST", "PATCH", "GET"])
    write_dict("keys_parse", params + ["/v2/keys/", "/../", "/./", "//", "?", "application/x-www-form-urlencoded",
                                       "PUT", "POST", "DELETE", "HEAD", "GET"])
    write_dict("go_path", ["/", "//", "/./", "/../", "..", "%2F", "%2e", "%00", "%ff", "%", "?", "+", "#",
                           "/v2/keys", "GET", "HEAD", "\xc3\xa9"])
    write_dict("http_request", ["\r\n", "\r\n\r\n", " HTTP/1.1\r\n", " HTTP/1.0\r\n", "GET ", "PUT ",
                                "POST ", "DELETE ", "HEAD ", "OPTIONS ", "Host: ", "Content-Length: ",
                                "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
                                "Connection: close\r\n", "Connection: keep-alive\r\n",
                                "Expect: 100-continue\r\n", "Content-Type: application/x-www-form-urlencoded\r\n",
                                "0\r\n\r\n", ";ext=1", "Trailer: ", "http://", "/v2/keys/", "?", "%", " \t"])
    write_dict("discovery_answer", JSON_TOKENS + ["\"action\":", "\"node\":", "\"nodes\":", "\"key\":",
                                                 "\"value\":", "\"createdIndex\":", "\"modifiedIndex\":",
                                                 "\"errorCode\":", "\"cause\":", "\"index\":", "_config",
                                                 "/_etcd/registry/tok/"])


# ---- Member lists (answers of etcd 3.4 and kvraft, the proxy's file, /0 attributes) ----

MEMBERS_JSON_SEEDS = [
    "cdf818194e3a8c32\n[{\"id\":10276657743932975437,\"peerURLs\":[\"http://localhost:2380\"],"
    "\"name\":\"default\",\"clientURLs\":[\"http://localhost:2379\"]}]",
    "cdf818194e3a8c32\n[{\"id\":10276657743932975437,\"peerURLs\":[\"http://10.0.1.10:2380\"],\"name\":\"infra0\","
    "\"clientURLs\":[\"http://10.0.1.10:2379\"]},{\"id\":10501334649042878790,\"peerURLs\":"
    "[\"http://10.0.1.11:2380\"]}]",
    "\n{\"members\":[{\"id\":\"8e9e05c52164694d\",\"name\":\"default\",\"peerURLs\":[\"http://localhost:2380\"],"
    "\"clientURLs\":[\"http://localhost:2379\"]},{\"id\":\"91bc3c398fb3c146\",\"name\":\"\",\"peerURLs\":"
    "[\"http://127.0.0.1:22380\"],\"clientURLs\":[]}]}",
    "\n{\"id\":\"fd422379fda50e48\",\"name\":\"\",\"peerURLs\":[\"http://127.0.0.1:32380\"],\"clientURLs\":[]}",
    "\n{\"message\":\"Member permanently removed: 8e9e05c52164694d\"}",
    "\n{\"PeerURLs\":[\"http://127.0.0.1:2380\",\"http://127.0.0.1:22380\"]}",
    "\n{\"peerurls\":null,\"Other\":1}",
    "\n{\"peerURLs\":[\"http://127.0.0.1:2380\"]}",
    "\n{\"name\":\"default\",\"clientURLs\":[\"http://127.0.0.1:2379\"]}",
    "\n{\"peerURLs\": [\"http://a:1\",]}",
    "\n[1,2",
    "\n{\"name\":\"\\ud800\\u00e9\\n\",\"clientURLs\":[1e999,true,null,\"x\"]}",
    "\n" + "[" * 100 + "]" * 100,
    "0\n[{\"id\":1}]",
]

JSON_TOKENS = ["{", "}", "[", "]", ",", ":", "\"", "true", "false", "null", "-0", "1e999", "\\u00", "\\ud800",
               "\"id\":", "\"name\":", "\"peerURLs\":", "\"clientURLs\":", "\"members\":", "\"PeerURLs\":",
               "\"message\":", "\"http://127.0.0.1:2380\"", "18446744073709551615"]


# ---- Discovery service answers (etcd 3.4's, as the discovery unit tests fake them) ----

def discovery_seeds():
    tok = "/_etcd/registry/tok"
    ids = ["8e9e05c52164694d", "91bc3c398fb3c146", "fd422379fda50e48"]
    regs = [{"key": "%s/%s" % (tok, i), "value": "infra%d=http://10.0.1.1%d:2380" % (n, n),
             "modifiedIndex": 6 + n, "createdIndex": 6 + n} for n, i in enumerate(ids)]
    config = {"key": tok + "/_config", "dir": True, "modifiedIndex": 4, "createdIndex": 4}
    listing = {"action": "get", "node": {"key": tok, "dir": True, "nodes": [config] + regs[::-1],
                                         "modifiedIndex": 4, "createdIndex": 4}}
    size = {"action": "get", "node": {"key": tok + "/_config/size", "value": "3", "modifiedIndex": 5,
                                      "createdIndex": 5}}
    create = {"action": "create", "node": regs[0]}
    watch = {"action": "set", "node": regs[2], "prevNode": regs[1]}
    missing = {"errorCode": 100, "message": "Key not found", "cause": tok + "/_config", "index": 5}
    exists = {"errorCode": 105, "message": "Key already exists", "cause": regs[0]["key"], "index": 9}
    odd = {"errorCode": 300, "message": ["raft", {"internal": 1}], "cause": None, "index": "x"}
    d = json.dumps
    return [
        "200\n9\n3\n%s\n%s" % (ids[0], d(listing)),
        "200\n9\n2\n%s\n%s" % (ids[2], d(listing)),
        "200\n9\n3\n\n%s" % d(listing),
        "200\n5\n3\n%s\n%s" % (ids[0], d(size)),
        "201\n6\n1\n%s\n%s" % (ids[0], d(create)),
        "200\n8\n3\n%s\n%s" % (ids[0], d(watch)),
        "404\n5\n\n\n%s" % d(missing),
        "412\n9\n\n\n%s" % d(exists),
        "400\n\n\n\n%s" % d(odd),
        "500\n\n\n\n",
        "200\n9\n3\n\n",
        "200\n18446744073709551615\n3\n\n{\"node\":{\"nodes\":[{\"value\":\"a=http://[::1]:1,a=unix://b\"}]}}",
    ]


# ---- DNS answers to SRV queries (as dnsmasq sends them in tests/integration/test_dns_srv.py) ----

def dns_name(name, pointers=None):
    out = b""
    labels = name.split(".")
    for i in range(len(labels)):
        rest = ".".join(labels[i:])
        if pointers is not None and rest in pointers:
            return out + (0xC000 | pointers[rest]).to_bytes(2, "big")
        out += bytes([len(labels[i])]) + labels[i].encode()
    return out + b"\x00"


def srv_answer(qname, records, compress=True, rcode=0, txid=0x1234):
    header = txid.to_bytes(2, "big") + (0x8180 | rcode).to_bytes(2, "big")
    header += (1).to_bytes(2, "big") + len(records).to_bytes(2, "big") + b"\x00\x00\x00\x00"
    question = dns_name(qname) + (33).to_bytes(2, "big") + (1).to_bytes(2, "big")
    msg = header + question
    pointers = {qname: 12} if compress else None
    for prio, weight, port, target in records:
        rdata = prio.to_bytes(2, "big") + weight.to_bytes(2, "big") + port.to_bytes(2, "big")
        rdata += dns_name(target, pointers if compress else None)
        msg += (b"\xc0\x0c" if compress else dns_name(qname)) + (33).to_bytes(2, "big") + (1).to_bytes(2, "big")
        msg += (0).to_bytes(4, "big") + len(rdata).to_bytes(2, "big") + rdata
    return msg


def srv_seeds():
    q = "_etcd-server._tcp.example.com"
    three = [(0, 0, 2380, "infra%d.example.com" % i) for i in range(3)]
    return [
        srv_answer(q, three),
        srv_answer(q, three[::-1], compress=False),
        srv_answer(q, [(10, 5, 2380, "infra0.example.com"), (0, 60, 12380, "10.0.1.11"),
                       (0, 40, 2380, "infra2.example.com."), (65535, 65535, 65535, "a")]),
        srv_answer(q, [(0, 0, 2380, "infra0.example.com"), (0, 0, 2380, "infra0.example.com")]),
        srv_answer(q, []),
        srv_answer(q, [], rcode=3),
        srv_answer("_etcd-client._tcp.example.com", [(0, 0, 2379, "infra0.example.com")]),
    ]


GENERATORS = {
    "keys_parse": lambda: keys_parse_seeds(scenario_requests()),
    "form": lambda: form_seeds(scenario_requests()),
    "go_path": lambda: go_path_seeds(scenario_requests()),
    "http_request": lambda: http_request_seeds(scenario_requests()),
    "peer_message": peer_message_seeds,
    "store_snapshot": lambda: [store_snapshot(v) for v in range(3)],
    "yaml_config": lambda: YAML_SEEDS,
    "flags": lambda: FLAG_SEEDS,
    "members_json": lambda: MEMBERS_JSON_SEEDS,
    "discovery_answer": discovery_seeds,
    "srv_answer": srv_seeds,
}


def main():
    names = sys.argv[1:] or sorted(GENERATORS)
    for name in names:
        write(name, GENERATORS[name]())
    write_dicts()


if __name__ == "__main__":
    main()
