"""v2 auth through real clients, side by side with etcd 3.4.

kvraftctl's user, role and auth commands against etcdctl's (ETCDCTL_API=2),
each tool on its own fresh server of the kind under test; then etcdctl's keys
commands with -u, and python3-etcd with a username and password, against a
fresh kvraft and a fresh etcd set up alike. Outputs and exit codes must be
equal (after normalising indexes, and the stty complaint etcdctl's password
prompt prints when stdin is no terminal).
"""

import re

from auth_setup import setup
from harness import Server, check, check_eq, run_cli, test
from test_cli import KVRAFTCTL
from test_clients import base_index, compare, normalize_text

STTY = "stty: 'standard input': Inappropriate ioctl for device\n"

# (arguments, stdin) in order; state carries over from step to step.
CLI_STEPS = [
    (["user", "list"], None), (["role", "list"], None), (["user", "add", "root:rootpw"], None),
    (["user", "add"], None), (["user", "get", "root"], None), (["user", "get", "nobody"], None),
    (["role", "add", "rkt"], None), (["role", "add", "rkt"], None), (["role", "add"], None),
    (["role", "grant", "rkt", "--path", "/rkt/*", "--rw"], None),
    (["role", "grant", "rkt", "--path", "/rkt/*", "--read"], None),
    (["role", "revoke", "rkt", "--path", "/nothere", "--read"], None),
    (["role", "grant", "rkt", "--path", "/x/../y", "--read"], None), (["role", "grant", "rkt", "--read"], None),
    (["role", "grant", "rkt", "--path", "/z"], None), (["role", "grant", "rkt", "--path", "/z", "--read", "--write"], None),
    (["role", "grant", "nope", "--path", "/z", "--write"], None), (["role", "get", "rkt"], None),
    (["role", "get", "nope"], None), (["role", "list"], None), (["role", "list", "extra"], None),
    (["user", "add", "alice:apw"], None), (["user", "grant", "alice", "--roles", "rkt", "--roles", "guest"], None),
    (["user", "get", "alice"], None), (["user", "revoke", "alice", "--roles", "guest"], None),
    (["user", "get", "alice"], None), (["user", "grant", "alice"], None),
    (["user", "revoke", "alice", "--roles", "nope"], None), (["user", "passwd", "alice"], "newpw\n"),
    (["user", "add", "bob"], "bobpw\n"), (["user", "get", "bob"], None), (["user", "list", "x"], None),
    (["auth", "enable"], None), (["auth", "enable"], None), (["-u", "root:rootpw", "auth", "enable"], None),
    (["user", "list"], None), (["-u", "root:wrong", "user", "list"], None), (["-u", "root:rootpw", "user", "list"], None),
    (["role", "list"], None), (["-u", "root", "role", "list"], "rootpw\n"),
    (["-u", "alice:newpw", "set", "/rkt/a", "v"], None), (["-u", "alice:newpw", "set", "/other", "v"], None),
    (["-u", "alice:newpw", "get", "/rkt/a"], None), (["-u", "alice:newpw", "ls", "/"], None),
    (["-u", "alice:apw", "get", "/rkt/a"], None), (["-u", "alice:newpw", "user", "list"], None),
    (["-u", "alice:newpw", "role", "get", "rkt"], None), (["get", "/rkt/a"], None),
    (["-u", "root:rootpw", "user", "remove", "root"], None), (["auth", "disable"], None),
    (["-u", "root:rootpw", "auth", "disable"], None), (["auth", "disable"], None),
    (["auth", "enable", "x"], None), (["user", "remove", "alice"], None), (["user", "remove", "alice"], None),
    (["role", "remove", "rkt"], None), (["role", "remove", "rkt"], None), (["role", "remove", "root"], None),
    (["user", "remove", "root"], None), (["user", "list"], None),
]


def tool_transcript(argv, env, s):
    out = []
    for args, stdin in CLI_STEPS:
        code, stdout, stderr = run_cli(argv + ["--endpoints", s.url] + args, env=env,
                                       stdin=stdin.encode() if stdin else None, timeout=20)
        stdout = stdout.replace(STTY, "")
        stderr = stderr.replace(STTY, "")
        out.append((" ".join(args), code, stdout.replace("kvraftctl", "etcdctl"),
                    stderr.replace("kvraftctl", "etcdctl")))
    return out


