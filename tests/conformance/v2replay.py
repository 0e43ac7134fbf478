#!/usr/bin/env python3
"""v2replay.py: kvraft's etcd v2 conformance recorder and replayer.

Standard library only. A scenario (scenarios/NAME.json) is a list of HTTP
requests against the v2 API; its golden transcript (golden/NAME.json) is what
real etcd 3.4 answered, normalised so that two servers with different
histories compare equal (README.md in this directory has the file formats and
the normalisation rules).

  v2replay.py record --url URL --out GOLDEN_DIR [--scenarios DIR] [--only RE]...
  v2replay.py check  --url URL --golden GOLDEN_DIR [--scenarios DIR] [--only RE]...
  v2replay.py show   --url URL --scenarios DIR [--only RE]...

URL is one member named "default" that nobody else writes to. The scenario
directory defaults to "scenarios" beside the golden one. `check` prints PASS or
FAIL (with a readable diff) per scenario and ends with "N passed, M failed";
its exit status is 0 only when every scenario passed. `record` writes nothing
for a scenario whose "expect" assertions fail.
"""

import argparse
import hashlib
import http.client
import json
import math
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse

FORMAT = 1
REQUEST_TIMEOUT = 15.0
LONG_STRING = 512  # longer strings are recorded as length + digest

TEMPLATE_RE = re.compile(r"\{(p|i0(?:[+-]\d+)?|\$\w+)\}")
REPEAT_RE = re.compile(r"\{\*(\d+):([^{}]*)\}")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
DURATION_RE = re.compile(r"^(\d+(\.\d+)?(ns|us|\u00b5s|ms|s|m|h))+$")
SEMVER_RE = re.compile(r"^(\d+)\.(\d+)\.\d+([-+].*)?$")
INORDER_KEY_RE = re.compile(r"(?<!\d)\d{20}(?!\d)")  # POSTed keys are 20-digit indexes
LAST_PAIR_RE = re.compile(r"\[([^\[\]]*) != ([^\[\]]*)\]$")
CLEARED_RE = re.compile(r"^(the requested history has been cleared \[)(\d+)/(\d+)\]$")
URL_RE = re.compile(r"^https?://[^/]+/?$")
UINT_RE = re.compile(r"[0-9]+")

INDEX_FIELDS = ("createdIndex", "modifiedIndex", "index")
# Characters sent as written in paths and raw query strings (the rest is %-escaped).
PATH_SAFE = "/%!$&'()*+,;=:@-._~?"
QUERY_SAFE = "=&%+!$'()*,;:@-._~/?"
TRUE_WORDS = ("1", "t", "T", "true", "TRUE", "True")  # Go's strconv.ParseBool


class ScenarioError(Exception):
    """A scenario file that cannot be run as written."""


# ------------------------------------------------------------------ scenarios

def load_scenario(path):
    """(steps, description, sha256, cleanup) of a scenario file."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    cleanup = []
    if isinstance(data, list):
        steps, description = data, ""
    elif isinstance(data, dict) and isinstance(data.get("steps"), list):
        steps, description = data["steps"], data.get("description", "")
        cleanup = data.get("cleanup") or []
    else:
        raise ScenarioError('%s: want a list of steps or {"steps": [...]}' % path)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return steps, description, digest, cleanup


def names_in(directory, only):
    if not os.path.isdir(directory):
        raise SystemExit("no such directory: %s" % directory)
    names = sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".json"))
    if only:
        names = [n for n in names if any(re.search(o, n) for o in only)]
    return names


def form_value(v):
    """A query or form value as sent: JSON true/false/null spelled as words."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def describe(step):
    """One line naming a step, for transcripts and diffs."""
    def params(q):
        return q if isinstance(q, str) else "&".join("%s=%s" % (k, form_value(v)) for k, v in q.items())
    if "sleep" in step:
        return "sleep %s" % step["sleep"]
    if "join" in step:
        return "join %s" % step["join"]
    text = "GET" if "watch_async" in step else step.get("method", "GET").upper()
    text += " " + step.get("path", "/")
    if step.get("query"):
        text += "?" + params(step["query"])
    if "watch_async" in step:
        return "watch_async %s %s" % (step["watch_async"], text)
    if step.get("form") is not None:
        text += "  form: " + params(step["form"])
    if "body" in step:
        body = step["body"]
        text += "  body: " + (body if isinstance(body, str) else json.dumps(body))
    if "repeat" in step:
        text = "repeat %s x %s" % (step["repeat"], text)
    return text


