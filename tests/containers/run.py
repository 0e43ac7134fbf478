#!/usr/bin/python3
"""Container and deployment tests (issue 5): the compose files validate, the
Dockerfile and systemd files say what they must, and the compose files come
up for real on dockerds that this run starts inside network namespaces.

  tests/containers/run.py [--bin-dir build/bin] [--only REGEX] [--static]

Live tests build the image from the binaries in --bin-dir on a base made from
the host's own files (nothing can be pulled): the production Dockerfile's
runtime stage, with the build stage replaced by a copy of those binaries.
Prints PASS/FAIL per test and ends with "N passed, M failed". A dockerd
that cannot start fails every live test, loudly.
"""

import argparse
import glob
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import infra  # noqa: E402
from ports import reserve as free_port  # noqa: E402  (tests/ports.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = "kvraft:latest"
DNSMASQ_IMAGE = "kvraft-dnsmasq:latest"
BINARIES = ["kvraft", "kvraft-agent", "kvraftctl"]
KVRAFT_UID = 2379

STATIC, LIVE = [], []


def static(fn):
    STATIC.append(fn)
    return fn


def live(fn):
    LIVE.append(fn)
    return fn


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(what, fn, timeout):
    """Polls fn until it returns a truthy value; fails with what and fn's last value."""
    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.5)
    raise AssertionError("%s: not within %ds (last: %r)" % (what, timeout, last))


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


# ---------------------------------------------------------------- static checks

def compose_files():
    return sorted(glob.glob(os.path.join(ROOT, "docker-compose*.yaml")))


def multi_host_env_files():
    return sorted(glob.glob(os.path.join(ROOT, "deploy/multi-host/*.env")))


