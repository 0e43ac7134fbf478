"""1,000 watchers that come and go, each a chain of requests on one keep-alive
connection to a random member, for a random lifetime of 5-60 s, after which
it hangs up (parked or not) and its slot starts a new one elsewhere:
- long polls (?wait=true&recursive=true&waitIndex=N, N the next index; a
  tenth from now) on one range /soak/kv/rRRR, each next request from the
  index after the event it got;
- streams (?stream=true, from now) on one range, and a few on the whole
  /soak/kv;
- a few long polls on all of /soak (TTL expiries, queue deletes, CAS), whose
  events are checked for order only.
Each session's record (what it asked from, what it got, how it ended) is
checked against the acknowledged writes at the end (checks.py).
"""

import array
import asyncio
import random
import time

from aclient import Conn, HttpError
from caller import Caller
from load import RANGES, range_prefix

N_WATCHERS = 1000
N_RANGE_STREAMS = 40
N_TREE_STREAMS = 10
N_ALL_POLLS = 10
LIFETIME = (5.0, 60.0)


def start_index(headers):
    """The first index a watch "from now" gets: the one after X-Etcd-Index,
    the store's index when the watch began."""
    v = headers.get("x-etcd-index", "")
    return int(v) + 1 if v.isdigit() else None


class Session:
    __slots__ = ("kind", "prefix", "ranges", "member", "w0", "received", "end_t", "end")

    def __init__(self, kind, prefix, ranges, member, w0):
        self.kind, self.prefix, self.ranges, self.member = kind, prefix, ranges, member
        self.w0 = w0              # first index asked for (None: "from now")
        self.received = array.array("q")  # modifiedIndex of each event, in arrival order
        self.end_t = None
        self.end = None           # "hung up", "dropped", "refused", "cleared", "bad"


class Watchers:
    def __init__(self, st):
        self.st = st
        self.sessions = []
        self.picker = Caller(st)  # only for its choice of a live member
        self.max_sessions = int(st.duration) * 10 + 100  # a bound on each slot's loop

    def got(self, s, ev):
        node = (ev or {}).get("node") or {}
        idx, key = node.get("modifiedIndex"), node.get("key", "")
        if not isinstance(idx, int) or not (key == s.prefix or key.startswith(s.prefix + "/")):
            self.st.unexpected("bad watch event", "%s on %s: %r" % (s.prefix, s.member, ev))
            return None
        floor = s.received[-1] + 1 if s.received else s.w0
        if floor is not None and idx < floor:
            self.st.unexpected("watch event out of order", "%s on %s: index %d, expected >= %d"
                               % (s.prefix, s.member, idx, floor))
        s.received.append(idx)
        if s.w0 is None:
            s.w0 = idx
        return idx

    def ended(self, s, why, detail=""):
        s.end, s.end_t = why, self.st.now()
        if why in ("dropped", "refused"):
            self.st.failed("watch " + why, "%s on %s %s" % (s.prefix, s.member, detail))
        elif why == "cleared":
            self.st.count("watch answered 401 (index cleared)")
        self.sessions.append(s)

    async def long_poll(self, conn, s, deadline):
        w = s.w0
        for _ in range(100000):  # and until its deadline
            left = deadline - time.monotonic()
            if left <= 0:
                break
            q = "?wait=true&recursive=true" + ("&waitIndex=%d" % w if w else "")
            try:
                r = await conn.request("GET", "/v2/keys" + s.prefix + q, timeout=left)
            except asyncio.TimeoutError:
                return self.ended(s, "hung up")  # request() closed the connection: parked, gone
            except ConnectionRefusedError:
                return self.ended(s, "refused")
            except (OSError, HttpError) as e:
                return self.ended(s, "dropped", repr(e))
            self.st.note_headers(r.headers)
            j = r.json() or {}
            if r.status == 200:
                if s.w0 is None:  # "from now": the index the watch began at
                    s.w0 = start_index(r.headers)
                idx = self.got(s, j)
                if idx is None:
                    return self.ended(s, "bad")
                w = idx + 1
            elif r.status == 400 and j.get("errorCode") == 401:
                return self.ended(s, "cleared")
            else:
                self.st.unexpected("unexpected answer to a watch", "%d %r" % (r.status, r.body[:200]))
                return self.ended(s, "bad")
        return self.ended(s, "hung up")

    async def stream(self, conn, s, deadline):
        """A stream from now: as in etcd, one from a waitIndex still in the
        history would get that one event and no more."""
        status = []

        def on_head(code, headers):
            status.append(code)
            s.w0 = start_index(headers)

        async def consume():
            q = "?wait=true&recursive=true&stream=true"
            async for ev in conn.stream("/v2/keys" + s.prefix + q, on_head):
                if status[0] == 400 and ev.get("errorCode") == 401:
                    return "cleared"
                if status[0] != 200:
                    self.st.unexpected("unexpected answer to a watch stream", "%d %r" % (status[0], ev))
                    return "bad"
                if self.got(s, ev) is None:
                    return "bad"
            return "dropped"  # not reached: the end of a stream raises HttpError

        try:
            why = await asyncio.wait_for(consume(), max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            return self.ended(s, "hung up")
        except ConnectionRefusedError:
            return self.ended(s, "refused")
        except (OSError, HttpError, ValueError) as e:
            return self.ended(s, "dropped", repr(e))
        return self.ended(s, why)

    async def slot(self, kind, i):
        await asyncio.sleep(random.uniform(0, 10))  # the watchers arrive over 10 s
        n = 0
        while not self.st.stop.is_set() and n < self.max_sessions:
            n += 1
            if kind == "tree stream":
                prefix, ranges = "/soak/kv", None
            elif kind == "all poll":
                prefix, ranges = "/soak", ()
            else:
                r = random.randrange(RANGES)
                prefix, ranges = range_prefix(r), (r,)
            m = self.picker.pick()
            hint = self.st.index_hint
            stream = kind.endswith("stream")
            w0 = hint + 1 if hint and not stream and random.random() < 0.9 else None
            s = Session(kind, prefix, ranges, m.name, w0)
            conn = Conn("127.0.0.1", m.client_port)
            deadline = time.monotonic() + random.uniform(*LIFETIME)
            try:
                if stream:
                    await self.stream(conn, s, deadline)
                else:
                    await self.long_poll(conn, s, deadline)
            finally:
                conn.close()
            if s.end == "refused":
                self.picker._down_until[m.name] = time.monotonic() + 1.0
            await asyncio.sleep(random.uniform(0.05, 0.5))

    async def run(self):
        kinds = (["range stream"] * N_RANGE_STREAMS + ["tree stream"] * N_TREE_STREAMS
                 + ["all poll"] * N_ALL_POLLS)
        kinds += ["range poll"] * (N_WATCHERS - len(kinds))
        await asyncio.gather(*(self.slot(k, i) for i, k in enumerate(kinds)))