# ------------------------------------------------------------------ HTTP

class Request:
    """A step rendered for the wire, plus the parameters the server will read
    (Go's r.Form: for PUT, POST and PATCH the form body's values come first)."""

    def __init__(self, step, render):
        self.method = step.get("method", "GET").upper()
        path = render(step.get("path", "/"))
        self.target = urllib.parse.quote(path, safe=PATH_SAFE)
        self.headers = {k: render(str(v)) for k, v in (step.get("headers") or {}).items()}
        self.body = None
        query = self._encode(step.get("query"), render, QUERY_SAFE)
        if query:
            self.target += ("&" if "?" in self.target else "?") + query
        self.params = self._parse(self.target.partition("?")[2])
        form = self._encode(step.get("form"), render, None)
        if form is not None:
            if "body" in step:
                raise ScenarioError("a step has a form or a body, not both")
            self.body = form
            if self.method in ("PUT", "POST", "PATCH"):
                self.params.update(self._parse(form))
            if not any(k.lower() == "content-type" for k in self.headers):
                self.headers["Content-Type"] = "application/x-www-form-urlencoded"
        if "body" in step:
            body = step["body"]
            self.body = render(body if isinstance(body, str) else json.dumps(body))

    @staticmethod
    def _encode(value, render, raw_safe):
        """A dict or a raw string (sent as written, bar characters a URL cannot hold)."""
        if value is None:
            return None
        if isinstance(value, dict):
            pairs = [(k, render(form_value(v))) for k, v in value.items()]
            return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
        if isinstance(value, str):
            return render(value) if raw_safe is None else urllib.parse.quote(render(value), safe=raw_safe)
        raise ScenarioError("query and form are a dict or a string")

    @staticmethod
    def _parse(text):
        """First value of each parameter, as Go's Form.Get."""
        out = {}
        for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True):
            out.setdefault(k, v)
        return out


def address_of(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        raise SystemExit("only http:// URLs: %s" % url)
    return u.hostname, u.port or 80


def send(address, request, timeout=REQUEST_TIMEOUT):
    """{"status", "headers", "raw"} of the answer, or {"error": text}."""
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        body = request.body.encode() if request.body is not None else None
        conn.request(request.method, request.target, body=body, headers=request.headers)
        resp = conn.getresponse()
        return {"status": resp.status, "headers": resp.headers, "raw": resp.read()}
    except (OSError, http.client.HTTPException) as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}
    finally:
        conn.close()


class Watch(threading.Thread):
    """A long poll in the background: one answer, or `events` stream events."""

    def __init__(self, address, request, events):
        super().__init__(daemon=True)
        self.address, self.request, self.events = address, request, events
        self.headers_in = threading.Event()  # the watcher is registered
        self.done = threading.Event()
        self.result = {}
        self.conn = None

    def run(self):
        res = self.result
        try:
            self.conn = http.client.HTTPConnection(*self.address, timeout=120)
            self.conn.request("GET", self.request.target)
            resp = self.conn.getresponse()
            res.update(status=resp.status, headers=resp.headers)
            self.headers_in.set()
            if self.events is None:
                res["raw"] = resp.read()
            else:
                res["raw_events"] = []
                self._read_events(resp, res["raw_events"])
        except (OSError, http.client.HTTPException) as e:
            res.setdefault("error", "%s: %s" % (type(e).__name__, e))
        finally:
            self.headers_in.set()
            self.done.set()
            self.conn.close()

    def _read_events(self, resp, out):
        pending = b""
        while len(out) < self.events:
            line = resp.readline()
            if not line:
                return
            pending += line
            try:
                json.loads(pending)
            except ValueError:
                continue  # an event split over lines, or a blank keep-alive line
            out.append(pending)
            pending = b""

    def stop(self):
        self.result["error"] = "stopped by the replayer"  # not a server error
        if self.conn is not None and self.conn.sock is not None:
            try:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def headers_get(headers, name):
    """All values of a header, joined: a duplicated header shows."""
    values = headers.get_all(name) if headers is not None else None
    return ", ".join(values) if values else None


