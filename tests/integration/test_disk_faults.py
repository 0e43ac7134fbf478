"""Disk faults under a 3-member cluster with writers: a full disk (ENOSPC) and
an fsync that fails (EIO) on the leader and on a follower, and data files that
are truncated or hold a corrupt page.

A member whose disk fails exits at once (non-zero, one log line naming the
failure); the others go on, with a new leader within the usual failover time;
a restart after space is freed, or a replacement member on a new disk, brings
every acknowledged write back. Corruption is refused at start.

Full disks are small filesystems the test mounts itself (a size-limited tmpfs
and a loop-mounted ext4); a failing fsync comes from a tiny LD_PRELOAD shim
compiled here that fails fsync/fdatasync with EIO once a trigger file exists.
Mounts are removed, and the servers on them stopped by PID, even on failure.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time

from harness import Server, TestFailure, check, check_eq, http, log, test
from test_cluster import TOKEN, Writers, add_member, leader_of, member_id, remove_member, start_cluster

PER_WRITER = 1000      # writes of each of test_cluster.Writers' 4 threads...
MAX_SECONDS = 40       # ...or this long, whichever ends first
FAILOVER_SECONDS = 3.0  # two election timeouts (1 s each) and a margin, as test_cluster
FAIL_WITHIN = 10.0     # from the fault to the member's exit, under this machine's load

# Fails fsync and fdatasync with EIO from the moment the file named by
# $KVRAFT_EIO_TRIGGER exists, and from then on (a failed disk stays failed);
# with $KVRAFT_EIO_SUFFIX set, only for files whose path ends so.
SHIM_SOURCE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

static int disk_failed(int fd) {
  const char* trigger = getenv("KVRAFT_EIO_TRIGGER");
  const char* suffix = getenv("KVRAFT_EIO_SUFFIX");
  if (!failed && trigger != NULL && access(trigger, F_OK) == 0) failed = 1;
  if (!failed || suffix == NULL) return failed;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  size_t len = strlen(suffix);
  return n >= (ssize_t)len && memcmp(path + n - len, suffix, len) == 0;
}

int fsync(int fd) {
  static int (*real)(int);
  if (disk_failed(fd)) { errno = EIO; return -1; }
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (disk_failed(fd)) { errno = EIO; return -1; }
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return real(fd);
}
"""


def build_shim(directory):
    src = os.path.join(directory, "eio_shim.c")
    lib = os.path.join(directory, "eio_shim.so")
    with open(src, "w") as f:
        f.write(SHIM_SOURCE)
    r = subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", lib, src, "-ldl"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    check(r.returncode == 0, "cannot build the EIO shim: %s" % r.stdout.decode(errors="replace"))
    return lib


def shim_env(lib, trigger, suffix=None):
    env = {"LD_PRELOAD": lib, "KVRAFT_EIO_TRIGGER": trigger}
    if suffix:
        env["KVRAFT_EIO_SUFFIX"] = suffix
    # An ASan build (make asan) must be told that its runtime is not first.
    asan = os.environ.get("ASAN_OPTIONS")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
    return env


# ---------------------------------------------------------------- small filesystems

