"""Watcher scale: 10,000 concurrent long polls on one member.

An asyncio raw-socket client holds the long polls; the member must keep
answering ordinary requests promptly, deliver one write to every watcher and
free the watchers of clients that hang up (watchers in /v2/stats/store).
"""

import asyncio
import json
import time

from harness import Server, check, check_eq, decode_body, http, log, test

WATCHERS = 10000
HANGUPS = 2000
CONNECT_PARALLEL = 200
PROMPT = 1.0  # seconds an ordinary request may take with all watchers open


def store_watchers(s):
    return http("GET", s.url + "/v2/stats/store", timeout=5).json()["watchers"]


def wait_watchers(s, pred, what, timeout=30):
    deadline = time.time() + timeout
    while True:
        n = store_watchers(s)
        if pred(n):
            return n
        check(time.time() < deadline, "%s: watchers=%d after %ds" % (what, n, timeout))
        time.sleep(0.2)


async def open_watch(port, path, sem):
    async with sem:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(("GET /v2/keys%s?wait=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Connection: close\r\n\r\n" % path).encode())
        await writer.drain()
        return reader, writer


async def read_event(reader, writer):
    try:
        raw = await reader.read(-1)
        return json.loads(decode_body(raw))
    except (ValueError, OSError) as e:
        return {"error": repr(e)}
    finally:
        writer.close()


def probe_latency(s):
    """Ordinary GETs and PUTs on another key; returns the slowest (seconds)."""
    worst = 0.0
    for i in range(25):
        for method in ("PUT", "GET"):
            t = time.time()
            form = {"value": str(i)} if method == "PUT" else None
            r = http(method, s.url + "/v2/keys/scale/other", form=form, timeout=5)
            check(r.status in (200, 201), "%s /scale/other -> %d" % (method, r.status))
            worst = max(worst, time.time() - t)
    return worst


async def scenario(s):
    sem = asyncio.Semaphore(CONNECT_PARALLEL)
    t = time.time()
    conns = await asyncio.gather(*[open_watch(s.client_port, "/scale/key", sem)
                                   for _ in range(WATCHERS)])
    n = wait_watchers(s, lambda n: n >= WATCHERS, "registering watchers", 60)
    log("%d watchers registered in %.1fs" % (n, time.time() - t))
    worst = probe_latency(s)
    log("slowest GET/PUT with %d watchers open: %.3fs" % (n, worst))
    check(worst < PROMPT, "a GET/PUT took %.2fs with %d watchers open" % (worst, n))

    t = time.time()
    check_eq(http("PUT", s.url + "/v2/keys/scale/key", form={"value": "fire"}).status,
             200, "PUT watched key")
    events = await asyncio.wait_for(asyncio.gather(*[read_event(r, w) for r, w in conns]), 30)
    got = sum(1 for e in events if e.get("action") == "set"
              and e.get("node", {}).get("value") == "fire")
    bad = [e for e in events if e.get("action") != "set"][:3]
    log("event delivered to %d of %d watchers in %.1fs" % (got, WATCHERS, time.time() - t))
    check_eq(got, WATCHERS, "watchers that saw the write (e.g. %r)" % bad)
    wait_watchers(s, lambda n: n == 0, "watchers after delivery", 10)

    hang = await asyncio.gather(*[open_watch(s.client_port, "/scale/quiet", sem)
                                  for _ in range(HANGUPS)])
    wait_watchers(s, lambda n: n >= HANGUPS, "registering watchers to hang up", 30)
    for _, w in hang:
        w.close()
    await asyncio.sleep(0)
    n = wait_watchers(s, lambda n: n == 0, "watchers after %d clients hung up" % HANGUPS, 15)
    log("watchers back to %d after %d clients hung up" % (n, HANGUPS))


@test(timeout=120)
def ten_thousand_long_polls():
    s = Server().start()
    check_eq(s.put("/scale/key", "initial").status, 201, "PUT")
    asyncio.run(asyncio.wait_for(scenario(s), 100))
