"""Backup, restore and disaster recovery: --force-new-cluster, `kvraftctl
backup` (offline, as etcdctl v2's) and `kvraftctl snapshot save/restore`
(online, kvraft's own), checked by what a client sees afterwards: every key,
directory, TTL and index as it was."""

import os
import socket
import time

from harness import REPO, Server, TestFailure, check, check_eq, http, log, run_cli, test
from test_cluster import TOKEN, Writers, add_member, leader_of, start_cluster

KVRAFTCTL = os.environ.get("KVRAFTCTL_BIN", os.path.join(REPO, "build/bin/kvraftctl"))
NEW_TOKEN = "restored-cluster"


def ctl(*args, timeout=60):
    """kvraftctl ARGS -> (exit code, stdout, stderr)."""
    return run_cli([KVRAFTCTL] + list(args), timeout=timeout)


def ctl_ok(*args, timeout=60):
    rc, out, err = ctl(*args, timeout=timeout)
    check_eq(rc, 0, "kvraftctl %s (stderr: %s)" % (" ".join(args), err[-500:]))
    return out


def snapshot_index(path):
    """The store index `snapshot status` reports for a snapshot file."""
    out = ctl_ok("snapshot", "status", path)
    fields = dict(line.split(": ", 1) for line in out.splitlines())
    return int(fields["index"])


def new_members(names):
    """Servers (not started) forming a new cluster of `names` with NEW_TOKEN."""
    members = [Server(name=n) for n in names]
    cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members)
    for m in members:
        m.cluster = cluster
        m.extra_args = ["--initial-cluster-token", NEW_TOKEN]
    return members


def restore_args(path, m):
    return ["snapshot", "restore", path, "--data-dir", m.data_dir, "--name", m.name,
            "--initial-cluster", m.cluster, "--initial-cluster-token", NEW_TOKEN,
            "--initial-advertise-peer-urls", m.peer_url]


def start_all(members):
    for m in members:
        m.spawn()
    for m in members:
        m.wait_ready(timeout=30)


def tree(m, quorum=False):
    """Every node under / as key -> (value, dir, createdIndex, modifiedIndex, expiration)."""
    params = "?recursive=true&sorted=true" + ("&quorum=true" if quorum else "")
    r = http("GET", m.url + "/v2/keys/" + params, timeout=10)
    check_eq(r.status, 200, "GET / recursive on %s" % m.name)
    out = {}

    def walk(node):
        for n in node.get("nodes", []):
            out[n["key"]] = (n.get("value"), n.get("dir", False), n["createdIndex"],
                             n["modifiedIndex"], n.get("expiration"))
            walk(n)
    walk(r.json()["node"])
    return out


def etcd_index(m):
    return int(http("GET", m.url + "/v2/keys/", timeout=5).headers["x-etcd-index"])


def seed(m):
    """A directory, a key with a TTL and a few plain keys, besides what writers write."""
    check_eq(http("PUT", m.url + "/v2/keys/seed/dir?dir=true").status, 201, "mkdir")
    check_eq(m.put("/seed/ttl", "t", ttl=3600).status, 201, "PUT with a TTL")
    for i in range(5):
        check_eq(m.put("/seed/k%d" % i, "v%d" % i).status, 201, "PUT")


def write_load(members, prefix, writes=300):
    """4 bounded writers through every member until `writes` more are acknowledged."""
    with Writers(lambda: members, prefix, count=4, per_writer=2000, max_seconds=60) as w:
        got = w.wait_more(writes, timeout=60)
    check(got >= writes, "only %d writes were acknowledged" % got)
    return w


def wait_caught_up(m, index, timeout=20.0):
    deadline = time.time() + timeout
    while etcd_index(m) < index:
        if time.time() > deadline:
            raise TestFailure("%s stays at index %d < %d" % (m.name, etcd_index(m), index))
        time.sleep(0.05)


def member_names(m):
    r = http("GET", m.url + "/v2/members")
    check_eq(r.status, 200, "GET /v2/members")
    return sorted(x["name"] for x in r.json()["members"])


def grow(first, names):
    """Adds members by member add + --initial-cluster-state existing; returns them."""
    cluster = [first]
    for name in names:
        new = Server(name=name)
        r = add_member(first, new.peer_url)
        check_eq(r.status, 201, "member add %s: %s" % (name, r.body[:200]))
        new.cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in cluster + [new])
        new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"]
        new.start(timeout=30)
        cluster.append(new)
    return cluster