@test(timeout=180)
def auth_commands_match_etcdctl():
    kv_server, et_server = Server().start(), Server().start()
    want = tool_transcript(["etcdctl"], {"ETCDCTL_API": "2"}, et_server)
    check_eq(want[4][1:3], (0, "User: root\nRoles:  root\n"), "etcdctl user get root")
    compare(tool_transcript([KVRAFTCTL], None, kv_server), want, "kvraftctl")
    for args in (["user", "--help"], ["role", "--help"], ["auth", "--help"], ["user", "grant", "--help"],
                 ["role", "grant", "--help"], ["role", "revoke", "--help"], ["role", "add", "--help"],
                 ["role", "list", "--help"], ["user", "passwd", "--help"], ["auth", "enable", "--help"],
                 ["help", "user"]):
        kv = run_cli([KVRAFTCTL] + args)
        et = run_cli(["etcdctl"] + args, env={"ETCDCTL_API": "2"})
        check_eq((kv[0], kv[1].replace("kvraftctl", "etcdctl"), kv[2]), et, " ".join(args))


ETCDCTL_KEY_STEPS = [
    ["-u", "alice:alicepw", "get", "/app/config"], ["-u", "alice:alicepw", "set", "/app/n", "1"],
    ["-u", "alice:alicepw", "ls", "--recursive", "--sort", "/app"], ["-u", "alice:alicepw", "get", "/secret/pw"],
    ["-u", "alice:alicepw", "set", "/secret/pw", "x"], ["-u", "alice:alicepw", "rm", "--recursive", "/app"],
    ["-u", "alice:alicepw", "mk", "/app/m", "v"], ["-u", "alice:alicepw", "rm", "/app/m"],
    ["-u", "bob:bobpw", "get", "/public"], ["-u", "bob:bobpw", "update", "/app/config", "x"],
    ["-u", "alice:wrong", "get", "/app/config"], ["-u", "nobody:x", "get", "/public"],
    ["get", "/public"], ["get", "/secret/pw"], ["set", "/public", "x"], ["ls", "/"],
    ["-u", "root:rootpw", "get", "/secret/pw"], ["-u", "root:rootpw", "ls", "--sort", "/"],
    ["-u", "bob:bobpw", "member", "add", "x", "http://127.0.0.1:1"],
    ["-u", "alice:alicepw", "-o", "json", "get", "/app/config"],
]


def etcdctl_transcript(s):
    base = base_index(s)
    out = []
    for args in ETCDCTL_KEY_STEPS:
        code, stdout, stderr = run_cli(["etcdctl", "--endpoints", s.url] + args, env={"ETCDCTL_API": "2"}, timeout=20)
        out.append((" ".join(args), code, normalize_text(stdout, base) + normalize_text(stderr, base)))
    return out


def python_etcd_transcript(s):
    import etcd
    base = base_index(s)
    out = []

    def client(user, password):
        return etcd.Client(host="127.0.0.1", port=s.client_port, username=user, password=password, read_timeout=10)

    def step(name, fn):
        try:
            r = fn()
            out.append((name, r.key, r.value, sorted(c.key for c in r.leaves) if r.dir else None))
        except etcd.EtcdException as e:
            out.append((name, type(e).__name__, re.sub(r"\d{2,}", lambda m: "i%+d" % (int(m.group(0)) - base), str(e))))
    alice, bob, guest, wrong = client("alice", "alicepw"), client("bob", "bobpw"), client(None, None), client("alice", "x")
    step("alice read", lambda: alice.read("/app/config"))
    step("alice write", lambda: alice.write("/app/p", "v"))
    step("alice read recursive /app/", lambda: alice.read("/app/", recursive=True))
    step("alice read recursive /app", lambda: alice.read("/app", recursive=True))
    step("alice read secret", lambda: alice.read("/secret/pw"))
    step("alice write secret", lambda: alice.write("/secret/pw", "x"))
    step("alice append", lambda: alice.write("/app/q", "j", append=True))
    step("bob write", lambda: bob.write("/app/p", "x"))
    step("bob read public", lambda: bob.read("/public"))
    step("guest read public", lambda: guest.read("/public"))
    step("guest read app", lambda: guest.read("/app/config"))
    step("wrong password", lambda: wrong.read("/app/config"))
    step("alice delete", lambda: alice.delete("/app/p"))
    return out


@test(timeout=180, targets=("kvraft",))
def etcdctl_and_python_etcd_with_credentials_match_etcd():
    try:
        import etcd  # noqa: F401
    except ImportError:
        check(False, "python3-etcd not importable: run the tests with /usr/bin/python3")
    ref, sut = Server(kind="etcd").start(), Server().start()
    setup(ref)
    setup(sut)
    want = etcdctl_transcript(ref)
    check_eq(want[0][1:], (0, ["app-config"]), "etcdctl -u against etcd")
    compare(etcdctl_transcript(sut), want, "etcdctl -u")
    want = python_etcd_transcript(ref)
    check_eq(want[0][1:3], ("/app/config", "app-config"), "python3-etcd with a password against etcd")
    compare(python_etcd_transcript(sut), want, "python3-etcd with credentials")
