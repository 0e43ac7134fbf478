"""The discovery agent (build/bin/kvraft-agent) with real processes.

Static lists: a peer whose host does not resolve yet is simulated with a
private /etc/hosts. Each agent runs in its own mount namespace (unshare -m)
with a test-owned hosts file bind-mounted over /etc/hosts; appending a line to
that file makes the name resolve for the agent and the server it exec's.
The discovery service is checked with kvraft and real etcd as its backing store,
and real etcd members bootstrap through its token URLs.
"""

import os
import random
import re
import shutil
import subprocess
import time

from harness import (REPO, Server, check, check_eq, free_port, http, run_cli, test,
                     TestFailure)

AGENT_BIN = os.environ.get("KVRAFT_AGENT_BIN", os.path.join(REPO, "build/bin/kvraft-agent"))
KVRAFT_BIN = os.environ.get("KVRAFT_BIN", os.path.join(REPO, "build/bin/kvraft"))


def alias():
    """A host name no resolver knows, unique to this run."""
    return "kvagent-%d-%d" % (os.getpid(), random.randint(0, 1 << 30))


def hosts_file(directory):
    """A copy of /etc/hosts the test can extend while agents read it."""
    path = os.path.join(directory, "hosts")
    shutil.copyfile("/etc/hosts", path)
    return path


def add_host(path, name, ip="127.0.0.1"):
    # Append in place: the bind mount follows the inode, not the name.
    with open(path, "a") as f:
        f.write("%s %s\n" % (ip, name))


class AgentMember(Server):
    """A member started through kvraft-agent (entrypoint mode by default).

    advertise_host: the host in the advertised peer URL (listen is on 127.0.0.1).
    hosts: a hosts file to bind over /etc/hosts for the agent and its server.
    """

    def __init__(self, name, advertise_host="127.0.0.1", hosts=None, agent_args=(),
                 bootstrap=(), **kw):
        super().__init__(name=name, flags=False, **kw)
        self.advertise_host = advertise_host
        self.hosts = hosts
        self.agent_args = list(agent_args)
        self.bootstrap = list(bootstrap)

    @property
    def advertised_peer_url(self):
        return "http://%s:%d" % (self.advertise_host, self.peer_port)

    def binary(self):
        return AGENT_BIN

    def server_flags(self):
        return ["--name", self.name, "--data-dir", self.data_dir,
                "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                "--listen-peer-urls", self.peer_url,
                "--initial-advertise-peer-urls", self.advertised_peer_url] + self.bootstrap

    def argv(self):
        argv = [AGENT_BIN] + self.agent_args + self.server_flags() + self.extra_args
        if self.hosts:
            argv = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"',
                    self.hosts] + argv
        return argv

    def exe(self):
        try:
            return os.readlink("/proc/%d/exe" % self.proc.pid)
        except OSError:
            return None


def static_cluster(members):
    return ",".join("%s=%s" % (m.name, m.advertised_peer_url) for m in members)


def member_peer_urls(m):
    r = http("GET", m.url + "/v2/members")
    check_eq(r.status, 200, "GET /v2/members")
    return sorted(u for mem in r.json()["members"] for u in mem["peerURLs"])


def wait_log(m, text, timeout=10.0):
    deadline = time.time() + timeout
    while text not in m.log_text():
        if time.time() > deadline:
            raise TestFailure("%s never logged %r:\n%s" % (m.name, text, m.log_tail()))
        time.sleep(0.05)


