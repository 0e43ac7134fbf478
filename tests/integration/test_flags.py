"""Command line, environment and config file handling.

Bad flags must end kvraft with a non-zero exit and a one-line error (etcd
prints the same first line, then its whole usage text: kvraft-only).
"""

import os

from harness import Server, check, check_eq, free_port, http, run_cli, test, KVRAFT_BIN

BAD_FLAGS = [
    (["--no-such-flag"], "no-such-flag"),
    (["--listen-client-urls", "foo"], "listen-client-urls"),
    (["--listen-client-urls", "http://127.0.0.1:abc"], "listen-client-urls"),
    (["--snapshot-count", "abc"], "snapshot-count"),
    (["--initial-cluster-state", "sideways"], "initial-cluster-state"),
]


@test(timeout=60, targets=("kvraft",))
def bad_flags_give_one_line_error():
    check(os.access(KVRAFT_BIN, os.X_OK), "server binary %s does not exist" % KVRAFT_BIN)
    for args, flag in BAD_FLAGS:
        code, out, err = run_cli([KVRAFT_BIN] + args + ["--data-dir", "/nonexistent/kv"],
                                 timeout=10)
        what = " ".join(args)
        check(code is not None, "%s: still running after 10s" % what)
        check(code != 0, "%s: exit code 0" % what)
        lines = [l for l in (out + err).splitlines() if l.strip()]
        check_eq(len(lines), 1, "%s: error lines (%r)" % (what, lines[:4]))
        check(flag in lines[0], "%s: message does not name the flag: %r" % (what, lines[0]))


def member_of(s, url):
    r = http("GET", url + "/v2/members")
    check_eq(r.status, 200, "GET /v2/members")
    members = r.json()["members"]
    check_eq(len(members), 1, "member count")
    return members[0]


@test(timeout=60)
def several_listen_client_urls_all_answer():
    extra = ["http://127.0.0.1:%d" % free_port() for _ in range(2)]
    s = Server()
    s.extra_args = ["--listen-client-urls", ",".join([s.url] + extra)]
    s.spawn()
    s.wait_ready(urls=[s.url] + extra)
    check_eq(http("PUT", extra[0] + "/v2/keys/multi", form={"value": "x"}).status, 201,
             "PUT on second URL")
    for url in [s.url] + extra:
        r = http("GET", url + "/v2/keys/multi")
        check_eq((r.status, r.json()["node"]["value"]), (200, "x"), "GET on " + url)


@test(timeout=60)
def etcd_env_vars_configure_the_member():
    s = Server(name="envmember", flags=False)
    s.env = {"ETCD_NAME": s.name, "ETCD_DATA_DIR": s.data_dir,
             "ETCD_LISTEN_CLIENT_URLS": s.url, "ETCD_ADVERTISE_CLIENT_URLS": s.url,
             "ETCD_LISTEN_PEER_URLS": s.peer_url,
             "ETCD_INITIAL_ADVERTISE_PEER_URLS": s.peer_url,
             "ETCD_INITIAL_CLUSTER": "envmember=" + s.peer_url,
             "ETCD_INITIAL_CLUSTER_TOKEN": "env-token"}
    if s.kind == "etcd":
        s.env["ETCD_ENABLE_V2"] = "true"
    s.start()
    m = member_of(s, s.url)
    check_eq((m["name"], m["peerURLs"], m["clientURLs"]),
             ("envmember", [s.peer_url], [s.url]), "member from env")
    check(os.path.isdir(s.data_dir), "ETCD_DATA_DIR not used")


@test(timeout=60)
def config_file_yaml_configures_the_member():
    s = Server(name="yamlmember", flags=False)
    path = os.path.join(s.tmp, "conf.yml")
    with open(path, "w") as f:
        f.write("name: yamlmember\n"
                "data-dir: %s\n"
                "listen-client-urls: %s\n"
                "advertise-client-urls: %s\n"
                "listen-peer-urls: %s\n"
                "initial-advertise-peer-urls: %s\n"
                "initial-cluster: yamlmember=%s\n"
                "initial-cluster-state: new\n"
                "enable-v2: true\n"
                % (s.data_dir, s.url, s.url, s.peer_url, s.peer_url, s.peer_url))
    s.extra_args = ["--config-file", path]
    s.start()
    m = member_of(s, s.url)
    check_eq((m["name"], m["peerURLs"], m["clientURLs"]),
             ("yamlmember", [s.peer_url], [s.url]), "member from config file")
    check_eq(s.put("/yaml", "ok").status, 201, "PUT")
    check(os.path.isdir(s.data_dir), "data-dir from config file not used")
