"""kvraftctl against real etcdctl (ETCDCTL_API=2) on the same kvraft cluster.

Each check runs both tools with the same arguments and compares exit code,
stdout and stderr after normalising what may differ: indexes, member IDs,
TTLs and expirations, the program's name and version. Writes go to separate
key prefixes ({p} is /kv for kvraftctl, /et for etcdctl) so each tool sees the
same state.
"""

import os
import re
import signal
import subprocess
import time

from harness import REPO, Server, TestFailure, check, check_eq, free_port, run_cli, test
from test_cluster import start_cluster

KVRAFTCTL = os.environ.get("KVRAFTCTL_BIN", os.path.join(REPO, "build/bin/kvraftctl"))
ETCDCTL_ENV = {"ETCDCTL_API": "2"}
PREFIX = {"kv": "/kv", "et": "/et"}

NORMALISE = [
    (re.compile(r"\b[0-9a-f]{12,16}\b"), "ID"),
    (re.compile(r"\[\d+\]"), "[N]"),
    (re.compile(r"!= \d+\]"), "!= N]"),
    (re.compile(r"127\.0\.0\.1:[12]\b"), "127.0.0.1:DEAD"),
    (re.compile(r"(Index|Created-Index|Modified-Index): \d+"), r"\1: N"),
    (re.compile(r'"(createdIndex|modifiedIndex)":\d+'), r'"\1":N'),
    (re.compile(r'"expiration":"[^"]*","ttl":\d+'), '"expiration":"T","ttl":N'),
    (re.compile(r"TTL: [1-9]\d*"), "TTL: N"),
    (re.compile(r"/\d{20}\b"), "/SEQ"),
    (re.compile(r"kvraftctl"), "etcdctl"),
    (re.compile(r"etcdctl version: \S+"), "etcdctl version: V"),
    (re.compile(r"^   (3\.4\.23|0\.1\.0)$", re.M), "   V"),
    (re.compile(r"/(kv|et)\b"), "/P"),
]


def norm(text):
    for pattern, repl in NORMALISE:
        text = pattern.sub(repl, text)
    return text


def run(tool, args, stdin=None, timeout=15):
    args = [a.replace("{p}", PREFIX[tool]) for a in args]
    if tool == "kv":
        return run_cli([KVRAFTCTL] + args, timeout=timeout, stdin=stdin)
    return run_cli(["etcdctl"] + args, env=ETCDCTL_ENV, timeout=timeout, stdin=stdin)


def same(args, stdin=None, want_rc=None, what=None):
    """Runs both tools; fails on any difference after normalising."""
    kv = run("kv", args, stdin)
    et = run("et", args, stdin)
    what = what or " ".join(args)
    check_eq((kv[0], norm(kv[1]), norm(kv[2])), (et[0], norm(et[1]), norm(et[2])), "kvraftctl vs etcdctl: " + what)
    if want_rc is not None:
        check_eq(kv[0], want_rc, "exit code of " + what)
    return kv


def ep(server):
    return ["--endpoints", server.url]


