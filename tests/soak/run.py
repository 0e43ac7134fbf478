#!/usr/bin/env python3
"""A bounded soak of a 3-member kvraft cluster on loopback (make soak).

  run.py --minutes N [--out DIR] [--rate R] [--interval S] [--snapshot-count C]

For N minutes: the mixed load of load.py (writes, quorum reads, CAS, TTL
keys, in-order queues), the 1,000 watchers of watchers.py, and a member
restart or replacement every few minutes (chaos.py). Every member is sampled
all along (sampler.py). Then the queues are drained and the checks run
(checks.py, growth.py). Writes to DIR (default build/soak): samples.csv,
events.csv, soak.png, summary.txt and the members' logs. Exits non-zero,
with the reasons, on a failed check, an unexpected error or growth that does
not level off; prints a summary table either way.

Every loop is bounded in count and time; every process it starts is
stopped by PID at the end, also on a failure, Ctrl-C or SIGTERM.
"""

import argparse
import asyncio
import csv
import os
import resource
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "integration")]

import harness  # noqa: E402
import test_cluster  # noqa: E402  (its cluster helpers; importing it runs no test)
from chaos import Chaos, period_for  # noqa: E402
from checks import check_cas, check_queues, check_watchers, check_writes  # noqa: E402
from growth import judge  # noqa: E402
from load import Load  # noqa: E402
from sampler import Sampler, percentile  # noqa: E402
from state import State  # noqa: E402
from watchers import N_WATCHERS, Watchers  # noqa: E402


def on_sigterm(*_):
    raise KeyboardInterrupt("SIGTERM")


async def drive(st, load, watchers):
    """The load and the watchers until the duration is over, then the drain."""
    load_task = asyncio.ensure_future(load.run())
    watch_task = asyncio.ensure_future(watchers.run())
    try:
        done, _ = await asyncio.wait([load_task, watch_task], timeout=st.duration)
        for t in done:  # one ended early: only by an exception, which is a bug here
            t.result()
    finally:
        st.stop.set()
        watch_task.cancel()
    await asyncio.wait_for(load_task, 300)  # each request is bounded by caller.DEADLINE


def shutdown(st, out):
    """Stops every member by PID (SIGTERM, then SIGKILL), keeps their logs in
    out/logs and removes their data. Idempotent."""
    if st is not None:
        st.stop.set()
        with st.lock:
            st.closing = True  # the chaos thread starts no process after this
    for m in harness._servers:
        m.stop(timeout=20)
    logs = os.path.join(out, "logs")
    os.makedirs(logs, exist_ok=True)
    for m in harness._servers:
        if os.path.exists(m.log_path):
            shutil.copy(m.log_path, os.path.join(logs, m.name + ".log"))
    harness.cleanup_all()  # notes crashes, hangs and sanitizer reports


def write_events(path, events):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("t", "what", "member", "detail"))
        w.writerows(events)


def fmt(v):
    if v is None:
        return "-"
    return "%.1f" % v if isinstance(v, float) else str(v)


