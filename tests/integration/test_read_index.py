"""Quorum reads through every member at once (read-index rounds from several
members in flight together at the leader)."""

import http.client
import random
import threading
import time

from harness import check, log, test
from test_cluster import start_cluster


@test(timeout=120, targets=("kvraft",))
def concurrent_quorum_reads_through_every_member_never_time_out():
    # The leader ignores a read-index round whose context it already has
    # pending. Members once numbered their rounds from 1 each, so equal
    # numbers from two members left the later round's reads waiting for the
    # full request timeout (500, errorCode 300) on a healthy cluster: 19 of
    # 63,809 reads in this test.
    members = start_cluster(3)
    check(members[0].put("/ri/k", "v").status == 201, "PUT before the reads")
    slow, counts = [], [0]
    lock = threading.Lock()
    deadline = time.time() + 20

    def reader():
        conns = {m.name: http.client.HTTPConnection("127.0.0.1", m.client_port, timeout=15)
                 for m in members}
        n = 0
        while time.time() < deadline and n < 20000:
            m = random.choice(members)
            start = time.time()
            conns[m.name].request("GET", "/v2/keys/ri/k?quorum=true")
            r = conns[m.name].getresponse()
            body = r.read()
            took = time.time() - start
            n += 1
            if r.status != 200 or took > 3.0:
                with lock:
                    slow.append("%s: %d in %.1fs %r" % (m.name, r.status, took, body[:120]))
        with lock:
            counts[0] += n
        for c in conns.values():
            c.close()

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log("%d quorum reads" % counts[0])
    check(counts[0] >= 2000, "only %d quorum reads in 20 s" % counts[0])
    check(not slow, "%d of %d quorum reads failed or took over 3 s: %s"
          % (len(slow), counts[0], "; ".join(slow[:5])))
