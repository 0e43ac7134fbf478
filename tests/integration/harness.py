"""Shared helpers for the integration tests: servers, HTTP, a test registry.

Standard library only (python3-etcd is imported by the client tests alone).
The server under test is kvraft (KVRAFT_BIN, default build/bin/kvraft) unless
KVRAFT_TEST_TARGET=etcd, which runs the same tests against real etcd 3.4.
Real etcd is also the reference that differential tests compare against.

Every server started here is registered and stopped (SIGTERM, then SIGKILL)
when its test ends, passes or fails. Each test runs in its own process group
(see run.py), so even a test killed for its timeout leaves nothing behind.
A test fails when a kvraft it ran crashed on a signal, printed a sanitizer
report (make asan) or did not stop on SIGTERM, even if every check passed:
such output would otherwise stay unseen in the server's log.
Not thread-safe except where noted (http() and Server.url are safe).
"""

import http.client as httplib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ports  # noqa: E402  (tests/ports.py)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("KVRAFT_TEST_TARGET", "kvraft")
KVRAFT_BIN = os.environ.get("KVRAFT_BIN", os.path.join(REPO, "build/bin/kvraft"))
ETCD_BIN = os.environ.get("ETCD_BIN", "etcd")
# Under make asan, freed memory waits in ASan's quarantine (256 MB by
# default) before it is reused, and the shadow memory adds to RSS: memory
# bounds get this much more room there. `make test` checks them as they are.
ASAN_RSS_ALLOWANCE_MB = 512 if "ASAN_OPTIONS" in os.environ else 0

_servers = []  # every Server started by this process, for cleanup
_crashes = []  # what crash_reports() returns: crashes and sanitizer reports seen

# Lines ASan, LSan, UBSan and TSan print when they find a bug.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "SUMMARY: UndefinedBehaviorSanitizer", "WARNING: ThreadSanitizer")
# Signals that mean a crash; the harness itself only sends SIGTERM and SIGKILL.
CRASH_SIGNALS = (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE)


class TestFailure(Exception):
    pass


def check(cond, msg):
    """Fails the running test with msg when cond is false."""
    if not cond:
        raise TestFailure(msg)


def check_eq(got, want, what):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))