def run(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    check(r.returncode == 0, "%s: %s" % (" ".join(argv), r.stdout.decode(errors="replace")))


class SmallFs:
    """A filesystem of `mb` MiB mounted on a fresh directory: tmpfs or a loop ext4."""

    def __init__(self, kind, mb):
        self.dir = tempfile.mkdtemp(prefix="kvdisk-")
        self.mnt = os.path.join(self.dir, "mnt")
        os.mkdir(self.mnt)
        if kind == "tmpfs":
            run(["mount", "-t", "tmpfs", "-o", "size=%dm" % mb, "kvdisk", self.mnt])
        else:
            img = os.path.join(self.dir, "fs.img")
            run(["truncate", "-s", "%dM" % mb, img])
            run(["mkfs.ext4", "-q", "-m", "0", img])
            run(["mount", "-o", "loop", img, self.mnt])
        self.mounted = True
        self.filler = os.path.join(self.mnt, "filler")

    def fill(self):
        """Takes every free byte: the next allocation fails with ENOSPC."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            chunk = 1 << 20
            while chunk:
                try:
                    if os.write(fd, b"\1" * chunk) < chunk:
                        chunk //= 2
                except OSError:
                    chunk //= 2
        finally:
            os.close(fd)
        st = os.statvfs(self.mnt)
        log("filled %s: %d bytes free" % (self.mnt, st.f_bavail * st.f_bsize))

    def free(self):
        os.remove(self.filler)

    def unmount(self):
        if self.mounted:
            r = subprocess.run(["umount", self.mnt], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", self.mnt])
            self.mounted = False
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def small_filesystems(kind, n, mb):
    """n small filesystems; on the way out, the servers using them are stopped
    (by PID, through their Server objects in `users`) before the unmount."""
    fss = []
    users = []
    try:
        for _ in range(n):
            fss.append(SmallFs(kind, mb))
        yield fss, users
    finally:
        for m in users:
            m.stop()
        for fs in fss:
            fs.unmount()


# ---------------------------------------------------------------- cluster and writers

def writers_on(members):
    return Writers(lambda: members, "disk", per_writer=PER_WRITER, max_seconds=MAX_SECONDS)


def stored(m):
    """Every /disk key a member serves (a quorum read, once it has caught up)."""
    r = http("GET", m.url + "/v2/keys/disk?recursive=true&quorum=true", timeout=20)
    check_eq(r.status, 200, "GET /disk on %s" % m.name)
    return {n["key"]: n.get("value") for n in r.json()["node"].get("nodes", [])}


def check_all_acknowledged(members, acked, what):
    for m in members:
        deadline = time.time() + 20
        while True:
            held = stored(m)
            missing = [k for k, v in acked.items() if held.get(k) != v]
            if not missing or time.time() > deadline:
                break
            time.sleep(0.2)
        log("%s: %d acknowledged writes, %d found on %s" % (what, len(acked), len(acked) - len(missing), m.name))
        check(not missing, "%s: %d acknowledged writes missing on %s, e.g. %s"
              % (what, len(missing), m.name, missing[:3]))


def failure_lines(m):
    """The lines of the member's last run that report its disk failure."""
    text = m.log_text().split("==== start %d" % m.starts)[-1]
    return [l for l in text.splitlines() if "stopping this member" in l]


def wait_failed(m, fault_at, what):
    """The member exits by itself, non-zero, with one line naming the failure."""
    code = m.wait_exit(FAIL_WITHIN)
    check(code is not None, "%s: %s still running %.0fs after the fault:\n%s"
          % (what, m.name, FAIL_WITHIN, m.log_tail()))
    log("%s: %s exited %d %.2fs after the fault" % (what, m.name, code, time.time() - fault_at))
    check(code != 0, "%s: exit code 0 after a disk failure" % what)
    lines = failure_lines(m)
    check(len(lines) == 1, "%s: want one line reporting the failure, got %r\n%s"
          % (what, lines, m.log_tail(30)))
    log("%s: %s" % (what, lines[0]))
    return lines[0]


def new_leader_within(rest, exited_at, what):
    leader = leader_of(rest, timeout=10)
    took = time.time() - exited_at
    log("%s: leader %s %.2fs after the exit" % (what, leader.name, took))
    check(took < FAILOVER_SECONDS, "%s: leader after %.2fs, want < %.1fs" % (what, took, FAILOVER_SECONDS))
    return leader


def pick(members, leader_fails):
    leader = leader_of(members)
    if leader_fails:
        return leader
    return next(m for m in members if m is not leader)


# ---------------------------------------------------------------- full disk

def full_disk_case(kind, leader_fails):
    what = "ENOSPC on the %s (%s)" % ("leader" if leader_fails else "follower", kind)
    with small_filesystems(kind, 3, 48) as (fss, users):
        members = start_cluster(3, data_dirs=[os.path.join(fs.mnt, "data") for fs in fss])
        users.extend(members)
        with writers_on(members) as writers:
            check(writers.wait_more(200, 30) >= 200, "writers made progress before the fault")
            victim = pick(members, leader_fails)
            fs = fss[members.index(victim)]
            fault_at = time.time()
            fs.fill()
            line = wait_failed(victim, fault_at, what)
            exited_at = time.time()
            check("full" in line.lower() or "space" in line.lower(),
                  "%s: the line does not say the disk is full: %r" % (what, line))
            rest = [m for m in members if m is not victim]
            if leader_fails:
                new_leader_within(rest, exited_at, what)
            after = writers.wait_more(200, 30)
            check(after >= 200, "%s: writers made progress without %s (%d)" % (what, victim.name, after))
        log("%s: %d writes acknowledged" % (what, len(writers.acked)))
        check_all_acknowledged(rest, writers.acked, what)
        # Still full: a restart fails again, saying so, and harms nothing.
        victim.spawn()
        code = victim.wait_exit(FAIL_WITHIN)
        check(code is not None and code != 0, "%s: a restart on the full disk exits non-zero (%r)" % (what, code))
        text = victim.log_text().split("==== start %d" % victim.starts)[-1]
        said = [l for l in text.splitlines()[1:] if "space" in l.lower() or "full" in l.lower()]
        check(said, "%s: a restart on the full disk does not say it is full:\n%s" % (what, victim.log_tail()))
        log("%s: restart on the full disk: %s" % (what, said[0]))
        check("damaged" not in text.lower(), "%s: a full disk is called damaged:\n%s" % (what, victim.log_tail()))
        # Space freed: a restart brings the member back with every write.
        fs.free()
        victim.start(timeout=30)
        check_all_acknowledged([victim], writers.acked, what + ", after restart")
        check_eq(victim.put("/disk/after", "x").status, 201, "%s: PUT through the restarted member" % what)


@test(timeout=120, targets=("kvraft",))
def full_disk_on_a_follower():
    full_disk_case("tmpfs", leader_fails=False)


@test(timeout=120, targets=("kvraft",))
def full_disk_on_the_leader():
    full_disk_case("ext4", leader_fails=True)


# ---------------------------------------------------------------- failing fsync

def replace_member(members, victim):
    """The failed member's disk is replaced: it is removed, and added back
    (same name and URLs) with a new, empty data dir."""
    rest = [m for m in members if m is not victim]
    leader = leader_of(rest)
    vid = member_id([victim.peer_url], TOKEN)
    r = remove_member(leader, vid)
    check_eq(r.status, 204, "DELETE /v2/members/%s: %s" % (vid, r.body[:200]))
    new = Server(name=victim.name, client_port=victim.client_port, peer_port=victim.peer_port)
    r = add_member(leader_of(rest), new.peer_url)
    check_eq(r.status, 201, "POST /v2/members: %s" % r.body[:200])
    new.cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in rest + [new])
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"]
    new.start(timeout=30)
    return rest + [new]


