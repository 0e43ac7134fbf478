#!/usr/bin/env python3
"""Disk stall probe for make bench.

This VM's disk stalls now and then (30 ms to 1 s) for every process at
once, whatever the load: an fdatasync of 4 KB that takes 0.4 ms takes
hundreds of ms then. The bench runs this probe beside the servers so that it
can tell which of its runs fell on such a stall and take them again, for
etcd and kvraft alike.

Usage: disk_probe.py DIR. Every 10 ms it overwrites 4 KB of DIR/probe.data
and fdatasyncs it. Each fdatasync that takes 20 ms or more is appended to
DIR/stalls as "start end" (Unix seconds); DIR/heartbeat holds the end of the
last fdatasync, so a reader knows up to when the stall list is complete.
Runs until killed.
"""
import os
import sys
import time

STALL_S = 0.020
PERIOD_S = 0.010

def main():
    d = sys.argv[1]
    fd = os.open(os.path.join(d, "probe.data"), os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"\0" * (1 << 20))
    os.fsync(fd)
    block = b"p" * 4096
    with open(os.path.join(d, "stalls"), "a") as stalls:
        hb = os.open(os.path.join(d, "heartbeat"), os.O_WRONLY | os.O_CREAT, 0o600)
        i = 0
        while True:
            os.pwrite(fd, block, (i % 256) * 4096)
            i += 1
            start = time.time()
            os.fdatasync(fd)
            end = time.time()
            if end - start >= STALL_S:
                stalls.write("%.6f %.6f\n" % (start, end))
                stalls.flush()
            os.pwrite(hb, b"%-20.6f" % end, 0)
            time.sleep(PERIOD_S)

if __name__ == "__main__":
    main()