def env_file_vars(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, val = line.partition("=")
                out[key] = val
    return out


@static
def compose_files_validate():
    files = compose_files()
    check(len(files) >= 3, "expected docker-compose.yaml plus token and DNS variants, got %s" % files)
    for f in files:
        p = infra.sh([infra.COMPOSE, "-f", f, "config", "-q"], check=False)
        check(p.returncode == 0, "%s: %s" % (f, p.stderr))


@static
def multi_host_compose_validates_per_host():
    f = os.path.join(ROOT, "deploy/multi-host/docker-compose.yaml")
    envs = multi_host_env_files()
    check(len(envs) == 3, "expected one env file per host, got %s" % envs)
    for e in envs:
        p = infra.sh([infra.COMPOSE, "-f", f, "--env-file", e, "config"], check=False)
        check(p.returncode == 0, "%s with %s: %s" % (f, e, p.stderr))
        check("network_mode: host" in p.stdout, "%s: not host networking" % f)
        ip = env_file_vars(e)["KVRAFT_HOST_IP"]
        check("http://%s:2380" % ip in p.stdout, "%s: the host IP %s is not advertised" % (e, ip))
    # Without an env file the required variables are missing: compose refuses.
    with tempfile.NamedTemporaryFile("w", suffix=".env") as empty:
        p = infra.sh([infra.COMPOSE, "-f", f, "--env-file", empty.name, "config", "-q"], check=False)
    check(p.returncode != 0 and "KVRAFT_" in p.stderr, "multi-host compose accepted missing host variables")


def dockerfile_stages(text):
    """[(from_line, [instruction lines])] with continuations joined."""
    lines, cur = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not cur:
            continue
        cur += raw.rstrip("\\").strip() + " " if raw.endswith("\\") else raw.strip()
        if not raw.endswith("\\"):
            if cur.strip():
                lines.append(cur.strip())
            cur = ""
    stages = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        elif stages:
            stages[-1][1].append(line)
    return stages


@static
def dockerfile_lint():
    text = read("Dockerfile")
    stages = dockerfile_stages(text)
    check(len(stages) == 2, "expected a build and a runtime stage, got %d" % len(stages))
    (build_from, build), (run_from, run) = stages
    check(re.fullmatch(r"FROM \$\{BUILD_BASE\} AS build", build_from), build_from)
    check(re.fullmatch(r"FROM \$\{RUNTIME_BASE\} AS runtime", run_from), run_from)
    check("ARG RUNTIME_BASE=debian:bookworm-slim" in text, "RUNTIME_BASE must default to bookworm-slim")
    check("ARG BUILD_BASE=debian:bookworm" in text, "the build stage must be Debian 12")
    check(any("scripts/deps.sh build" in i for i in build), "build stage must install make deps' packages")
    check(any(i.startswith("RUN make") and all("build/bin/" + b in i for b in BINARIES) for i in build),
          "build stage must make the three binaries")

    def runtime(keyword):
        return [i for i in run if i.split()[0].upper() == keyword]

    copies = runtime("COPY")
    check(len(copies) == 1 and copies[0].startswith("COPY --from=build ")
          and all("/src/build/bin/" + b in copies[0] for b in BINARIES)
          and copies[0].endswith(" /usr/local/bin/"), "runtime must copy the three binaries: %s" % copies)
    users = runtime("USER")
    check(len(users) == 1 and users[0].split()[1].split(":")[0] not in ("root", "0"), "non-root USER: %s" % users)
    check(runtime("EXPOSE") == ["EXPOSE 2379 2380"], "EXPOSE: %s" % runtime("EXPOSE"))
    check(runtime("VOLUME") == ["VOLUME /var/lib/kvraft"], "VOLUME: %s" % runtime("VOLUME"))
    hc = runtime("HEALTHCHECK")
    check(len(hc) == 1 and "http://127.0.0.1:2379/health" in hc[0], "HEALTHCHECK on /health: %s" % hc)
    check(runtime("ENTRYPOINT") == ['ENTRYPOINT ["/usr/local/bin/kvraft-agent"]'],
          "ENTRYPOINT: %s" % runtime("ENTRYPOINT"))
    check(not any("apt-get" in i and "RUNTIME_PACKAGES" not in i for i in run),
          "runtime packages only through RUNTIME_PACKAGES")
    ignore = read(".dockerignore").split()
    check("build" in ignore and ".git" in ignore, ".dockerignore must keep build/ and .git out")


@static
def systemd_unit_verifies():
    unit = read("deploy/systemd/kvraft.service")
    for want in ["EnvironmentFile=-/etc/kvraft/kvraft.conf", "User=kvraft", "ExecStart=/usr/local/bin/kvraft-agent\n",
                 "WorkingDirectory=/var/lib/kvraft", "WantedBy=multi-user.target"]:
        check(want in unit, "kvraft.service lacks %r" % want)
    # systemd's own parser, with ExecStart pointing at a binary that exists here.
    tmp = tempfile.mkdtemp()
    try:
        path = write(os.path.join(tmp, "kvraft.service"),
                     unit.replace("/usr/local/bin/kvraft-agent", os.path.join(ARGS.bin_dir, "kvraft")))
        p = infra.sh(["systemd-analyze", "verify", path], check=False)
        check(p.returncode == 0 and not (p.stdout + p.stderr).strip(), "systemd-analyze: %s%s" % (p.stdout, p.stderr))
    finally:
        shutil.rmtree(tmp)


def conf_vars(text, commented):
    pat = r"^%sETCD_([A-Z0-9_]+)=\"([^\"]*)\"$" % ("#?" if commented else "")
    return {"ETCD_" + m.group(1): m.group(2) for m in re.finditer(pat, text, re.M)}


@static
def systemd_conf_runs_a_member():
    text = read("deploy/systemd/kvraft.conf")
    everything = conf_vars(text, commented=True)
    check(len(everything) >= 15, "too few variables: %s" % sorted(everything))
    help_text = infra.sh([os.path.join(ARGS.bin_dir, "kvraft"), "--help"], check=False).stdout
    for key in everything:
        flag = "--" + key[len("ETCD_"):].lower().replace("_", "-")
        check(re.search(r"^  %s " % re.escape(flag), help_text, re.M), "%s is not a kvraft flag" % key)
    active = conf_vars(text, commented=False)
    check(active.get("ETCD_DATA_DIR") == "/var/lib/kvraft/default.kvraft", active)
    # The file as shipped starts a member: its variables only, with the
    # ports and data dir moved to ones this test owns.
    tmp = tempfile.mkdtemp()
    cport, pport = free_port(), free_port()
    env = {"PATH": "/usr/bin:/bin"}
    for k, v in active.items():
        env[k] = v.replace(":2379", ":%d" % cport).replace(":2380", ":%d" % pport).replace(
            "/var/lib/kvraft", tmp)
    log = open(os.path.join(tmp, "log"), "w+b")
    proc = subprocess.Popen([os.path.join(ARGS.bin_dir, "kvraft")], env=env, cwd=tmp,
                            stdout=log, stderr=log)
    try:
        def healthy():
            out = infra.sh(["curl", "-s", "-m", "2", "http://localhost:%d/health" % cport], check=False).stdout
            if proc.poll() is not None:
                raise SystemExit("kvraft exited: %s" % open(log.name).read()[-2000:])
            return out == '{"health":"true"}'
        try:
            wait_for("a member from kvraft.conf answers /health", healthy, 20)
        except SystemExit as e:
            raise AssertionError(str(e))
        check(os.path.isdir(os.path.join(tmp, "default.kvraft", "member")), "data not in ETCD_DATA_DIR")
    finally:
        proc.kill()
        proc.wait()
        log.close()
        shutil.rmtree(tmp)


# ---------------------------------------------------------------- live: setup

class Env:
    lab = None
    setup_error = None


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def test_dockerfile(ctx):
    """The production Dockerfile with its build stage replaced by the
    binaries in ctx: global ARGs and the runtime stage verbatim."""
    lines = read("Dockerfile").splitlines(keepends=True)
    first = next(i for i, l in enumerate(lines) if l.startswith("FROM "))
    runtime = next(i for i, l in enumerate(lines) if l.startswith("FROM ${RUNTIME_BASE} AS runtime"))
    stand_in = "FROM scratch AS build\nCOPY %s /src/build/bin/\n\n" % " ".join(BINARIES)
    return write(os.path.join(ctx, "Dockerfile"), "".join(lines[:first]) + stand_in + "".join(lines[runtime:]))


def stage_binaries(ctx):
    for b in BINARIES:
        src = os.path.join(ARGS.bin_dir, b)
        check(os.path.exists(src), "%s is not built: the image needs all three binaries" % src)
        infra.sh(["cp", src, os.path.join(ctx, b)])
    return [os.path.join(ctx, b) for b in BINARIES]


def setup_live():
    lab = infra.Lab(3)
    Env.lab = lab
    lab.open()
    h0 = lab.hosts[0]
    ctx = os.path.join(lab.dir, "image")
    os.makedirs(ctx)
    bins = stage_binaries(ctx)
    base = "kvraft-test-base:" + lab.prefix
    h0.docker("import", "-", base, input=infra.base_image_tar(
        bins + ["/usr/sbin/dnsmasq"]))
    test_dockerfile(ctx)
    h0.docker("build", "-q", "--build-arg", "RUNTIME_BASE=" + base, "--build-arg", "RUNTIME_PACKAGES=",
              "-t", IMAGE, ctx, timeout=180)
    # The DNS variant's server: the host's dnsmasq on the same base.
    infra.sh(["cp", "/usr/sbin/dnsmasq", ctx])
    write(os.path.join(ctx, "Dockerfile.dnsmasq"),
          "FROM %s\nCOPY dnsmasq /usr/sbin/dnsmasq\nENTRYPOINT [\"/usr/sbin/dnsmasq\"]\n" % base)
    h0.docker("build", "-q", "-f", os.path.join(ctx, "Dockerfile.dnsmasq"), "-t", DNSMASQ_IMAGE, ctx)
    saved = os.path.join(lab.dir, "images.tar")
    h0.docker("save", "-o", saved, IMAGE)
    for h in lab.hosts[1:]:
        h.docker("load", "-i", saved)


def container_health(host, project):
    ids = host.docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project).stdout.split()
    out = {}
    for cid in ids:
        info = json.loads(host.docker("inspect", cid).stdout)[0]
        name = info["Config"]["Labels"]["com.docker.compose.service"]
        health = info["State"].get("Health", {}).get("Status", "none")
        out[name] = health if info["State"]["Running"] else "exited(%s)" % info["State"]["ExitCode"]
    return out


