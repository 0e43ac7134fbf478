"""--discovery-srv against a real DNS server: dnsmasq started by each test.

kvraft looks SRV records up with c-ares at KVRAFT_DNS_SERVERS (a dnsmasq on
127.0.0.1 and a random high port). Peer URLs keep the records' host names,
which members' transports resolve with the system resolver; glibc only asks
port 53, so the cluster test also runs a second dnsmasq holding just the A
records on a random 127.53.x.y:53 and, in a mount namespace private to the
test process (and so to the members it starts), puts that address in
/etc/resolv.conf. Every dnsmasq is stopped by its PID.
"""

import ctypes
import os
import random
import socket
import subprocess
import tempfile
import time

from harness import REPO, Server, TestFailure, check, check_eq, free_port, http, run_cli, test, KVRAFT_BIN

KVRAFTCTL = os.environ.get("KVRAFTCTL_BIN", os.path.join(REPO, "build/bin/kvraftctl"))

DOMAIN = "example.com"


def _udp_bound(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((addr, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


class Dnsmasq:
    """One dnsmasq serving `srv` (name, target, port) and `hosts` (name, ip)."""

    def __init__(self, addr="127.0.0.1", port=None):
        self.addr = addr
        self.port = port or free_port()
        self.proc = None

    @property
    def servers(self):
        return "%s:%d" % (self.addr, self.port)

    def start(self, srv=(), hosts=()):
        check(self.proc is None, "dnsmasq already running")
        argv = ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--user=root",
                "--pid-file=", "--port=%d" % self.port, "--listen-address=" + self.addr,
                "--bind-interfaces", "--local=/%s/" % DOMAIN, "--log-facility=/dev/null"]
        argv += ["--srv-host=%s,%s,%d,0,0" % r for r in srv]
        argv += ["--host-record=%s,%s" % h for h in hosts]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 5
        while not _udp_bound(self.addr, self.port):
            if self.proc.poll() is not None:
                raise TestFailure("dnsmasq exited: %s" % self.proc.stderr.read().decode(errors="replace"))
            if time.time() > deadline:
                raise TestFailure("dnsmasq did not bind %s" % self.servers)
            time.sleep(0.02)
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc.stderr.close()
            self.proc = None

    def restart(self, srv=(), hosts=()):
        """Records given on the command line cannot be reloaded: restart to change them."""
        self.stop()
        return self.start(srv, hosts)


def use_as_system_resolver(hosts, srv=()):
    """A dnsmasq with `hosts` and `srv` on 127.53.x.y:53, named by /etc/resolv.conf for this process only."""
    for _ in range(20):
        addr = "127.53.%d.%d" % (random.randint(1, 254), random.randint(1, 254))
        if not _udp_bound(addr, 53):
            break
    dns = Dnsmasq(addr, 53).start(srv=srv, hosts=hosts)
    conf = tempfile.NamedTemporaryFile("w", prefix="kvtest-resolv-", delete=False)
    conf.write("nameserver %s\n" % addr)
    conf.close()
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newns, ms_rec, ms_private, ms_bind = 0x20000, 0x4000, 1 << 18, 0x1000
    # Private propagation first: the bind mount must never reach the machine.
    if libc.unshare(clone_newns) != 0 or libc.mount(b"none", b"/", None, ms_rec | ms_private, None) != 0:
        dns.stop()
        raise TestFailure("cannot make a private mount namespace: errno %d" % ctypes.get_errno())
    if libc.mount(conf.name.encode(), b"/etc/resolv.conf", None, ms_bind, None) != 0:
        dns.stop()
        raise TestFailure("cannot bind-mount resolv.conf: errno %d" % ctypes.get_errno())
    return dns


def member(name, peer_ip, advertise_host, srv_dns, args=()):
    """A member listening for peers on peer_ip and for clients on 127.0.0.1."""
    m = Server(name=name, flags=False)
    m.peer_ip = peer_ip
    m.record_port = m.peer_port
    m.extra_args = ["--name", name, "--data-dir", m.data_dir,
                    "--listen-client-urls", m.url, "--advertise-client-urls", m.url,
                    "--listen-peer-urls", "http://%s:%d" % (peer_ip, m.peer_port),
                    "--initial-advertise-peer-urls", "http://%s:%d" % (advertise_host, m.peer_port),
                    "--discovery-srv", DOMAIN, "--initial-cluster-token", "srv-cluster"] + list(args)
    m.env = {"KVRAFT_DNS_SERVERS": srv_dns.servers}
    return m


def fails_with(m, text):
    """Runs m to its end; checks a non-zero exit, `text` in its output and no data dir left."""
    code, out, err = run_cli([KVRAFT_BIN] + m.extra_args, env=m.env, timeout=15)
    check(code not in (0, None), "%s: exit %r, want an error: %s" % (m.name, code, err))
    check(text in err, "%s: want %r in:\n%s" % (m.name, text, err))
    check(not os.path.exists(m.data_dir), "%s: a failed discovery left %s behind" % (m.name, m.data_dir))
    return err


def peer_urls(m):
    r = http("GET", m.url + "/v2/members")
    check_eq(r.status, 200, "GET /v2/members")
    return {x["name"]: x["peerURLs"] for x in r.json()["members"]}


@test(timeout=60, targets=("kvraft",))
def three_members_bootstrap_from_srv_records_using_the_plain_set():
    srv_dns = Dnsmasq()
    # m0 advertises its host name, m1 and m2 their addresses: both ways of recognition.
    members = []
    for i in range(3):
        ip = "127.0.0.%d" % (11 + i)
        members.append(member("m%d" % i, ip, "m0." + DOMAIN if i == 0 else ip, srv_dns))
    hosts = [("m%d.%s" % (i, DOMAIN), m.peer_ip) for i, m in enumerate(members)]
    plain = [("_etcd-server._tcp." + DOMAIN, h, m.record_port) for (h, _), m in zip(hosts, members)]
    # https peers at the same places: ignored while the plain records exist.
    tls = [("_etcd-server-ssl._tcp." + DOMAIN, h, p) for _, h, p in plain]
    # Clients find the members through the system resolver, as etcdctl does.
    clients = [("_etcd-client._tcp." + DOMAIN, "c." + DOMAIN, m.client_port) for m in members]
    resolver = use_as_system_resolver(hosts + [("c." + DOMAIN, "127.0.0.1")], clients)
    try:
        srv_dns.start(plain + tls, hosts)
        for m in members:
            m.spawn()
        for m in members:
            m.wait_ready(timeout=30)
        want = {"m%d" % i: ["http://m%d.%s:%d" % (i, DOMAIN, m.record_port)] for i, m in enumerate(members)}
        deadline = time.time() + 10
        while peer_urls(members[0]) != want and time.time() < deadline:
            time.sleep(0.1)  # members publish their names once they have a quorum
        check_eq(peer_urls(members[0]), want, "members from SRV records")
        check_eq(members[1].put("/srv", "ok").status, 201, "write through m1")
        r = members[2].get("/srv", quorum="true")
        check_eq((r.status, r.json()["node"]["value"]), (200, "ok"), "quorum read through m2")
        check("got bootstrap from DNS SRV records" in members[0].log_text(), "m0 logs what it found")
        # kvraftctl -D finds the members as etcdctl -D does, and answers alike.
        for args in (["-D", DOMAIN, "--insecure-discovery", "get", "/srv"],
                     ["--discovery-srv", DOMAIN, "--insecure-discovery", "member", "list"],
                     ["-D", DOMAIN, "get", "/srv"],  # http:// records are ignored without it
                     ["-D", "nowhere." + DOMAIN, "--no-sync", "get", "/srv"]):
            ours = run_cli([KVRAFTCTL] + args, timeout=15)
            theirs = run_cli(["etcdctl"] + args, env={"ETCDCTL_API": "2"}, timeout=15)
            check_eq(ours[0], theirs[0], "exit code of %s (etcdctl said %r)" % (" ".join(args), theirs[2]))
            if theirs[0] == 0:
                check_eq(ours[1], theirs[1], "output of %s" % " ".join(args))
        check_eq(run_cli([KVRAFTCTL, "-D", DOMAIN, "--insecure-discovery", "get", "/srv"])[1], "ok\n",
                 "value through -D")
        # A proxy takes its peers from the same records (it need not be in them).
        proxy = Server(name="proxy", flags=False)
        proxy.extra_args = ["--proxy", "on", "--data-dir", proxy.data_dir, "--listen-client-urls", proxy.url,
                            "--discovery-srv", DOMAIN]
        proxy.env = {"KVRAFT_DNS_SERVERS": srv_dns.servers}
        members.append(proxy)
        proxy.start(timeout=15)
        check_eq(proxy.put("/via-proxy", "p").status, 201, "write through the SRV proxy")
        check_eq(members[0].get("/via-proxy", quorum="true").json()["node"]["value"], "p", "the write, on m0")
    finally:
        for m in members:
            m.stop()
        srv_dns.stop()
        resolver.stop()


@test(timeout=30, targets=("kvraft",))
def srv_discovery_errors_are_clear_and_exit_non_zero():
    srv_dns = Dnsmasq()
    m = member("m0", "127.0.0.11", "127.0.0.11", srv_dns)
    try:
        srv_dns.start()
        err = fails_with(m, "error querying DNS SRV records for _etcd-server-ssl._tcp.example.com")
        check("error querying DNS SRV records for _etcd-server._tcp.example.com" in err, err)

        other = [("_etcd-server._tcp." + DOMAIN, "m1." + DOMAIN, m.record_port)]
        srv_dns.restart(other, [("m1." + DOMAIN, "127.0.0.12")])
        fails_with(m, 'cannot find local etcd member "m0" in SRV records (_etcd-server._tcp.example.com '
                      'lists m1.example.com:%d; none is --initial-advertise-peer-urls=http://127.0.0.11:%d'
                   % (m.record_port, m.record_port))

        tls = [("_etcd-server-ssl._tcp." + DOMAIN, "m0." + DOMAIN, m.record_port)]
        srv_dns.restart(tls, [("m0." + DOMAIN, "127.0.0.11")])
        fails_with(m, "found only _etcd-server-ssl._tcp.example.com records (m0.example.com:%d), which are "
                      "https peers: TLS is not supported by this build yet" % m.record_port)

        srv_dns.stop()  # nobody answers
        fails_with(m, "lookup _etcd-server._tcp.example.com: ")
    finally:
        srv_dns.stop()


@test(timeout=30, targets=("kvraft",))
def a_member_missing_from_the_records_starts_once_they_include_it():
    srv_dns = Dnsmasq()
    m = member("m0", "127.0.0.11", "127.0.0.11", srv_dns)
    try:
        srv_dns.start([("_etcd-server._tcp." + DOMAIN, "m9." + DOMAIN, m.record_port)],
                      [("m9." + DOMAIN, "127.0.0.19")])
        fails_with(m, 'cannot find local etcd member "m0"')
        srv_dns.restart([("_etcd-server._tcp." + DOMAIN, "m0." + DOMAIN, m.record_port)],
                        [("m0." + DOMAIN, "127.0.0.11")])
        m.start(timeout=15)
        check_eq(peer_urls(m), {"m0": ["http://m0.example.com:%d" % m.record_port]}, "members")
        check_eq(m.put("/k", "v").status, 201, "write")
        # Recognised by address, known to the cluster by host name: it restarts as
        # itself from its data dir, without asking DNS (as etcd), so DNS may be down.
        srv_dns.stop()
        m.restart(timeout=15)
        check_eq(m.get("/k").json()["node"]["value"], "v", "value after restart")
    finally:
        m.stop()
        srv_dns.stop()


@test(timeout=30, targets=("kvraft",))
def discovery_srv_name_suffixes_the_service():
    srv_dns = Dnsmasq()
    m = member("m0", "127.0.0.11", "127.0.0.11", srv_dns)
    try:
        srv_dns.start([("_etcd-server-blue._tcp." + DOMAIN, "m0." + DOMAIN, m.record_port)],
                      [("m0." + DOMAIN, "127.0.0.11")])
        fails_with(m, "error querying DNS SRV records for _etcd-server._tcp.example.com")
        m.extra_args += ["--discovery-srv-name", "blue"]
        m.start(timeout=15)
        check_eq(peer_urls(m), {"m0": ["http://m0.example.com:%d" % m.record_port]}, "members")
    finally:
        m.stop()
        srv_dns.stop()
