#!/usr/bin/env python3
"""Runs the v2 conformance scenarios against fresh servers under test.

Two suites, each against its own fresh member named "default" (kvraft, or etcd
with KVRAFT_TEST_TARGET=etcd) on a free loopback port, replayed by the shared
checker (`v2conf.py check`):
  shared   the recorded sample suite, DIR/golden (DIR/scenarios)
  ours     tests/conformance/golden (tests/conformance/scenarios), recorded
           from etcd 3.4.23 the same way (see tests/conformance/README.md)

Every scenario counts: a difference from etcd is a failure. A server that
crashed or printed a sanitizer report counts as a failure. Output ends with
"N passed, M failed" over both suites; exit status 0 only when M is 0.

  conformance.py [DIR] [extra v2conf.py check arguments...]
DIR defaults to $CONFORMANCE_DIR, else ../shared/conformance from the repo root.
"""

import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OURS = os.path.join(harness.REPO, "tests", "conformance")
RESULT_RE = re.compile(r"^(\d+) passed, (\d+) failed")
SUITE_TIMEOUT = 150  # seconds per suite; ours takes about 40 against kvraft


def only_args(names):
    return ["--only", "^(%s)$" % "|".join(re.escape(n) for n in names)] if names else []


def run_checker(checker, golden, names, extra):
    """Replays `names` from `golden` against a fresh server: (passed, failed, output)."""
    server = harness.Server(name="default")
    proc = None
    try:
        server.start()
        proc = subprocess.Popen([sys.executable, checker, "check", "--url", server.url,
                                 "--golden", golden] + only_args(names) + extra,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, _ = proc.communicate(timeout=SUITE_TIMEOUT)
    except (harness.TestFailure, subprocess.TimeoutExpired) as e:
        return 0, 1, "could not run: %s\n" % e
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        harness.cleanup_all()
    last = [m for m in map(RESULT_RE.match, out.splitlines()) if m]
    if not last:
        return 0, 1, out + "no result line: counted as one failure\n"
    return int(last[-1].group(1)), int(last[-1].group(2)), out


def scenario_names(golden):
    return sorted(f[:-5] for f in os.listdir(golden) if f.endswith(".json"))


def run_suite(label, checker, golden, extra):
    """Runs one suite. Returns (passed, failed)."""
    names = scenario_names(golden)
    print("=== %s: %d scenarios from %s" % (label, len(names), golden), flush=True)
    passed, failed, out = run_checker(checker, golden, names, extra)
    sys.stdout.write(out)
    print("%s: %d passed, %d failed" % (label, passed, failed), flush=True)
    return passed, failed


def main():
    args = sys.argv[1:]
    conf_dir = args.pop(0) if args else os.environ.get(
        "CONFORMANCE_DIR", os.path.join(harness.REPO, "..", "shared", "conformance"))
    checker = os.path.join(conf_dir, "v2conf.py")
    if not os.path.exists(checker):
        print("conformance suite not found at %s" % checker)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # still stop the servers
    total_pass = total_fail = 0
    for label, golden in (("shared", os.path.join(conf_dir, "golden")),
                          ("ours", os.path.join(OURS, "golden"))):
        p, f = run_suite(label, checker, golden, args)
        total_pass += p
        total_fail += f
    # A server that crashed or printed a sanitizer report fails the run.
    for report in harness.crash_reports():
        print("conformance: server under test: %s" % report)
        total_fail += 1
    print("%d passed, %d failed" % (total_pass, total_fail))
    return 0 if total_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