@test(timeout=120)
def keys_commands_match_etcdctl_in_every_format():
    s = Server().start()
    e = ep(s)
    for tool in ("kv", "et"):
        for args in (["set", "{p}/seed", "v0"], ["mkdir", "{p}/emptydir"], ["set", "{p}/d/x", "1"]):
            check_eq(run(tool, e + args)[0], 0, "seeding " + " ".join(args))
    for fmt in ("simple", "extended", "json"):
        o = e + ["-o", fmt]
        same(o + ["set", "{p}/a", "hello " + fmt], want_rc=0)
        same(o + ["get", "{p}/a"], want_rc=0)
        same(o + ["set", "{p}/b", "x"], want_rc=0)
        same(o + ["set", "--ttl", "100", "{p}/t" + fmt, "v"], want_rc=0)
        same(o + ["get", "{p}/t" + fmt], want_rc=0)
        same(o + ["set", "--swap-with-value", "x", "{p}/b", "y"], want_rc=0)
        same(o + ["set", "--swap-with-value", "nope", "{p}/b", "z"], want_rc=4)
        same(o + ["set", "--swap-with-index", "1", "{p}/b", "z"], want_rc=4)
        same(o + ["mk", "{p}/mk" + fmt, "m"], want_rc=0)
        same(o + ["mk", "{p}/mk" + fmt, "m"], want_rc=4)
        same(o + ["mk", "--in-order", "{p}/q" + fmt, "first"], want_rc=0)
        same(o + ["mkdir", "{p}/dir" + fmt], want_rc=0)
        same(o + ["mkdir", "{p}/dir" + fmt], want_rc=4)
        same(o + ["get", "{p}/dir" + fmt], want_rc=1)
        same(o + ["setdir", "{p}/sd" + fmt], want_rc=0)
        same(o + ["updatedir", "--ttl", "50", "{p}/sd" + fmt], want_rc=0)
        same(o + ["update", "{p}/a", "changed"], want_rc=0)
        same(o + ["update", "{p}/missing", "x"], want_rc=4)
        same(o + ["ls", "{p}"], want_rc=0)
        same(o + ["ls", "--sort", "-r", "-p", "{p}"], want_rc=0)
        same(o + ["ls", "{p}/seed"], want_rc=0)
        same(o + ["ls", "{p}/nope"], want_rc=4)
        same(o + ["get", "{p}/nope"], want_rc=4)
        same(o + ["rm", "{p}/mk" + fmt], want_rc=0)
        same(o + ["rm", "{p}/dir" + fmt], want_rc=4)
        same(o + ["rm", "--dir", "{p}/dir" + fmt], want_rc=0)
        same(o + ["rmdir", "{p}/sd" + fmt], want_rc=0)
        same(o + ["rm", "-r", "{p}/q" + fmt], want_rc=0)
        same(o + ["rm", "--with-value", "wrong", "{p}/b"], want_rc=4)
        same(o + ["rm", "--with-index", "1", "{p}/b"], want_rc=4)
    same(e + ["-o", "xml", "get", "{p}/a"], want_rc=0)
    same(e + ["get", "--quorum", "{p}/a"], want_rc=0)
    same(e + ["get", "{p}/a", "--sort"], want_rc=0)
    same(e + ["set", "{p}/fromstdin"], stdin=b"piped", want_rc=0)
    same(e + ["set", "--", "{p}/neg", "-5"], want_rc=0)
    # The error the issue quotes, with its exit code.
    rc, out, err = run("kv", e + ["get", "/foo"])
    check(re.fullmatch(r"Error:  100: Key not found \(/foo\) \[\d+\]\n", err) and rc == 4 and out == "",
          "missing key: rc=%r out=%r err=%r" % (rc, out, err))
    rc, out, _ = run("kv", e + ["put", "{p}/put", "v"])
    check_eq((rc, out), (0, "OK\n"), "put prints OK")
    kv, et = run("kv", e + ["-o", "json", "put", "{p}/put2", "w"]), run("et", e + ["-o", "json", "set", "{p}/put2", "w"])
    check_eq((kv[0], norm(kv[1])), (et[0], norm(et[1])), "put -o json prints as set does")


@test(timeout=60)
def usage_errors_and_connection_failures_match_etcdctl():
    s = Server().start()
    e = ep(s)
    for args in (["get"], ["set", "{p}/only-key"], ["mk"], ["rm"], ["watch"], ["exec-watch", "{p}/k"],
                 ["get", "--badflag", "/x"], ["set", "--ttl", "x", "/a", "b"], ["set", "--ttl"],
                 ["set", "--ttl", 'a"b', "/a", "b"], ["set", "--ttl", "99999999999999999999", "/a", "b"],
                 ["nosuch"], ["help", "nosuch"], ["member", "list", "extra"], ["member", "add"],
                 ["member", "remove"], ["member", "update"], ["member", "remove", "zz"],
                 ["member", "add", "n", "httpx://a"], ["member", "update", "1234", "http://1.2.3.4:5"]):
        same(e + args)
    for args in (["--badglobal", "get", "/x"], ["--timeout", "x", "get", "/x"], ["--timeout", 'a"b', "ls"], ["-C"]):
        kv, et = run("kv", args), run("et", args)
        check_eq((kv[0], kv[2]), (et[0], et[2]), "usage error " + " ".join(args))
        check(kv[1].startswith(et[1].split("\n")[0]), "usage line of " + " ".join(args))
    dead = ["--endpoints", "http://127.0.0.1:1,http://127.0.0.1:2"]
    for args in (dead + ["get", "/x"], dead + ["--no-sync", "get", "/x"], dead + ["--no-sync", "rm", "/x"],
                 dead + ["member", "list"], dead + ["cluster-health"], dead + ["ls"]):
        same(args)
    # Failover: a dead endpoint first, a live one second.
    same(["--no-sync", "--endpoints", "http://127.0.0.1:1," + s.url, "get", "/nope"], want_rc=4)
    same(["--endpoints", "http://127.0.0.1:1," + s.url, "ls", "/"], want_rc=0)
    same(e + ["--debug", "get", "/nope"], want_rc=4)
    same(e + ["--debug", "--no-sync", "set", "{p}/dbg", "1"], want_rc=0)