# ------------------------------------------------------------------ normalisation

class Normaliser:
    """Turns one scenario's answers into transcript entries. Indexes become
    i0, i0+N relative to the first one seen; IDs become <member-N> and
    <cluster-N> in order of appearance; the prefix and the server's URL become
    {p} and <this-server-url>."""

    def __init__(self, prefix, url):
        self.prefix, self.url = prefix, url.rstrip("/")
        self.base = None
        self.captures = {}  # raw values remembered by "capture", for {$name} and "delta"
        self.symbols = {}  # (kind, raw) -> symbol
        self.raft = {}     # header -> last value seen

    def index(self, n):
        if isinstance(n, str):
            if not UINT_RE.fullmatch(n.strip()):
                return "<non-integer index: %r>" % n
            n = int(n)
        if isinstance(n, bool) or not isinstance(n, int):
            return "<non-integer index: %r>" % (n,)
        if n == 0:
            return 0  # etcd's answer to a bad parameter carries index 0
        if self.base is None:
            self.base = n
        return "i0" if n == self.base else "i0%+d" % (n - self.base)

    def symbol(self, kind, raw):
        key = (kind, raw)
        if key not in self.symbols:
            self.symbols[key] = "<%s-%d>" % (kind, 1 + sum(k == kind for k, _ in self.symbols))
        return self.symbols[key]

    def text(self, s, key_like=False):
        s = s.replace(self.prefix, "{p}").replace(self.url, "<this-server-url>")
        if key_like:
            s = INORDER_KEY_RE.sub(lambda m: "<%s>" % self.index(int(m.group())), s)
        return s

    def headers(self, headers, track_raft):
        out = {}
        for name in ("Content-Type", "Allow", "Location"):
            v = headers_get(headers, name)
            if v is not None:
                out[name] = self.text(v) if name == "Location" else v
        v = headers_get(headers, "X-Etcd-Index")
        if v is not None:
            out["X-Etcd-Index"] = self.index(v)
        v = headers_get(headers, "X-Etcd-Cluster-Id")
        if v is not None:
            out["X-Etcd-Cluster-ID"] = self.symbol("cluster", v.strip())
        for name in ("X-Raft-Index", "X-Raft-Term"):
            v = headers_get(headers, name)
            if v is not None:
                out[name] = self._raft(name, v, track_raft)
        return out

    def _raft(self, name, value, track):
        """Only presence and that it never goes backwards within a scenario."""
        if not UINT_RE.fullmatch(value.strip()):
            return "<non-integer: %r>" % value
        n, last = int(value), self.raft.get(name)
        if track:
            if last is not None and n < last:
                return "<decreased>"
            self.raft[name] = n
        return "<present>"

    def json(self, v, key, keys_api, sorted_listing):
        """A decoded JSON value, normalised (key: the field it sits in)."""
        if isinstance(v, dict):
            return {(self.symbol("member", k) if key == "followers" and not keys_api else k):
                    self.json(x, k, keys_api, sorted_listing) for k, x in v.items()}
        if isinstance(v, list):
            items = [self.json(x, key, keys_api, sorted_listing) for x in v]
            if key == "nodes" and not sorted_listing:  # etcd's order is the map's
                items.sort(key=lambda n: json.dumps(n.get("key") if isinstance(n, dict) else n))
            return items
        if isinstance(v, int) and not isinstance(v, bool) and keys_api and key in INDEX_FIELDS:
            return self.index(v)
        if not isinstance(v, str):
            return v
        if key == "expiration" or (not keys_api and TIMESTAMP_RE.match(v)):
            return "<timestamp>" if TIMESTAMP_RE.match(v) else "<bad-timestamp: %s>" % v
        if not keys_api and key in ("id", "leader"):
            return self.symbol("member", v)
        if key == "uptime" and DURATION_RE.match(v):
            return "<duration>"
        if key in ("peerURLs", "clientURLs"):
            if v.rstrip("/") == self.url:
                return "<this-server-url>"
            return "<url>" if URL_RE.match(v) else self.text(v)
        if key in ("etcdserver", "etcdcluster") and SEMVER_RE.match(v):
            return "%s.%s.x" % SEMVER_RE.match(v).group(1, 2)
        return long_string(self.text(v, key_like=key in ("key", "cause")))

    def compare_cause(self, body, request, prev_index_template):
        """errorCode 101 names the failed conditions, "[prevValue != value]"
        and, last, "[prevIndex != modifiedIndex]": the indexes in the latter
        become symbols (prevIndex only when the scenario computed it from {i0})."""
        cause = body.get("cause")
        prev_index = request.params.get("prevIndex", "")
        m = LAST_PAIR_RE.search(cause) if isinstance(cause, str) else None
        if m is None or not UINT_RE.fullmatch(prev_index) or m.group(1) != str(int(prev_index)) \
                or not UINT_RE.fullmatch(m.group(2)):
            return
        left = str(self.index(int(prev_index))) if "{" in prev_index_template else m.group(1)
        body["cause"] = cause[:m.start()] + "[%s != %s]" % (left, self.index(int(m.group(2))))

    def body(self, raw, step, request, prev_index_template):
        text = raw.decode("utf-8", errors="replace")
        try:
            value = json.loads(text) if text.strip() else None
        except ValueError:
            value = None
        if value is None:
            return {"text": self.text(text)} if text else None
        keys_api = step.get("path", "").startswith("/v2/keys")
        sorted_listing = request.params.get("sorted", "false") in TRUE_WORDS
        out = self.json(value, None, keys_api, sorted_listing)
        if keys_api and isinstance(value, dict):
            if value.get("errorCode") == 101:
                self.compare_cause(out, request, prev_index_template)
            elif value.get("errorCode") == 401 and CLEARED_RE.match(str(value.get("cause"))):
                m = CLEARED_RE.match(value["cause"])
                out["cause"] = "%s%s/%s]" % (m.group(1), self.index(int(m.group(2))),
                                             self.index(int(m.group(3))))
        for dotted in step.get("ignore", []):
            if dotted.startswith("body."):
                mark_ignored(out, dotted.split(".")[1:])
        return {"json": out}

    def entry(self, res, step, request, track_raft=True, prev_index_template=""):
        """A transcript entry (without step number and request) for an answer."""
        if "status" not in res:
            return {"error": "<transport error>", "detail": res.get("error")}
        entry = {"status": res["status"], "headers": self.headers(res["headers"], track_raft)}

        def one(raw):
            b = self.body(raw, step, request, prev_index_template)
            if b and "json" in b:
                b["json"] = finish(b["json"], step, self.captures)
            return b
        if "raw_events" in res:
            entry["events"] = [one(r) for r in res["raw_events"]]
        elif "raw" in res:
            entry["body"] = one(res["raw"])
        for dotted in step.get("ignore", []):
            if dotted.startswith("headers."):
                entry["headers"].pop(dotted[len("headers."):], None)
        return entry