@test(timeout=90, targets=("kvraft",))
def static_entrypoint_waits_for_peer_hosts_then_execs_kvraft():
    a = AgentMember("a")
    b = AgentMember("b")
    c = AgentMember("c", advertise_host=alias())
    hosts = hosts_file(a.tmp)
    members = [a, b, c]
    cluster = static_cluster(members)
    for m in members:
        m.hosts = hosts
        m.agent_args = ["--agent-timeout", "60s"]
        m.bootstrap = ["--initial-cluster", cluster, "--initial-cluster-token", "agent-static"]
        m.spawn()
    for m in members:
        wait_log(m, "waiting for peer hosts to resolve: %s" % c.advertise_host)
    time.sleep(1)
    for m in members:
        check(m.proc.poll() is None, "%s: agent exited while waiting:\n%s" % (m.name, m.log_tail()))
        check_eq(m.exe(), AGENT_BIN, "%s: process before the peers resolve" % m.name)
        check(not os.path.exists(m.data_dir), "%s: data dir created before discovery" % m.name)
    add_host(hosts, c.advertise_host)
    for m in members:
        m.wait_ready(timeout=30)
        check_eq(m.exe(), KVRAFT_BIN, "%s: the agent exec's kvraft in its own process" % m.name)
    want = sorted(m.advertised_peer_url for m in members)
    for m in members:
        check_eq(member_peer_urls(m), want, "%s: member peer URLs" % m.name)
    check_eq(a.put("/agent/k", "v").status, 201, "PUT through a")
    r = c.get("/agent/k", quorum="true")
    check_eq(r.json()["node"]["value"], "v", "value read on c")


@test(timeout=90, targets=("kvraft",))
def sidecar_env_file_starts_a_member_that_joins():
    a = AgentMember("a")
    b = AgentMember("b")
    c = AgentMember("c")
    cluster = static_cluster([a, b, c])
    for m in (a, b):
        m.bootstrap = ["--initial-cluster", cluster]
        m.spawn()
    env_file = os.path.join(c.tmp, "shared", "kvraft.env")
    os.makedirs(os.path.dirname(env_file))
    code, out, err = run_cli([AGENT_BIN, "--agent-env-file", env_file, "--agent-timeout", "10s"] +
                             c.server_flags() + ["--initial-cluster", cluster],
                             env={"ETCD_INITIAL_CLUSTER_TOKEN": "etcd-cluster"})
    check_eq(code, 0, "sidecar exit code (stderr %s)" % err)
    with open(env_file) as f:
        text = f.read()
    check_eq(text, "ETCD_NAME=c\nETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new\n"
                   "ETCD_INITIAL_CLUSTER_TOKEN=etcd-cluster\n" % cluster, "env file")
    check_eq(os.listdir(os.path.dirname(env_file)), ["kvraft.env"], "files beside the env file")
    check(not os.path.exists(c.data_dir), "the sidecar must not create the data dir")
    # The server, started separately, gets its bootstrap only from the file.
    env = dict(line.split("=", 1) for line in text.splitlines())
    server = Server(name="c", data_dir=c.data_dir, client_port=c.client_port, peer_port=c.peer_port,
                    flags=False, env=env,
                    args=["--data-dir", c.data_dir, "--listen-client-urls", c.url,
                          "--advertise-client-urls", c.url, "--listen-peer-urls", c.peer_url,
                          "--initial-advertise-peer-urls", c.peer_url])
    server.start(timeout=30)
    a.wait_ready(timeout=30)
    b.wait_ready(timeout=30)
    want = sorted([a.peer_url, b.peer_url, c.peer_url])
    check_eq(member_peer_urls(server), want, "members seen by the sidecar-started server")
    check_eq(server.put("/sidecar", "1").status, 201, "PUT through c")
    check_eq(a.get("/sidecar", quorum="true").json()["node"]["value"], "1", "value on a")


@test(timeout=90, targets=("kvraft",))
def existing_data_dir_skips_discovery():
    m = AgentMember("solo", advertise_host=alias())
    hosts = hosts_file(m.tmp)
    add_host(hosts, m.advertise_host)
    m.hosts = hosts
    m.agent_args = ["--agent-timeout", "3s"]
    m.bootstrap = ["--initial-cluster", static_cluster([m])]
    m.start(timeout=30)
    check_eq(m.put("/kept", "yes").status, 201, "PUT")
    m.stop()
    # Its name no longer resolves: discovery would time out; a restart must not run it.
    fresh = os.path.join(m.tmp, "restart")
    os.mkdir(fresh)
    m.hosts = hosts_file(fresh)
    start = time.time()
    m.start(timeout=30)
    check(time.time() - start < 3, "restart waited for discovery (%.1fs)" % (time.time() - start))
    check("already holds a member: not running discovery" in m.log_text(), "restart log:\n%s" % m.log_tail())
    check_eq(m.get("/kept").json()["node"]["value"], "yes", "data after restart")
    m.stop()
    # Sidecar mode writes nothing new and succeeds.
    env_file = os.path.join(m.tmp, "kvraft.env")
    with open(env_file, "w") as f:
        f.write("ETCD_NAME=solo\n")
    code, _, err = run_cli([AGENT_BIN, "--agent-env-file", env_file, "--agent-timeout", "2s"] +
                           m.server_flags())
    check_eq(code, 0, "sidecar on an existing data dir (stderr %s)" % err)
    with open(env_file) as f:
        check_eq(f.read(), "ETCD_NAME=solo\n", "env file untouched")