@test(timeout=60)
def help_of_every_command_matches_etcdctl():
    def strip_commands(text, names):
        return "".join(l for l in text.splitlines(True)
                       if not any(l.startswith("   %s " % n) for n in names))
    for args in (["--help"], ["help"], []):
        kv, et = run("kv", args), run("et", args)
        check_eq(strip_commands(norm(kv[1]), ("put", "snapshot")), norm(et[1]), "global help " + " ".join(args))
        check_eq(kv[0], et[0], "rc of global help")
    same(["--version"])
    for cmd in ("backup", "get", "set", "mk", "mkdir", "rm", "rmdir", "ls", "setdir", "update", "updatedir", "watch",
                "exec-watch", "cluster-health", "member", "member add", "member remove", "member update"):
        same(cmd.split() + ["--help"], want_rc=0)
        same(["help"] + cmd.split()[:1], want_rc=0)
    rc, out, _ = run("kv", ["member", "list", "--help"])
    check(rc == 0 and "--write-out value, -w value" in out, "member list --help shows -w: %r" % out)
    rc, out, _ = run("kv", ["put", "--help"])
    check(rc == 0 and "kvraftctl put [command options] <key> <value>" in out, "put --help: %r" % out)


def background(tool, args):
    args = [a.replace("{p}", PREFIX[tool]) for a in args]
    argv = [KVRAFTCTL] + args if tool == "kv" else ["etcdctl"] + args
    env = dict(os.environ, **ETCDCTL_ENV)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def stop(p):
    """SIGINT (etcdctl's watch exits 0 on it), then the output."""
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, out.decode(), err.decode()


@test(timeout=60)
def watch_and_exec_watch_match_etcdctl():
    s = Server().start()
    e = ep(s)
    first = None
    for tool in ("kv", "et"):
        for i in range(3):
            r = s.put(PREFIX[tool] + "/w/k", "v%d" % i)
            first = first or int(r.headers["x-etcd-index"])
    kv_first = first
    # History: --after-index returns at once with the next change of the key.
    for fmt in ("simple", "extended", "json"):
        kv = run("kv", e + ["-o", fmt, "watch", "--after-index", str(kv_first), "/kv/w/k"])
        et = run("et", e + ["-o", fmt, "watch", "--after-index", str(kv_first), "/kv/w/k"])
        check_eq((kv[0], kv[1], kv[2]), (et[0], et[1], et[2]), "watch --after-index -o " + fmt)
    # Live: both watch forever and recursively while a writer changes keys.
    watchers = {t: background(t, e + ["watch", "-f", "-r", "/live"]) for t in ("kv", "et")}
    execs = {t: background(t, e + ["exec-watch", "-r", "/live", "--", "sh", "-c",
                                   "echo $ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE"])
             for t in ("kv", "et")}
    time.sleep(1.0)
    s.put("/live/a", "1")
    s.put("/live/b", "2")
    http_delete = s.url + "/v2/keys/live/a"
    from harness import http
    http("DELETE", http_delete)
    time.sleep(1.0)
    results = {t: stop(p) for t, p in watchers.items()}
    check_eq(results["kv"], results["et"], "watch -f -r with a writer")
    check("[delete] /live/a" in results["kv"][1], "watch saw the delete: %r" % (results["kv"],))
    outs = {t: stop(p) for t, p in execs.items()}
    check_eq(sorted(outs["kv"][1].splitlines()), sorted(outs["et"][1].splitlines()), "exec-watch output")
    check_eq(sorted(outs["kv"][1].splitlines()), ["delete /live/a", "set /live/a 1", "set /live/b 2"],
             "exec-watch sees each change")