# Members turn healthy 5-15 s after `up` (health checks run every 5 s); the
# bound keeps a failing run within the part's time limit.
HEALTHY_WITHIN = 45


def wait_healthy(host, project, services, timeout=HEALTHY_WITHIN):
    deadline = time.time() + timeout
    while True:
        h = container_health(host, project)
        if all(h.get(s) == "healthy" for s in services):
            return
        exited = [s for s in services if h.get(s, "").startswith("exited")]
        check(not exited and time.time() < deadline, "containers not healthy within %ds: %s" % (timeout, h))
        time.sleep(0.5)


def members(host, port=2379):
    code, body = host.curl("http://127.0.0.1:%d/v2/members" % port)
    check(code == 200, "/v2/members on %s:%d: %d %s" % (host.name, port, code, body))
    return sorted(json.loads(body)["members"], key=lambda m: m["name"])


def put(host, port, key, value):
    code, body = host.curl("http://127.0.0.1:%d/v2/keys/%s" % (port, key), "-XPUT", "-d", "value=" + value)
    check(code in (200, 201), "PUT %s on %s:%d: %d %s" % (key, host.name, port, code, body))


def get(host, port, key, quorum=True):
    code, body = host.curl("http://127.0.0.1:%d/v2/keys/%s%s" % (port, key, "?quorum=true" if quorum else ""))
    return code, (json.loads(body) if body.startswith("{") else body)


