"""Samples every member each `interval` seconds, in a thread, into a CSV
written as it goes (a soak stopped early still leaves its data):
RSS, threads, open files, of which accepted client connections and the dead
ones among them (the client closed or reset it, the server has not closed
its end: CLOSE_WAIT or CLOSE), the SQLite
files (db and WAL), and the p50/p99 of the load's requests to that member
in the interval, and its CPU use (% of one core), until the load ends. `life` counts the member's starts (a restart or a
replacement begins a new life).
"""

import csv
import os
import threading

FIELDS = ("t", "member", "life", "pid", "rss_mb", "threads", "fds", "client_conns",
          "dead_conns", "fds_other", "db_mb", "wal_mb", "sqlite_mb", "cpu_pct", "requests",
          "p50_ms", "p99_ms", "loadavg")
TCP_LIVE = ("01", "0A")  # ESTABLISHED, LISTEN


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "Threads"):
                out[k] = int(v.split()[0])
    return out


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tcp_sockets():
    """inode -> (local port, state) of every TCP socket on the machine."""
    out = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    p = line.split()
                    out[p[9]] = (int(p[1].rsplit(":", 1)[1], 16), p[3])
        except OSError:
            pass
    return out


def fd_counts(pid, client_port, sockets):
    """(all open fds, accepted client connections, of which dead)."""
    fds = conns = dead = 0
    d = "/proc/%d/fd" % pid
    for name in os.listdir(d):
        fds += 1
        try:
            link = os.readlink(os.path.join(d, name))
        except OSError:
            continue
        if link.startswith("socket:["):
            port, state = sockets.get(link[8:-1], (None, None))
            # Local port = client port: an accepted client connection (the
            # listening socket too, counted here: one, constant).
            if port == client_port:
                conns += 1
                dead += state not in TCP_LIVE
    return fds, conns, dead


def file_mb(path):
    try:
        return os.path.getsize(path) / 1048576.0
    except OSError:
        return 0.0


class Sampler(threading.Thread):
    def __init__(self, st, interval, path):
        super().__init__(name="sampler", daemon=True)
        self.st, self.interval, self.path = st, interval, path
        self.rows = []
        self.error = None
        self.cpu = {}  # pid -> (CPU seconds, time) at the last sample

    def sample(self, latencies):
        sockets = tcp_sockets()
        with open("/proc/loadavg") as f:
            load = float(f.read().split()[0])
        t = round(self.st.now(), 1)
        rows = []
        for m in self.st.members:
            proc = m.proc
            if proc is None or proc.poll() is not None:
                continue
            try:
                status = proc_status(proc.pid)
                fds, conns, dead = fd_counts(proc.pid, m.client_port, sockets)
                cpu = cpu_seconds(proc.pid)
            except OSError:
                continue  # it ended while being read
            db = os.path.join(m.data_dir, "member", "kvraft.db")
            lat = latencies.get(m.name, [])
            p50, p99 = percentile(lat, 50), percentile(lat, 99)
            prev = self.cpu.get(proc.pid)
            self.cpu[proc.pid] = (cpu, t)
            cpu_pct = round(100 * (cpu - prev[0]) / (t - prev[1]), 1) if prev and t > prev[1] else ""
            rows.append({
                "t": t, "member": m.name, "life": m.starts, "pid": proc.pid,
                "rss_mb": round(status["VmRSS"] / 1024.0, 2), "threads": status["Threads"],
                "fds": fds, "client_conns": conns, "dead_conns": dead,
                "fds_other": fds - conns,
                "db_mb": round(file_mb(db), 3), "wal_mb": round(file_mb(db + "-wal"), 3),
                "sqlite_mb": round(file_mb(db) + file_mb(db + "-wal"), 3), "cpu_pct": cpu_pct,
                "requests": len(lat),
                "p50_ms": round(p50 * 1000, 2) if p50 is not None else "",
                "p99_ms": round(p99 * 1000, 2) if p99 is not None else "",
                "loadavg": load})
        return rows

    def run(self):
        try:
            with open(self.path, "w", newline="") as f:
                w = csv.DictWriter(f, FIELDS)
                w.writeheader()
                n = 0
                # Until the load stops (bounded in count too).
                while n < self.st.duration / self.interval + 100 and not self.st.stop.wait(self.interval):
                    rows = self.sample(self.st.take_latencies())
                    w.writerows(rows)
                    f.flush()
                    self.rows.extend(rows)
                    n += 1
        except Exception as e:  # noqa: BLE001: reported at the end
            self.error = repr(e)