@test(timeout=60, targets=("kvraft",))
def unresolvable_peer_times_out_with_the_reason():
    m = AgentMember("a")
    ghost = alias() + ".invalid"
    m.bootstrap = ["--initial-cluster", "a=%s,b=http://%s:2380" % (m.peer_url, ghost)]
    start = time.time()
    code, out, err = run_cli([AGENT_BIN, "--agent-timeout", "2s"] + m.server_flags(), timeout=30)
    took = time.time() - start
    check(code not in (0, None), "exit code %r, want failure" % code)
    check(2 <= took < 15, "took %.1fs with --agent-timeout 2s" % took)
    check("waiting for peer hosts to resolve: %s" % ghost in err, "no waiting line in:\n%s" % err)
    last = err.strip().splitlines()[-1]
    check(last.startswith("kvraft-agent: timed out") and ghost in last, "reason line: %r" % last)
    check(not os.path.exists(m.data_dir), "a failed agent must not start the server")
    # Conflicting sources are refused at once, with etcd's words.
    code, _, err = run_cli([AGENT_BIN] + m.server_flags() + ["--discovery", "http://127.0.0.1:1/x"],
                           env={"ETCD_DISCOVERY_SRV": "example.com"})
    check_eq(code, 1, "exit code with two sources")
    check("multiple discovery or bootstrap flags are set" in err, "stderr: %s" % err)


@test(timeout=60, targets=("kvraft",))
def unknown_flags_are_refused_as_the_server_refuses_them():
    # The agent knows the server's flags: an unknown one is "not defined" (with
    # or without a value), not a flag missing its argument, and the exit code is
    # the server's usage-error 2. Nothing is exec'd.
    for args in (["--bogus"], ["--bogus=1"], ["-bogus", "x"], ["--name", "n", "--bogus"]):
        what = " ".join(args)
        code, out, err = run_cli([AGENT_BIN] + args, timeout=10)
        check_eq((code, out, err),
                 (2, "", "kvraft-agent: flag provided but not defined: -bogus (see 'kvraft-agent --help')\n"),
                 "agent " + what)
        code, _, err = run_cli([KVRAFT_BIN] + args, timeout=10)
        check_eq((code, err.splitlines()[0]),
                 (2, "kvraft: flag provided but not defined: -bogus (see 'kvraft --help')"), "server " + what)
    code, _, err = run_cli([AGENT_BIN, "--name", "n", "--data-dir"], timeout=10)
    check_eq((code, err), (2, "kvraft-agent: flag needs an argument: -data-dir (see 'kvraft-agent --help')\n"),
             "a server flag without its value")
    code, _, err = run_cli([AGENT_BIN, "discovery-service", "--bogus"], timeout=10)
    check_eq((code, err), (2, "kvraft-agent discovery-service: flag provided but not defined: -bogus\n"),
             "discovery-service --bogus")


# ---------------------------------------------------------------- discovery service