class Up:
    """docker-compose up -d on entry, down -v on exit (logs on failure)."""

    def __init__(self, host, project, files, env_file=None):
        self.host, self.project = host, project
        self.args = (["--env-file", env_file] if env_file else []) + ["-p", project] + \
            sum((["-f", f] for f in files), [])

    def __enter__(self):
        self.host.compose(*self.args, "up", "-d")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            print(self.host.compose(*self.args, "logs", "--no-color", "--tail=30", check=False).stdout[-6000:])
        self.host.compose(*self.args, "down", "-v", "--timeout", "5")
        left = self.host.docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + self.project)
        check(not left.stdout.split(), "containers left after down: %s" % left.stdout)


# ---------------------------------------------------------------- live tests

@live
def image_is_built_as_declared():
    h0 = Env.lab.hosts[0]
    cfg = json.loads(h0.docker("inspect", IMAGE).stdout)[0]["Config"]
    check(cfg["User"] == "kvraft:kvraft", "user %r" % cfg["User"])
    check(cfg["Entrypoint"] == ["/usr/local/bin/kvraft-agent"], cfg["Entrypoint"])
    check(set(cfg["ExposedPorts"]) == {"2379/tcp", "2380/tcp"}, cfg["ExposedPorts"])
    check(list(cfg["Volumes"]) == ["/var/lib/kvraft"], cfg["Volumes"])
    check("/health" in " ".join(cfg["Healthcheck"]["Test"]), cfg["Healthcheck"])
    # The binaries in the image are the ones just compiled, and they run there.
    cid = h0.docker("create", IMAGE).stdout.strip()
    try:
        tar = subprocess.run([infra.DOCKER, "cp", cid + ":/usr/local/bin", "-"], env=h0.env(),
                             capture_output=True, check=True, timeout=60).stdout
    finally:
        h0.docker("rm", cid)
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        for b in BINARIES:
            src = os.path.join(ARGS.bin_dir, b)
            if os.path.exists(src):
                with open(src, "rb") as f:
                    check(t.extractfile("bin/" + b).read() == f.read(), "%s in the image differs from %s" % (b, src))
    out = h0.docker("run", "--rm", "--entrypoint", "/usr/local/bin/kvraft", IMAGE, "--version").stdout
    check(out.startswith("kvraft Version:"), "kvraft --version in the image: %r" % out)
    status = h0.docker("run", "--rm", "--entrypoint", "/bin/cat", IMAGE, "/proc/self/status").stdout
    uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
    check(uid == str(KVRAFT_UID), "container runs as uid %s" % uid)


