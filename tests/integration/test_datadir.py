"""Data dir checks: a data dir of another member or a corrupt one is refused.

Real etcd 3.4 ignores --name / --initial-* on restart and is not the model
here, so the identity checks are kvraft-only.
"""

import os

from harness import Server, check, check_eq, free_port, test


def refused(s, what, timeout=15):
    """Asserts the server exits non-zero by itself with a message about its data dir."""
    s.spawn()
    code = s.wait_exit(timeout)
    text = s.log_text().split("==== start %d" % s.starts)[-1]
    check(code is not None, "%s: server still running after %ds, want refusal" % (what, timeout))
    check(code != 0, "%s: exit code 0, want non-zero" % what)
    lines = [l for l in text.splitlines()[1:] if l.strip()]
    check(lines, "%s: exited %d without a message" % (what, code))
    check(any(s.data_dir in l or "data dir" in l.lower() or "data-dir" in l.lower()
              for l in lines), "%s: message does not name the data dir: %r" % (what, lines[-3:]))


def initialised_member(**kw):
    s = Server(**kw).start()
    check_eq(s.put("/dd/k", "v").status, 201, "PUT")
    s.stop()
    return s


@test(timeout=60, targets=("kvraft",))
def other_member_name_is_refused():
    s = initialised_member(name="alpha")
    other = Server(name="beta", data_dir=s.data_dir)
    refused(other, "restart with another --name")


@test(timeout=60, targets=("kvraft",))
def other_peer_urls_are_refused():
    s = initialised_member()
    s.peer_port = free_port()
    s.cluster = "%s=%s" % (s.name, s.peer_url)
    refused(s, "restart with other peer URLs")


@test(timeout=60, targets=("kvraft",))
def other_cluster_token_is_refused():
    s = initialised_member(args=["--initial-cluster-token", "token-a"])
    s.extra_args = ["--initial-cluster-token", "token-b"]
    refused(s, "restart with another --initial-cluster-token")


def corrupt_files(root):
    """Overwrites every non-empty file with garbage of the same size."""
    garbage = {}
    for d, _, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            size = os.path.getsize(path)
            if size == 0:
                continue
            data = (b"\xde\xad\xbe\xef garbage " * (size // 16 + 1))[:size]
            with open(path, "wb") as fh:
                fh.write(data)
            garbage[path] = data
    return garbage


@test(timeout=60)
def corrupt_data_dir_is_refused_not_reinitialised():
    s = initialised_member()
    garbage = corrupt_files(s.data_dir)
    check(garbage, "data dir holds no files")
    s.spawn()
    code = s.wait_exit(15)
    if code is None:
        r = s.get("/dd/k")
        check(False, "server started on a corrupt data dir (GET /dd/k -> %d)" % r.status)
    check(code != 0, "exit code 0 on a corrupt data dir")
    for path, data in garbage.items():
        with open(path, "rb") as fh:
            check(fh.read() == data, "%s was rewritten (reinitialised)" % path)
