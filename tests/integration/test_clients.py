"""Real clients: etcdctl (v2) and python3-etcd against etcd and the server under test.

The same steps run against a fresh reference etcd and a fresh server under
test; outputs must be equal once indexes are made relative to the index each
server showed before the first step. python3-etcd needs Debian's
/usr/bin/python3 (run.py must be started with it).
"""

import re
import subprocess
import threading
import time

from harness import Server, check, http, run_cli, test

INDEX_LINE = re.compile(r"^(Created-Index|Modified-Index|Index): (\d+)$")
INDEX_TAIL = re.compile(r"\[(\d+)\]$")
TTL_LINE = re.compile(r"^TTL: (\d+)$")
JSON_INDEX = re.compile(r'"(createdIndex|modifiedIndex)":(\d+)')


def base_index(s):
    return int(http("GET", s.url + "/v2/keys/").headers["x-etcd-index"])


def rel(n, base):
    return "i%+d" % (int(n) - base)


def normalize_text(text, base):
    out = []
    for line in text.splitlines():
        line = INDEX_LINE.sub(lambda m: "%s: %s" % (m.group(1), rel(m.group(2), base)), line)
        line = INDEX_TAIL.sub(lambda m: "[%s]" % rel(m.group(1), base), line)
        line = JSON_INDEX.sub(lambda m: '"%s":"%s"' % (m.group(1), rel(m.group(2), base)), line)
        m = TTL_LINE.match(line)
        if m:  # a TTL of 30 may read 29 by the time it is printed
            line = "TTL: %s" % ("~30" if 28 <= int(m.group(1)) <= 30 else m.group(1))
        out.append(line)
    return out


ETCDCTL_STEPS = [
    ["set", "/c/a", "hello"], ["get", "/c/a"],
    ["mk", "/c/b", "one"], ["mk", "/c/b", "two"],
    ["mkdir", "/c/dir"], ["mkdir", "/c/dir"],
    ["update", "/c/a", "world"], ["update", "/c/missing", "x"],
    ["set", "/c/dir/x", "1"], ["set", "/c/dir/sub/y", "2"],
    ["ls", "--recursive", "--sort", "/c"], ["ls", "--recursive", "/c"],
    ["ls", "/c/none"], ["-o", "extended", "get", "/c/a"], ["get", "/c/dir"],
    ["rm", "/c/a"], ["rm", "/c/dir"], ["rm", "--recursive", "/c/dir"],
    ["get", "/c/dir/x"], ["set", "--ttl", "30", "/c/t", "v"],
    ["-o", "extended", "get", "/c/t"], ["-o", "json", "get", "/c/b"],
    ["update", "--ttl", "30", "/c/b", "three"], ["rm", "--with-value", "wrong", "/c/b"],
]


def etcdctl(url, args, timeout=10):
    code, out, err = run_cli(["etcdctl", "--endpoints", url] + args,
                             env={"ETCDCTL_API": "2"}, timeout=timeout)
    return code, out, err