class DiscoveryService:
    def __init__(self, tmp, endpoints, public_url=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        argv = [AGENT_BIN, "discovery-service", "--listen-addr", "127.0.0.1:%d" % self.port,
                "--endpoints", ",".join(endpoints)]
        if public_url:
            argv += ["--public-url", public_url]
        self.log = open(os.path.join(tmp, "discovery.log"), "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                if http("GET", self.url + "/health", timeout=1).status == 200:
                    return
            except OSError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise TestFailure("discovery service did not become healthy")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()


TOKEN_URL = re.compile(r"^(.*)/([0-9a-f]{32})$")


def check_service(store, service, base):
    """/new, sizes and the proxied token paths against backing store `store`;
    token URLs must start with `base`."""
    r = http("GET", service.url + "/new")
    check_eq(r.status, 200, "GET /new")
    match = TOKEN_URL.match(r.body.decode())
    check(match is not None, "token URL %r" % r.body)
    check_eq(match.group(1), base, "token URL base")
    token = match.group(2)
    token_url = service.url + "/" + token
    size = store.get("/_etcd/registry/%s/_config/size" % token)
    check_eq(size.json()["node"]["value"], "3", "default size in the backing store")
    r = http("GET", token_url + "/_config/size")
    check_eq((r.status, r.json()["node"]["value"]), (200, "3"), "size through the service")
    check(r.headers.get("x-etcd-index"), "X-Etcd-Index relayed")
    r = http("GET", service.url + "/new?size=5")
    check_eq(http("GET", service.url + "/" + r.body.decode()[-32:] + "/_config/size").json()["node"]["value"], "5", "size=5")
    check(http("GET", service.url + "/new").body != http("GET", service.url + "/new").body,
          "two tokens differ")
    for bad, why in (("abc", 'strconv.Atoi: parsing "abc": invalid syntax'),
                     ("0", "at least 1 member"), ("-2", "at least 1 member")):
        r = http("GET", service.url + "/new?size=" + bad)
        check_eq(r.status, 400, "size=%s status" % bad)
        check(why in r.body.decode(), "size=%s body %r" % (bad, r.body))
    # Registration as a member does it, through the service.
    r = http("PUT", token_url + "/8e9e05c52164694d?prevExist=false", form={"value": "m=http://h:2380"})
    check_eq(r.status, 201, "register")
    r = http("PUT", token_url + "/8e9e05c52164694d?prevExist=false", form={"value": "m=http://h:2380"})
    check_eq((r.status, r.json()["errorCode"]), (412, 105), "duplicate registration")
    r = http("GET", token_url + "?recursive=true")
    keys = [n["key"] for n in r.json()["node"]["nodes"]]
    check("/_etcd/registry/%s/8e9e05c52164694d" % token in keys, "registered key listed: %r" % keys)
    check_eq(http("DELETE", token_url + "/8e9e05c52164694d").status, 200, "DELETE")
    check_eq(http("GET", service.url + "/not-a-token").status, 404, "non-token path")
    return token


@test(timeout=90, targets=("kvraft",))
def discovery_service_on_kvraft_bootstraps_real_etcd_members():
    store = Server(kind="kvraft").start()
    service = DiscoveryService(store.tmp, [store.url])
    try:
        check_service(store, service, service.url)
        token_url = http("GET", service.url + "/new?size=3").body.decode()
        members = [Server(kind="etcd", name="e%d" % i, flags=False) for i in range(3)]
        for m in members:
            m.extra_args = ["--name", m.name, "--data-dir", m.data_dir, "--enable-v2",
                            "--listen-client-urls", m.url, "--advertise-client-urls", m.url,
                            "--listen-peer-urls", m.peer_url, "--initial-advertise-peer-urls", m.peer_url,
                            "--discovery", token_url]
            m.spawn()
        for m in members:
            m.wait_ready(timeout=40)
        want = sorted(m.peer_url for m in members)
        for m in members:
            check_eq(member_peer_urls(m), want, "%s: members bootstrapped through the service" % m.name)
    finally:
        service.stop()


@test(timeout=60, targets=("kvraft",))
def discovery_service_on_real_etcd():
    store = Server(kind="etcd").start()
    # The first endpoint is down: the second answers. Token URLs use --public-url.
    service = DiscoveryService(store.tmp, ["http://127.0.0.1:1", store.url],
                               public_url="https://discovery.example.com/")
    try:
        check_service(store, service, "https://discovery.example.com")
    finally:
        service.stop()


# ---------------------------------------------------------------- DNS SRV source

@test(timeout=90, targets=("kvraft",))
def srv_entrypoint_bootstraps_from_dns_records():
    from test_dns_srv import DOMAIN, Dnsmasq
    members = [AgentMember("infra%d" % i, advertise_host="infra%d.%s" % (i, DOMAIN)) for i in range(3)]
    hosts = hosts_file(members[0].tmp)
    for m in members:
        add_host(hosts, m.advertise_host)
    dns = Dnsmasq()
    try:
        # No records at first (not published yet): the agents wait for them.
        srv = [("_etcd-server._tcp." + DOMAIN, m.advertise_host, m.peer_port) for m in members]
        a_records = [(m.advertise_host, "127.0.0.1") for m in members]
        dns.start(hosts=a_records)
        for m in members:
            m.hosts = hosts
            m.env = {"KVRAFT_DNS_SERVERS": dns.servers}
            m.agent_args = ["--agent-timeout", "60s"]
            m.bootstrap = ["--discovery-srv", DOMAIN, "--initial-cluster-token", "srv-agent"]
            m.spawn()
        for m in members:
            wait_log(m, "waiting for the DNS SRV records of " + DOMAIN)
            check_eq(m.exe(), AGENT_BIN, "%s waits for the records" % m.name)
        dns.restart(srv=srv, hosts=a_records)
        for m in members:
            m.wait_ready(timeout=40)
        want = sorted(m.advertised_peer_url for m in members)
        for m in members:
            check_eq(member_peer_urls(m), want, "%s: members" % m.name)
    finally:
        dns.stop()


# ---------------------------------------------------------------- token source

def etcd_member_id(peer_urls, token):
    import hashlib
    import struct
    digest = hashlib.sha1(("".join(sorted(peer_urls)) + token).encode()).digest()
    return "%x" % struct.unpack(">Q", digest[:8])[0]


@test(timeout=120, targets=("kvraft",))
def token_entrypoint_bootstraps_through_the_discovery_service():
    store = Server(kind="kvraft").start()
    service = DiscoveryService(store.tmp, [store.url])
    try:
        token_url = http("GET", service.url + "/new?size=3").body.decode()
        members = [AgentMember("t%d" % i) for i in range(3)]
        for m in members:
            m.agent_args = ["--agent-timeout", "60s"]
            m.bootstrap = ["--discovery", token_url]
        members[0].spawn()
        wait_log(members[0], "waiting for the cluster to fill")
        time.sleep(1)
        check_eq(members[0].exe(), AGENT_BIN, "first member waits as the agent")
        for m in members[1:]:
            m.spawn()
        for m in members:
            m.wait_ready(timeout=40)
            check_eq(m.exe(), KVRAFT_BIN, "%s exec'd kvraft" % m.name)
        want = sorted(m.peer_url for m in members)
        for m in members:
            check_eq(member_peer_urls(m), want, "%s: members" % m.name)
        # Member ids are etcd's, hashed with the token URL as the cluster token.
        ids = sorted(mem["id"] for mem in http("GET", members[0].url + "/v2/members").json()["members"])
        check_eq(ids, sorted(etcd_member_id([m.peer_url], token_url) for m in members), "member ids")
        # A fourth member finds the cluster full and, with fallback exit, says so.
        late = AgentMember("late", agent_args=["--agent-timeout", "20s"],
                           bootstrap=["--discovery", token_url, "--discovery-fallback", "exit"])
        code, _, err = run_cli([AGENT_BIN] + late.agent_args + late.server_flags(), timeout=30)
        check_eq(code, 1, "late member exit code")
        check_eq(err.strip().splitlines()[-1], "kvraft-agent: discovery: cluster is full", "late member reason")
        # A restart skips discovery and hands kvraft the flags as given (--discovery included).
        members[1].restart(timeout=30)
        check("not running discovery" in members[1].log_text(), "restart skipped discovery")
        check_eq(member_peer_urls(members[1]), want, "members after restart")
    finally:
        service.stop()


@test(timeout=60, targets=("kvraft",))
def token_without_size_fails_with_the_reason():
    store = Server(kind="kvraft").start()
    m = AgentMember("a", bootstrap=["--discovery", store.url + "/v2/keys/_etcd/registry/nosuchtoken"])
    code, _, err = run_cli([AGENT_BIN, "--agent-timeout", "10s"] + m.server_flags(), timeout=30)
    check_eq(code, 1, "exit code")
    check_eq(err.strip().splitlines()[-1], "kvraft-agent: discovery: size key not found", "reason")
    check(not os.path.exists(m.data_dir), "no server started")
