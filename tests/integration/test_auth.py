"""v2 auth: etcd's answers byte for byte, a permission matrix that leaks
nothing, auth across a cluster (restarts, new members, snapshots, leader
changes), login proofs and a wrong-password flood, and the proxy.

Differential checks run the same steps against a fresh real etcd 3.4 and
compare; the matrix also runs alone against etcd (KVRAFT_TEST_TARGET=etcd),
where its leak checks hold for etcd itself.
"""

import json
import os
import threading
import time

import harness
from auth_setup import ALICE, BOB, ROOT, UNAUTHORIZED, call, normalise, put_json, setup, tree
from harness import Server, TestFailure, check, check_eq, test
from test_cluster import TOKEN, leader_of, post_member, start_cluster, until_not_refused
from test_proxy import proxy_server, start_members, wait_listening

IDENTITIES = [
    ("guest", None), ("empty", {"Authorization": ""}), ("wrong", ("alice", "nope")),
    ("malformed", {"Authorization": "Basic !!!"}), ("no-colon", {"Authorization": "Basic YWxpY2U="}),
    ("unknown", ("mallory", "x")), ("bob", BOB), ("alice", ALICE), ("root", ROOT),
]
BAD_LOGINS = ("wrong", "malformed", "no-colon", "unknown")

READS = [
    ("GET", "/app/config"), ("GET", "/app/_hidden"), ("GET", "/app/"), ("GET", "/app?recursive=true"),
    ("GET", "/app/?recursive=true"), ("GET", "/app/?recursive=true&sorted=true"), ("GET", "/secret/pw"),
    ("GET", "/secret?recursive=true"), ("GET", "/apple"), ("GET", "/public"), ("GET", ""), ("GET", "/"),
    ("GET", "/?recursive=true"), ("HEAD", "/secret/pw"), ("HEAD", "/app/config"), ("HEAD", ""),
    ("GET", "/app/../secret/pw"), ("GET", "/app/%2e%2e/secret/pw"), ("GET", "//secret/pw"),
    ("GET", "/app%2F..%2Fsecret%2Fpw"), ("GET", "/app/./config"), ("GET", "/app/config/.."),
    ("GET", "/secret?wait=true"), ("GET", "/?wait=true&recursive=true"), ("GET", "/secret/pw?wait=true&waitIndex=1"),
    ("GET", "/secret?wait=true&recursive=true&waitIndex=1"), ("GET", "/secret?wait=true&stream=true"),
    ("GET", "/app/config?wait=true&waitIndex=1"), ("GET", "/app/?wait=true&recursive=true&waitIndex=1"),
    ("GET", "/secret/pw?quorum=true"), ("GET", "/app/config?quorum=true"),
]
WRITES = [
    ("PUT", "/app/new", {"value": "n"}), ("PUT", "/secret/pw", {"value": "x"}), ("POST", "/secret", {"value": "x"}),
    ("POST", "/app/queue", {"value": "j"}), ("PUT", "/secret/new?dir=true", None), ("PUT", "/_hidden", {"value": "x"}),
    ("PUT", "/app/../secret/pw", {"value": "x"}), ("PUT", "/apple", {"value": "x"}), ("PUT", "", {"value": "x"}),
    ("DELETE", "/secret/pw", None), ("DELETE", "/app?recursive=true", None), ("DELETE", "/?recursive=true&dir=true", None),
    ("PUT", "/app/sub?dir=true&prevExist=true&ttl=", None), ("DELETE", "/app/new", None),
    ("PUT", "/app/config?prevValue=app-config", {"value": "app-config"}),
]


def cell(s, who, creds, method, path, form=None):
    r = call(s, method, "/v2/keys" + path, creds, form=form)
    return r, (who, method, path, r.status, r.headers.get("location"))


def check_refusal(r, method, what):
    if r.status != 401:
        return
    check_eq(r.body, b"" if method == "HEAD" else UNAUTHORIZED, "401 body of " + what)
    check_eq(r.headers.get("x-etcd-index"), "0", "X-Etcd-Index of the 401 of " + what)