def same_tree(members, want, what):
    """Every member (once caught up) holds exactly `want` under /."""
    for m in members:
        deadline = time.time() + 20
        while True:
            got = tree(m)
            if got == want or time.time() > deadline:
                break
            time.sleep(0.1)
        missing = sorted(set(want) - set(got))[:5]
        extra = sorted(set(got) - set(want))[:5]
        changed = sorted(k for k in want if k in got and got[k] != want[k])[:5]
        check(got == want, "%s on %s: missing %s, extra %s, changed %s" % (
            what, m.name, missing, extra, [(k, want[k], got[k]) for k in changed]))


# kvraft only: etcd 3.4 drops the log entries past the commit index it last
# saved, which loses acknowledged writes here (measured: the last write of
# two of the four writers), and renumbers every index.
@test(timeout=240, targets=("kvraft",))
def force_new_cluster_after_losing_two_of_three():
    members = start_cluster(3)
    seed(members[0])
    w = write_load(members, "load")
    leader = leader_of(members)
    survivor = next(m for m in members if m is not leader)
    wait_caught_up(survivor, etcd_index(leader))
    before = tree(survivor)
    for key in w.acked:
        check(key in before, "acknowledged %s is on the survivor" % key)
    for m in members:
        m.kill9()
    survivor.extra_args = survivor.extra_args + ["--force-new-cluster"]
    survivor.start(timeout=30)
    check_eq(member_names(survivor), [survivor.name], "members after --force-new-cluster")
    same_tree([survivor], before, "the store after --force-new-cluster")
    check_eq(survivor.put("/after/force", "v").status, 201, "a write to the one-member cluster")
    # The flag is no longer needed: a plain restart keeps the one-member cluster.
    survivor.extra_args = survivor.extra_args[:-1]
    survivor.restart(timeout=30)
    check_eq(member_names(survivor), [survivor.name], "members after a plain restart")
    # It grows again by member add.
    cluster = grow(survivor, ["new1", "new2"])
    check_eq(cluster[2].put("/after/grow", "v").status, 201, "a write through a new member")
    want = tree(survivor, quorum=True)
    check("/after/grow" in want and "/after/force" in want, "writes after the recovery are kept")
    same_tree(cluster, want, "the store of the grown cluster")
    # An old member that comes back alone learns it was removed, and stops.
    old = next(m for m in members if m is not survivor)
    old.spawn()
    check_eq(old.wait_exit(30), 0, "exit code of a removed old member that came back")


def check_cut(restored, writers, backup_index, began, what):
    """Every write acknowledged before the backup began is in `restored` with
    its modifiedIndex; every write is there exactly when its index is at most
    the backup's."""
    got = tree(restored)
    early = 0
    for key, (index, acked_at) in writers.acked_at.items():
        if acked_at < began:
            early += 1
            check(index <= backup_index, "%s, acknowledged before the backup began, has index %d > the "
                  "backup's %d" % (key, index, backup_index))
        if index <= backup_index:
            check(key in got, "%s: %s (index %d <= %d) is missing" % (what, key, index, backup_index))
            check_eq(got[key][0:4:3], (writers.acked[key], index), "%s: value and modifiedIndex of %s" % (what, key))
        else:
            check(key not in got, "%s: %s (index %d > %d) is there" % (what, key, index, backup_index))
    check(early > 0, "writes were acknowledged before the backup began")
    check(any(index > backup_index for index, _ in writers.acked_at.values()),
          "writes were acknowledged after the backup's index")
    return got