def sanitizer_report(text):
    """The sanitizer report in a process's output (with context), or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if any(m in line for m in SANITIZER_MARKERS):
            return "\n".join(lines[max(0, i - 2):i + 30])
    return None


def crash_reports():
    """Crashes, hangs on SIGTERM and sanitizer reports of the kvraft processes run so far."""
    return list(_crashes)


def proc_status(server, field):
    """A /proc/<pid>/status figure of a running server, in kB (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise TestFailure("no %s in /proc/%d/status" % (field, server.proc.pid))


def open_fds(server):
    """How many files a running server holds open."""
    return len(os.listdir("/proc/%d/fd" % server.proc.pid))


def raise_nofile_limit():
    """Raises the soft open-files limit to the hard one (inherited by servers)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# ---------------------------------------------------------------- ports

def free_port():
    """A loopback port below 32768 reserved for this test process until it ends
    (tests/ports.py), so tests run side by side never share one."""
    try:
        return ports.reserve()
    except ports.NoPort as e:
        raise TestFailure(str(e))


# ---------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict, lower-case names
        self.body = body        # bytes

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8", "replace"))
        except ValueError:
            return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:200])


def http(method, url, form=None, body=None, headers=None, timeout=5.0):
    """One request on a fresh connection; never follows redirects.

    form: dict or raw string sent as application/x-www-form-urlencoded.
    Raises OSError (incl. timeouts) when the server does not answer.
    """
    u = urllib.parse.urlsplit(url)
    hdrs = dict(headers or {})
    if form is not None:
        body = form if isinstance(form, str) else urllib.parse.urlencode(form)
        hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if isinstance(body, str):
        body = body.encode()
    conn = httplib.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        target = u.path + ("?" + u.query if u.query else "")
        conn.request(method, target, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def raw_request(host, port, data, timeout=5.0, half_close=False):
    """Sends raw bytes and returns everything read until EOF or timeout."""
    s = socket.create_connection((host, port), timeout=timeout)
    chunks = []
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before reading everything
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)
    finally:
        s.close()


def decode_body(raw):
    """Body of one HTTP/1.1 response (Content-Length, chunked or until EOF)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        out = b""
        while body:
            size_line, _, rest = body.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            out += rest[:size]
            body = rest[size + 2:]
        return out
    return body


# ---------------------------------------------------------------- servers

class Server:
    """One single-member (or cluster member) kvraft or etcd process.

    kind: "kvraft" or "etcd"; default is the server under test (TARGET).
    data_dir: reused across restart(); a fresh temp dir when None.
    """

    def __init__(self, kind=None, name="default", data_dir=None, args=(),
                 env=None, cluster=None, client_port=None, peer_port=None,
                 flags=True):
        self.kind = kind or TARGET
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="kvtest-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.client_port = client_port or free_port()
        self.peer_port = peer_port or free_port()
        self.extra_args = list(args)
        self.env = env
        self.cluster = cluster or "%s=%s" % (name, self.peer_url)
        self.with_flags = flags
        self.proc = None
        self.log_path = os.path.join(self.tmp, "server.log")
        self.starts = 0
        _servers.append(self)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.client_port

    @property
    def peer_url(self):
        return "http://127.0.0.1:%d" % self.peer_port

    def binary(self):
        return ETCD_BIN if self.kind == "etcd" else KVRAFT_BIN

    def argv(self):
        argv = [self.binary()]
        if self.with_flags:
            argv += ["--name", self.name, "--data-dir", self.data_dir,
                     "--listen-client-urls", self.url,
                     "--advertise-client-urls", self.url,
                     "--listen-peer-urls", self.peer_url,
                     "--initial-advertise-peer-urls", self.peer_url,
                     "--initial-cluster", self.cluster]
            if self.kind == "etcd":
                argv.append("--enable-v2")
        return argv + self.extra_args

    def spawn(self):
        """Starts the process without waiting for readiness."""
        check(self.proc is None or self.proc.poll() is not None, "already running")
        self._note_crash()
        if self.kind != "etcd" and not os.access(self.binary(), os.X_OK):
            raise TestFailure("server binary %s does not exist" % self.binary())
        env = dict(os.environ)
        env.update(self.env or {})
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(b"==== start %d: %s\n" % (self.starts, " ".join(self.argv()).encode()))
        log.flush()
        self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        log.close()
        return self

    def start(self, timeout=20.0):
        """Starts and waits until GET /version answers 200."""
        self.spawn()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=20.0, urls=None):
        deadline = time.time() + timeout
        for url in urls or [self.url]:
            while True:
                if self.proc.poll() is not None:
                    raise TestFailure("%s exited with %d before it was ready:\n%s"
                                      % (self.kind, self.proc.returncode, self.log_tail()))
                try:
                    if http("GET", url + "/version", timeout=1).status == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise TestFailure("%s not ready after %.0fs:\n%s"
                                      % (self.kind, timeout, self.log_tail()))
                time.sleep(0.05)
        # A single member answers /version before it has a leader; wait for one.
        while time.time() < deadline:
            try:
                if http("GET", self.url + "/health", timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TestFailure("%s never became healthy:\n%s" % (self.kind, self.log_tail()))

    def wait_exit(self, timeout):
        """Waits for the process to end by itself; returns its exit code or None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL after timeout. Returns the exit code.

        A kvraft that needs the SIGKILL counts as a crash: it hung, and its
        exit-time leak check never ran."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        if self.wait_exit(timeout) is None:
            self.kill9()
            if self.kind != "etcd":
                _crashes.append("%s (start %d) did not stop within %.0fs of SIGTERM:\n%s"
                                % (self.name, self.starts, timeout, self.log_tail(30)))
        return self.proc.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, timeout=20.0):
        self.stop()
        return self.start(timeout)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=15):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _note_crash(self):
        """Records a crash on a signal of the process that ran last (kvraft only)."""
        if self.kind == "etcd" or self.proc is None or self.proc.returncode is None:
            return
        code = self.proc.returncode
        if code < 0 and -code in CRASH_SIGNALS:
            _crashes.append("%s (start %d) died on signal %d:\n%s"
                            % (self.name, self.starts, -code, self.log_tail(30)))

    def cleanup(self):
        # The leak check runs when the process exits, so give it time to.
        self.stop(timeout=10.0)
        self._note_crash()
        report = None if self.kind == "etcd" else sanitizer_report(self.log_text())
        if report:
            _crashes.append("%s printed a sanitizer report:\n%s" % (self.name, report))
        shutil.rmtree(self.tmp, ignore_errors=True)

    # Convenience wrappers around http() for the keys API.
    def put(self, key, value=None, timeout=5.0, **params):
        form = dict(params)
        if value is not None:
            form["value"] = value
        return http("PUT", self.url + "/v2/keys" + key, form=form, timeout=timeout)

    def get(self, key, timeout=5.0, **params):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        return http("GET", self.url + "/v2/keys" + key + q, timeout=timeout)


def run_cli(argv, env=None, timeout=10.0, stdin=None):
    """Runs a command; returns (exit code, stdout, stderr); kills it on timeout."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, env=e)
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out.decode(errors="replace"), err.decode(errors="replace")
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    report = sanitizer_report(out + "\n" + err)
    if report or (p.returncode < 0 and -p.returncode in CRASH_SIGNALS):
        _crashes.append("%s exited %d:\n%s" % (" ".join(argv), p.returncode,
                                                report or err[-3000:]))
    return p.returncode, out, err


def cleanup_all():
    while _servers:
        _servers.pop().cleanup()


# ---------------------------------------------------------------- registry

TESTS = []  # (name, func, timeout, targets)


def test(timeout=60, targets=("kvraft", "etcd")):
    """Registers a test. targets: the servers under test it applies to."""
    def wrap(func):
        TESTS.append((func.__module__.replace("test_", "") + "." + func.__name__,
                      func, timeout, targets))
        return func
    return wrap


def run_one(name):
    """Runs one registered test in this process; prints one result line."""
    for tname, func, timeout, targets in TESTS:
        if tname != name:
            continue
        if TARGET not in targets:
            print("SKIP %s (%s only)" % (name, "/".join(targets)))
            return 0

        def on_alarm(*_):
            raise TestFailure("timed out after %ds" % timeout)
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(timeout)
        start = time.time()
        failure = None
        try:
            func()
        except TestFailure as e:
            failure = str(e)
        except Exception:
            failure = traceback.format_exc()
        finally:
            signal.alarm(0)
            cleanup_all()
        if _crashes:
            failure = "\n".join(([failure] if failure else []) + _crashes)
        if failure is None:
            print("PASS %s (%.1fs)" % (name, time.time() - start), flush=True)
            return 0
        print("FAIL %s (%.1fs): %s" % (name, time.time() - start, failure), flush=True)
        return 1
    print("FAIL %s: no such test" % name)
    return 1


def log(msg):
    print("  " + msg, file=sys.stderr, flush=True)