def run_matrix(s):
    """Every identity tries every read and write; returns the answers as
    comparable rows. Fails at once on any leak or refused write that wrote."""
    base = int(call(s, "GET", "/v2/keys/", ROOT).headers["x-etcd-index"])
    rows = []
    for who, creds in IDENTITIES:
        for method, path in READS:
            if who == "root" and "wait=true" in path and "waitIndex" not in path:
                continue  # allowed, so it would wait for the next change
            r, row = cell(s, who, creds, method, path)
            what = "%s %s %s" % (who, method, path)
            check_refusal(r, method, what)
            if who != "root":
                check(b"SECRET" not in r.body, "%s: a secret leaked: %r" % (what, r.body[:300]))
            if who in BAD_LOGINS and r.status != 301:
                check_eq(r.status, 401, what)
            rows.append(row + (normalise(r.body, base),))
        for method, path, form in WRITES:
            target = path.split("?")[0]
            probe = "/v2/keys" + target + "?sorted=true"  # listings are otherwise in any order
            before = (tree(s), call(s, "GET", probe, ROOT).body)
            r, row = cell(s, who, creds, method, path, form)
            what = "%s %s %s" % (who, method, path)
            check_refusal(r, method, what)
            if r.status not in (200, 201):
                after = (tree(s), call(s, "GET", probe, ROOT).body)
                check_eq(after, before, "the store after the refused " + what)
            if who in BAD_LOGINS and r.status != 301:
                check_eq(r.status, 401, what)
            rows.append(row + (normalise(r.body, base),))
    return rows


def expect(rows, who, method, path, status):
    for row in rows:
        if row[:3] == (who, method, path):
            check_eq(row[3], status, "%s %s %s" % (who, method, path))
            return
    raise TestFailure("no row for %s %s %s" % (who, method, path))


@test(timeout=300)
def permission_matrix_leaks_nothing_and_matches_etcd():
    sut = Server().start()
    setup(sut)
    got = run_matrix(sut)
    # What etcd 3.4 does, spelled out for the main rules.
    for who, method, path, status in [
            ("alice", "GET", "/app/config", 200), ("alice", "GET", "/app?recursive=true", 401),
            ("alice", "GET", "/app/?recursive=true", 200), ("alice", "GET", "/apple", 401),
            ("alice", "GET", "/secret?wait=true", 401), ("alice", "GET", "/app/config?wait=true&waitIndex=1", 200),
            ("alice", "PUT", "/app/new", 201), ("alice", "POST", "/secret", 401), ("alice", "POST", "/app/queue", 201),
            ("alice", "DELETE", "/app?recursive=true", 401), ("bob", "PUT", "/app/new", 401),
            ("bob", "GET", "/public", 200), ("guest", "GET", "/public", 200), ("guest", "GET", "/app/config", 401),
            ("guest", "GET", "/app/../secret/pw", 301), ("guest", "GET", "//secret/pw", 301),
            ("empty", "GET", "/public", 200), ("root", "GET", "/secret/pw", 200), ("alice", "GET", "", 401),
            ("alice", "GET", "/", 401), ("alice", "HEAD", "/secret/pw", 401), ("alice", "GET", "/app/_hidden", 200)]:
        expect(got, who, method, path, status)
    if harness.TARGET == "etcd":
        return
    ref = Server(kind="etcd").start()
    setup(ref)
    want = run_matrix(ref)
    diffs = ["%s\n      got  %r\n      want %r" % (g[:3], g[3:], w[3:]) for g, w in zip(got, want) if g != w]
    check(not diffs, "%d answers differ from etcd:\n    %s" % (len(diffs), "\n    ".join(diffs[:20])))


