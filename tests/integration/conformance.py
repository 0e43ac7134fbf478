#!/usr/bin/env python3
"""Runs the v2 conformance scenarios against fresh servers under test.

Each suite runs against its own fresh member named "default" (kvraft, or etcd
with KVRAFT_TEST_TARGET=etcd) on reserved loopback ports:
  ours     tests/conformance/golden (scenarios in tests/conformance/scenarios,
           the shared sample suite's among them), recorded from etcd 3.4 and
           replayed by tests/conformance/v2replay.py. Always runs.
  shared   the shared sample suite DIR/golden replayed by its own DIR/v2conf.py,
           in addition, when DIR exists: $CONFORMANCE_DIR, else
           ../shared/conformance beside the repository (our machines only).

Every scenario counts: a difference from etcd is a failure. A server that
crashed or printed a sanitizer report counts as a failure. Output ends with
"N passed, M failed" over the suites run; exit status 0 only when M is 0.

  conformance.py [extra check arguments, e.g. --only REGEX]
  conformance.py --record [--only REGEX]
      records tests/conformance/golden from a fresh real etcd 3.4 with
      v2replay.py, then checks what it wrote against a second fresh etcd.
"""

import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OURS = os.path.join(harness.REPO, "tests", "conformance")
REPLAYER = os.path.join(OURS, "v2replay.py")
SHARED = os.environ.get("CONFORMANCE_DIR") or os.path.join(harness.REPO, "..", "shared", "conformance")
RESULT_RE = re.compile(r"^(\d+) (?:passed|recorded), (\d+) failed")
SUITE_TIMEOUT = 240  # seconds per suite; ours takes about 60 against kvraft


def replay(kind, argv):
    """Runs argv + --url against a fresh member of kind: (passed, failed, output)."""
    server = harness.Server(kind=kind, name="default")
    proc = None
    try:
        server.start()
        proc = subprocess.Popen([sys.executable] + argv + ["--url", server.url],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, _ = proc.communicate(timeout=SUITE_TIMEOUT)
    except (harness.TestFailure, subprocess.TimeoutExpired) as e:
        return 0, 1, "could not run: %s\n" % e
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        harness.cleanup_all()
    results = [m for m in map(RESULT_RE.match, out.splitlines()) if m]
    if not results:
        return 0, 1, out + "no result line: counted as one failure\n"
    passed, failed = map(int, results[-1].groups())
    if proc.returncode != 0 and failed == 0:
        return passed, 1, out + "exit %d: counted as one failure\n" % proc.returncode
    return passed, failed, out


def run_suite(label, kind, argv):
    print("=== %s: %s" % (label, " ".join(argv)), flush=True)
    passed, failed, out = replay(kind, argv)
    sys.stdout.write(out)
    print("%s: %d passed, %d failed" % (label, passed, failed), flush=True)
    return passed, failed


def suites(extra):
    """(label, argv) of each suite to run."""
    golden = os.path.join(OURS, "golden")
    out = [("ours", [REPLAYER, "check", "--golden", golden] + extra)]
    checker = os.path.join(SHARED, "v2conf.py")
    if os.path.exists(checker):
        out.append(("shared", [checker, "check", "--golden", os.path.join(SHARED, "golden")] + extra))
    else:
        print("shared sample suite not at %s: not run (its scenarios are in ours)" % SHARED)
    return out


def record(extra):
    """Records our golden transcripts from real etcd, then checks them against another."""
    golden = os.path.join(OURS, "golden")
    runs = [("record", [REPLAYER, "record", "--out", golden] + extra),
            ("check", [REPLAYER, "check", "--golden", golden] + extra)]
    return [run_suite(label, "etcd", argv) for label, argv in runs]


def main():
    args = sys.argv[1:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # still stop the servers
    if args[:1] == ["--record"]:
        results = record(args[1:])
    else:
        results = [run_suite(label, harness.TARGET, argv) for label, argv in suites(args)]
    total_pass = sum(p for p, _ in results)
    total_fail = sum(f for _, f in results)
    # A server that crashed or printed a sanitizer report fails the run.
    for report in harness.crash_reports():
        print("conformance: server under test: %s" % report)
        total_fail += 1
    print("%d passed, %d failed" % (total_pass, total_fail))
    return 0 if total_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
