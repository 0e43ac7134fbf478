"""The soak's mixed load, as asyncio coroutines, and the record each keeps
for the checks at the end (checks.py).

Kinds (share of the --rate operations per second):
- writes: PUT /soak/kv/rRRR/kJJJJ = "<seq>:<padding>"; a bounded key space
  (RANGES x KEYS_PER_RANGE keys), each key owned by one writer, so the last
  acknowledged seq of every key is known;
- quorum reads of those keys (and a few plain reads);
- CAS: counters /soak/cas/cN bumped by compare-and-swap from two coroutines
  each, by prevValue or prevIndex;
- TTL keys /soak/ttl/sN set with a ttl of 1-4 s (some refreshed), then
  checked gone once the ttl plus GRACE has passed;
- queues /soak/q/qN: one producer POSTs in-order keys, one consumer takes the
  oldest (sorted GET, then compare-and-delete by its index).
"""

import asyncio
import collections
import random
import time

from caller import Caller, Unavailable, form

RANGES = 250          # watched prefixes /soak/kv/rRRR
KEYS_PER_RANGE = 8
N_KEYS = RANGES * KEYS_PER_RANGE
WRITERS = 8
READERS = 4
CAS_COUNTERS, CAS_WORKERS = 2, 4
TTL_SLOTS = 100
QUEUES = 4
QUEUE_DEPTH = 20      # a producer waits while its queue holds this many
TTL_GRACE = 15.0      # an expired TTL key must be gone this long after its expiry
SHARES = {"write": 0.45, "read": 0.2, "cas": 0.1, "ttl": 0.1, "queue": 0.15}


