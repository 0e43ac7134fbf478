"""The checks at the end of the load: the members agree, every acknowledged
write is there (or a later one to the same key), the CAS counters, the
queues, and that no watcher missed an event it should have seen.
Each returns lines for the summary and reports failures through
State.unexpected, which fails the soak."""

import bisect
import time

from caller import TIMEOUT
from harness import http
from load import CAS_COUNTERS, N_KEYS, QUEUES, RANGES, key_of, seq_of

WATCH_LAG = 5.0  # a write acknowledged this long before a watcher hung up must have reached it


def flatten(node, out):
    for n in node.get("nodes", []) or []:
        if n.get("dir"):
            flatten(n, out)
        else:
            out[n["key"]] = (n.get("value"), n["modifiedIndex"])
    return out


def tree(m, prefix, quorum=False):
    q = "?recursive=true" + ("&quorum=true" if quorum else "")
    r = http("GET", m.url + "/v2/keys" + prefix + q, timeout=15)
    if r.status == 404:
        return {}
    if r.status != 200:
        raise OSError("GET %s on %s: %d %r" % (prefix, m.name, r.status, r.body[:200]))
    return flatten(r.json()["node"], {})


def cluster_tree(st, prefix, timeout=60.0):
    """The tree under prefix by a quorum read, once every member holds the
    same one (members that differ or cannot be read after `timeout` fail
    the soak, but the cluster's answer is still returned for the checks)."""
    deadline = time.monotonic() + timeout
    while True:
        answers = {}
        for m in st.members:
            try:
                answers[m.name] = tree(m, prefix)
            except (OSError, ValueError) as e:
                answers[m.name] = e
        truth = None
        for m in st.members:
            try:
                truth = tree(m, prefix, quorum=True)
                break
            except (OSError, ValueError):
                continue
        if truth is not None and all(a == truth for a in answers.values()):
            return truth
        if time.monotonic() > deadline:
            st.unexpected("members disagree", "%s after %.0fs: %s" % (prefix, timeout, ", ".join(
                "%s %s" % (n, "%d keys" % len(a) if isinstance(a, dict) else "unreadable (%s)" % a)
                for n, a in answers.items())))
            if truth is None:
                raise OSError("no member answers a quorum read of %s" % prefix)
            return truth
        time.sleep(0.5)


def check_writes(st, book):
    kv = cluster_tree(st, "/soak/kv")
    acked = sum(1 for s in book.last_acked if s is not None)
    for j in range(N_KEYS):
        want, unknown = book.last_acked[j], book.unknown[j]
        got = seq_of(kv[key_of(j)][0]) if key_of(j) in kv else None
        if got == want:
            continue
        if got is None:
            st.unexpected("acknowledged write lost", "%s: missing, seq %d acknowledged" % (key_of(j), want))
        elif got not in unknown:
            st.unexpected("acknowledged write lost", "%s: seq %s, last acknowledged %s"
                          % (key_of(j), got, want))
        elif want is not None and got < want:
            st.unexpected("a write of unknown outcome applied over a newer acknowledged one",
                          "%s: seq %d (unknown outcome) over %d" % (key_of(j), got, want))
    return ["writes: %d keys with an acknowledged write checked against a quorum read of %d keys"
            % (acked, len(kv))]


def check_cas(st, book):
    lines = []
    for c in range(CAS_COUNTERS):
        r = http("GET", st.members[0].url + "/v2/keys/soak/cas/c%d?quorum=true" % c, timeout=10)
        v = int(r.json()["node"]["value"]) if r.status == 200 else 0
        lo, hi = book.cas_acked[c], book.cas_acked[c] + book.cas_unknown[c]
        if not lo <= v <= hi:
            st.unexpected("CAS counter off", "c%d = %d, want %d..%d" % (c, v, lo, hi))
        lines.append("CAS c%d: %d, %d acknowledged swaps + %d of unknown outcome" % (c, v, lo, hi - lo))
    return lines


def check_queues(st, book):
    lines = []
    left = cluster_tree(st, "/soak/q")
    if left:
        st.unexpected("queue not drained", "%d items left: %s" % (len(left), sorted(left)[:5]))
    for q in range(QUEUES):
        missing = set(book.q_acked[q]) - set(book.q_consumed[q])
        if missing:
            st.unexpected("acknowledged queue item never consumed", "q%d: %s" % (q, sorted(missing)[:10]))
        lines.append("queue q%d: %d acknowledged POSTs, %d taken in order"
                     % (q, len(book.q_acked[q]), len(book.q_consumed[q])))
    return lines


def check_watchers(st, book, sessions):
    by_range = [sorted(x) for x in book.acked_by_range]
    judged = events = misses = 0
    for s in sessions:
        if s.w0 is None or s.ranges == ():
            continue
        judged += 1
        events += len(s.received)
        got = set(s.received)
        last = max(got) if got else s.w0 - 1
        horizon = None
        if s.end == "hung up" and not st.expected(s.end_t):
            horizon = s.end_t - WATCH_LAG
        missed = []
        for r in (range(RANGES) if s.ranges is None else s.ranges):
            acks = by_range[r]
            for idx, t in acks[bisect.bisect_left(acks, (s.w0, -1.0)):]:
                if idx > last and (horizon is None or t > horizon):
                    # Indexes commit in order and an acknowledged attempt took
                    # at most caller.TIMEOUT, so past this every later write
                    # was acknowledged after the horizon too.
                    if horizon is None or t > horizon + 2 * TIMEOUT:
                        break
                    continue
                if idx not in got:
                    missed.append(idx)
        if missed:
            misses += 1
            st.unexpected("watcher missed events", "%s %s on %s from index %d, ended %s at %.1fs: "
                          "missed %s (got %d events, last %s)"
                          % (s.kind, s.prefix, s.member, s.w0, s.end, s.end_t, sorted(missed)[:5],
                             len(s.received), max(got) if got else None))
    return ["watchers: %d sessions, %d judged against the acknowledged writes (%d events), %d missed one"
            % (len(sessions), judged, events, misses)]
