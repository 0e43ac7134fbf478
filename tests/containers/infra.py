"""Simulated hosts for the container tests: network namespaces on a shared
bridge, one dockerd per namespace, and a locally made base image.

Facts (../shared/notes/test-infra.md): Debian's dockerd runs inside a network
namespace when started with nsenter --net; no registry is reachable, so the
base image is the host's own files (the binaries plus the libraries ldd
names) imported with `docker import`. Addresses 198.51.100.0/24 exist only
inside the namespaces. Everything made here carries a per-run prefix and is
removed by Lab.close(): processes by PID, namespaces and directories by name.

Not thread-safe: one Lab per test run, used from one thread.
"""

import io
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time

DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"            # Debian's; /usr/local/bin may hold another
COMPOSE = "/usr/bin/docker-compose"
SUBNET = "198.51.100"


def sh(cmd, check=True, timeout=120, env=None, input=None):
    """Runs cmd (a list), returns CompletedProcess with text output."""
    p = subprocess.run(cmd, capture_output=True, text=input is None or isinstance(input, str),
                       timeout=timeout, env=env, input=input)
    if check and p.returncode != 0:
        out = p.stdout if isinstance(p.stdout, str) else p.stdout.decode(errors="replace")
        err = p.stderr if isinstance(p.stderr, str) else p.stderr.decode(errors="replace")
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode, out[-2000:], err[-2000:]))
    return p