# Requests whose raw answers (status, the headers below, body bytes) must be etcd's.
RAW_STEPS = [
    ("GET", "/v2/auth/enable", None, None), ("GET", "/v2/auth/users", None, None), ("GET", "/v2/auth/roles", None, None),
    ("HEAD", "/v2/auth/users", None, None), ("POST", "/v2/auth/users/x", None, None), ("GET", "/v2/auth/users/a/b", None, None),
    ("GET", "/v2/auth", None, None), ("PUT", "/v2/auth/users/root", None, "not json"),
    ("PUT", "/v2/auth/users/root", None, '{"user":"root","password":"rootpw"}'),
    ("PUT", "/v2/auth/roles/r", None, '{"role":"r","permissions":{"kv":{"read":["/a<b>&"]}}}'),
    ("GET", "/v2/auth/roles/r", None, None), ("GET", "/v2/auth/users/root", None, None),
    ("PUT", "/v2/auth/enable", None, None), ("PUT", "/v2/auth/enable", ROOT, None),
    ("GET", "/v2/auth/users", None, None), ("GET", "/v2/auth/users", ("root", "bad"), None),
    ("GET", "/v2/keys/x", ("root", "bad"), None), ("HEAD", "/v2/keys/x", ("root", "bad"), None),
    ("POST", "/v2/members", None, '{"peerURLs":["http://127.0.0.1:1"]}'),
    ("DELETE", "/v2/auth/users/root", ROOT, None), ("DELETE", "/v2/auth/roles/r", ROOT, None),
    ("DELETE", "/v2/auth/enable", ROOT, None), ("DELETE", "/v2/auth/enable", ROOT, None),
    ("DELETE", "/v2/auth/users/root", None, None), ("DELETE", "/v2/auth/users/root", None, None),
]
RAW_HEADERS = ("content-type", "x-etcd-cluster-id", "x-etcd-index", "allow", "content-length")


def raw_transcript(s):
    out = []
    for method, path, creds, body in RAW_STEPS:
        r = call(s, method, path, creds, body=body, headers={"Content-Type": "application/json"} if body else None)
        headers = {h: ("<id>" if h == "x-etcd-cluster-id" else r.headers.get(h)) for h in RAW_HEADERS}
        if method == "HEAD":
            # kvraft's HTTP layer sends no Content-Length on any HEAD answer
            # (etcd sends the length of the body it leaves out): not auth's.
            headers.pop("content-length")
        out.append(("%s %s" % (method, path), r.status, headers, r.body))
    return out


@test(timeout=120, targets=("kvraft",))
def auth_answers_match_etcd_byte_for_byte():
    ref = Server(kind="etcd").start()
    sut = Server().start()
    want, got = raw_transcript(ref), raw_transcript(sut)
    diffs = ["%s\n      got  %r\n      want %r" % (g[0], g[1:], w[1:]) for g, w in zip(got, want) if g != w]
    check(not diffs, "%d answers differ from etcd:\n    %s" % (len(diffs), "\n    ".join(diffs)))


def wait_for(fn, what, timeout=20.0):
    deadline = time.time() + timeout
    while True:
        last = fn()
        if last is True:
            return
        if time.time() > deadline:
            raise TestFailure("%s: still %r after %.0fs" % (what, last, timeout))
        time.sleep(0.1)


def enforced(m):
    """The shared layout's rules hold on member m (guest, alice, bob, root)."""
    checks = [(None, "GET", "/v2/keys/public", 200), (None, "GET", "/v2/keys/app/config", 401),
              (None, "PUT", "/v2/keys/public", 401), (ALICE, "GET", "/v2/keys/app/config", 200),
              (ALICE, "GET", "/v2/keys/secret/pw", 401), (BOB, "PUT", "/v2/keys/app/b", 401),
              (ROOT, "GET", "/v2/keys/secret/pw", 200), (None, "GET", "/v2/auth/users", 401),
              (ROOT, "GET", "/v2/auth/users", 200), (ALICE, "POST", "/v2/members", 401)]
    for creds, method, path, status in checks:
        r = call(m, method, path, creds, form={"value": "v"} if method == "PUT" else None,
                 body='{"peerURLs":["http://127.0.0.1:1"]}' if path == "/v2/members" else None,
                 headers={"Content-Type": "application/json"} if path == "/v2/members" else None)
        if r.status != status:
            return "%s %s as %s: %d" % (method, path, creds and creds[0], r.status)
    return True