def finish(body, step, captures):
    """Applies "delta" (numbers as differences from a captured body) and "shape"."""
    base = captures.get(step.get("delta")) if step.get("delta") else None
    if isinstance(base, dict) and isinstance(body, dict):
        for k, v in body.items():
            b = base.get(k)
            if type(v) is int and type(b) is int:
                body[k] = "%+d" % (v - b)
    if step.get("shape"):
        body = shape(body, set(step.get("keep", [])))
    return body


def shape(v, keep, key=None):
    """Field names and value types only; symbols, deltas and kept fields stay."""
    if key in keep:
        return v
    if isinstance(v, dict):
        return {k: shape(x, keep, k) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x, keep, key) for x in v]
    if isinstance(v, bool):
        return "<bool>"
    if isinstance(v, (int, float)):
        return "<number>"
    if isinstance(v, str) and not re.fullmatch(r"<.*>|[+-]\d+", v):
        return "<string>"
    return v


def mark_ignored(obj, path):
    """Replaces the field at path (if there) by "<ignored>": presence still counts."""
    for part in path[:-1]:
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return
    if isinstance(obj, dict) and path[-1] in obj:
        obj[path[-1]] = "<ignored>"


def long_string(s):
    if len(s) <= LONG_STRING:
        return s
    digest = hashlib.sha256(s.encode()).hexdigest()[:16]
    return "<%d chars, sha256 %s..., starts %s>" % (len(s), digest, json.dumps(s[:24]))


