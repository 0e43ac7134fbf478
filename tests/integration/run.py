#!/usr/bin/env python3
"""Runs the integration tests (tests/integration/test_*.py).

Each test runs in a child process in its own process group, so a test that
overruns its timeout is killed together with every server it started.
Prints PASS/FAIL/SKIP per test and ends with "N passed, M failed".
With --jobs N, N tests run at once (most of a cluster test's time is spent
waiting for timeouts and elections, not on the CPU).

  run.py [--only REGEX] [--exclude REGEX] [--list] [--jobs N] [--budget SECONDS]
  KVRAFT_TEST_TARGET=etcd run.py     # run against real etcd instead of kvraft
"""

import argparse
import concurrent.futures
import glob
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def load_tests():
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    return harness.TESTS


_running = set()  # the running tests' processes (each pid is its process group)
_lock = threading.Lock()


def on_sigterm(*_):
    """Stopped from outside (e.g. run_all.sh's timeout): take the tests' servers along."""
    with _lock:
        running = list(_running)
    for p in running:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    print("FAIL: integration run stopped by SIGTERM")
    sys.exit(1)


def run_child(name, timeout):
    """Runs one test in a new session; returns (status, output)."""
    tmp = tempfile.mkdtemp(prefix="kvtest-run-")  # the test's temp dirs go here
    try:
        return _run_child(name, timeout, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_child(name, timeout, tmp):
    p = subprocess.Popen([sys.executable, __file__, "--child", name],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    env=dict(os.environ, TMPDIR=tmp))
    with _lock:
        _running.add(p)
    try:
        out, _ = p.communicate(timeout=timeout + 20)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return "FAIL", out.decode(errors="replace") + "\nFAIL %s: killed, hung" % name
    finally:
        with _lock:
            _running.discard(p)
    try:
        os.killpg(p.pid, signal.SIGKILL)  # anything the test leaked
    except ProcessLookupError:
        pass
    text = out.decode(errors="replace")
    for line in reversed(text.splitlines()):
        m = re.match(r"(PASS|FAIL|SKIP) ", line)
        if m:
            return m.group(1), text
    return "FAIL", text + "\nFAIL %s: exited %d without a result" % (name, p.returncode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="run only tests whose name matches")
    ap.add_argument("--exclude", help="skip tests whose name matches")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--budget", type=float, default=1e9,
                    help="seconds for the whole run; tests left over count as failed")
    ap.add_argument("--jobs", type=int, default=1, help="tests run at once")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    tests = load_tests()
    if args.child:
        harness.raise_nofile_limit()
        sys.exit(harness.run_one(args.child))
    print("integration tests against %s (%s)" % (
        harness.TARGET, harness.ETCD_BIN if harness.TARGET == "etcd" else harness.KVRAFT_BIN))
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    start = time.time()
    signal.signal(signal.SIGTERM, on_sigterm)
    chosen = [(name, timeout) for name, _, timeout, _ in tests
              if not (args.only and not re.search(args.only, name))
              and not (args.exclude and re.search(args.exclude, name))]
    if args.list:
        for name, _ in chosen:
            print(name)
        return

    def run(item):
        name, timeout = item
        t0 = time.time()
        left = args.budget - (t0 - start)
        if left < 5:
            return "FAIL", "FAIL %s: not run, time budget used up" % name
        status, text = run_child(name, min(timeout, left))
        return status, "%s\n(%s: %.1fs)" % (text.rstrip(), name, time.time() - t0)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for status, text in pool.map(run, chosen):
            counts[status] += 1
            print(text, flush=True)
    print("integration: %d skipped, %.0fs" % (counts["SKIP"], time.time() - start))
    print("%d passed, %d failed" % (counts["PASS"], counts["FAIL"]))
    sys.exit(1 if counts["FAIL"] else 0)


if __name__ == "__main__":
    main()