@live
def single_host_compose_forms_a_cluster():
    h0 = Env.lab.hosts[0]
    services = ["infra0", "infra1", "infra2"]
    with Up(h0, "single", [os.path.join(ROOT, "docker-compose.yaml")]):
        wait_healthy(h0, "single", services)
        ms = members(h0, 2379)
        check([m["name"] for m in ms] == services, ms)
        for i, m in enumerate(ms):
            check(m["peerURLs"] == ["http://infra%d:2380" % i], m)
            check(m["clientURLs"] == ["http://infra%d:2379" % i], m)
        check(members(h0, 22379) == ms and members(h0, 32379) == ms, "members differ between ports")
        put(h0, 2379, "compose", "up")
        for port in (22379, 32379):
            code, body = get(h0, port, "compose")
            check(code == 200 and body["node"]["value"] == "up", "GET on %d: %s %s" % (port, code, body))
        # A restarted member keeps its data in its volume.
        h0.compose("-p", "single", "restart", "-t", "5", "infra2")
        wait_healthy(h0, "single", ["infra2"])
        code, body = get(h0, 32379, "compose", quorum=False)
        check(code == 200 and body["node"]["value"] == "up", "after restart: %s %s" % (code, body))
    vols = h0.docker("volume", "ls", "-q").stdout.split()
    check(not [v for v in vols if v.startswith("single_")], "volumes left: %s" % vols)


def nft_cut(host, on):
    if on:
        script = ("table inet kvcut {\n chain in { type filter hook input priority 0; iifname \"eth0\" drop; }\n"
                  " chain out { type filter hook output priority 0; oifname \"eth0\" drop; }\n}\n")
        p = subprocess.run(["nsenter", "--net=/run/netns/" + host.ns, "nft", "-f", "-"], input=script,
                           text=True, capture_output=True)
        check(p.returncode == 0, "nft: %s" % p.stderr)
    else:
        host.run("nft", "delete", "table", "inet", "kvcut")


@live
def multi_host_compose_with_host_networking():
    lab = Env.lab
    f = os.path.join(ROOT, "deploy/multi-host/docker-compose.yaml")
    shipped = env_file_vars(multi_host_env_files()[0])
    cluster = ",".join("infra%d=http://%s:2380" % (i, h.ip) for i, h in enumerate(lab.hosts))
    ups = []
    try:
        for i, h in enumerate(lab.hosts):
            data = os.path.join(h.dir, "kvraft-data")
            os.makedirs(data)
            os.chown(data, KVRAFT_UID, KVRAFT_UID)
            env = {"KVRAFT_NAME": "infra%d" % i, "KVRAFT_HOST_IP": h.ip, "KVRAFT_INITIAL_CLUSTER": cluster,
                   "KVRAFT_CLUSTER_TOKEN": "kvraft-test", "KVRAFT_DATA_DIR": data,
                   "KVRAFT_INITIAL_CLUSTER_STATE": "new", "KVRAFT_IMAGE": IMAGE}
            check(set(env) == set(shipped), "the shipped env file has %s" % sorted(shipped))
            env_file = write(os.path.join(h.dir, "host.env"), "".join("%s=%s\n" % kv for kv in env.items()))
            up = Up(h, "kvraft", [f], env_file=env_file)
            up.__enter__()
            ups.append(up)
        deadline = time.time() + HEALTHY_WITHIN
        for h in lab.hosts:
            wait_healthy(h, "kvraft", ["kvraft"], timeout=max(1, deadline - time.time()))
        ms = members(lab.hosts[0])
        check([m["peerURLs"] for m in ms] == [["http://%s:2380" % h.ip] for h in lab.hosts], ms)
        check(os.path.isdir(os.path.join(lab.hosts[0].dir, "kvraft-data", "member")),
              "data is not on the host path")
        put(lab.hosts[0], 2379, "multi", "one")
        wait_for("h2 sees the first write", lambda: get(lab.hosts[2], 2379, "multi", False)[0] == 200, 10)

        cut = lab.hosts[2]
        nft_cut(cut, True)
        code, _ = cut.curl("http://%s:2379/health" % lab.hosts[0].ip, timeout=2)
        check(code == 0, "h2 still reaches h0 through the cut")
        for k in range(5):
            put(lab.hosts[k % 2], 2379, "during/%d" % k, "v%d" % k)
        code, _ = get(cut, 2379, "during/4", quorum=False)
        check(code == 404, "the cut-off host has a write made during the cut: %s" % code)
        nft_cut(cut, False)
        wait_for("h2 catches up after the heal",
                 lambda: get(cut, 2379, "during/4", quorum=False)[0] == 200, 30)
        code, body = get(cut, 2379, "during/0", quorum=False)
        check(code == 200 and body["node"]["value"] == "v0", body)
    finally:
        failed = sys.exc_info()[0]
        for up in ups:
            up.__exit__(failed, None, None)


