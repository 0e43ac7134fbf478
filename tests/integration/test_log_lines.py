"""The milestone lines etcd 3.4 logs, which scripts, operators and test
frameworks wait for: kvraft logs them in etcd's words at the same moments.
Run against real etcd too (KVRAFT_TEST_TARGET=etcd), the same patterns hold,
so the wording is etcd's. Patterns leave out the timestamp and level, which
differ in shape (etcd's raft lines have a format of their own)."""

import re
import time

from harness import Server, TestFailure, check, http, test
from test_cluster import TOKEN, add_member, leader_of, member_id, remove_member, start_cluster

ID = r"[0-9a-f]+"


def last_start(m):
    """The log of the member's latest start."""
    return m.log_text().split("==== start ")[-1]


def wait_lines(m, patterns, timeout=20.0, ordered=True):
    """Waits until every pattern matches a line of m's latest start (in order
    when `ordered`); fails naming the first that does not."""
    deadline = time.time() + timeout
    while True:
        lines = last_start(m).splitlines()
        missing, at = None, 0
        for p in patterns:
            rx = re.compile(p)
            hit = next((i for i in range(at if ordered else 0, len(lines)) if rx.search(lines[i])), None)
            if hit is None:
                missing = p
                break
            at = hit + 1
        if missing is None:
            return
        if time.time() > deadline:
            raise TestFailure("%s's log has no line matching %r%s:\n%s" % (
                m.name, missing, " after the ones before it" if ordered else "", "\n".join(lines[-40:])))
        time.sleep(0.1)


def start_lines(m):
    """(in this order, in any order) for a member's first start. etcd logs
    "published" and "ready to serve" from two goroutines, in either order."""
    return ([r"embed: name = %s$" % m.name,
             r"embed: data dir = %s$" % re.escape(m.data_dir),
             r"embed: advertise client URLs = %s$" % re.escape(m.url),
             r"etcdserver: starting member %s in cluster %s$" % (ID, ID),
             r"etcdserver: starting server\.\.\. \[version: 3\.4\.23, cluster version: to_be_decided\]$",
             r"embed: listening for peers on 127\.0\.0\.1:%d$" % m.peer_port,
             r"embed: ready to serve client requests$",
             r"embed: serving insecure client requests on 127\.0\.0\.1:%d, this is strongly discouraged!$"
             % m.client_port],
            [r"raft\.node: %s elected leader %s at term \d+$" % (ID, ID), published(m)])


def published(m):
    return r"etcdserver: published \{Name:%s ClientURLs:\[%s\]\} to cluster %s$" % (m.name, re.escape(m.url), ID)


@test(timeout=180, targets=("kvraft", "etcd"))
def etcds_milestone_lines_at_start_election_and_member_changes():
    members = start_cluster(3)
    for m in members:
        ordered, unordered = start_lines(m)
        wait_lines(m, ordered)
        wait_lines(m, unordered, ordered=False)
        added = [r"etcdserver/membership: added member %s \[%s\] to cluster %s$"
                 % (member_id([x.peer_url], TOKEN), re.escape(x.peer_url), ID) for x in members]
        wait_lines(m, added, ordered=False)
        wait_lines(m, [r"etcdserver/membership: set the initial cluster version to 3\.4$",
                       r"etcdserver/api: enabled capabilities for version 3\.4$"])
    leader = leader_of(members)
    wait_lines(leader, [r"%s became leader at term \d+$" % member_id([leader.peer_url], TOKEN)])
    # A member added, started, then removed.
    new = Server(name="infra3")
    r = add_member(leader, new.peer_url)
    check(r.status == 201, "member add: %s" % r.body[:200])
    new_id = r.json()["id"]
    new.cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members + [new])
    new.extra_args = ["--initial-cluster-token", TOKEN, "--initial-cluster-state", "existing"]
    new.start(timeout=30)
    wait_lines(new, [r"etcdserver: starting member %s in cluster %s$" % (new_id, ID),
                     r"embed: ready to serve client requests$"])
    wait_lines(new, [published(new)])
    for m in members:
        wait_lines(m, [r"etcdserver/membership: added member %s \[%s\] to cluster %s$"
                       % (new_id, re.escape(new.peer_url), ID)])
    check(remove_member(leader, new_id).status == 204, "member remove")
    for m in members:
        wait_lines(m, [r"etcdserver/membership: removed member %s from cluster %s$" % (new_id, ID)])
    wait_lines(new, [r"etcdserver: the member has been permanently removed from the cluster$"])
    # A restart says so.
    m = next(x for x in members if x is not leader)
    m.restart(timeout=30)
    wait_lines(m, [r"etcdmain: the server is already initialized as member before, starting as etcd member\.\.\.$",
                   r"embed: name = %s$" % m.name,
                   r"etcdserver: restarting member %s in cluster %s at commit index \d+$"
                   % (member_id([m.peer_url], TOKEN), ID),
                   r"embed: ready to serve client requests$"])
    wait_lines(m, [published(m)])
    check(http("GET", m.url + "/health").status == 200, "the restarted member is healthy")