@test(timeout=360, targets=("kvraft",))
def auth_on_one_member_holds_on_all_through_restarts_snapshots_and_new_members():
    members = start_cluster(3, args=["--snapshot-count", "20", "--experimental-snapshot-catchup-entries", "5"])
    setup(members[1])
    for m in members:
        wait_for(lambda: enforced(m), "auth enforced on %s" % m.name)
    # A user's password change and a role change apply on every member at once.
    put_json(members[0], "/v2/auth/users/alice", {"user": "alice", "password": "alice2"}, ROOT)
    put_json(members[0], "/v2/auth/roles/app_ro", {"role": "app_ro", "grant": {"kv": {"write": ["/app/*"]}}}, ROOT)
    for m in members:
        wait_for(lambda: call(m, "GET", "/v2/keys/app/config", ALICE).status == 401 or "old password works",
                 "alice's old password refused on %s" % m.name)
        wait_for(lambda: call(m, "PUT", "/v2/keys/app/b", BOB, form={"value": "b"}).status in (200, 201)
                 or "bob cannot write", "bob's new write permission on %s" % m.name)
    put_json(members[0], "/v2/auth/users/alice", {"user": "alice", "password": ALICE[1]}, ROOT)
    put_json(members[0], "/v2/auth/roles/app_ro", {"role": "app_ro", "revoke": {"kv": {"write": ["/app/*"]}}}, ROOT)
    # Enough writes for snapshots, then a member added after auth was enabled
    # installs one and enforces from its first request.
    for i in range(60):
        check(call(members[0], "PUT", "/v2/keys/app/k%d" % (i % 7), ALICE, form={"value": str(i)}).status in (200, 201),
              "write %d" % i)
    new = Server(name="infra3")
    check_eq(post_member(members[0], new.peer_url).status, 401, "adding a member without credentials")
    r = until_not_refused(lambda: call(members[0], "POST", "/v2/members", ROOT,
                                       body='{"peerURLs":["%s"]}' % new.peer_url,
                                       headers={"Content-Type": "application/json"}))
    check_eq(r.status, 201, "POST /v2/members as root: %r" % r.body[:200])
    new.cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members + [new])
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"]
    new.start(timeout=90)
    first = call(new, "GET", "/v2/keys/secret/pw")
    check_eq(first.status, 401, "the new member's first guest read of a secret: %r" % first.body[:200])
    wait_for(lambda: enforced(new), "auth enforced on the new member")
    check("restored store from snapshot" in new.log_text(), "the new member started from a snapshot")
    members.append(new)
    # A restarted member and a new leader keep enforcing.
    members[2].restart(timeout=90)
    check_eq(call(members[2], "GET", "/v2/keys/secret/pw").status, 401, "first read after a restart")
    leader = leader_of(members)
    leader.kill9()
    rest = [m for m in members if m is not leader]
    leader_of(rest, timeout=60)
    for m in rest:
        wait_for(lambda: enforced(m), "auth enforced on %s after the leader was lost" % m.name)
    leader.start(timeout=90)
    check_eq(call(leader, "GET", "/v2/keys/secret/pw").status, 401, "first read of the old leader after its restart")


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def p99(samples):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * 0.99))]


def timed_gets(s, creds, seconds):
    out = []
    end = time.time() + seconds
    while time.time() < end and len(out) < 5000:
        t = time.time()
        r = call(s, "GET", "/v2/keys/app/config", creds)
        check_eq(r.status, 200, "a GET of a logged-in client")
        out.append(time.time() - t)
    return out


