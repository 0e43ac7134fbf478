"""The rule that fails the soak on growth that does not level off.

Judged per member, on the samples of its last life (since its last start,
up to the end of the load): a restart resets memory, files and threads, so
mixing lives would hide a leak behind the drop of a restart, or call the
climb after one a leak. infra0 is never restarted (chaos.py), so one member
is always judged over the whole run; a life shorter than MIN_LIFE seconds
or MIN_SAMPLES samples is reported as not judged.

The life is cut in thirds by time. The first third is warm-up (the
allocator's arenas, caches, the 1,000 watchers arriving, a new member
catching up by snapshot) and is ignored. The median of the last third must
not exceed the median of the middle third by more than the metric's
tolerance, max(relative x middle median, absolute). Medians, not maxima:
a steady leak moves every sample of the last third up, while a peak (a
snapshot being built, the watchers of a restarting member arriving at once)
moves one or two samples and would otherwise make the rule flaky. Growth
that levels off within the first two thirds passes; growth that is still
going in the last third fails. What it cannot see: a leak that adds less
than the tolerance over a third of the life (e.g. at the default 8 MB and a
20-minute third of an hour's soak, under ~0.4 MB a minute).

Tolerances:
- rss_mb: 10% or 8 MB. jemalloc keeps freed pages for a while and the
  watchers' connections move between members as they restart.
- threads: 2. The thread count is fixed by the configuration.
- fds_other (open files that are not client connections: the database,
  WAL, log, peers, listeners): 8. They should not change at all.
- dead_conns (client connections the client closed or reset and the server
  has not closed: CLOSE_WAIT, CLOSE): 20. A member that never notices a
  vanished watcher piles these up.
- sqlite_mb (db + WAL): 25% or 4 MB. The key space is bounded and the log is
  compacted after each snapshot (--snapshot-count), so freed pages are
  reused and the WAL is checkpointed.
fds_other and dead_conns are every open file but the live client
connections, whose number is the soak's own doing: the watchers are spread
at random over the members and crowd onto two of them while the third
restarts, so the total moves by hundreds with no leak (it is charted, not
judged).
"""

import statistics

MIN_LIFE = 60.0
MIN_SAMPLES = 12
RULES = {  # metric: (relative, absolute)
    "rss_mb": (0.10, 8.0),
    "threads": (0.0, 2),
    "fds_other": (0.0, 8),
    "dead_conns": (0.0, 20),
    "sqlite_mb": (0.25, 4.0),
}


class Verdict:
    def __init__(self, member, life, t_from, t_to, n, metric, first, middle, last, limit, peak):
        self.member, self.life, self.t_from, self.t_to, self.n = member, life, t_from, t_to, n
        self.metric, self.first, self.middle, self.last = metric, first, middle, last
        self.limit, self.peak = limit, peak

    @property
    def judged(self):
        return self.middle is not None

    @property
    def ok(self):
        return not self.judged or self.last <= self.limit


def last_life(rows, member):
    mine = [r for r in rows if r["member"] == member]
    if not mine:
        return []
    life = mine[-1]["life"]
    return [r for r in mine if r["life"] == life]


def judge(rows, members, end_t):
    """Verdicts for every member and metric over the samples up to end_t."""
    out = []
    for m in members:
        life = [r for r in last_life(rows, m) if r["t"] <= end_t]
        if not life:
            continue
        t0, t1 = life[0]["t"], life[-1]["t"]
        span = t1 - t0
        thirds = [[r for r in life if t0 + k * span / 3 <= r["t"] <= t0 + (k + 1) * span / 3]
                  for k in range(3)]
        long_enough = span >= MIN_LIFE and len(life) >= MIN_SAMPLES and all(len(x) >= 3 for x in thirds)
        for metric, (rel, abs_) in RULES.items():
            peak = max(r[metric] for r in life)
            if not long_enough:
                out.append(Verdict(m, life[0]["life"], t0, t1, len(life), metric,
                                   None, None, None, None, peak))
                continue
            first, middle, last = (statistics.median(r[metric] for r in x) for x in thirds)
            out.append(Verdict(m, life[0]["life"], t0, t1, len(life), metric, first, middle, last,
                               middle + max(rel * middle, abs_), peak))
    return out