def etcdctl_transcript(s):
    base = base_index(s)
    lines = []
    for args in ETCDCTL_STEPS:
        code, out, err = etcdctl(s.url, args)
        text = normalize_text(out, base) + normalize_text(err, base)
        if args[:2] == ["ls", "--recursive"] and "--sort" not in args:
            text.sort()  # unsorted listings have no defined order
        lines.append((" ".join(args), code, text))
    # watch in the background, then a write it must print
    watch = subprocess.Popen(["etcdctl", "--endpoints", s.url, "watch", "/c/w"],
                             env={"ETCDCTL_API": "2", "PATH": "/usr/bin:/bin"},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(1.0)  # let the long poll reach the server
        etcdctl(s.url, ["set", "/c/w", "seen"])
        out, _ = watch.communicate(timeout=10)
        lines.append(("watch /c/w", watch.returncode, normalize_text(out.decode(), base)))
    except subprocess.TimeoutExpired:
        lines.append(("watch /c/w", "hung", []))
    finally:
        watch.kill()
        watch.wait()
    return lines


def compare(got, want, what):
    diffs = ["%s:\n      got  %r\n      want %r" % (g[0], g[1:], w[1:])
             for g, w in zip(got, want) if g != w]
    check(len(got) == len(want) and not diffs,
          "%s: %d steps differ from etcd:\n    %s" % (what, len(diffs), "\n    ".join(diffs)))


@test(timeout=120)
def etcdctl_v2_matches_etcd():
    ref = Server(kind="etcd").start()
    sut = Server().start()
    want = etcdctl_transcript(ref)
    check(want[0][1:] == (0, ["hello"]), "etcdctl does not work against etcd: %r" % (want[0],))
    compare(etcdctl_transcript(sut), want, "etcdctl")


def in_order_key(key, base):
    """POSTed keys are named by their index: make the name relative too."""
    if not key:
        return key
    return re.sub(r"/(\d{20})$", lambda m: "/<%s>" % rel(m.group(1), base), key)


def result_dict(r, base):
    """A python3-etcd EtcdResult as comparable data (indexes relative)."""
    d = {"action": r.action, "key": r.key, "value": r.value, "dir": r.dir,
         "ttl": None if r.ttl is None else ("~30" if 28 <= r.ttl <= 30 else r.ttl)}
    for name in ("createdIndex", "modifiedIndex"):
        d[name] = rel(getattr(r, name), base) if getattr(r, name) else None
    d["key"] = in_order_key(r.key, base)
    if r.dir:
        d["leaves"] = sorted((in_order_key(c.key, base), c.value) for c in r.leaves)
    return d


def python_etcd_transcript(s):
    import etcd
    c = etcd.Client(host="127.0.0.1", port=s.client_port, read_timeout=10)
    base = base_index(s)
    out = []

    def step(name, fn):
        try:
            out.append((name, result_dict(fn(), base)))
        except etcd.EtcdException as e:
            msg = re.sub(r"\d{2,}", lambda m: rel(m.group(0), base), str(e))
            out.append((name, type(e).__name__, msg))

    step("write", lambda: c.write("/p/a", "v1"))
    step("read", lambda: c.read("/p/a"))
    step("write prevExist", lambda: c.write("/p/a", "v2", prevExist=True))
    step("write prevExist=False", lambda: c.write("/p/a", "v2", prevExist=False))
    step("test_and_set ok", lambda: c.test_and_set("/p/a", "v3", "v2"))
    step("test_and_set fail", lambda: c.test_and_set("/p/a", "x", "wrong"))
    step("write dir", lambda: c.write("/p/d", None, dir=True))
    step("write in dir", lambda: c.write("/p/d/x", "1"))
    step("write ttl", lambda: c.write("/p/t", "tv", ttl=30))
    step("append", lambda: c.write("/p/q", "job1", append=True))
    step("append", lambda: c.write("/p/q", "job2", append=True))
    step("read recursive", lambda: c.read("/p", recursive=True, sorted=True))
    a_index = c.read("/p/a").modifiedIndex
    step("read wait waitIndex", lambda: c.read("/p/a", wait=True, waitIndex=a_index))
    result = {}
    t = threading.Thread(target=lambda: result.update(r=c.read("/p/w", wait=True, timeout=10)))
    t.start()
    time.sleep(1.0)
    step("write watched", lambda: c.write("/p/w", "fired"))
    t.join(12)
    out.append(("read wait", result_dict(result["r"], base) if "r" in result else "no event"))
    step("delete", lambda: c.delete("/p/a"))
    step("read deleted", lambda: c.read("/p/a"))
    step("delete dir", lambda: c.delete("/p/d"))
    step("delete recursive", lambda: c.delete("/p/d", recursive=True))
    step("read recursive", lambda: c.read("/p", recursive=True, sorted=True))
    return out


@test(timeout=120)
def python_etcd_matches_etcd():
    try:
        import etcd  # noqa: F401
    except ImportError:
        check(False, "python3-etcd not importable: run the tests with /usr/bin/python3")
    ref = Server(kind="etcd").start()
    sut = Server().start()
    want = python_etcd_transcript(ref)
    check(want[0][1].get("value") == "v1", "python3-etcd does not work against etcd")
    compare(python_etcd_transcript(sut), want, "python3-etcd")
