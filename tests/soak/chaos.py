"""Member restarts and a replacement, in a thread, on a schedule scaled to the
soak's length: every `period` seconds (a quarter of the run, 40-180 s) the
next of kill -9, SIGTERM and replacement, in turn, so that a 3-minute soak
still does each once. They hit infra1 and infra2 in turn (kill -9 takes the
leader when it is one of them): infra0 is never restarted, so one member is
measured over the whole run (see growth.py). A replacement removes the
member through infra0, waits for it to exit, wipes its data dir, adds its
peer URL back as a new member and starts it with
--initial-cluster-state existing.

Every process is started under State.lock after checking State.closing, so
that the cleanup, once it has set closing, knows of every process to stop.
The thread also notices a member that exited while nobody stopped it.
"""

import json
import random
import shutil
import threading
import time

from harness import TestFailure, http
from test_cluster import leader_of

KINDS = ("kill -9", "SIGTERM", "replace")
START_TIMEOUT = 60.0


def period_for(duration):
    return min(180.0, max(40.0, duration / 4.0))


class Chaos(threading.Thread):
    def __init__(self, st, base_args, token):
        super().__init__(name="chaos", daemon=True)
        self.st = st
        self.base_args = base_args
        self.token = token
        self.period = period_for(st.duration)
        self.witness = st.members[0]
        self.victims = st.members[1:]
        self.error = None
        self.busy = None  # the member being disrupted
        self.step = ""   # what the disruption is doing, for its error

    def spawn(self, m):
        with self.st.lock:
            if self.st.closing:
                raise TestFailure("closing")
            m.spawn()

    def start_member(self, m):
        self.spawn(m)
        m.wait_ready(timeout=START_TIMEOUT)

    def wait_healthy(self, timeout=START_TIMEOUT):
        """Every member answers /health 200 (it has a leader and is up)."""
        deadline = time.monotonic() + timeout
        for m in self.st.members:
            while True:
                try:
                    if http("GET", m.url + "/health", timeout=2).status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TestFailure("%s not healthy %.0fs after a disruption:\n%s"
                                      % (m.name, timeout, m.log_tail()))
                time.sleep(0.2)

    def members(self):
        """{peer URL: id} from the witness, retried through elections."""
        r = self.member_change(lambda: http("GET", self.witness.url + "/v2/members", timeout=10),
                               (200,), "GET /v2/members")
        return {u: x["id"] for x in r.json()["members"] for u in x["peerURLs"]}

    def member_change(self, request, done, what, settled=None):
        """Sends a member request until its answer is one of `done`, for up to
        START_TIMEOUT. A timeout, a refused connection or a 5xx (no leader
        yet, or the strict reconfiguration check) is retried, as a client
        would; settled(), when given, tells after such an unknown outcome
        whether the change has been made already."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                r = request()
                if r.status in done:
                    return r
                why = "%d %r" % (r.status, r.body[:200])
                if r.status < 500:
                    raise TestFailure("%s: %s" % (what, why))
            except OSError as e:
                why = repr(e)
            self.st.count("member change retried (%s)" % why.split(" ", 1)[0])
            if settled is not None:
                try:
                    if settled():
                        return None
                except (OSError, ValueError, KeyError):
                    pass
            if time.monotonic() > deadline:
                raise TestFailure("%s: no success in %.0fs (last: %s)" % (what, START_TIMEOUT, why))
            time.sleep(0.5)

    def kill9(self, m):
        self.step = "killing it"
        m.kill9()
        time.sleep(random.uniform(1, 5))
        self.step = "starting it again"
        self.start_member(m)

    def sigterm(self, m):
        self.step = "stopping it"
        code = m.stop(timeout=15)
        if code != 0:
            self.st.unexpected("exit code after SIGTERM", "%s exited with %s" % (m.name, code))
        time.sleep(random.uniform(1, 3))
        self.step = "starting it again"
        self.start_member(m)

    def replace(self, m):
        self.step = "finding its id"
        mid = self.members()[m.peer_url]
        self.step = "removing it"
        self.member_change(lambda: http("DELETE", self.witness.url + "/v2/members/" + mid, timeout=15),
                           (204, 410), "DELETE /v2/members/" + mid,
                           settled=lambda: m.peer_url not in self.members())
        self.step = "waiting for it to exit"
        code = m.wait_exit(30)
        if code != 0:
            self.st.unexpected("exit of a removed member", "%s: exit code %s" % (m.name, code))
            m.kill9()
        shutil.rmtree(m.data_dir, ignore_errors=True)
        self.step = "adding it back"
        body = json.dumps({"peerURLs": [m.peer_url]})
        self.member_change(lambda: http("POST", self.witness.url + "/v2/members", body=body, timeout=15,
                                        headers={"Content-Type": "application/json"}),
                           (201, 409), "POST /v2/members",
                           settled=lambda: m.peer_url in self.members())
        m.extra_args = self.base_args + ["--initial-cluster-token", self.token,
                                         "--initial-cluster-state", "existing"]
        self.step = "starting it with a wiped data dir"
        self.start_member(m)
        return "new id " + self.members()[m.peer_url]

    def victim(self, kind, turn):
        if kind == "kill -9":
            try:
                leader = leader_of(self.st.members, timeout=10)
            except TestFailure:
                leader = None
            if leader in self.victims:
                return leader, True
        return self.victims[turn % len(self.victims)], False

    def check_alive(self):
        for m in self.st.members:
            if m is not self.busy and m.proc is not None and m.proc.poll() is not None:
                self.st.unexpected("member exited by itself", "%s: exit code %s\n%s"
                                   % (m.name, m.proc.returncode, m.log_tail(20)))
                self.st.event("restart after an unexpected exit", m.name)
                self.busy = m
                try:
                    self.start_member(m)
                finally:
                    self.busy = None

    def run(self):
        try:
            self._run()
        except Exception as e:  # noqa: BLE001: reported, never silent
            if not self.st.closing:
                self.error = "%s (while %s)" % (e if isinstance(e, TestFailure) else repr(e), self.step)
                self.st.unexpected("disruption failed", self.error)

    def _run(self):
        turn = 0
        next_t = self.period
        # The last one leaves at least a period of calm before the end.
        while turn < 1000 and next_t <= self.st.duration - self.period * 0.75:
            while self.st.now() < next_t:
                if self.st.stop.wait(0.5):
                    return
                self.check_alive()
            kind = KINDS[turn % len(KINDS)]
            m, was_leader = self.victim(kind, turn)
            self.busy = m
            w = self.st.begin_window("%s %s" % (kind, m.name))
            t, began = time.monotonic(), self.st.now()
            detail = getattr(self, {"kill -9": "kill9", "SIGTERM": "sigterm", "replace": "replace"}[kind])(m)
            self.step = "waiting for every member to be healthy"
            self.wait_healthy()
            self.st.end_window(w)
            self.busy = None
            self.st.event(kind, m.name, "%sback in %.1fs%s" % ("leader, " if was_leader else "",
                                                             time.monotonic() - t,
                                                             ", " + detail if detail else ""), began)
            turn += 1
            next_t += self.period
        while not self.st.stop.wait(0.5):
            self.check_alive()
