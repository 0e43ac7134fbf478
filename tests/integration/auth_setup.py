"""Helpers of the v2 auth tests: credentials, requests as a user, and the
users, roles and keys the tests share.

Layout (made by setup()):
  keys   /app/config /app/sub/x /app/_hidden /public  (readable within grants)
         /secret/pw /secret/dir/k /apple              (values start with SECRET)
  roles  app_rw: read+write /app/*   app_ro: read /app/*   pub: read /public
  users  root:rootpw  alice:alicepw [app_rw]  bob:bobpw [app_ro, pub]
  guest  read /public only (no write)
"""

import base64
import json
import re

from harness import check, check_eq, http

ROOT = ("root", "rootpw")
ALICE = ("alice", "alicepw")
BOB = ("bob", "bobpw")

KEYS = {"/app/config": "app-config", "/app/sub/x": "app-sub", "/app/_hidden": "app-hidden",
        "/public": "pub", "/secret/pw": "SECRET-1", "/secret/dir/k": "SECRET-2", "/apple": "SECRET-apple"}


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}


def call(s, method, path, creds=None, form=None, body=None, headers=None, timeout=10.0):
    """One request to server s as creds ((user, password), a header dict, or None)."""
    h = dict(headers or {})
    if isinstance(creds, tuple):
        h.update(basic(*creds))
    elif isinstance(creds, dict):
        h.update(creds)
    return http(method, s.url + path, form=form, body=body, headers=h, timeout=timeout)


def put_json(s, path, doc, creds=None, want=(200, 201)):
    r = call(s, "PUT", path, creds, body=json.dumps(doc), headers={"Content-Type": "application/json"})
    check(r.status in want, "PUT %s: %d %r" % (path, r.status, r.body[:300]))
    return r


def setup(s):
    """Keys, roles and users of the layout above; auth enabled; guest narrowed."""
    for k, v in KEYS.items():
        check(s.put(k, v).status in (200, 201), "PUT %s" % k)
    put_json(s, "/v2/auth/users/root", {"user": "root", "password": ROOT[1]})
    put_json(s, "/v2/auth/roles/app_rw", {"role": "app_rw", "permissions": {"kv": {"read": ["/app/*"], "write": ["/app/*"]}}})
    put_json(s, "/v2/auth/roles/app_ro", {"role": "app_ro", "permissions": {"kv": {"read": ["/app/*"], "write": []}}})
    put_json(s, "/v2/auth/roles/pub", {"role": "pub", "permissions": {"kv": {"read": ["/public"], "write": []}}})
    put_json(s, "/v2/auth/users/alice", {"user": "alice", "password": ALICE[1], "roles": ["app_rw"]})
    put_json(s, "/v2/auth/users/bob", {"user": "bob", "password": BOB[1], "roles": ["app_ro", "pub"]})
    check_eq(call(s, "PUT", "/v2/auth/enable").status, 200, "enable auth")
    put_json(s, "/v2/auth/roles/guest", {"role": "guest", "revoke": {"kv": {"read": ["/*"], "write": ["/*"]}}}, ROOT)
    put_json(s, "/v2/auth/roles/guest", {"role": "guest", "grant": {"kv": {"read": ["/public"]}}}, ROOT)


UNAUTHORIZED = (b'{"errorCode":110,"message":"The request requires user authentication",'
                b'"cause":"Insufficient credentials","index":0}\n')

INDEX_FIELD = re.compile(rb'"(createdIndex|modifiedIndex|index)":(\d+)')
IN_ORDER = re.compile(rb"/(\d{20})\b")


def tree(s):
    """Every key and value as root sees them (recursive listing of /)."""
    r = call(s, "GET", "/v2/keys/?recursive=true&sorted=true", ROOT)
    check_eq(r.status, 200, "root's listing")
    return r.body


def _sort_nodes(node):
    if isinstance(node, dict) and isinstance(node.get("nodes"), list):
        node["nodes"] = sorted((_sort_nodes(n) for n in node["nodes"]), key=lambda n: n.get("key", ""))
    return node


def normalise(body, base):
    """Indexes relative to base and listings by key (etcd lists in any
    order), so two servers compare."""
    try:
        doc = json.loads(body)
        if isinstance(doc, dict) and "node" in doc:
            _sort_nodes(doc["node"])
            body = json.dumps(doc, separators=(",", ":")).encode() + b"\n"
    except ValueError:
        pass
    body = INDEX_FIELD.sub(lambda m: b'"%s":"i%+d"' % (m.group(1), int(m.group(2)) - base)
                           if int(m.group(2)) else m.group(0), body)
    return IN_ORDER.sub(lambda m: b"/<i%+d>" % (int(m.group(1)) - base), body)
