#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (run from anywhere; the
files are committed, this only regenerates them). Seeds are real-looking
inputs: the requests of the conformance scenarios (tests/conformance), the
examples of the unit tests, and encodings of typical peer messages and store
snapshots. File names are a hash of the content, so reruns change nothing.

  fuzz/seeds.py            every target
  fuzz/seeds.py form ...   only these
"""
import glob
import hashlib
import json
import os
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEEDS = 100  # per target: enough variety, small repository


def write(target, seeds):
    out = os.path.join(CORPUS, target)
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "*")):
        os.remove(old)
    unique = []
    for s in seeds:
        b = s.encode() if isinstance(s, str) else bytes(s)
        if b not in unique:
            unique.append(b)
    # Hand-written seeds come last and are all kept; the rest evenly spaced.
    if len(unique) > MAX_SEEDS:
        unique = [unique[i * len(unique) // MAX_SEEDS] for i in range(MAX_SEEDS - 10)] + unique[-10:]
    for b in unique:
        with open(os.path.join(out, hashlib.sha1(b).hexdigest()[:16]), "wb") as f:
            f.write(b)
    print("%-16s %d seeds, %d bytes" % (target, len(unique), sum(len(b) for b in unique)))


# ---- HTTP requests from the conformance scenarios ----

def scenario_requests():
    """(method, target, headers, body) of every step that is an HTTP request."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "conformance", "scenarios", "*.json"))):
        with open(path) as f:
            scenario = json.load(f)
        for step in scenario["steps"]:
            if "path" not in step:
                continue
            method = step.get("method", "GET").upper()
            p = step["path"].replace("{p}", "t")
            target = urllib.parse.quote(p, safe="/%!$&'()*+,;=:@-._~?")
            q = step.get("query")
            if isinstance(q, dict):
                qs = urllib.parse.urlencode([(k, str(v).replace("{p}", "t")) for k, v in q.items()],
                                            quote_via=urllib.parse.quote)
            elif isinstance(q, str):
                qs = urllib.parse.quote(q.replace("{p}", "t"), safe="=&%+!$'()*,;:@-._~/?")
            else:
                qs = ""
            if qs:
                target += ("&" if "?" in target else "?") + qs
            headers = dict(step.get("headers") or {})
            body = ""
            form = step.get("form")
            if isinstance(form, dict):
                body = urllib.parse.urlencode([(k, str(v)) for k, v in form.items()],
                                              quote_via=urllib.parse.quote)
            elif isinstance(form, str):
                body = form
            if form is not None and not any(h.lower() == "content-type" for h in headers):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "body" in step:
                b = step["body"]
                body = b if isinstance(b, str) else json.dumps(b)
            out.append((method, target, headers, body))
    return out


def raw_http(method, target, headers, body, version="1.1"):
    lines = ["%s %s HTTP/%s" % (method, target, version), "Host: 127.0.0.1:2379"]
    lines += ["%s: %s" % kv for kv in headers.items()]
    if body or method in ("PUT", "POST"):
        lines.append("Content-Length: %d" % len(body.encode()))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def content_type(headers):
    return next((v for k, v in headers.items() if k.lower() == "content-type"), "")


def keys_parse_seeds(requests):
    return ["%s\n%s\n%s\n%s" % (m, t, content_type(h), b) for m, t, h, b in requests
            if t.startswith("/v2/keys")]


def form_seeds(requests):
    seeds = []
    for m, t, h, b in requests:
        query = t.split("?", 1)[1] if "?" in t else ""
        seeds.append("%s\n%s\n%s\n%s" % (m, content_type(h), query, b))
    # form_test.cc's cases: bad escapes, ';', media types
    seeds += [
        "PUT\napplication/x-www-form-urlencoded\nx=1;y=2\nvalue=a+b%20c&=x&k&k=2&&k=%33",
        "PUT\napplication/x-www-form-urlencoded; charset=utf-8\n\nvalue=%zz",
        "POST\nAPPLICATION/X-WWW-FORM-URLENCODED ; a=\"b\\\"c\"\nttl=5\nvalue=1&&&=&dir",
        "PATCH\nmultipart/form-data; boundary=b\n%41=%4\n--b--",
        "PUT\ntext/\n\nvalue=1",
        "PUT\napplication/x-www-form-urlencoded; a=1; a=2\n\nvalue=1",
    ]
    return seeds


def go_path_seeds(requests):
    seeds = ["%s\n%s" % (m, t) for m, t, h, b in requests]
    seeds += ["GET\n/v2/keys/a/../b//c/./d/", "HEAD\n/v2/keys/%2F%2e%2E/x?y=1",
              "GET\n//v2/keys/%00%ff\xc3\xa9", "PUT\n/v2/keys/a%zz", "GET\n/..%2f..%2fetc"]
    return seeds


def http_request_seeds(requests):
    seeds = [raw_http(*r) for r in requests]
    pipelined = "".join(raw_http(*r) for r in requests[:3])
    seeds += [
        pipelined,
        "GET /v2/keys/a HTTP/1.0\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "PUT /v2/keys/a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n7\r\nvalue=1\r\n0\r\n\r\n",
        "PUT /v2/keys/a HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\nvalue=1",
        "GET http://127.0.0.1:2379/v2/keys/a?recursive=true HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /v2/keys/a HTTP/1.1\r\n\r\n",
        "POST /raft HTTP/1.1\r\nHost: a\r\nX-Server-From: 8e9e05c52164694d\r\n"
        "X-Etcd-Cluster-Id: cdf818194e3a8c32\r\nContent-Type: application/protobuf\r\n"
        "Content-Length: 2\r\n\r\n\x01\x00",
    ]
    return seeds


GENERATORS = {
    "keys_parse": lambda: keys_parse_seeds(scenario_requests()),
    "form": lambda: form_seeds(scenario_requests()),
    "go_path": lambda: go_path_seeds(scenario_requests()),
    "http_request": lambda: http_request_seeds(scenario_requests()),
}


def main():
    names = sys.argv[1:] or sorted(GENERATORS)
    for name in names:
        write(name, GENERATORS[name]())


if __name__ == "__main__":
    main()