def lookup(res, dotted):
    """The raw value at "headers.NAME", "body" or "body.a.0.b" of an answer."""
    head, _, rest = dotted.partition(".")
    if head == "headers":
        return headers_get(res.get("headers"), rest)
    try:
        value = json.loads(res.get("raw", b""))
    except ValueError:
        return None
    for part in rest.split(".") if rest else []:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def has_ttl(v):
    if isinstance(v, dict):
        return "ttl" in v or any(has_ttl(x) for x in v.values())
    return isinstance(v, list) and any(has_ttl(x) for x in v)


# ------------------------------------------------------------------ running a scenario

class ScenarioRun:
    """Runs one scenario's steps under its own key prefix and records them."""

    def __init__(self, name, url, run_id):
        self.address = address_of(url)
        self.prefix = "c%s-%s" % (run_id, name)
        self.norm = Normaliser(self.prefix, url)
        self.watches = {}
        self.transcript, self.failures = [], []
        self.t0 = time.time()

    def render(self, s):
        if not isinstance(s, str):
            return s
        s = REPEAT_RE.sub(lambda m: m.group(2) * int(m.group(1)), s)

        def one(m):
            token = m.group(1)
            if token == "p":
                return self.prefix
            if token.startswith("$"):
                if token[1:] not in self.norm.captures:
                    raise ScenarioError("{%s} used before it was captured" % token)
                return str(self.norm.captures[token[1:]])
            if self.norm.base is None:
                raise ScenarioError("{%s} used before any index was seen" % token)
            return str(self.norm.base + int(token[2:] or 0))
        return TEMPLATE_RE.sub(one, s)

    def run(self, steps, cleanup=()):
        try:
            for i, step in enumerate(steps):
                if not isinstance(step, dict):
                    raise ScenarioError("step %d is not an object" % i)
                self.step(i, step)
        finally:
            for w in self.watches.values():
                w.stop()
            # Not recorded, run however the steps ended: state outside the
            # prefix (users, roles, the auth switch) must not leak into the
            # next scenario.
            for step in cleanup:
                send(self.address, Request(step, self.render))
            # Not recorded: a TTL left behind would expire in a later scenario.
            send(self.address, Request({"method": "DELETE", "path": "/v2/keys/" + self.prefix,
                                        "query": {"recursive": "true"}}, str))
        return self.transcript, self.failures

    def step(self, i, step):
        if "sleep" in step:
            time.sleep(float(step["sleep"]))
        elif "watch_async" in step:
            self.start_watch(step)
        elif "join" in step:
            self.record(i, step, self.join(step))
        elif "repeat" in step:
            self.record(i, step, self.repeat(step))
        elif "method" in step or "path" in step:
            self.record(i, step, self.request(step))
        else:
            raise ScenarioError("step %d: unknown kind of step %s" % (i, sorted(step)))

    def record(self, i, step, entry):
        entry = dict({"step": i, "request": entry.pop("request", describe(step))}, **entry)
        if has_ttl(entry):  # check widens the ttl tolerance by the drift from the recording
            entry["elapsed"] = round(time.time() - self.t0, 2)
        self.transcript.append(entry)
        for problem in expectation_failures(step.get("expect"), entry.get("last", entry)):
            self.failures.append("step %d (%s): %s" % (i, describe(step), problem))

    def request(self, step):
        req = Request(step, self.render)
        res = send(self.address, req)
        until = step.get("until")
        if until:  # a read repeated until it matches; the last answer counts
            deadline = time.time() + float(step.get("timeout", 5.0))
            while not matches(until, res) and time.time() < deadline:
                time.sleep(float(step.get("interval", 0.1)))
                res = send(self.address, req)
        template = next((str(form_value(src["prevIndex"])) for src in (step.get("form"), step.get("query"))
                         if isinstance(src, dict) and "prevIndex" in src), "")
        entry = self.norm.entry(res, step, req, prev_index_template=template)
        if until and not matches(until, res):
            entry["until_not_met"] = True
        for name, dotted in (step.get("capture") or {}).items():
            self.norm.captures[name] = lookup(res, dotted)
        return entry

    def repeat(self, step):
        """The same request N times ({$n} counts from 0): status counts and the last answer."""
        counts = {}
        for n in range(int(step["repeat"])):
            self.norm.captures["n"] = n
            req = Request(step, self.render)
            res = send(self.address, req)
            status = str(res.get("status", "error"))
            counts[status] = counts.get(status, 0) + 1
            last = (res, req)
        out = {"statuses": counts}
        if counts:
            out["last"] = self.norm.entry(last[0], step, last[1])
        return out

    def start_watch(self, step):
        wstep = dict(step, method="GET", query=dict(step.get("query") or {}))
        wstep["query"].setdefault("wait", "true")
        w = Watch(self.address, Request(wstep, self.render), step.get("events"))
        w.step = wstep
        w.start()
        # etcd answers with headers once the watcher is registered: writes
        # made after that are seen by it.
        if not w.headers_in.wait(float(step.get("ready_timeout", 3.0))):
            time.sleep(0.2)
        self.watches[step["watch_async"]] = w

    def join(self, step):
        name = step["join"]
        if name not in self.watches:
            raise ScenarioError("join of unknown watch %r" % name)
        w = self.watches.pop(name)
        timed_out = not w.done.wait(float(step.get("timeout", 5.0)))
        if timed_out:
            w.stop()
            w.done.wait(5.0)
        res = dict(w.result)
        request = "join %s <- %s" % (name, describe(w.step))
        if timed_out:
            res.pop("error", None)
            res.pop("raw", None)
            entry = {"timed_out": True}
            if "status" in res:
                entry.update(self.norm.entry(res, w.step, w.request, track_raft=False))
        else:
            entry = self.norm.entry(res, w.step, w.request, track_raft=False)
        return dict(request=request, **entry)


