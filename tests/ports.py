#!/usr/bin/env python3
"""Loopback ports for the tests and the bench, reserved so that tests running
side by side (run.py --jobs) and whole suite runs sharing the machine never
pick the same port.

A port belongs to the process that holds an exclusive flock on
/tmp/kvraft-ports/PORT.lock. The kernel drops the lock when that process
ends, however it ends, so nothing needs cleaning up and a killed test cannot
leak a reservation. A port is handed out only when its lock was free and
nothing listens on it right now (a program that takes no locks may hold it).
Ports are in 20000-31999, below the ephemeral range (32768 and up) from which
the kernel picks the local ports of outgoing connections.

  ports.py N    reserves N ports, prints them on one line and holds them
                until its parent process ends (for shell scripts: bench/run.sh)
"""

import fcntl
import os
import random
import socket
import sys
import time

LOCK_DIR = "/tmp/kvraft-ports"  # fixed, not $TMPDIR: run.py gives each test its own
LOW, HIGH = 20000, 32000        # [LOW, HIGH)

_held = {}  # port -> lock file descriptor, open for this process's life


class NoPort(Exception):
    pass


def _lock(port):
    """The descriptor of PORT's lock file, locked by this process, or None."""
    try:
        fd = os.open(os.path.join(LOCK_DIR, "%d.lock" % port),
                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _nobody_listens(port):
    """TCP and UDP: the DNS tests' dnsmasq takes both."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def reserve():
    """A loopback port that no other process holding a reservation can get."""
    if not os.path.isdir(LOCK_DIR):
        os.makedirs(LOCK_DIR, exist_ok=True)
        try:
            os.chmod(LOCK_DIR, 0o1777)  # other users on the machine lock here too
        except OSError:
            pass
    span = HIGH - LOW
    start = random.randrange(span)  # concurrent callers start apart
    for i in range(span):
        port = LOW + (start + i) % span
        if port in _held:
            continue
        fd = _lock(port)
        if fd is None:
            continue
        if _nobody_listens(port):
            _held[port] = fd
            return port
        os.close(fd)
    raise NoPort("no free port in %d-%d (locks in %s)" % (LOW, HIGH - 1, LOCK_DIR))


def main(argv):
    ports = [reserve() for _ in range(int(argv[1]))]
    print(" ".join(map(str, ports)), flush=True)
    parent = os.getppid()
    while os.getppid() == parent:  # re-parented once the caller has ended
        time.sleep(0.5)


if __name__ == "__main__":
    main(sys.argv)