@test(timeout=300, targets=("kvraft",))
def online_snapshot_under_load_restores_into_a_new_cluster():
    members = start_cluster(3)
    seed(members[0])
    leader = leader_of(members)
    follower = next(m for m in members if m is not leader)
    path = os.path.join(follower.tmp, "backup.snap")
    with Writers(lambda: members, "load", count=4, per_writer=3000, max_seconds=90) as w:
        check(w.wait_more(200, timeout=60) >= 200, "writes before the backup")
        began = time.time()
        out = ctl_ok("--endpoints", follower.url, "snapshot", "save", path)
        took = time.time() - began
        check_eq(out, "Snapshot saved at %s\n" % path, "snapshot save's output")
        check(w.wait_more(200, timeout=60) >= 200, "writes go on after the backup")
    log("snapshot save took %.3fs" % took)
    backup_index = snapshot_index(path)
    seeded = {k: v for k, v in tree(leader).items() if k.startswith("/seed")}
    restored = new_members(["r0", "r1", "r2"])
    for m in restored:
        ctl_ok(*restore_args(path, m))
    start_all(restored)
    got = check_cut(restored[1], w, backup_index, began, "the restored cluster")
    check_eq({k: v for k, v in got.items() if k.startswith("/seed")}, seeded,
             "the seeded directory, TTL and keys with their indexes")
    for m in restored:
        check_eq(member_names(m), ["r0", "r1", "r2"], "members of the restored cluster")
    same_tree(restored, got, "every restored member")
    check_eq(restored[2].put("/after/restore", "v").status, 201, "a write to the restored cluster")
    check(int(restored[0].put("/after/restore2", "v").json()["node"]["modifiedIndex"]) > backup_index,
          "new writes get indexes after the backup's")
    # It grows by member add: the new member catches up from the restored snapshot.
    grown = grow(restored[0], ["r3"])
    same_tree(grown[-1:], tree(restored[0], quorum=True), "a member added to the restored cluster")
    # The original cluster went on meanwhile, untouched.
    check_eq(leader.put("/after/original", "v").status, 201, "a write to the original cluster")


@test(timeout=300, targets=("kvraft",))
def offline_backup_and_force_new_cluster_as_the_admin_guide_says():
    members = start_cluster(3)
    seed(members[0])
    w = write_load(members, "load")
    leader = leader_of(members)
    m = next(x for x in members if x is not leader)
    wait_caught_up(m, etcd_index(leader))
    backup_dir = os.path.join(m.tmp, "backup")
    # A running member's data dir is refused, and nothing is written.
    rc, out, err = ctl("backup", "--data-dir", m.data_dir, "--backup-dir", backup_dir)
    check_eq(rc, 1, "exit code of a backup of a running member's dir")
    check("is in use by another kvraft process" in err and len(err.strip().splitlines()) == 1,
          "one line says why: %r" % err)
    check(not os.path.exists(os.path.join(backup_dir, "member")), "no backup was written")
    before = tree(m)
    m.stop()
    # etcd's v2 admin guide: etcdctl backup, then etcd -force-new-cluster on the copy.
    rc, out, err = ctl("backup", "--data-dir", m.data_dir, "--backup-dir", backup_dir)
    check_eq((rc, out), (0, ""), "kvraftctl backup of a stopped member (stderr: %s)" % err)
    rc, _, err = ctl("backup", "--data-dir", m.data_dir, "--backup-dir", backup_dir)
    check(rc == 1 and "is not empty" in err, "a second backup into the same dir is refused: %r" % err)
    copy = Server(name=m.name, data_dir=backup_dir)
    copy.extra_args = ["--initial-cluster-token", TOKEN]
    copy.spawn()
    check_eq(copy.wait_exit(20), 1, "a backup started without --force-new-cluster exits")
    check("is a backup" in copy.log_text() and "--force-new-cluster" in copy.log_text(),
          "it says why: %s" % copy.log_tail(3))
    copy.extra_args.append("--force-new-cluster")
    copy.start(timeout=30)
    check_eq(member_names(copy), [m.name], "members of the cluster started from the backup")
    same_tree([copy], before, "the store started from the backup")
    for key, value in w.acked.items():
        check_eq(before[key][0], value, "acknowledged %s in the backup" % key)
    cluster = grow(copy, ["new1", "new2"])
    check_eq(cluster[1].put("/after/backup", "v").status, 201, "a write to the grown cluster")
    same_tree(cluster, tree(copy, quorum=True), "every member of the grown cluster")
    check(http("GET", copy.url + "/v2/keys/").headers["x-etcd-cluster-id"]
          != http("GET", leader.url + "/v2/keys/").headers["x-etcd-cluster-id"],
          "the backup's cluster has a cluster id of its own")
    # The original cluster's other two members still work.
    check_eq(leader.put("/after/original", "v").status, 201, "a write to the original cluster")


