"""What the soak's parts share: the members, the clock, the latency book, the
tally of errors and the windows of planned disruption. Written by the load
(asyncio, main thread), the chaos thread and the sampler thread: the mutable
parts are guarded by one lock, held only for a few operations at a time."""

import collections
import threading
import time

# A request that fails (and is retried) or a watch that is cut while a member
# is being restarted or replaced, or around a leader election, is expected:
# counted, not a failure. "Around" is from ELECTION_BEFORE seconds before the
# first answer that showed the new term (the election came a little earlier)
# to GRACE seconds after the disruption's end or that answer (a request sent
# just before waits out kvraft's 7 s timeout). The same anywhere else fails
# the soak: on a healthy cluster a request is answered.
GRACE = 15.0
ELECTION_BEFORE = 3.0
MAX_RECORDS = 100000  # retries and cut watches kept for the verdict


class Tally:
    """Counts of outcomes by name, plus a few examples of each unexpected one."""

    def __init__(self):
        self.counts = collections.Counter()
        self.unexpected = collections.OrderedDict()  # name -> [examples]

    def add(self, name, n=1):
        self.counts[name] += n

    def add_unexpected(self, name, example):
        self.counts["UNEXPECTED " + name] += 1
        examples = self.unexpected.setdefault(name, [])
        if len(examples) < 5:
            examples.append(example)


class State:
    def __init__(self, members, duration):
        self.members = members          # harness.Server objects, fixed for the run
        self.duration = duration        # seconds of load
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.stop = threading.Event()   # the load and the chaos end
        self.closing = False            # set under lock: no process may start any more
        self.tally = Tally()
        self.index_hint = 0             # highest X-Etcd-Index seen
        self.term = 0                   # highest X-Raft-Term seen
        self.elections = []             # (t, new term) when a higher term was first seen
        self.failures = []              # (t, what, example): retries and cut watches
        self.windows = []               # [start, end or None, what] of planned disruptions
        self.events = []                # (t, what, member, detail) for events.csv and the chart
        self._latency = collections.defaultdict(list)  # member name -> [seconds] this interval

    def now(self):
        return time.monotonic() - self.t0

    def note_headers(self, headers):
        """Keeps the highest X-Etcd-Index (a hint for watchers) and notes each
        rise of X-Raft-Term: a leader election."""
        v = headers.get("x-etcd-index")
        if v and v.isdigit() and int(v) > self.index_hint:
            self.index_hint = int(v)
        v = headers.get("x-raft-term")
        if v and v.isdigit() and int(v) > self.term:
            if self.term:
                self.elections.append((self.now(), int(v)))
            self.term = int(v)

    def expected(self, t):
        """Whether t falls in a planned disruption, around an election, or
        their grace."""
        with self.lock:
            windows = [(s, e) for s, e, _ in self.windows]
        windows += [(te - ELECTION_BEFORE, te) for te, _ in self.elections]
        return any(s <= t <= (e if e is not None else t) + GRACE for s, e in windows)

    def planned(self, t):
        with self.lock:
            return any(s <= t <= (e if e is not None else t) + GRACE for s, e, _ in self.windows)

    def failed(self, name, example):
        """A retried request or a cut watch: judged by expected() at the end,
        once every election is known."""
        with self.lock:
            if len(self.failures) < MAX_RECORDS:
                self.failures.append((self.now(), name, example))

    def judge_failures(self):
        for t, name, example in self.failures:
            if self.expected(t):
                self.count(name + (" (a member restarting)" if self.planned(t) else " (a leader election)"))
            else:
                self.unexpected(name + " on a healthy cluster", example, t)

    def begin_window(self, what):
        with self.lock:
            self.windows.append([self.now(), None, what])
            return len(self.windows) - 1

    def end_window(self, i):
        with self.lock:
            self.windows[i][1] = self.now()

    def event(self, what, member, detail="", t=None):
        with self.lock:
            self.events.append((round(self.now() if t is None else t, 1), what, member, detail))

    def count(self, name, n=1):
        with self.lock:
            self.tally.add(name, n)

    def unexpected(self, name, example, t=None):
        with self.lock:
            self.tally.add_unexpected(name, "t=%.1fs %s" % (self.now() if t is None else t, example))

    def latency(self, member, seconds):
        with self.lock:
            self._latency[member].append(seconds)

    def take_latencies(self):
        """The latencies recorded since the last call, by member name."""
        with self.lock:
            out, self._latency = self._latency, collections.defaultdict(list)
            return out