@test(timeout=180, targets=("kvraft",))
def logins_are_remembered_and_a_wrong_password_flood_slows_only_itself():
    s = Server().start()
    setup(s)
    # The first request of a login pays the bcrypt; later ones do not.
    t = time.time()
    check_eq(call(s, "GET", "/v2/keys/app/config", ALICE).status, 200, "first GET as alice")
    first = time.time() - t
    fast = timed_gets(s, ALICE, 1.0)
    check(sorted(fast)[len(fast) // 2] < max(first / 3, 0.02),
          "remembered logins are cheap: median %.4fs vs first %.4fs" % (sorted(fast)[len(fast) // 2], first))
    baseline = p99(timed_gets(s, ALICE, 2.0))
    rss0, fds0 = rss_kb(s.proc.pid), len(os.listdir("/proc/%d/fd" % s.proc.pid))
    stop = threading.Event()
    answers = {}
    lock = threading.Lock()

    def flood(n):
        i = 0
        while not stop.is_set() and i < 20000:
            i += 1
            try:
                r = call(s, "GET", "/v2/keys/app/config", ("alice", "guess-%d-%d" % (n, i)), timeout=10)
                with lock:
                    answers[r.status] = answers.get(r.status, 0) + 1
            except OSError:
                with lock:
                    answers["error"] = answers.get("error", 0) + 1
    threads = [threading.Thread(target=flood, args=(n,)) for n in range(32)]
    for th in threads:
        th.start()
    try:
        time.sleep(1.0)
        during = p99(timed_gets(s, ALICE, 4.0))
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    harness.log("GET p99 %.4fs without the flood, %.4fs with it; flood answers %r" % (baseline, during, answers))
    check(set(answers) <= {401, 503}, "the flood got only 401 and 503: %r" % answers)
    check(answers.get(401, 0) > 0, "some wrong passwords were checked: %r" % answers)
    check(during < max(10 * baseline, 0.25),
          "others' GET p99 under the flood: %.4fs (without: %.4fs)" % (during, baseline))
    check_eq(call(s, "GET", "/v2/keys/app/config", ALICE).status, 200, "alice after the flood")
    wait_for(lambda: len(os.listdir("/proc/%d/fd" % s.proc.pid)) <= fds0 + 20 or "fds", "open fds back")
    check(rss_kb(s.proc.pid) < rss0 + (64 + harness.ASAN_RSS_ALLOWANCE_MB) * 1024, "RSS within 64 MB of before the flood")
    # A password change forgets the proof at once; the new password works.
    put_json(s, "/v2/auth/users/alice", {"user": "alice", "password": "newpw"}, ROOT)
    check_eq(call(s, "GET", "/v2/keys/app/config", ALICE).status, 401, "the old password after a change")
    check_eq(call(s, "GET", "/v2/keys/app/config", ("alice", "newpw")).status, 200, "the new password")
    # A revoked role applies at once to a remembered login.
    put_json(s, "/v2/auth/users/alice", {"user": "alice", "revoke": ["app_rw"]}, ROOT)
    check_eq(call(s, "GET", "/v2/keys/app/config", ("alice", "newpw")).status, 401, "after the role was revoked")
    # Restart: the rules (and hashes) survive; proofs do not need to.
    s.restart()
    check_eq(call(s, "GET", "/v2/keys/app/config", BOB).status, 200, "bob after a restart")
    check_eq(call(s, "GET", "/v2/keys/secret/pw").status, 401, "guest after a restart")
    check("newpw" not in s.log_text() and "alicepw" not in s.log_text(), "no password in the log")


@test(timeout=120, targets=("kvraft",))
def the_proxy_forwards_credentials_and_answers():
    members, cluster = start_members(1)
    setup(members[0])
    p = proxy_server(cluster)
    p.spawn()
    wait_listening(p)
    wait_for(lambda: enforced(p), "auth through the proxy")
    r = call(p, "GET", "/v2/keys/x", ("root", "bad"))
    check_eq((r.status, r.body), (401, UNAUTHORIZED), "a wrong password through the proxy")
    r = call(p, "GET", "/v2/auth/users", ROOT)
    check_eq(r.status, 200, "GET /v2/auth/users as root through the proxy")
    check_eq(json.loads(r.body)["users"][0]["user"], "alice", "the users through the proxy")