def refused_restore(path, m, want, what):
    """A restore that must fail with one line naming `want`, writing nothing."""
    existed = os.path.exists(m.data_dir)
    before = sorted(os.listdir(m.data_dir)) if existed else None
    rc, out, err = ctl(*restore_args(path, m))
    check_eq(rc, 1, "exit code of a restore of %s" % what)
    lines = err.strip().splitlines()
    check(len(lines) == 1 and want in lines[0], "a restore of %s says why in one line (%r): %r" % (what, want, err))
    after = sorted(os.listdir(m.data_dir)) if os.path.exists(m.data_dir) else None
    check_eq(after, before, "what a refused restore of %s leaves in the data dir" % what)


@test(timeout=180, targets=("kvraft",))
def bad_backups_and_targets_are_refused_and_nothing_is_overwritten():
    src = Server(name="src").start()
    seed(src)
    good = os.path.join(src.tmp, "good.snap")
    ctl_ok("--endpoints", src.url, "snapshot", "save", good)
    with open(good, "rb") as f:
        data = f.read()
    bad = {
        "a truncated file": (data[:len(data) // 2], "truncated"),
        "a file cut inside its header": (data[:50], "truncated"),
        "a file with a flipped bit": (data[:len(data) - 100] + bytes([data[-100] ^ 1]) + data[len(data) - 99:],
                                      "checksum does not match"),
        "a file with a changed index": (data[:40] + bytes([data[40] ^ 1]) + data[41:], "checksum does not match"),
        "a file with bytes after its end": (data + b"x", "after its end"),
        "a file that is not a snapshot": (b"SQLite format 3\x00" + data[16:], "not a kvraft snapshot"),
    }
    target = new_members(["t0"])[0]
    for what, (content, want) in bad.items():
        path = os.path.join(src.tmp, "bad.snap")
        with open(path, "wb") as f:
            f.write(content)
        refused_restore(path, target, want, what)
        check(not os.path.exists(target.data_dir), "no data dir was made for %s" % what)
        rc, out, err = ctl("snapshot", "status", path)
        check(rc != 0 and want in err, "snapshot status of %s refuses it: %r" % (what, err))
    # A non-empty data dir, here a running member's: refused, and the member goes on.
    other = Server(name="other").start()
    other.put("/mine", "v")
    target.data_dir = other.data_dir
    refused_restore(good, target, "is not empty", "into a running member's data dir")
    check_eq(other.get("/mine").status, 200, "the member whose dir it was still answers")
    # A second member on a running member's data dir is refused too.
    twin = Server(name="other", data_dir=other.data_dir)
    twin.spawn()
    check_eq(twin.wait_exit(15), 1, "exit code of a second member on a data dir in use")
    check("is in use by another kvraft process" in twin.log_text(), "it says why: %s" % twin.log_tail(2))
    other.stop()
    check_eq(other.restart().get("/mine").status, 200, "and keeps its data over a restart")
    # The endpoint: GET only; off with --enable-snapshot-endpoint=false.
    check_eq(http("POST", src.url + "/kvraft/snapshot").status, 405, "POST /kvraft/snapshot")
    off = Server(name="off", args=["--enable-snapshot-endpoint=false"]).start()
    r = http("GET", off.url + "/kvraft/snapshot")
    check_eq(r.status, 403, "GET /kvraft/snapshot when turned off")
    rc, out, err = ctl("--endpoints", off.url, "snapshot", "save", os.path.join(off.tmp, "x.snap"))
    check(rc != 0 and "off on this member" in err, "snapshot save from it fails saying why: %r" % err)
    check(not os.path.exists(os.path.join(off.tmp, "x.snap")) and
          not os.path.exists(os.path.join(off.tmp, "x.snap.part")), "and leaves no file")


@test(timeout=180, targets=("kvraft",))
def another_clusters_backup_given_to_a_running_member_is_refused():
    """A snapshot of cluster B restored with the flags of a member of running
    cluster A (same name, URLs and token): the restored cluster id differs, so
    A's members refuse its messages, and A keeps its data."""
    a = start_cluster(3)
    a[0].put("/cluster", "a")
    b = Server(name="b").start()
    b.put("/cluster", "b")
    path = os.path.join(b.tmp, "b.snap")
    ctl_ok("--endpoints", b.url, "snapshot", "save", path)
    victim = a[2]
    victim.stop()
    restored_dir = os.path.join(victim.tmp, "restored")
    ctl_ok("snapshot", "restore", path, "--data-dir", restored_dir, "--name", victim.name,
           "--initial-cluster", victim.cluster, "--initial-cluster-token", TOKEN,
           "--initial-advertise-peer-urls", victim.peer_url)
    victim.data_dir = restored_dir
    victim.spawn()
    deadline = time.time() + 15
    while "cluster ID mismatch" not in a[0].log_text() + a[1].log_text() and time.time() < deadline:
        time.sleep(0.1)
    check("cluster ID mismatch" in a[0].log_text() + a[1].log_text(), "A's members log the cluster ID mismatch")
    try:
        healthy = http("GET", victim.url + "/health", timeout=1).status == 200
    except OSError:
        healthy = False
    check(not healthy, "the member holding B's data never joins A")
    for m in a[:2]:
        check_eq(m.get("/cluster").json()["node"]["value"], "a", "A's data on %s" % m.name)
    check_eq(a[0].put("/after", "v").status, 201, "A's two others still form a quorum")


@test(timeout=120, targets=("kvraft",))
def one_snapshot_at_a_time_and_a_client_that_leaves_frees_the_slot():
    s = Server(name="big").start()
    value = "x" * (1 << 20)
    for i in range(24):  # a database larger than the socket buffers hold
        check_eq(s.put("/big/k%d" % i, value, timeout=20).status, 201, "PUT of 1 MB")
    sock = socket.create_connection(("127.0.0.1", s.client_port), timeout=30)
    sock.sendall(b"GET /kvraft/snapshot HTTP/1.1\r\nHost: x\r\n\r\n")
    head = sock.recv(4096)
    check(head.startswith(b"HTTP/1.1 200"), "the first snapshot streams: %r" % head[:80])
    # It reads no more: the transfer stays open and holds the slot.
    r = http("GET", s.url + "/kvraft/snapshot", timeout=30)
    check_eq(r.status, 503, "a second snapshot meanwhile")
    check("already" in r.body.decode(), "it says why: %r" % r.body)
    check_eq(s.put("/big/during", "v").status, 201, "writes go on meanwhile")
    sock.close()
    deadline = time.time() + 20
    while True:
        path = os.path.join(s.tmp, "after.snap")
        rc, out, err = ctl("--endpoints", s.url, "snapshot", "save", path)
        if rc == 0 or time.time() > deadline:
            break
        time.sleep(0.2)
    check_eq(rc, 0, "a snapshot once the first client left (stderr: %s)" % err)
    check_eq(snapshot_index(path), etcd_index(s), "the new snapshot's index: the latest write's")
    check(not os.path.exists(os.path.join(s.data_dir, "member", "snapshot.tmp")), "no copy is left behind")


@test(timeout=120, targets=("kvraft",))
def online_snapshot_needs_root_while_auth_is_on():
    """The snapshot holds every key and the password hashes under /2: with
    auth on, only root may take one; a refusal writes no file."""
    from auth_setup import ALICE, ROOT, call, setup
    s = Server().start()
    setup(s)
    for who, creds in (("no credentials", None), ("alice (not root)", ALICE), ("a wrong password", ("root", "x"))):
        r = call(s, "GET", "/kvraft/snapshot", creds)
        check_eq(r.status, 401, "GET /kvraft/snapshot with %s" % who)
        check(b"SECRET" not in r.body and b"$2" not in r.body, "its answer holds no data: %r" % r.body[:200])
    path = os.path.join(s.tmp, "denied.snap")
    rc, _, err = ctl("--endpoints", s.url, "--username", "alice:alicepw", "snapshot", "save", path)
    check(rc != 0 and "401" in err, "snapshot save as alice fails with 401: %r" % err)
    check(not os.path.exists(path) and not os.path.exists(path + ".part"), "and leaves no file")
    path = os.path.join(s.tmp, "root.snap")
    out = ctl_ok("--endpoints", s.url, "--username", "%s:%s" % ROOT, "snapshot", "save", path)
    check_eq(out, "Snapshot saved at %s\n" % path, "snapshot save as root")
    check(snapshot_index(path) > 0, "the root's snapshot file is whole")
