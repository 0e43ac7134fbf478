#!/usr/bin/env python3
"""Runs the shared v2 conformance suite against a fresh server under test.

Starts one member named "default" (kvraft, or etcd with KVRAFT_TEST_TARGET=etcd)
on a free loopback port, runs `v2conf.py check` against it, stops the server
and exits with the checker's status, or 1 when the server crashed or printed
a sanitizer report. Its output ends with "N passed, M failed".

  conformance.py [DIR] [extra v2conf.py check arguments...]
DIR defaults to $CONFORMANCE_DIR, else ../shared/conformance from the repo root.
"""

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def main():
    args = sys.argv[1:]
    conf_dir = args.pop(0) if args else os.environ.get(
        "CONFORMANCE_DIR", os.path.join(harness.REPO, "..", "shared", "conformance"))
    checker = os.path.join(conf_dir, "v2conf.py")
    if not os.path.exists(checker):
        print("conformance suite not found at %s" % checker)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # still stop the server
    server = harness.Server(name="default")
    proc = None
    try:
        server.start()
        proc = subprocess.Popen([sys.executable, checker, "check", "--url", server.url,
                                 "--golden", os.path.join(conf_dir, "golden")] + args)
        code = proc.wait(timeout=85)
    except (harness.TestFailure, subprocess.TimeoutExpired) as e:
        print("conformance could not run: %s" % e)
        code = 2
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        harness.cleanup_all()
    for report in harness.crash_reports():
        print("conformance: server under test: %s" % report)
        code = code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())
