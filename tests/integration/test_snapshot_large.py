"""Snapshots larger than the 64 MiB peer body limit: a store of ~90 MB reaches
a new member (as chunked POST /raft/snapshot uploads), and forged uploads to
that endpoint are refused without leaving anything behind."""

import hashlib
import os
import re
import time

import harness
import raft_wire as w
from harness import Server, check, check_eq, http, log, open_fds, proc_status, test
from test_cluster import TOKEN, add_member, leader_of, member_id, start_cluster, wait_value

BIG_KEYS = 90
VALUE_BYTES = 1000000  # under the 1.5 MiB request limit; 90 of them: ~90 MB of store
SMALL_KEYS = 60
# A snapshot every 40 entries, keeping only 5 entries behind it, so a new
# member is sent the snapshot rather than the log.
SNAP_ARGS = ["--snapshot-count", "40", "--experimental-snapshot-catchup-entries", "5"]
PEER_BODY_LIMIT = 64 << 20


def big_value(i):
    return ("%03d:" % i) + chr(ord("a") + i % 26) * (VALUE_BYTES - 4)


def spool_files(server):
    path = os.path.join(server.data_dir, "member", "snap.tmp")
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def nodes(server, prefix):
    """key -> (value, modifiedIndex, createdIndex) of every key under prefix."""
    r = server.get(prefix, recursive="true", sorted="true")
    check_eq(r.status, 200, "GET %s on %s" % (prefix, server.name))
    return {n["key"]: (n.get("value"), n["modifiedIndex"], n["createdIndex"])
            for n in r.json()["node"].get("nodes", [])}