def summary(st, load, watchers, verdicts, rows, check_lines, failures, args):
    out = []
    loads = [r["loadavg"] for r in rows]
    lat_all = [float(r["p99_ms"]) for r in rows if r["p99_ms"] != ""]
    out.append("kvraft soak: %.1f min, 3 members, %d watchers, target %d req/s, "
               "--snapshot-count %d, samples every %.0fs"
               % (args.minutes, N_WATCHERS, args.rate, args.snapshot_count, args.interval))
    if loads:
        out.append("machine load (1-min loadavg, 2 cores): median %.1f, max %.1f"
                   % (sorted(loads)[len(loads) // 2], max(loads)))
    cpu = [r["cpu_pct"] for r in rows if r["cpu_pct"] != ""]
    me = resource.getrusage(resource.RUSAGE_SELF)
    out.append("CPU: members median %.0f%% of a core each, the soak's client %.0f%%"
               % (percentile(cpu, 50) or 0, 100 * (me.ru_utime + me.ru_stime) / max(1.0, st.now())))
    ops = load.book.ops
    out.append("operations (of 1-2 requests each): %s (%d in all, %.0f/s)" % (
        ", ".join("%s %d" % kv for kv in sorted(ops.items())), sum(ops.values()),
        sum(ops.values()) / max(1.0, st.duration)))
    if lat_all:
        out.append("p99 per member and interval: median %.1f ms, worst %.1f ms"
                   % (percentile(lat_all, 50), max(lat_all)))
    spontaneous = [(t, term) for t, term in st.elections if not st.planned(t)]
    out.append("leader elections seen (rises of X-Raft-Term): %d, %d of them outside the planned "
               "disruptions%s" % (len(st.elections), len(spontaneous), "".join(
                   " (term %d at %.0fs)" % (term, t) for t, term in spontaneous[:10])))
    out.append("")
    out.append("disruptions:")
    for t, what, member, detail in st.events:
        out.append("  %6.1fs  %-8s %-7s %s" % (t, what, member, detail))
    if not st.events:
        out.append("  none")
    out.append("")
    out.extend(check_lines)
    out.append("")
    out.append("counted (expected, retried):")
    for name, n in sorted(st.tally.counts.items()):
        if not name.startswith("UNEXPECTED"):
            out.append("  %7d  %s" % (n, name))
    out.append("")
    out.append("growth (last life of each member; median of the middle third -> last third, "
               "limit, peak; see growth.py):")
    metrics = []
    for v in verdicts:
        if v.metric not in metrics:
            metrics.append(v.metric)
    head = "%-7s %-14s" % ("member", "life (s)") + "".join("%-24s" % m for m in metrics)
    out.append(head)
    for member in [m.name for m in st.members]:
        mine = [v for v in verdicts if v.member == member]
        if not mine:
            continue
        line = "%-7s %-14s" % (member, "%d: %.0f-%.0f" % (mine[0].life, mine[0].t_from, mine[0].t_to))
        for v in mine:
            if not v.judged:
                cell = "not judged (short)"
            else:
                cell = "%s->%s<=%s %s" % (fmt(v.middle), fmt(v.last), fmt(v.limit), "ok" if v.ok else "GROWS")
            line += "%-24s" % cell
        out.append(line)
    out.append("")
    if failures:
        out.append("SOAK FAILED:")
        out.extend("  " + f for f in failures)
    else:
        out.append("SOAK PASSED")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--out", default=os.path.join(harness.REPO, "build", "soak"))
    ap.add_argument("--rate", type=int, default=200, help="load requests per second (watchers aside)")
    ap.add_argument("--interval", type=float, default=None, help="seconds between samples")
    ap.add_argument("--snapshot-count", type=int, default=2000,
                    help="members' --snapshot-count: small, so the log is compacted many times")
    args = ap.parse_args()
    duration = args.minutes * 60.0
    if duration < 60:
        sys.exit("soak: --minutes must be at least 1")
    if args.interval is None:
        args.interval = min(10.0, max(2.0, duration / 90.0))
    os.makedirs(args.out, exist_ok=True)
    for name in ("samples.csv", "events.csv", "soak.png", "summary.txt"):
        if os.path.exists(os.path.join(args.out, name)):
            os.remove(os.path.join(args.out, name))
    signal.signal(signal.SIGTERM, on_sigterm)
    harness.raise_nofile_limit()  # 1,000 watchers here, up to that many on one member

    st = None
    failures = []
    printed = False
    try:
        base_args = ["--snapshot-count", str(args.snapshot_count)]
        print("soak: starting 3 members (%s)" % harness.KVRAFT_BIN, flush=True)
        members = test_cluster.start_cluster(3, args=base_args)
        st = State(members, duration)
        load, watchers = Load(st, args.rate), Watchers(st)
        sampler = Sampler(st, args.interval, os.path.join(args.out, "samples.csv"))
        chaos = Chaos(st, base_args, test_cluster.TOKEN)
        print("soak: %.1f min of load, a disruption every %.0fs, samples every %.0fs into %s"
              % (args.minutes, period_for(duration), args.interval, args.out), flush=True)
        sampler.start()
        chaos.start()
        asyncio.run(drive(st, load, watchers))
        print("soak: load over at %.0fs; waiting for the last disruption, then checking" % st.now(),
              flush=True)
        chaos.join(300)
        sampler.join(30)
        if chaos.is_alive():
            failures.append("the disruption thread did not end within 300 s")
        if sampler.error:
            failures.append("sampler: " + sampler.error)

        check_lines = []
        try:
            check_lines += check_writes(st, load.book)
            check_lines += check_cas(st, load.book)
            check_lines += check_queues(st, load.book)
        except (OSError, ValueError, KeyError) as e:
            failures.append("the final reads failed: %r" % e)
        check_lines.append("TTL keys: %d checked gone after their ttl" % load.book.ttl_checked)
        check_lines += check_watchers(st, load.book, watchers.sessions)
        shutdown(st, args.out)
        st.judge_failures()
        for crash in harness.crash_reports():
            st.unexpected("member crashed or hung", crash)
        for name, examples in st.tally.unexpected.items():
            failures.append("%s (%d): %s" % (name, st.tally.counts["UNEXPECTED " + name],
                                             " | ".join(examples[:3])))
        rows = [r for r in sampler.rows if r["t"] <= duration]
        verdicts = judge(rows, [m.name for m in members], duration)
        for v in verdicts:
            if not v.ok:
                failures.append("%s (life %d, %.0f-%.0fs): %s grows: median %.1f in the middle third, "
                                "%.1f in the last, limit %.1f"
                                % (v.member, v.life, v.t_from, v.t_to, v.metric, v.middle, v.last, v.limit))
        if not any(v.judged for v in verdicts):
            failures.append("no member lived long enough to be judged for growth")
        write_events(os.path.join(args.out, "events.csv"), st.events)
        try:
            import chart
            chart.draw(sampler.rows, st.events, [m.name for m in members],
                       os.path.join(args.out, "soak.png"),
                       "kvraft soak, %.1f min, %s" % (args.minutes, time.strftime("%Y-%m-%d %H:%M")))
        except ImportError as e:
            failures.append("no chart: %s (scripts/deps.sh installs python3-matplotlib)" % e)
        text = summary(st, load, watchers, verdicts, rows, check_lines, failures, args)
        with open(os.path.join(args.out, "summary.txt"), "w") as f:
            f.write("\n".join(text) + "\n")
        print("\n".join(text), flush=True)
        printed = True
        print("soak: samples.csv, events.csv, soak.png, summary.txt and logs/ in %s" % args.out)
    except KeyboardInterrupt as e:
        failures.append("interrupted (%s)" % (e or "Ctrl-C"))
        print("soak: interrupted; stopping the members", file=sys.stderr, flush=True)
    except harness.TestFailure as e:
        failures.append(str(e))
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the cleanup finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        shutdown(st, args.out)
    if failures and not printed:
        print("SOAK FAILED:\n  " + "\n  ".join(failures), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