@test(timeout=150)
def members_and_cluster_health_on_three_members():
    members = start_cluster(3)
    e = ["--endpoints", members[0].url]
    same(e + ["member", "list"], want_rc=0)
    same(e + ["cluster-health"], want_rc=0)
    rc, out, _ = run("kv", e + ["member", "list", "-w", "table"])
    check(rc == 0 and out.count("|  started |") == 0 and out.count(" started |") == 3 and "PEER ADDRS" in out,
          "member list -w table: %r" % out)
    # add / remove / update: each tool on the same cluster state.
    url = "http://127.0.0.1:%d" % free_port()
    deadline = time.time() + 15  # adds are refused until the peers have been up 5 s
    kv_add = run("kv", e + ["member", "add", "extra", url])
    while kv_add[0] != 0 and time.time() < deadline:
        time.sleep(0.2)
        kv_add = run("kv", e + ["member", "add", "extra", url])
    check_eq(kv_add[0], 0, "member add: %r" % (kv_add,))
    new_id = re.search(r"with ID (\w+)", kv_add[1]).group(1)
    kv_list = run("kv", e + ["member", "list"])
    et_rm = run("et", e + ["member", "remove", new_id])
    # A removed member's peer URL is not taken again; etcdctl adds another one.
    url2 = "http://127.0.0.1:%d" % free_port()
    et_add = run("et", e + ["member", "add", "extra", url2])
    et_add = (et_add[0], et_add[1].replace(url2, url), et_add[2])
    check_eq((et_rm[0], et_add[0]), (0, 0), "etcdctl member remove, add: %r %r" % (et_rm, et_add))
    # Members come in ID order, and the new member's ID differs: compare the cluster as a set.
    def add_output(text):
        return re.sub(r'ETCD_INITIAL_CLUSTER="([^"]*)"',
                      lambda m: ",".join(sorted(m.group(1).split(","))), norm(text))
    check_eq(add_output(kv_add[1]), add_output(et_add[1]), "member add output")
    check(new_id + "[unstarted]: peerURLs=" + url in kv_list[1], "unstarted member listed: %r" % kv_list[1])
    et_id = re.search(r"with ID (\w+)", et_add[1]).group(1)
    kv_up = run("kv", e + ["member", "update", et_id, url.replace("127.0.0.1", "localhost")])
    et_up = run("et", e + ["member", "update", et_id, url])
    check_eq(norm(kv_up[1]) + str(kv_up[0]), norm(et_up[1]) + str(et_up[0]), "member update")
    kv_rm = run("kv", e + ["member", "remove", et_id])
    check_eq((kv_rm[0], norm(kv_rm[1])), (et_rm[0], norm(et_rm[1])), "member remove")
    same(e + ["member", "remove", et_id], want_rc=1)
    # One member down: health names it, the cluster stays healthy.
    members[2].kill9()
    from test_cluster import leader_of
    leader_of(members[:2])
    kv, et = run("kv", e + ["cluster-health"]), run("et", e + ["cluster-health"])
    check_eq((kv[0], kv[1], kv[2]), (et[0], et[1], et[2]), "cluster-health with a member down")
    check("is unreachable" in kv[1] and "cluster is degraded" in kv[1] and kv[0] == 5, kv[1])
    # Failover after sync: the first endpoint is the dead member.
    same(["--endpoints", members[2].url + "," + members[0].url, "ls", "/"], want_rc=0)


@test(timeout=60)
def first_session_from_the_issue_works_as_written():
    s = Server().start()
    env = {"ETCDCTL_ENDPOINTS": s.url}
    rc, out, err = run_cli([KVRAFTCTL, "set", "site", "www.example.com"], env=env)
    check_eq((rc, out, err), (0, "www.example.com\n", ""), "set site")
    rc, out, err = run_cli([KVRAFTCTL, "get", "site"], env=env)
    check_eq((rc, out, err), (0, "www.example.com\n", ""), "get site")
    rc, out, _ = run_cli([KVRAFTCTL, "member", "list"], env=env)
    check(rc == 0 and re.fullmatch(r"\w+: name=default peerURLs=%s clientURLs=%s isLeader=true\n"
                                   % (s.peer_url, s.url), out), "member list: %r" % out)
    rc, out, _ = run_cli([KVRAFTCTL, "cluster-health"], env=env)
    check(rc == 0 and out.endswith("cluster is healthy\n"), "cluster-health: %r" % out)
    new = "http://127.0.0.1:2390"
    rc, out, _ = run_cli([KVRAFTCTL, "member", "add", "infra1", new], env=env)
    check(rc == 0 and re.search(r'ETCD_INITIAL_CLUSTER="(default=%s,infra1=%s|infra1=%s,default=%s)"\n'
                                % (s.peer_url, new, new, s.peer_url), out)
          and 'ETCD_NAME="infra1"' in out and 'ETCD_INITIAL_CLUSTER_STATE="existing"' in out, "member add: %r" % out)