@test(timeout=150, targets=("kvraft",))
def store_over_64_mib_reaches_a_new_member_by_snapshot():
    leader = start_cluster(1, args=SNAP_ARGS)[0]
    start = time.time()
    for i in range(BIG_KEYS):
        r = leader.put("/big/k%03d" % i, big_value(i), timeout=30)
        check_eq(r.status, 201, "PUT /big/k%03d" % i)
    for i in range(SMALL_KEYS):
        check_eq(leader.put("/small/k%03d" % i, "s%d" % i).status, 201, "PUT /small/k%03d" % i)
    log("%d MB written in %.1fs" % (BIG_KEYS * VALUE_BYTES // 1000000, time.time() - start))
    last_big = leader.get("/big/k%03d" % (BIG_KEYS - 1)).json()["node"]["modifiedIndex"]

    new = Server(name="infra1")
    r = add_member(leader, new.peer_url)
    check_eq(r.status, 201, "POST /v2/members: %s" % r.body[:200])
    new.cluster = "%s=%s,%s=%s" % (leader.name, leader.peer_url, new.name, new.peer_url)
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"] + SNAP_ARGS
    start = time.time()
    new.start(timeout=90)  # healthy once it published itself, which needs the snapshot in
    log("new member caught up in %.1fs" % (time.time() - start))

    sent = [(int(i), int(n)) for i, n in
            re.findall(r"sent snapshot at index (\d+) \((\d+) bytes\)", leader.log_text())]
    check(sent, "the leader uploaded a snapshot:\n%s" % leader.log_tail(30))
    index, size = sent[-1]
    log("snapshot at index %d: %d bytes" % (index, size))
    check(size > PEER_BODY_LIMIT, "the snapshot (%d bytes) exceeds the 64 MiB peer body limit" % size)
    check(index >= last_big, "the snapshot holds every big value")
    check("restored store from snapshot at index %d" % index in new.log_text(),
          "the new member installed it:\n%s" % new.log_tail(30))

    # Every key, with its value and indexes, as the leader has it.
    wait_value(new, "/small/k%03d" % (SMALL_KEYS - 1), "s%d" % (SMALL_KEYS - 1), timeout=20)
    check_eq(nodes(new, "/small"), nodes(leader, "/small"), "small keys on the new member")
    # Big keys one by one (a listing of 90 MB is more than one reply holds).
    for i in range(BIG_KEYS):
        key = "/big/k%03d" % i
        got, want = new.get(key).json()["node"], leader.get(key).json()["node"]
        check(got["value"] == big_value(i), "value of %s on the new member" % key)
        check_eq((got["modifiedIndex"], got["createdIndex"]), (want["modifiedIndex"], want["createdIndex"]),
                 "indexes of %s" % key)
    check_eq(new.get("/big/k%03d" % BIG_KEYS).status, 404, "no key past the last one")
    check_eq(spool_files(new), [], "upload files left on the new member")

    # Peak memory: the snapshot's bytes (one buffer, shared by the raft log
    # and the disk write), the store decoded from them, and for a moment
    # the scratch store the check decodes into (about 2.9x here).
    peak_mb = proc_status(new, "VmHWM") // 1024
    rss_mb = proc_status(new, "VmRSS") // 1024
    log("new member RSS %d MB, peak %d MB; leader peak %d MB"
        % (rss_mb, peak_mb, proc_status(leader, "VmHWM") // 1024))
    check(peak_mb < 4 * size // (1 << 20) + harness.ASAN_RSS_ALLOWANCE_MB, "peak RSS of the new member (%d MB) within 4x the snapshot" % peak_mb)

    # It restarts from what it persisted and still agrees.
    new.restart(timeout=60)
    check_eq(nodes(new, "/small"), nodes(leader, "/small"), "small keys after a restart")
    got = new.get("/big/k%03d" % (BIG_KEYS - 1)).json()["node"]
    check(got["value"] == big_value(BIG_KEYS - 1), "the last big value after a restart")


# ---------------------------------------------------------------- forged uploads

chunk = w.snapshot_chunk  # one POST /raft/snapshot body


def snap_message(frm, to, index, term, voters):
    """A MsgSnap with empty data, as a batch of one: an upload's message."""
    return w.batch([w.message(w.SNAP, frm, to, term, snapshot=(index, term, voters, b""))])


def upload(server, cluster, sender, body):
    headers = {"Content-Type": "application/octet-stream"}
    if cluster is not None:
        headers["X-Etcd-Cluster-Id"] = cluster
    if sender is not None:
        headers["X-Server-From"] = sender
    return http("POST", server.peer_url + "/raft/snapshot", body=body, headers=headers, timeout=10).status


@test(timeout=120, targets=("kvraft",))
def forged_snapshot_uploads_are_refused_and_leave_nothing():
    members = start_cluster(2)
    leader = leader_of(members)
    victim = next(m for m in members if m is not leader)
    for i in range(20):
        check_eq(leader.put("/kept/k%d" % i, "v%d" % i).status, 201, "PUT")
    wait_value(victim, "/kept/k19", "v19")
    before = nodes(victim, "/kept")
    cluster = victim.get("/kept").headers["x-etcd-cluster-id"]
    lid = int(member_id([leader.peer_url], TOKEN), 16)
    vid = int(member_id([victim.peer_url], TOKEN), 16)
    rss_before = proc_status(victim, "VmRSS")
    fds_before = open_fds(victim)

    garbage = os.urandom(1 << 20)
    msg = snap_message(lid, vid, 10 ** 9, 2, sorted([lid, vid]))
    good_digest = hashlib.sha256(garbage).digest()
    sender = "%x" % lid
    # Who may upload: the cluster id is checked, then membership, as on /raft.
    check_eq(upload(victim, None, sender, chunk(1, len(garbage), 0, good_digest, msg, garbage)), 412,
             "an upload without the cluster id")
    check_eq(upload(victim, cluster, "abcdef", chunk(1, len(garbage), 0, good_digest, msg, garbage)), 404,
             "an upload from a made-up member")
    check_eq(upload(victim, cluster, None, chunk(1, len(garbage), 0, good_digest, msg, garbage)), 404,
             "an upload without a sender")
    check_eq(upload(victim, cluster, "%x" % vid, chunk(1, len(garbage), 0, good_digest, msg, garbage)), 404,
             "an upload claiming to come from the member itself")
    check_eq(http("GET", victim.peer_url + "/raft/snapshot").status, 405, "GET /raft/snapshot")
    # What a member's name may send: garbage, oversized, mismatched, undecodable.
    check_eq(upload(victim, cluster, sender, garbage), 400, "a body that is no chunk")
    check_eq(upload(victim, cluster, sender, chunk(2, 1 << 50, 0, good_digest, msg, garbage)), 413,
             "an upload declaring 1 PiB")
    half = len(garbage) // 2
    check_eq(upload(victim, cluster, sender, chunk(3, len(garbage), 0, good_digest, msg, garbage[:half])), 204,
             "the first half of an upload")
    check_eq(len(spool_files(victim)), 1, "the upload in progress is spooled to a file")
    check_eq(upload(victim, cluster, sender, chunk(3, len(garbage), half, good_digest, b"", garbage[half:-1] + b"!")),
             400, "a last chunk that does not match the digest")
    check_eq(upload(victim, cluster, sender, chunk(4, len(garbage), half, good_digest, b"", garbage[half:])), 409,
             "a chunk of no upload in progress")
    check_eq(upload(victim, cluster, sender, chunk(5, len(garbage), 0, good_digest, msg, garbage)), 400,
             "a whole upload whose data is no store")
    # Its message passes the checks of every /raft message before any data is taken.

    def first_chunk(message):
        return chunk(6, 5, 0, hashlib.sha256(b"short").digest(), message, b"short")
    check_eq(upload(victim, cluster, sender, first_chunk(snap_message(lid, vid + 1, 10 ** 9, 2, [lid]))), 412,
             "an upload addressed to another member")
    check_eq(upload(victim, cluster, sender, first_chunk(snap_message(vid, vid, 10 ** 9, 2, [lid]))), 412,
             "an upload whose message names another sender")
    check_eq(upload(victim, cluster, sender,
                    first_chunk(snap_message(lid, vid, 10 ** 9, 2, sorted([lid, vid], reverse=True)))), 400,
             "an upload whose voters are not sorted")
    check_eq(spool_files(victim), [], "files left after the refusals")
    # A half upload left behind, then a restart: nothing of it stays.
    check_eq(upload(victim, cluster, sender, chunk(7, len(garbage), 0, good_digest, msg, garbage[:half])), 204,
             "an upload abandoned halfway")

    check_eq(nodes(victim, "/kept"), before, "keys on the member after the forged uploads")
    check("restored store from snapshot" not in victim.log_text(), "no forged snapshot was installed")
    check_eq(leader.put("/kept/after", "x").status, 201, "a PUT after the forged uploads")
    wait_value(victim, "/kept/after", "x")
    check(proc_status(victim, "VmRSS") < rss_before + 64 * 1024,
          "RSS back within 64 MB of before (%d kB -> %d kB)" % (rss_before, proc_status(victim, "VmRSS")))
    check(open_fds(victim) <= fds_before + 4, "open files back (%d -> %d)" % (fds_before, open_fds(victim)))

    victim.restart(timeout=30)
    check_eq(spool_files(victim), [], "upload files after a restart")
    after = nodes(victim, "/kept")
    check_eq(after["/kept/after"][0], "x", "the PUT after the attack survives the restart")
    del after["/kept/after"]
    check_eq(after, before, "keys and indexes after a restart")


@test(timeout=90, targets=("kvraft",))
def snapshot_whose_store_index_passed_its_raft_index_reaches_a_new_member():
    """One SYNC entry expires many keys at once and moves the store index by
    each of them, so a snapshot's store index can be past its raft index: a
    new member must take such a snapshot, not refuse it."""
    leader = start_cluster(1, args=SNAP_ARGS)[0]
    for i in range(60):
        check_eq(leader.put("/ttl/k%02d" % i, "v", ttl="1").status, 201, "PUT /ttl/k%02d" % i)
    deadline = time.time() + 15
    while leader.get("/ttl").json().get("node", {}).get("nodes") and time.time() < deadline:
        time.sleep(0.2)
    check(not leader.get("/ttl").json().get("node", {}).get("nodes"), "the ttl keys expired")
    for i in range(45):  # enough entries for a snapshot after the expiry
        check_eq(leader.put("/after/k%02d" % i, "a%d" % i).status, 201, "PUT /after/k%02d" % i)
    store_index = int(leader.get("/after/k44").headers["x-etcd-index"])
    raft_index = int(leader.get("/after/k44").headers["x-raft-index"])
    check(store_index > raft_index, "store index %d past raft index %d" % (store_index, raft_index))

    new = Server(name="infra1")
    check_eq(add_member(leader, new.peer_url).status, 201, "POST /v2/members")
    new.cluster = "%s=%s,%s=%s" % (leader.name, leader.peer_url, new.name, new.peer_url)
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"] + SNAP_ARGS
    new.start(timeout=60)
    wait_value(new, "/after/k44", "a44", timeout=30)
    check_eq(nodes(new, "/after"), nodes(leader, "/after"), "the new member's keys")