def discovery_variant(file, services):
    h0 = Env.lab.hosts[0]
    project = os.path.basename(file).split(".")[1]
    members_ = [s for s in services if s.startswith("infra")]
    with Up(h0, project, [os.path.join(ROOT, file)]):
        wait_healthy(h0, project, members_)
        ms = members(h0, 2379)
        check([m["name"] for m in ms] == members_, ms)
        put(h0, 2379, "variant", project)
        code, body = get(h0, 32379, "variant")
        check(code == 200 and body["node"]["value"] == project, body)


@live
def token_compose_bootstraps_by_discovery():
    discovery_variant("docker-compose.token.yaml", ["seed", "token", "infra0", "infra1", "infra2"])


@live
def dns_compose_bootstraps_by_srv():
    discovery_variant("docker-compose.dns.yaml", ["dns", "infra0", "infra1", "infra2"])


# ---------------------------------------------------------------- runner

def run_one(fn, counts):
    start = time.time()
    try:
        fn()
        verdict = "PASS"
    except Exception as e:
        verdict = "FAIL"
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        if not isinstance(e, AssertionError):
            detail = traceback.format_exc()
        print(detail)
    counts[verdict] = counts.get(verdict, 0) + 1
    print("%s %s (%.1fs)" % (verdict, fn.__name__, time.time() - start), flush=True)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.dirname(os.environ.get(
        "KVRAFT_BIN", os.path.join(ROOT, "build/bin/kvraft"))))
    ap.add_argument("--only", default="")
    ap.add_argument("--static", action="store_true", help="only the checks that need no dockerd")
    ARGS = ap.parse_args()
    ARGS.bin_dir = os.path.abspath(ARGS.bin_dir)
    # A timeout's SIGTERM unwinds through the finally below, which removes
    # the namespaces and dockerds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    counts = {}
    for fn in STATIC:
        if re.search(ARGS.only, fn.__name__):
            run_one(fn, counts)
    live_tests = [fn for fn in LIVE if re.search(ARGS.only, fn.__name__)] if not ARGS.static else []
    if live_tests:
        start = time.time()
        try:
            setup_live()
            print("setup: 3 namespaces with dockerd, base and kvraft images (%.1fs)" % (time.time() - start))
        except Exception:
            print("!" * 70)
            print("LIVE CONTAINER TESTS CANNOT RUN: setting up namespaces, dockerds or images failed")
            print(traceback.format_exc())
            print("!" * 70)
            Env.setup_error = True
        try:
            for fn in live_tests:
                if Env.setup_error:
                    counts["FAIL"] = counts.get("FAIL", 0) + 1
                    print("FAIL %s (no dockerd or image)" % fn.__name__)
                else:
                    run_one(fn, counts)
        finally:
            if Env.lab:
                Env.lab.close()
    print("%d passed, %d failed" % (counts.get("PASS", 0), counts.get("FAIL", 0)))
    return 1 if counts.get("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