def failing_fsync_case(leader_fails, suffix=None, says="i/o error"):
    what = "EIO on fsync%s on the %s" % (" of *" + suffix if suffix else "",
                                        "leader" if leader_fails else "follower")
    work = tempfile.mkdtemp(prefix="kveio-")
    lib = build_shim(work)
    triggers = [os.path.join(work, "fail-%d" % i) for i in range(3)]
    members = start_cluster(3, envs=[shim_env(lib, t, suffix) for t in triggers])
    with writers_on(members) as writers:
        check(writers.wait_more(200, 30) >= 200, "writers made progress before the fault")
        victim = pick(members, leader_fails)
        fault_at = time.time()
        open(triggers[members.index(victim)], "w").close()
        line = wait_failed(victim, fault_at, what)
        exited_at = time.time()
        check(says in line.lower(), "%s: the line does not say %r: %r" % (what, says, line))
        rest = [m for m in members if m is not victim]
        if leader_fails:
            new_leader_within(rest, exited_at, what)
        after = writers.wait_more(200, 30)
        check(after >= 200, "%s: writers made progress without %s (%d)" % (what, victim.name, after))
    log("%s: %d writes acknowledged" % (what, len(writers.acked)))
    check_all_acknowledged(rest, writers.acked, what)
    if leader_fails:
        # A disk that failed is replaced: a new member on a new disk.
        members = replace_member(members, victim)
        check_all_acknowledged(members, writers.acked, what + ", after the replacement")
    else:
        # The fault is gone (e.g. a path failover): a restart on the same data.
        victim.env = None
        victim.start(timeout=30)
        check_all_acknowledged([victim], writers.acked, what + ", after restart")
    shutil.rmtree(work, ignore_errors=True)


