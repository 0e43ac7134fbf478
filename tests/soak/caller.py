"""Requests of one load coroutine: a keep-alive connection to each member,
the choice of member, and the retry rule.

A request that fails in a way a client must expect from a cluster whose
members restart (refused or reset connection, timeout, a 5xx with etcd's
errorCode 300 "Raft Internal Error") is retried on another member after a
short pause, for up to DEADLINE seconds, and counted. Its outcome is then
unknown (it may have been applied), which the caller learns through
Result.unknown and accounts for in its checks.
"""

import asyncio
import random
import time
import urllib.parse

from aclient import Conn, HttpError

DEADLINE = 60.0   # a cluster that cannot serve a request for this long fails the soak
TIMEOUT = 12.0    # one attempt: kvraft's own timeout is 5 s + 2 elections


class Unavailable(Exception):
    pass


class Result:
    __slots__ = ("resp", "member", "unknown")

    def __init__(self, resp, member, unknown):
        self.resp, self.member, self.unknown = resp, member, unknown


def form(**params):
    return urllib.parse.urlencode(params)


class Caller:
    _down_until = {}  # member name -> monotonic time; shared by every Caller

    def __init__(self, st):
        self.st = st
        self.conns = {m.name: Conn("127.0.0.1", m.client_port) for m in st.members}

    def close(self):
        for c in self.conns.values():
            c.close()

    def pick(self, avoid=None):
        now = time.monotonic()
        up = [m for m in self.st.members
              if self._down_until.get(m.name, 0) <= now and m.name != avoid]
        return random.choice(up or self.st.members)

    async def once(self, member, method, target, body=None, timeout=TIMEOUT):
        """One attempt: (response, None) or (None, why) for a transient failure."""
        start = time.monotonic()
        try:
            r = await self.conns[member.name].request(method, target, body, timeout=timeout)
        except ConnectionRefusedError:
            self._down_until[member.name] = time.monotonic() + 1.0
            return None, "connection refused"
        except asyncio.TimeoutError:
            self.st.latency(member.name, time.monotonic() - start)
            return None, "timeout"
        except (OSError, HttpError) as e:
            return None, "connection lost (%s)" % type(e).__name__
        self.st.latency(member.name, time.monotonic() - start)
        self.st.note_headers(r.headers)
        if r.status >= 500:
            j = r.json()
            if isinstance(j, dict) and j.get("errorCode") == 300:
                return None, "500 errorCode 300: %s" % j.get("cause", "")
            self.st.unexpected("5xx without errorCode 300", "%s %s -> %d %r"
                               % (method, target, r.status, r.body[:200]))
            return None, "other 5xx"
        return r, None

    async def call(self, method, target, body=None, member=None):
        """Retries transient failures on other members until DEADLINE; raises
        Unavailable after that. member: the first member to try."""
        deadline = time.monotonic() + DEADLINE
        unknown = 0
        m = member or self.pick()
        while True:
            r, why = await self.once(m, method, target, body)
            if r is not None:
                return Result(r, m, unknown)
            # A refused connection never reached the server: no doubt about its outcome.
            if why != "connection refused":
                unknown += 1
            self.st.failed("request retried after %s" % why, "%s %s on %s" % (method, target, m.name))
            if time.monotonic() > deadline:
                raise Unavailable("%s %s: no answer but transient failures for %.0fs (last: %s)"
                                  % (method, target, DEADLINE, why))
            await asyncio.sleep(random.uniform(0.05, 0.5))
            m = self.pick(avoid=m.name)
