"""Network partitions: three kvraft members, each in its own network namespace
on a shared bridge (198.51.100.0/24, inside namespaces this test creates), cut
apart by nftables drop rules and healed again."""

import json
import os
import shutil
import subprocess
import tempfile
import time

from harness import KVRAFT_BIN, TestFailure, check, check_eq, log, test

ELECTION_S = 1.0


def sh(*argv, check_rc=True):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check_rc and p.returncode != 0:
        raise TestFailure("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p


class Hosts:
    """A switch namespace with a bridge and one namespace per simulated host."""

    def __init__(self, n):
        for tool in ("ip", "nft", "curl"):
            if shutil.which(tool) is None:
                raise TestFailure("%s is missing: partition tests need it (make deps)" % tool)
        self.prefix = "kvp%d" % os.getpid()
        self.switch = self.prefix + "sw"
        self.hosts = []
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="kvpart-")
        sh("ip", "netns", "add", self.switch)
        sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        for i in range(n):
            ns, addr = "%sh%d" % (self.prefix, i), "198.51.100.%d" % (11 + i)
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", "p%d" % i, "netns", self.switch, "type", "veth",
               "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.switch, "link", "set", "p%d" % i, "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            self.hosts.append((ns, addr))

    def start_members(self):
        cluster = ",".join("infra%d=http://%s:2380" % (i, a) for i, (_, a) in enumerate(self.hosts))
        for i, (ns, addr) in enumerate(self.hosts):
            log_file = open(os.path.join(self.tmp, "infra%d.log" % i), "ab")
            argv = ["ip", "netns", "exec", ns, KVRAFT_BIN, "--name", "infra%d" % i,
                    "--data-dir", os.path.join(self.tmp, "infra%d" % i),
                    "--listen-client-urls", "http://%s:2379" % addr,
                    "--advertise-client-urls", "http://%s:2379" % addr,
                    "--listen-peer-urls", "http://%s:2380" % addr,
                    "--initial-advertise-peer-urls", "http://%s:2380" % addr,
                    "--initial-cluster", cluster, "--initial-cluster-token", "part"]
            self.procs.append(subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL))
            log_file.close()
        for i in range(len(self.hosts)):
            self.wait(lambda i=i: self.curl(i, "GET", "/health")[0] == 200, 30, "infra%d healthy" % i)

    def curl(self, i, method, path, data=None, timeout=15):
        """An HTTP request from inside host i to its own member: (status, headers, body)."""
        ns, addr = self.hosts[i]
        argv = ["ip", "netns", "exec", ns, "curl", "-s", "-m", str(timeout), "-X", method,
                "-D", "-", "http://%s:2379%s" % (addr, path)]
        if data is not None:
            argv += ["--data", data]
        p = subprocess.run(argv, capture_output=True, timeout=timeout + 10)
        if p.returncode != 0:
            return 0, {}, ""
        head, _, body = p.stdout.decode("utf-8", "replace").partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        return status, headers, body

    def state(self, i):
        status, _, body = self.curl(i, "GET", "/v2/stats/self", timeout=2)
        return json.loads(body) if status == 200 else {}

    def leader(self, among):
        for i in among:
            if self.state(i).get("state") == "StateLeader":
                return i
        return None

    def wait(self, cond, timeout, what):
        deadline = time.time() + timeout
        while not cond():
            if time.time() > deadline:
                raise TestFailure("timed out waiting for %s" % what)
            time.sleep(0.1)

    def isolate(self, i):
        """Drops all traffic between host i and the other hosts (both ways)."""
        ns, _ = self.hosts[i]
        others = ", ".join(a for j, (_, a) in enumerate(self.hosts) if j != i)
        rules = ("table inet kvpart {\n"
                 " chain in { type filter hook input priority 0; ip saddr { %s } drop; }\n"
                 " chain out { type filter hook output priority 0; ip daddr { %s } drop; }\n"
                 "}\n" % (others, others))
        p = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules,
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise TestFailure("nft failed: %s" % p.stderr)

    def heal(self, i):
        sh("ip", "netns", "exec", self.hosts[i][0], "nft", "delete", "table", "inet", "kvpart")

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns, _ in self.hosts:
            sh("ip", "netns", "delete", ns, check_rc=False)
        sh("ip", "netns", "delete", self.switch, check_rc=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


def put(hosts, i, key, value):
    return hosts.curl(i, "PUT", "/v2/keys" + key, "value=" + value)


def value(hosts, i, key):
    status, _, body = hosts.curl(i, "GET", "/v2/keys" + key, timeout=2)
    return json.loads(body)["node"].get("value") if status == 200 else None


@test(timeout=120, targets=("kvraft",))
def isolated_follower_errs_and_rejoins_without_disrupting():
    hosts = Hosts(3)
    try:
        hosts.start_members()
        leader = hosts.leader(range(3))
        check(leader is not None, "a leader")
        follower = next(i for i in range(3) if i != leader)
        check_eq(put(hosts, leader, "/p/k", "before")[0], 201, "PUT before the partition")
        hosts.wait(lambda: value(hosts, follower, "/p/k") == "before", 10, "replication")
        term = hosts.curl(leader, "GET", "/v2/keys/p/k")[1]["x-raft-term"]
        hosts.isolate(follower)
        time.sleep(3 * ELECTION_S)
        status, _, body = put(hosts, follower, "/p/k", "minority")
        check_eq(status, 500, "PUT on the isolated member: %s" % body[:200])
        status, _, body = hosts.curl(follower, "GET", "/v2/keys/p/k?quorum=true")
        check_eq(status, 500, "quorum GET on the isolated member: %s" % body[:200])
        check_eq(hosts.curl(follower, "GET", "/health")[0], 503, "/health on the isolated member")
        check_eq(value(hosts, follower, "/p/k"), "before", "a plain GET serves the local value")
        check_eq(put(hosts, leader, "/p/k", "majority")[0], 200, "PUT on the majority side")
        hosts.heal(follower)
        hosts.wait(lambda: value(hosts, follower, "/p/k") == "majority", 15, "catch-up after healing")
        # Pre-vote: the returning member did not bump the term or depose the leader.
        check_eq(hosts.leader(range(3)), leader, "the leader after healing")
        check_eq(hosts.curl(leader, "GET", "/v2/keys/p/k")[1]["x-raft-term"], term, "the raft term")
    finally:
        hosts.close()


@test(timeout=120, targets=("kvraft",))
def isolated_leader_steps_down_and_the_majority_goes_on():
    hosts = Hosts(3)
    try:
        hosts.start_members()
        old = hosts.leader(range(3))
        check(old is not None, "a leader")
        rest = [i for i in range(3) if i != old]
        hosts.isolate(old)
        started = time.time()
        hosts.wait(lambda: hosts.leader(rest) is not None, 10, "a new leader on the majority side")
        log("majority elected a new leader %.2fs after the cut" % (time.time() - started))
        # Check-quorum: the cut-off leader stops acting as one.
        hosts.wait(lambda: hosts.state(old).get("state") != "StateLeader", 10, "the old leader to step down")
        check_eq(put(hosts, rest[0], "/q/k", "v")[0], 201, "PUT on the majority side")
        check_eq(put(hosts, old, "/q/k", "stale")[0], 500, "PUT on the old leader")
        hosts.heal(old)
        hosts.wait(lambda: value(hosts, old, "/q/k") == "v", 15, "the old leader catching up")
    finally:
        hosts.close()
