"""Port reservations (tests/ports.py): a port another process holds is never
handed out here, and it is free again once that process ends, however it ends."""

import os
import subprocess
import sys

import ports
from harness import REPO, check, check_eq, free_port, test


@test(timeout=30)
def a_port_held_by_another_process_is_not_handed_out():
    holder = subprocess.Popen([sys.executable, os.path.join(REPO, "tests", "ports.py"), "3"],
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        held = [int(p) for p in holder.stdout.readline().split()]
        check_eq(len(held), 3, "ports printed by the holder")
        for p in held:
            check(ports._lock(p) is None, "port %d: the holder's lock was taken here too" % p)
        mine = [free_port() for _ in range(300)]
        check_eq(len(set(mine)), len(mine), "distinct ports within one process")
        check(not set(mine) & set(held), "handed out a held port: %s" % (set(mine) & set(held)))
        check(all(20000 <= p < 32768 for p in mine), "a port outside 20000-32767: %s" % mine)
    finally:
        holder.kill()  # SIGKILL: the kernel must still drop its locks
        holder.wait()
    for p in held:
        fd = ports._lock(p)
        check(fd is not None, "port %d still locked after its holder was killed" % p)
        os.close(fd)