class Host:
    """One simulated host: a namespace with eth0 on the bridge and a dockerd."""

    def __init__(self, lab, index):
        self.lab = lab
        self.name = "h%d" % index
        self.ns = "%s-%s" % (lab.prefix, self.name)
        self.ip = "%s.%d" % (SUBNET, 10 + index)
        self.dir = os.path.join(lab.dir, self.name)
        self.sock = "unix://" + os.path.join(self.dir, "docker.sock")
        self.dockerd = None
        self.log_path = os.path.join(self.dir, "dockerd.log")

    def env(self):
        return dict(os.environ, DOCKER_HOST=self.sock, DOCKER_BUILDKIT="0", COMPOSE_DOCKER_CLI_BUILD="0")

    def docker(self, *args, check=True, timeout=120, input=None):
        return sh([DOCKER, *args], check=check, timeout=timeout, env=self.env(), input=input)

    def compose(self, *args, check=True, timeout=180):
        return sh([COMPOSE, *args], check=check, timeout=timeout, env=self.env())

    def run(self, *cmd, check=True, timeout=30):
        """Runs a command inside this host's network namespace."""
        return sh(["nsenter", "--net=/run/netns/" + self.ns, *cmd], check=check, timeout=timeout)

    def curl(self, url, *args, timeout=10):
        """(status, body) of a request made from inside this host."""
        p = self.run("curl", "-sS", "-m", str(timeout), "-o", "-", "-w", "\n%{http_code}", *args, url,
                     check=False, timeout=timeout + 5)
        body, _, code = p.stdout.rpartition("\n")
        return (int(code) if code.isdigit() else 0), body

    def start_dockerd(self):
        os.makedirs(self.dir, exist_ok=True)
        log = open(self.log_path, "w")
        self.dockerd = subprocess.Popen(
            ["nsenter", "--net=/run/netns/" + self.ns, DOCKERD,
             "--data-root", os.path.join(self.dir, "data"),
             "--exec-root", os.path.join(self.dir, "exec"),
             "--pidfile", os.path.join(self.dir, "dockerd.pid"),
             "-H", self.sock],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def wait_dockerd(self, deadline):
        while time.time() < deadline:
            if self.dockerd.poll() is not None:
                break
            if self.docker("info", check=False, timeout=10).returncode == 0:
                return
            time.sleep(0.3)
        tail = open(self.log_path).read()[-3000:]
        raise RuntimeError("dockerd in namespace %s did not start (exit %s); log tail:\n%s"
                           % (self.ns, self.dockerd.poll(), tail))

    def stop_dockerd(self):
        if self.dockerd is None or self.dockerd.poll() is not None:
            return
        self.dockerd.send_signal(signal.SIGTERM)   # it stops its containers and containerd
        try:
            self.dockerd.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.dockerd.kill()
            self.dockerd.wait(timeout=10)


class Lab:
    """A bridge namespace ("switch") plus n hosts, each running a dockerd."""

    def __init__(self, n_hosts):
        self.prefix = "kvc%d" % os.getpid()
        self.dir = tempfile.mkdtemp(prefix="kvraft-containers.")
        self.switch = self.prefix + "-sw"
        self.namespaces = []
        self.hosts = [Host(self, i) for i in range(n_hosts)]

    def open(self):
        self._add_ns(self.switch)
        sh(["ip", "-n", self.switch, "link", "add", "br0", "type", "bridge"])
        sh(["ip", "-n", self.switch, "link", "set", "br0", "up"])
        for i, h in enumerate(self.hosts):
            self._add_ns(h.ns)
            port = "p%d" % i
            sh(["ip", "link", "add", port, "netns", self.switch, "type", "veth",
                "peer", "name", "eth0", "netns", h.ns])
            sh(["ip", "-n", self.switch, "link", "set", port, "master", "br0", "up"])
            sh(["ip", "-n", h.ns, "addr", "add", h.ip + "/24", "dev", "eth0"])
            sh(["ip", "-n", h.ns, "link", "set", "eth0", "up"])
        for h in self.hosts:
            h.start_dockerd()
        deadline = time.time() + 60
        for h in self.hosts:
            h.wait_dockerd(deadline)

    def _add_ns(self, ns):
        sh(["ip", "netns", "add", ns])
        self.namespaces.append(ns)
        sh(["ip", "-n", ns, "link", "set", "lo", "up"])

    def close(self):
        for h in self.hosts:
            try:
                h.stop_dockerd()
            except Exception as e:  # keep cleaning up the rest
                print("cleanup: dockerd on %s: %s" % (h.ns, e))
        for ns in reversed(self.namespaces):
            # Anything still running in the namespace was started by this run.
            pids = sh(["ip", "netns", "pids", ns], check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh(["ip", "netns", "del", ns], check=False)
        self._unmount_under(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def _unmount_under(root):
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f]
        for p in sorted((p for p in points if p.startswith(root + "/")), key=len, reverse=True):
            sh(["umount", "-l", p], check=False)


def base_image_tar(binaries):
    """A root filesystem tar holding the libraries the given binaries link,
    the tools the runtime stage's RUN needs, curl, and their libraries."""
    tools = ["/bin/sh", "/bin/mkdir", "/bin/chown", "/bin/chmod", "/bin/rm", "/bin/cat",
             "/usr/sbin/groupadd", "/usr/sbin/useradd", "/usr/sbin/nologin", "/usr/bin/curl"]
    # Each file keeps its name (/bin/sh, libfoo.so.1) with the content it
    # resolves to; directories are resolved, since /bin, /lib are links to /usr.
    files = {"/etc/login.defs": "/etc/login.defs"}
    for exe in list(binaries) + tools:
        out = sh(["ldd", exe], check=False).stdout
        paths = [exe] if exe in tools else []   # binaries: only their libraries
        for line in out.splitlines():
            parts = line.split()
            path = parts[2] if "=>" in parts and len(parts) > 2 else parts[0]
            if path.startswith("/"):
                paths.append(path)
        for path in paths:
            files.setdefault(os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path)), path)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add_dir(name, mode=0o755):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode = tarfile.DIRTYPE, mode
            tar.addfile(ti)

        def add_bytes(name, data, mode=0o644):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode = len(data), mode
            tar.addfile(ti, io.BytesIO(data))

        for d in ["usr", "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "tmp", "var", "var/lib",
                  "usr/local", "usr/local/bin"]:
            add_dir(d, 0o1777 if d == "tmp" else 0o755)
        for link in ["bin", "sbin", "lib", "lib64"]:
            ti = tarfile.TarInfo(link)
            ti.type, ti.linkname = tarfile.SYMTYPE, "usr/" + link
            tar.addfile(ti)
        seen_dirs = set()
        for f, src_path in sorted(files.items()):
            name = f.lstrip("/")
            d = os.path.dirname(name)
            parts = d.split("/")
            for k in range(1, len(parts) + 1):
                sub = "/".join(parts[:k])
                if sub not in seen_dirs and sub not in ("usr", "etc", "usr/bin", "usr/sbin", "usr/lib",
                                                        "usr/lib64", "usr/local", "usr/local/bin"):
                    seen_dirs.add(sub)
                    add_dir(sub)
            with open(src_path, "rb") as src:
                add_bytes(name, src.read(), os.stat(src_path).st_mode & 0o7777)
        add_bytes("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n")
        add_bytes("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
        add_bytes("etc/shadow", b"root:*:19000:0:99999:7:::\n", 0o640)
        add_bytes("etc/gshadow", b"root:*::\n", 0o640)
        add_bytes("etc/nsswitch.conf", b"passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n")
    return buf.getvalue()
