"""What the soak's parts share: the members, the clock, the latency book, the
tally of errors and the windows of planned disruption. Written by the load
(asyncio, main thread), the chaos thread and the sampler thread: the mutable
parts are guarded by one lock, held only for a few operations at a time."""

import collections
import threading
import time

# Requests that end in one of these, sent while a member is being restarted or
# replaced (and for GRACE seconds after), are expected: they are retried and
# counted. The same outside such a window are counted apart and reported.
GRACE = 15.0


class Tally:
    """Counts of outcomes by name, plus a few examples of each unexpected one."""

    def __init__(self):
        self.counts = collections.Counter()
        self.unexpected = collections.OrderedDict()  # name -> [examples]
        self.examples = {}  # name -> [examples] of some expected outcomes

    def add(self, name, n=1, example=None):
        self.counts[name] += n
        if example is not None and len(self.examples.setdefault(name, [])) < 3:
            self.examples[name].append(example)

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
        self.windows = []               # [start, end or None, what] of planned disruptions
        self.events = []                # (t, what, member, detail) for events.csv and the chart
        self._latency = collections.defaultdict(list)  # member name -> [seconds] this interval

    def now(self):
        return time.monotonic() - self.t0

    def note_index(self, headers):
        v = headers.get("x-etcd-index")
        if v and v.isdigit() and int(v) > self.index_hint:
            self.index_hint = int(v)  # a benign race: a hint only

    def disrupted(self, t=None):
        """Whether t (default now) falls in a planned disruption or its grace."""
        t = self.now() if t is None else t
        with self.lock:
            return any(s <= t <= (e if e is not None else t) + GRACE for s, e, _ in self.windows)

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

    def count(self, name, n=1, example=None):
        with self.lock:
            self.tally.add(name, n, None if example is None else "t=%.1fs %s" % (self.now(), example))

    def unexpected(self, name, example):
        with self.lock:
            self.tally.add_unexpected(name, "t=%.1fs %s" % (self.now(), example))

    def latency(self, member, seconds):
        with self.lock:
            self._latency[member].append(seconds)

    def take_latencies(self):
        """The latencies recorded since the last call, by member name."""
        with self.lock:
            out, self._latency = self._latency, collections.defaultdict(list)
            return out