def key_of(j):
    return "/soak/kv/r%03d/k%04d" % (j // KEYS_PER_RANGE, j)


def range_prefix(r):
    return "/soak/kv/r%03d" % r


def seq_of(value):
    try:
        return int(value.split(":", 1)[0])
    except (AttributeError, ValueError):
        return None


class Book:
    """What the load knows was acknowledged, for the final checks."""

    def __init__(self):
        self.last_acked = [None] * N_KEYS                   # seq
        self.unknown = [set() for _ in range(N_KEYS)]       # seqs of unknown outcome
        self.acked_by_range = [[] for _ in range(RANGES)]   # (modifiedIndex, ack time)
        self.ops = collections.Counter()
        self.cas_acked = [0] * CAS_COUNTERS
        self.cas_unknown = [0] * CAS_COUNTERS
        self.ttl_checked = 0
        self.q_acked = [[] for _ in range(QUEUES)]          # seqs, acknowledged POSTs
        self.q_retried = [set() for _ in range(QUEUES)]     # seqs whose POST was retried
        self.q_consumed = [[] for _ in range(QUEUES)]       # seqs, in the order taken
        self.q_seq = [0] * QUEUES


class Pacer:
    """Spaces one coroutine's operations `period` seconds apart (no catch-up bursts)."""

    def __init__(self, period):
        self.period = period
        self.next = time.monotonic() + random.uniform(0, period)

    async def wait(self):
        now = time.monotonic()
        if self.next > now:
            await asyncio.sleep(self.next - now)
        self.next = max(self.next, time.monotonic() - self.period) + self.period


class Load:
    def __init__(self, st, rate):
        self.st = st
        self.book = Book()
        self.rate = rate
        self.max_ops = int(rate * st.duration * 2) + 1000  # a bound on every loop
        self.seq = 0
        self.ttl_slots = {}   # slot -> [expire time, modifiedIndex] while busy

    def period(self, kind, workers):
        return workers / (self.rate * SHARES[kind])

    def running(self, n):
        return not self.st.stop.is_set() and n < self.max_ops

    def bad(self, what, r):
        self.st.unexpected("unexpected answer to " + what, "%d %r" % (r.status, r.body[:300]))

    async def forever(self, name, body, workers):
        """Runs body(caller) in a paced loop until the load stops."""
        caller = Caller(self.st)
        pacer = Pacer(self.period(name, workers))
        n = 0
        try:
            while self.running(n):
                await pacer.wait()
                try:
                    await body(caller)
                    self.book.ops[name] += 1
                except Unavailable as e:
                    self.st.unexpected("cluster unavailable", str(e))
                n += 1
        finally:
            caller.close()

    # ------------------------------------------------------------ writes, reads

    async def write(self, caller, w):
        b = self.book
        j = random.randrange(w, N_KEYS, WRITERS)
        self.seq += 1
        seq = self.seq
        value = "%d:%s" % (seq, "x" * random.randrange(0, 300))
        try:
            res = await caller.call("PUT", "/v2/keys" + key_of(j), form(value=value))
        except Unavailable:
            b.unknown[j].add(seq)
            raise
        if res.unknown:
            b.unknown[j].add(seq)
        r = res.resp
        node = (r.json() or {}).get("node", {})
        if r.status not in (200, 201) or node.get("key") != key_of(j) or node.get("value") != value:
            return self.bad("PUT", r)
        b.last_acked[j] = seq
        b.acked_by_range[j // KEYS_PER_RANGE].append((node["modifiedIndex"], self.st.now()))

    async def read(self, caller):
        b = self.book
        j = random.randrange(N_KEYS)
        quorum = random.random() < 0.8
        floor = b.last_acked[j]  # acknowledged before the read was sent
        res = await caller.call("GET", "/v2/keys" + key_of(j) + ("?quorum=true" if quorum else ""))
        r = res.resp
        if r.status == 404 and (r.json() or {}).get("errorCode") == 100:
            if quorum and floor is not None:
                self.st.unexpected("stale quorum read", "%s: not found, acknowledged seq %d"
                                   % (key_of(j), floor))
            return
        seq = seq_of((r.json() or {}).get("node", {}).get("value")) if r.status == 200 else None
        if seq is None:
            return self.bad("GET", r)
        if quorum and floor is not None and seq < floor and seq not in b.unknown[j]:
            self.st.unexpected("stale quorum read", "%s on %s: seq %d, acknowledged %d before"
                               % (key_of(j), res.member.name, seq, floor))

    # ------------------------------------------------------------ CAS

    async def cas(self, caller, c):
        b = self.book
        key = "/v2/keys/soak/cas/c%d" % c
        r = (await caller.call("GET", key)).resp
        if r.status == 404:
            r = (await caller.call("PUT", key + "?prevExist=false", form(value="0"))).resp
            if r.status not in (201, 412):
                self.bad("create of a CAS counter", r)
            return
        node = (r.json() or {}).get("node", {})
        if r.status != 200 or not node.get("value", "").isdigit():
            return self.bad("GET of a CAS counter", r)
        v = int(node["value"])
        cond = ("prevValue=%d" % v) if random.random() < 0.5 else ("prevIndex=%d" % node["modifiedIndex"])
        try:
            res = await caller.call("PUT", key + "?" + cond, form(value=str(v + 1)))
        except Unavailable:
            b.cas_unknown[c] += 1
            raise
        r = res.resp
        if r.status == 200:
            b.cas_acked[c] += 1
        elif r.status == 412 and (r.json() or {}).get("errorCode") == 101:
            if res.unknown:
                b.cas_unknown[c] += 1  # maybe our own first attempt made the change
            else:
                self.st.count("CAS compare failed (another worker won)")
        else:
            self.bad("CAS", r)

    # ------------------------------------------------------------ TTL

    async def ttl(self, caller):
        busy = self.ttl_slots
        now = self.st.now()
        due = [s for s, (exp, _) in busy.items() if exp is not None and exp + TTL_GRACE < now]
        if due:
            return await self.ttl_check(caller, due[0])
        ttl = random.randint(1, 4)
        live = [s for s, (exp, _) in busy.items() if exp is not None and exp > now + 0.5]
        if live and random.random() < 0.25:
            s = random.choice(live)
            busy[s][0] = None  # no check while the outcome is unknown
            res = await caller.call("PUT", "/v2/keys/soak/ttl/s%d" % s,
                                    form(ttl=ttl, refresh="true", prevExist="true"))
            r = res.resp
            if r.status == 200 or (r.status == 404 and (r.json() or {}).get("errorCode") == 100):
                busy[s][0] = self.st.now() + ttl  # refreshed, or expired already: gone either way
            else:
                self.bad("TTL refresh", r)
            return
        free = [s for s in range(TTL_SLOTS) if s not in busy]
        if not free:
            return
        s = random.choice(free)
        busy[s] = [None, None]
        res = await caller.call("PUT", "/v2/keys/soak/ttl/s%d" % s, form(value="t", ttl=ttl))
        r = res.resp
        if r.status in (200, 201):
            busy[s] = [self.st.now() + ttl, r.json()["node"]["modifiedIndex"]]
        else:
            self.bad("PUT with a ttl", r)

    async def ttl_check(self, caller, s):
        res = await caller.call("GET", "/v2/keys/soak/ttl/s%d?quorum=true" % s)
        r = res.resp
        if r.status == 200:
            self.st.unexpected("TTL key not expired", "/soak/ttl/s%d still there %.0fs after its ttl: %r"
                               % (s, self.st.now() - self.ttl_slots[s][0], r.body[:200]))
        elif not (r.status == 404 and (r.json() or {}).get("errorCode") == 100):
            self.bad("GET of an expired key", r)
        self.book.ttl_checked += 1
        del self.ttl_slots[s]

    # ------------------------------------------------------------ queues

    async def produce(self, caller, q):
        b = self.book
        if len(b.q_acked[q]) - len(b.q_consumed[q]) >= QUEUE_DEPTH:
            return
        b.q_seq[q] += 1
        seq = b.q_seq[q]
        try:
            res = await caller.call("POST", "/v2/keys/soak/q/q%d" % q, form(value=str(seq)))
        except Unavailable:
            b.q_retried[q].add(seq)
            raise
        if res.unknown:
            b.q_retried[q].add(seq)
        if res.resp.status != 201:
            return self.bad("POST to a queue", res.resp)
        b.q_acked[q].append(seq)

    async def consume(self, caller, q):
        """Takes the oldest item; True when the queue was empty."""
        b = self.book
        r = (await caller.call("GET", "/v2/keys/soak/q/q%d?recursive=true&sorted=true&quorum=true" % q)).resp
        if r.status == 404:
            return True
        nodes = (r.json() or {}).get("node", {}).get("nodes")
        if r.status != 200:
            self.bad("GET of a queue", r)
            return True
        if not nodes:
            return True
        head = nodes[0]
        res = await caller.call("DELETE", "/v2/keys%s?prevIndex=%d" % (head["key"], head["modifiedIndex"]))
        r = res.resp
        code = (r.json() or {}).get("errorCode")
        if r.status == 200 or (res.unknown and r.status == 404 and code == 100):
            taken = int(head["value"])
            if b.q_consumed[q] and taken < b.q_consumed[q][-1]:
                self.st.unexpected("queue out of order", "q%d: %d taken after %d"
                                   % (q, taken, b.q_consumed[q][-1]))
            b.q_consumed[q].append(taken)
        elif r.status == 404 and code == 100:
            self.st.count("queue item gone before the DELETE (a stale list)")
        else:
            self.bad("DELETE of a queue item", r)
        return False

    async def consumer(self, q):
        """Consumes at its pace until the producers have ended, then drains the
        queue (bounded in count and time)."""
        caller = Caller(self.st)
        pacer = Pacer(self.period("queue", 2 * QUEUES))
        deadline = time.monotonic() + self.st.duration + 240
        try:
            n = 0
            while n < self.max_ops and time.monotonic() < deadline:
                draining = self.producers_done.is_set()
                if not draining:
                    await pacer.wait()
                try:
                    empty = await self.consume(caller, q)
                except Unavailable as e:
                    self.st.unexpected("cluster unavailable", str(e))
                    empty = draining
                if draining and empty:
                    break
                n += 1
        finally:
            caller.close()

    # ------------------------------------------------------------ all of it

    def tasks(self):
        f = self.forever
        out = [f("write", lambda c, w=w: self.write(c, w), WRITERS) for w in range(WRITERS)]
        out += [f("read", self.read, READERS) for _ in range(READERS)]
        out += [f("cas", lambda c, i=i: self.cas(c, i % CAS_COUNTERS), CAS_WORKERS)
                for i in range(CAS_WORKERS)]
        out += [f("ttl", self.ttl, 1)]
        out += [f("queue", lambda c, q=q: self.produce(c, q), 2 * QUEUES) for q in range(QUEUES)]
        return out

    async def run(self):
        """The load until the soak's stop, then the queues' drain."""
        self.producers_done = asyncio.Event()
        consumers = [asyncio.ensure_future(self.consumer(q)) for q in range(QUEUES)]
        await asyncio.gather(*self.tasks())
        self.producers_done.set()
        await asyncio.gather(*consumers)