def matches(until, res):
    if res.get("status") is None or ("status" in until and res["status"] != until["status"]):
        return False
    if "errorCode" in until or "action" in until:
        body = lookup(res, "body")
        if not isinstance(body, dict):
            return False
        return all(body.get(k) == until[k] for k in ("errorCode", "action") if k in until)
    return True


# ------------------------------------------------------------------ expectations and comparison

def short(v, limit=200):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + "..."


def subset_problems(want, got, path):
    if not isinstance(want, dict):
        return [] if want == got else ["%s: expected %s, got %s" % (path, short(want), short(got))]
    if not isinstance(got, dict):
        return ["%s: expected an object, got %s" % (path, short(got))]
    out = []
    for k, v in want.items():
        if k in got:
            out += subset_problems(v, got[k], "%s.%s" % (path, k))
        else:
            out.append("%s.%s: missing (expected %s)" % (path, k, short(v)))
    return out


def expectation_failures(expect, entry):
    """What in entry contradicts a step's "expect" (checked on every run)."""
    if not expect:
        return []
    if "error" in entry:
        return ["request failed: %s" % entry.get("detail")]
    body = (entry.get("body") or {}).get("json")
    out = []
    want = expect.get("status")
    if want is not None and entry.get("status") not in (want if isinstance(want, list) else [want]):
        out.append("expect status %s, got %s" % (want, entry.get("status")))
    for field in ("errorCode", "action"):
        got = body.get(field) if isinstance(body, dict) else None
        if field in expect and got != expect[field]:
            out.append("expect %s %s, got %s" % (field, expect[field], got))
    if "body" in expect:
        out += subset_problems(expect["body"], body, "body")
    if "headers" in expect:
        out += subset_problems(expect["headers"], entry.get("headers", {}), "headers")
    if "events" in expect:
        got = [e.get("json") if isinstance(e, dict) else None for e in entry.get("events", [])]
        out += subset_problems(expect["events"], got, "events")
    if "timed_out" in expect and bool(entry.get("timed_out")) != bool(expect["timed_out"]):
        out.append("expect timed_out=%s, got %s" % (expect["timed_out"], bool(entry.get("timed_out"))))
    return out