@test(timeout=120, targets=("kvraft",))
def failing_fsync_on_a_follower():
    failing_fsync_case(leader_fails=False)


@test(timeout=120, targets=("kvraft",))
def failing_fsync_on_the_leader():
    failing_fsync_case(leader_fails=True)


@test(timeout=120, targets=("kvraft",))
def failing_fsync_of_the_database_file_on_a_follower():
    # Commits sync only the write-ahead log; the database file is synced by
    # the checkpoints that copy the log into it, which fail here.
    failing_fsync_case(leader_fails=False, suffix="/kvraft.db", says="checkpoint")


# ---------------------------------------------------------------- damaged data files

def db_file(m):
    return os.path.join(m.data_dir, "member", "kvraft.db")


def db_contents(path):
    """(quick_check passes, the rows of the raft tables) as SQLite reads the file;
    rows is None when SQLite cannot read them."""
    db = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    try:
        ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        rows = {t: db.execute("SELECT * FROM %s" % t).fetchall()
                for t in ("entries", "snapshot", "hard_state")}
        return ok, rows
    except sqlite3.DatabaseError:
        return False, None
    finally:
        db.close()


def flip_live_bit(path, markers, table, pristine):
    """Flips one bit of a marker in `table` that SQLite's own check does not
    notice: the file passes quick_check but reads back different rows. Tries
    each occurrence of each marker (old copies in free pages do not count)."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    for marker in markers:
        at = data.find(marker)
        while at >= 0:
            pos = at + len(marker) - 1
            data[pos] ^= 0x01
            with open(path, "wb") as f:
                f.write(data)
            ok, rows = db_contents(path)
            if ok and rows is not None and rows[table] != pristine[table] and all(
                    rows[t] == pristine[t] for t in rows if t != table):
                return marker
            data[pos] ^= 0x01
            at = data.find(marker, at + 1)
    with open(path, "wb") as f:
        f.write(data)
    raise TestFailure("found no live %s row to corrupt among %d markers" % (table, len(markers)))


def refused_at_start(m, what):
    """Starts the member on its damaged data dir: it must exit non-zero with one
    line naming the data dir, answer no client request meanwhile, and leave
    the file as it was (refused, not repaired or reinitialised)."""
    with open(db_file(m), "rb") as f:
        before = f.read()
    m.spawn()
    deadline = time.time() + 20
    while m.proc.poll() is None and time.time() < deadline:
        try:
            r = http("GET", m.url + "/v2/keys/disk", timeout=1)
            check(r.status != 200, "%s: served a read from a damaged data dir" % what)
        except OSError:
            pass
        time.sleep(0.1)
    code = m.wait_exit(1)
    check(code is not None, "%s: still running after 20s, want a refusal:\n%s" % (what, m.log_tail()))
    check(code != 0, "%s: exit code 0" % what)
    text = m.log_text().split("==== start %d" % m.starts)[-1]
    # etcd's start-up milestones ("embed: data dir = ...") name it too, at info level.
    lines = [l for l in text.splitlines()[1:] if m.data_dir in l and " I | " not in l]
    check(len(lines) == 1, "%s: want one line naming the data dir, got %r" % (what, lines))
    log("%s: refused: %s" % (what, lines[0]))
    with open(db_file(m), "rb") as f:
        check(f.read() == before, "%s: the damaged file was rewritten" % what)


def damaged_file_case(what, damages):
    """A follower stops cleanly under writers; each damage is applied to a copy
    of its data file and refused at start; the undamaged file then starts and
    the member catches up with every acknowledged write."""
    members = start_cluster(3, args=["--snapshot-count", "300",
                                      "--experimental-snapshot-catchup-entries", "50"])
    with writers_on(members) as writers:
        check(writers.wait_more(800, 40) >= 800, "writers made progress before the stop")
        leader = leader_of(members)
        victim = next(m for m in members if m is not leader)
        check_eq(victim.stop(), 0, "exit code of a clean stop")
        path = db_file(victim)
        check(not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0,
              "the write-ahead log is checkpointed at a clean stop")
        with open(path, "rb") as f:
            pristine_bytes = f.read()
        ok, pristine = db_contents(path)
        check(ok and pristine["snapshot"], "%s: a healthy file with a snapshot to damage" % what)
        acked = dict(writers.acked)
        for name, damage in damages:
            damage(path, pristine, acked)
            refused_at_start(victim, "%s: %s" % (what, name))
            with open(path, "wb") as f:
                f.write(pristine_bytes)
        check(writers.wait_more(100, 30) >= 100, "%s: writers made progress meanwhile" % what)
    victim.start(timeout=30)
    log("%s: %d writes acknowledged" % (what, len(writers.acked)))
    check_all_acknowledged(members, writers.acked, what + ", the undamaged file restarted")


def page_size(path):
    with open(path, "rb") as f:
        header = f.read(100)
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def cut(fraction, extra):
    def damage(path, pristine, acked):
        size = os.path.getsize(path)
        ps = page_size(path)
        os.truncate(path, int(size * fraction) // ps * ps - extra)
    return damage


def overwrite_page(fill):
    """Overwrites a page that holds live data (one whose loss SQLite would
    see or that reads back different rows), from the middle of the file on:
    damage to a free page changes nothing and need not be refused."""
    def damage(path, pristine, acked):
        ps = page_size(path)
        pages = os.path.getsize(path) // ps
        with open(path, "r+b") as f:
            for page in list(range(pages // 2, pages)) + list(range(1, pages // 2)):
                f.seek(page * ps)
                old = f.read(ps)
                f.seek(page * ps)
                f.write(fill(ps))
                f.flush()
                if db_contents(path) != (True, pristine):
                    return
                f.seek(page * ps)
                f.write(old)
                f.flush()
        raise TestFailure("no page of %s holds live data" % path)
    return damage


def flip_bit(table, newest):
    """One bit of a key written into `table`: the newest writes are in the
    log, the oldest only in the snapshot."""
    def damage(path, pristine, acked):
        keys = sorted(acked, key=lambda k: (int(k.split("-")[-1]), k), reverse=newest)
        markers = [k.rsplit("/", 1)[1].encode() for k in keys[:50]]
        flip_live_bit(path, markers, table, pristine)
    return damage


@test(timeout=150, targets=("kvraft",))
def truncated_data_file_is_refused():
    damaged_file_case("truncated data file", [
        ("cut to half its pages", cut(0.5, 0)),
        ("cut inside a page", cut(0.75, 100)),
    ])


@test(timeout=150, targets=("kvraft",))
def corrupt_page_is_refused():
    damaged_file_case("corrupt page", [
        ("a page of garbage", overwrite_page(os.urandom)),
        ("a page of zeros", overwrite_page(lambda n: b"\0" * n)),
        ("one flipped bit in the snapshot", flip_bit("snapshot", newest=False)),
        ("one flipped bit in a log entry", flip_bit("entries", newest=True)),
    ])


@test(timeout=150, targets=("kvraft",))
def failing_fsync_on_a_quorum_acknowledges_nothing_more():
    """The leader and a follower fail together: no write can be made durable
    on a quorum, so none is acknowledged from then on; once their disks work
    again, a restart brings back every write acknowledged before."""
    what = "EIO on fsync on two of three"
    work = tempfile.mkdtemp(prefix="kveio-")
    lib = build_shim(work)
    triggers = [os.path.join(work, "fail-%d" % i) for i in range(3)]
    members = start_cluster(3, envs=[shim_env(lib, t) for t in triggers])
    with writers_on(members) as writers:
        check(writers.wait_more(200, 30) >= 200, "writers made progress before the fault")
        leader = leader_of(members)
        victims = [leader, next(m for m in members if m is not leader)]
        fault_at = time.time()
        for v in victims:
            open(triggers[members.index(v)], "w").close()
        for v in victims:
            wait_failed(v, fault_at, what)
        before = writers.count()
        time.sleep(5)  # writes keep coming to the member left
        after = writers.count()
        log("%s: %d acknowledged when both had failed, %d five seconds later" % (what, before, after))
        check_eq(after, before, "%s: writes acknowledged without a quorum" % what)
    log("%s: %d writes acknowledged" % (what, len(writers.acked)))
    for v in victims:
        v.env = None
        v.spawn()
    for v in victims:
        v.wait_ready(timeout=30)
    check_all_acknowledged(members, writers.acked, what + ", after restart")
    shutil.rmtree(work, ignore_errors=True)