def compare(want, got, path, ttl_slack, out):
    """Appends a line per difference; a ttl may differ by ttl_slack seconds."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            p = "%s.%s" % (path, k) if path else k
            if k in got:
                compare(want[k], got[k], p, ttl_slack, out)
            else:
                out.append("%s: missing (expected %s)" % (p, short(want[k])))
        out.extend("%s: unexpected field (got %s)" % ("%s.%s" % (path, k) if path else k, short(got[k]))
                   for k in got if k not in want)
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            compare(w, g, "%s[%d]" % (path, i), ttl_slack, out)
    elif isinstance(want, list) and isinstance(got, list):
        out.append("%s: expected %d items, got %d\n      expected %s\n      got      %s"
                   % (path, len(want), len(got), short(want, 400), short(got, 400)))
    elif path.endswith(".ttl") and type(want) is int and type(got) is int:
        if abs(want - got) > ttl_slack:
            out.append("%s: expected %d (+-%d), got %d" % (path, want, ttl_slack, got))
    elif type(want) is not type(got) or want != got:
        out.append("%s: expected %s, got %s" % (path, short(want), short(got)))


def transcript_diffs(golden, got):
    """One readable block per step that differs."""
    out = []
    for i in range(max(len(golden), len(got))):
        if i >= len(golden):
            out.append("extra transcript entry: %s" % short(got[i]))
            continue
        if i >= len(got):
            out.append("missing transcript entry for: %s" % golden[i].get("request"))
            continue
        g, a = golden[i], got[i]
        head = "step %s: %s" % (g.get("step"), g.get("request"))
        if "error" in a and "error" not in g:
            out.append("%s\n  request failed: %s" % (head, a.get("detail")))
            continue
        slack = 1
        if isinstance(g.get("elapsed"), (int, float)) and isinstance(a.get("elapsed"), (int, float)):
            slack += math.ceil(abs(a["elapsed"] - g["elapsed"]))
        skip = ("step", "request", "detail", "elapsed")
        diffs = []
        compare({k: v for k, v in g.items() if k not in skip},
                {k: v for k, v in a.items() if k not in skip}, "", slack, diffs)
        if diffs:
            out.append(head + "\n  " + "\n  ".join(diffs))
    return out


# ------------------------------------------------------------------ commands

def wait_quiet(url, settle):
    """Waits until the server answers and its etcd index stays put for settle s
    (a fresh etcd still writes its own membership and version records)."""
    address = address_of(url)
    deadline, last = time.time() + max(20.0, settle * 10), None
    while time.time() < deadline:
        res = send(address, Request({"path": "/v2/keys/"}, str), timeout=5)
        index = headers_get(res.get("headers"), "X-Etcd-Index") if res.get("status") == 200 else None
        if index is not None and index == last:
            return True
        last = index
        time.sleep(settle if index is not None else 0.25)
    return False


def cmd_record(args):
    sdir = args.scenarios or os.path.join(os.path.dirname(os.path.abspath(args.out)), "scenarios")
    names = names_in(sdir, args.only)
    os.makedirs(args.out, exist_ok=True)
    if not wait_quiet(args.url, args.settle):
        print("server at %s did not become ready" % args.url)
        return 2
    run_id, bad = secrets.token_hex(3), 0
    for name in names:
        try:
            steps, description, digest, cleanup = load_scenario(os.path.join(sdir, name + ".json"))
            transcript, failures = ScenarioRun(name, args.url, run_id).run(steps, cleanup)
        except ScenarioError as e:
            print("ERROR %s: %s" % (name, e))
            bad += 1
            continue
        if failures:
            print("EXPECT-FAIL %s (golden not written)" % name)
            print("".join("    %s\n" % f for f in failures), end="")
            bad += 1
            continue
        golden = {"format": FORMAT, "scenario": name, "description": description,
                  "scenario_sha256": digest, "transcript": transcript}
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(golden, indent=2, ensure_ascii=False) + "\n")
        print("RECORDED %s (%d entries)" % (name, len(transcript)), flush=True)
    print("%d recorded, %d failed" % (len(names) - bad, bad))
    return 0 if bad == 0 else 1


def check_one(name, gdir, sdir, url, run_id):
    """The problems found replaying one scenario (empty: it passed)."""
    with open(os.path.join(gdir, name + ".json"), encoding="utf-8") as f:
        golden = json.load(f)
    problems = []
    try:
        path = os.path.join(sdir, name + ".json")
        if not os.path.exists(path):
            raise ScenarioError("scenario file %s not found" % path)
        steps, _, digest, cleanup = load_scenario(path)
        if digest != golden.get("scenario_sha256"):
            problems.append("the scenario changed since its golden transcript was recorded: re-record it")
        transcript, failures = ScenarioRun(name, url, run_id).run(steps, cleanup)
    except ScenarioError as e:
        return problems + ["scenario error: %s" % e]
    diffs = transcript_diffs(golden.get("transcript", []), transcript)
    differing = set(re.findall(r"^step (\d+):", "\n".join(diffs), re.M))
    # An expectation on a step that already differs from etcd adds nothing.
    return problems + diffs + ["expectation: " + f for f in failures
                               if re.match(r"step (\d+)", f).group(1) not in differing]


def cmd_check(args):
    sdir = args.scenarios or os.path.join(os.path.dirname(os.path.abspath(args.golden)), "scenarios")
    names = names_in(args.golden, args.only)
    if not wait_quiet(args.url, args.settle):
        print("warning: server at %s did not become ready; running anyway" % args.url)
    run_id, passed, failed = secrets.token_hex(3), 0, 0
    for name in names:
        problems = check_one(name, args.golden, sdir, args.url, run_id)
        if not problems:
            passed += 1
            print("PASS %s" % name, flush=True)
            continue
        failed += 1
        print("FAIL %s" % name)
        for p in problems[:args.max_diff]:
            print("    " + p.replace("\n", "\n    "))
        if len(problems) > args.max_diff:
            print("    ... %d more differences" % (len(problems) - args.max_diff))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def cmd_show(args):
    if not wait_quiet(args.url, args.settle):
        print("server at %s did not become ready" % args.url)
        return 2
    run_id, rc = secrets.token_hex(3), 0
    for name in names_in(args.scenarios, args.only):
        steps, _, _, cleanup = load_scenario(os.path.join(args.scenarios, name + ".json"))
        transcript, failures = ScenarioRun(name, args.url, run_id).run(steps, cleanup)
        print("=== %s\n%s" % (name, json.dumps(transcript, indent=2, ensure_ascii=False)))
        for f in failures:
            print("EXPECT-FAIL " + f)
            rc = 1
    return rc


def main(argv=None):
    ap = argparse.ArgumentParser(description="etcd v2 conformance recorder and replayer")
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", required=True, help="e.g. http://127.0.0.1:2379")
    common.add_argument("--scenarios", help="scenario directory")
    common.add_argument("--only", action="append", help="regex on scenario names (repeatable)")
    common.add_argument("--settle", type=float, default=0.5,
                        help="seconds the etcd index must stay still before the run")
    p = sub.add_parser("record", parents=[common], help="write golden transcripts")
    p.add_argument("--out", required=True)
    p = sub.add_parser("check", parents=[common], help="compare with golden transcripts")
    p.add_argument("--golden", required=True)
    p.add_argument("--max-diff", type=int, default=12, help="differences shown per scenario")
    sub.add_parser("show", parents=[common], help="print normalised transcripts")
    args = ap.parse_args(argv)
    if args.cmd == "show" and not args.scenarios:
        ap.error("show needs --scenarios")
    return {"record": cmd_record, "check": cmd_check, "show": cmd_show}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
