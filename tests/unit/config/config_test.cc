// Config loading: flags, env, YAML, precedence and validation. Expected texts
// were taken from etcd 3.4.23 run with the same arguments.
#include "server/config/config.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace {

using Args = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

common::Result<std::string> NoFile(const std::string& path) {
  return common::Status::IOError("open " + path + ": no such file or directory");
}

config::ReadFileFn File(const std::string& text) {
  return [text](const std::string&) -> common::Result<std::string> { return text; };
}

config::Config Ok(const Args& args, const Env& env = {}, const config::ReadFileFn& read = NoFile) {
  auto r = config::Load(args, env, read);
  if (!r.ok()) FAIL("unexpected error: " << r.status().message());
  return r.value();
}

std::string Err(const Args& args, const Env& env = {}, const config::ReadFileFn& read = NoFile) {
  auto r = config::Load(args, env, read);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

bool HasNotice(const config::Config& c, const std::string& text) {
  return std::find(c.notices.begin(), c.notices.end(), text) != c.notices.end();
}

// Flags that make a member whose own URLs agree with each other.
const Args kLocal = {"--listen-client-urls", "http://127.0.0.1:23479", "--advertise-client-urls",
                     "http://127.0.0.1:23479", "--listen-peer-urls", "http://127.0.0.1:23480",
                     "--initial-advertise-peer-urls", "http://127.0.0.1:23480"};

Args With(Args extra) {
  Args a = kLocal;
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("defaults equal etcd 3.4's") {
    config::Config c = Ok({});
    CHECK(c.action == config::Action::kRun);
    CHECK(c.name == "default");
    CHECK(c.data_dir == "default.kvraft");
    CHECK(HasNotice(c, "no data-dir provided, using default data-dir ./default.kvraft"));
    CHECK(common::JoinUrls(c.listen_client_urls) == "http://localhost:2379");
    CHECK(common::JoinUrls(c.advertise_client_urls) == "http://localhost:2379");
    CHECK(common::JoinUrls(c.listen_peer_urls) == "http://localhost:2380");
    CHECK(common::JoinUrls(c.initial_advertise_peer_urls) == "http://localhost:2380");
    CHECK(c.initial_cluster == "default=http://localhost:2380");
    CHECK(c.initial_cluster_state == "new");
    CHECK(c.initial_cluster_token == "etcd-cluster");
    CHECK(c.discovery_fallback == "proxy");
    CHECK(c.snapshot_count == 100000);
    CHECK(c.heartbeat_interval_ms == 100);
    CHECK(c.election_timeout_ms == 1000);
    CHECK(c.max_request_bytes == 1572864);
    CHECK(c.max_client_connections == 16000);
    CHECK(c.max_snapshots == 5);
    CHECK(c.max_wals == 5);
    CHECK(c.quota_backend_bytes == 0);
    CHECK(c.strict_reconfig_check);
    CHECK_FALSE(c.enable_v2);
    CHECK(c.pre_vote);  // deliberately etcd 3.5's default (see README)
    CHECK(c.initial_election_tick_advance);
    CHECK(c.proxy == "off");
    CHECK(c.proxy_failure_wait_ms == 5000);
    CHECK(c.proxy_refresh_interval_ms == 30000);
    CHECK(c.proxy_dial_timeout_ms == 1000);
    CHECK(c.proxy_write_timeout_ms == 5000);
    CHECK(c.proxy_read_timeout_ms == 0);
    CHECK(c.proxy_max_watches == 1024);
    CHECK(c.cors == std::vector<std::string>{"*"});
    CHECK(c.logger == "capnslog");
    CHECK(c.log_level == "info");
    CHECK(c.log_outputs == std::vector<std::string>{"default"});
  }

  TEST_CASE("flag forms: --f=v, --f v, -f v, -f=v; booleans") {
    CHECK(Ok({"--name=a", "--data-dir", "/d"}).name == "a");
    CHECK(Ok({"--name=a", "--data-dir", "/d"}).data_dir == "/d");
    CHECK(Ok({"-name", "b"}).name == "b");
    CHECK(Ok({"-name=c"}).name == "c");
    CHECK(Ok({"--name", "-dash"}).name == "-dash");  // a value may start with '-'
    CHECK(Ok({"--enable-v2"}).enable_v2);
    CHECK(Ok({"--enable-v2=true"}).enable_v2);
    CHECK(Ok({"--enable-v2=T"}).enable_v2);
    CHECK_FALSE(Ok({"--strict-reconfig-check=false"}).strict_reconfig_check);
    CHECK_FALSE(Ok({"-strict-reconfig-check=0"}).strict_reconfig_check);
    CHECK(Ok({"--snapshot-count", "0x10"}).snapshot_count == 16);  // Go's base prefixes
    CHECK(Ok({"--snapshot-count", "1_000"}).snapshot_count == 1000);
    CHECK(Ok({"--max-client-connections", "50"}).max_client_connections == 50);
    CHECK(Ok({}, {{"ETCD_MAX_CLIENT_CONNECTIONS", "0"}}).max_client_connections == 0);
    CHECK(Ok({"--name", "a", "--name", "b"}).name == "b");  // last one wins
    CHECK(Ok({"--quota-backend-bytes", "-1"}).quota_backend_bytes == -1);
    CHECK(Ok({"--auto-compaction-retention", "1h"}).unused_etcd_flags.at("auto-compaction-retention") == "1h");
    config::Config legacy = Ok({"--snapshot", "--v"});  // etcd's ignored legacy flags
    CHECK(HasNotice(legacy, "flag \"snapshot\" is ignored"));
  }

  TEST_CASE("URL lists: comma separated, all kept, sorted") {
    config::Config c = Ok({"--listen-client-urls", "http://127.0.0.1:2379,http://10.0.0.1:2379",
                           "--advertise-client-urls", "http://a:1"});
    CHECK(common::JoinUrls(c.listen_client_urls) == "http://10.0.0.1:2379,http://127.0.0.1:2379");
  }

  TEST_CASE("command-line syntax errors have Go's flag-package wording") {
    CHECK(Err({"--bogus"}) == "flag provided but not defined: -bogus");
    CHECK(Err({"-bogus=1"}) == "flag provided but not defined: -bogus");
    CHECK(Err({"---name", "x"}) == "bad flag syntax: ---name");
    CHECK(Err({"--name"}) == "flag needs an argument: -name");
    CHECK(Err({"--snapshot-count", "abc"}) == "invalid value \"abc\" for flag -snapshot-count: parse error");
    CHECK(Err({"--snapshot-count", "-1"}) == "invalid value \"-1\" for flag -snapshot-count: parse error");
    CHECK(Err({"--heartbeat-interval", "1e3"}) == "invalid value \"1e3\" for flag -heartbeat-interval: parse error");
    CHECK(Err({"--max-wals", "99999999999999999999"}) ==
          "invalid value \"99999999999999999999\" for flag -max-wals: value out of range");
    CHECK(Err({"--enable-v2=yes"}) == "invalid boolean value \"yes\" for -enable-v2: parse error");
    // Values are quoted as Go's %q does (checked against etcd 3.4.23).
    CHECK(Err({"--snapshot-count", "a\tb\xff\""}) ==
          R"(invalid value "a\tb\xff\"" for flag -snapshot-count: parse error)");
    CHECK(Err({"--enable-v2=y\n"}) == R"(invalid boolean value "y\n" for -enable-v2: parse error)");
    CHECK(Err({"--initial-cluster-state", "foo"}) == "invalid value \"foo\" for flag -initial-cluster-state: invalid value");
    CHECK(Err({"--proxy", "bar"}) == "invalid value \"bar\" for flag -proxy: invalid value");
    CHECK(Err({"--discovery-fallback", "bar"}) == "invalid value \"bar\" for flag -discovery-fallback: invalid value");
    CHECK(Err({"--listen-client-urls", "ftp://127.0.0.1:1"}) ==
          "invalid value \"ftp://127.0.0.1:1\" for flag -listen-client-urls: URL scheme must be http, "
          "https, unix, or unixs: ftp://127.0.0.1:1");
    CHECK(Err({"--listen-client-urls", "http://127.0.0.1"}) ==
          "invalid value \"http://127.0.0.1\" for flag -listen-client-urls: URL address does not have "
          "the form \"host:port\": http://127.0.0.1");
    CHECK(Err({"--listen-client-urls", "http://127.0.0.1:1/path"}) ==
          "invalid value \"http://127.0.0.1:1/path\" for flag -listen-client-urls: URL must not contain "
          "a path: http://127.0.0.1:1/path");
    CHECK(Err({"--cors", "http://example.com"}) ==
          "invalid value \"http://example.com\" for flag -cors: URL address does not have the form "
          "\"host:port\": http://example.com");
    CHECK(config::IsUsageError({"--bogus"}));
    CHECK(config::IsUsageError({"--enable-v2=yes"}));
    CHECK_FALSE(config::IsUsageError({"--election-timeout", "1"}));
    CHECK_FALSE(config::IsUsageError({"stray"}));
  }

  TEST_CASE("arguments after the flags are rejected; a bool flag takes no separate value") {
    CHECK(Err({"stray"}) == "'stray' is not a valid flag");
    CHECK(Err({"--enable-v2", "yes"}) == "'yes' is not a valid flag");
    CHECK(Err({"--", "--name", "x"}) == "'--name' is not a valid flag");
  }

  TEST_CASE("--help and --version") {
    CHECK(Ok({"-h"}).action == config::Action::kPrintHelp);
    CHECK(Ok({"--help"}).action == config::Action::kPrintHelp);
    CHECK(Ok({"--version"}).action == config::Action::kPrintVersion);
    CHECK(Ok({"--version", "--election-timeout", "1"}).action == config::Action::kPrintVersion);
    CHECK(Ok({"--version=false"}).action == config::Action::kRun);
    CHECK(Ok({"--version"}, {{"ETCD_NAME", "x"}}).action == config::Action::kPrintVersion);
    CHECK(Ok({}, {{"ETCD_VERSION", "true"}}).action == config::Action::kRun);  // read too late
    CHECK(config::VersionText().find("kvraft Version: ") == 0);
    CHECK(config::VersionText().find("etcd API Version: 3.4.23\n") != std::string::npos);
    std::string help = config::HelpText();
    for (const char* flag : {"--name 'default'", "--data-dir '${name}.kvraft'", "--initial-cluster 'default=http://localhost:2380'",
                             "--election-timeout '1000'", "--proxy 'off'", "--discovery-fallback 'proxy'",
                             "--max-request-bytes '1572864'", "--max-client-connections '16000'",
                             "--config-file"}) {
      CHECK_MESSAGE(help.find(flag) != std::string::npos, flag);
    }
  }

  TEST_CASE("--help says which flags have no effect") {
    std::string help = config::HelpText();
    // The text of one flag's entry: from "  --flag " to the next flag or section.
    auto entry = [&help](const std::string& flag) {
      size_t at = help.find("\n  --" + flag + " ");
      if (at == std::string::npos) return std::string();
      size_t end = std::min(help.find("\n  --", at + 1), help.find("\n\n", at + 1));
      return help.substr(at + 1, end - at - 1);
    };
    CHECK(entry("max-request-bytes").find("v2 request bodies") != std::string::npos);
    // Parsed for etcd compatibility but not acted on: the help must not promise anything.
    for (const char* flag : {"wal-dir", "initial-election-tick-advance", "max-snapshots", "max-wals", "cors",
                             "host-whitelist", "listen-metrics-urls", "log-outputs"}) {
      CHECK_MESSAGE(entry(flag).find("no effect") != std::string::npos, entry(flag));
    }
    // Refused when set: the help says so.
    for (const char* flag : {"cert-file", "key-file", "client-cert-auth", "trusted-ca-file", "auto-tls",
                             "peer-cert-file", "peer-auto-tls", "cipher-suites"}) {
      CHECK_MESSAGE(entry(flag).find("efused") != std::string::npos, entry(flag));
    }
  }

  TEST_CASE("TLS settings are refused, not silently ignored") {
    const std::string tls =
        ": TLS is not supported by this build of kvraft (serve plain HTTP, or put a TLS proxy in front)";
    CHECK(Err({"--cert-file", "/c.pem"}) == "--cert-file" + tls);
    CHECK(Err({"--client-cert-auth"}) == "--client-cert-auth" + tls);
    CHECK(Err({"--peer-auto-tls"}) == "--peer-auto-tls" + tls);
    CHECK(Err({"--peer-cert-allowed-cn", "x"}) == "--peer-cert-allowed-cn" + tls);
    CHECK(Err({}, {{"ETCD_PEER_TRUSTED_CA_FILE", "/ca.pem"}}) == "--peer-trusted-ca-file" + tls);
    CHECK(Err({"--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls",
               "http://127.0.0.1:2379"}) == "https://127.0.0.1:2379: TLS is not supported by this build of kvraft");
    CHECK(Ok({"--force-new-cluster"}).force_new_cluster);
    // A YAML file's TLS sections are read, and refused the same way.
    CHECK(Err({"--config-file", "/k.yml"}, {}, File("peer-transport-security:\n  key-file: /pk.pem\n")) ==
          "--peer-key-file" + tls);
    // Their defaults (off, empty) start fine.
    CHECK_FALSE(Ok({"--client-cert-auth=false", "--auto-tls=false", "--cert-file="}).client_tls.auto_tls);
  }

  TEST_CASE("env fills flags not given, with notices") {
    config::Config c = Ok({}, {{"ETCD_NAME", "envname"}, {"ETCD_SNAPSHOT_COUNT", "7"},
                               {"ETCD_ENABLE_V2", "1"}, {"ETCD_INITIAL_CLUSTER_TOKEN", "tok"}});
    CHECK(c.name == "envname");
    CHECK(c.snapshot_count == 7);
    CHECK(c.enable_v2);
    CHECK(c.initial_cluster_token == "tok");
    CHECK(HasNotice(c, "recognized and used environment variable ETCD_NAME=envname"));
    // `--name` alone (here from env) implies initial-cluster name=advertise-peer-urls.
    CHECK(c.initial_cluster == "envname=http://localhost:2380");
    CHECK(c.data_dir == "envname.kvraft");
  }

  TEST_CASE("env: empty means unset, unknown ETCD_* is noted, others ignored") {
    config::Config c = Ok({}, {{"ETCD_NAME", ""}, {"ETCD_FOO", "abc"}, {"PATH", "/bin"}, {"ETCDCTL_API", "2"}});
    CHECK(c.name == "default");
    CHECK(HasNotice(c, "unrecognized environment variable ETCD_FOO=abc"));
    CHECK(std::none_of(c.notices.begin(), c.notices.end(),
                       [](const std::string& n) { return n.find("PATH") != std::string::npos ||
                                                         n.find("ETCDCTL") != std::string::npos; }));
  }

  TEST_CASE("env shadowed by a flag is an error, as in etcd 3.4") {
    CHECK(Err({"--name", "y"}, {{"ETCD_NAME", "x"}}) ==
          "conflicting environment variable \"ETCD_NAME\" is shadowed by corresponding command-line "
          "flag (either unset environment variable or disable flag)");
    // Even an empty variable counts, as etcd looks only at the name.
    CHECK(Err({"--name", "y"}, {{"ETCD_NAME", ""}}).find("conflicting environment variable") == 0);
  }

  TEST_CASE("bad env values name the variable") {
    CHECK(Err({}, {{"ETCD_SNAPSHOT_COUNT", "abc"}}) == "invalid value \"abc\" for ETCD_SNAPSHOT_COUNT: parse error");
    CHECK(Err({}, {{"ETCD_ENABLE_V2", "yes"}}) == "invalid value \"yes\" for ETCD_ENABLE_V2: parse error");
    CHECK(Err({}, {{"ETCD_ELECTION_TIMEOUT", "1"}}) ==
          "--election-timeout[1ms] should be at least as 5 times as --heartbeat-interval[100ms]");
    CHECK_FALSE(config::IsUsageError({}));
  }

  TEST_CASE("validation errors with etcd's texts") {
    CHECK(Err({"--election-timeout", "100"}) ==
          "--election-timeout[100ms] should be at least as 5 times as --heartbeat-interval[100ms]");
    CHECK(Err({"--election-timeout", "499"}) ==
          "--election-timeout[499ms] should be at least as 5 times as --heartbeat-interval[100ms]");
    CHECK(Ok({"--election-timeout", "500"}).election_timeout_ms == 500);
    CHECK(Err({"--election-timeout", "60000"}) ==
          "--election-timeout[60000ms] is too long, and should be set less than 50000ms");
    CHECK(Ok({"--election-timeout", "50000"}).election_timeout_ms == 50000);
    CHECK(Err({"--heartbeat-interval", "0"}) == "--heartbeat-interval must be >0 (set to 0ms)");
    CHECK(Err({"--election-timeout", "0"}) == "--election-timeout must be >0 (set to 0ms)");
    CHECK(Err({"--logger", "foo"}) == "unknown logger option \"foo\"");
    CHECK(Err({"--listen-peer-urls", "http://example.com:23480"}) ==
          "expected IP in URL for binding (http://example.com:23480)");
    CHECK(Ok({"--listen-client-urls", "unix://sock:1", "--advertise-client-urls", "http://a:1"}).listen_client_urls.size() == 1);
    CHECK(Err({"--initial-advertise-peer-urls", "http://:23480", "--initial-cluster", "default=http://:23480"}) ==
          "--initial-advertise-peer-urls \"http://:23480\" must be \"host:port\" (unexpected empty host (http://:23480))");
    CHECK(Err({"--advertise-client-urls", "http://:1"}) ==
          "--advertise-client-urls \"http://:1\" must be \"host:port\" (unexpected empty host (http://:1))");
    const std::string conflict =
        "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", "
        "\"discovery\" or \"discovery-srv\"";
    CHECK(Err({"--initial-cluster", "default=http://localhost:2380", "--discovery", "http://127.0.0.1:1/x"}) == conflict);
    CHECK(Err({"--discovery", "http://127.0.0.1:1/x", "--discovery-srv", "example.com"}) == conflict);
    CHECK(Err({"--listen-client-urls", "http://127.0.0.1:23479"}) ==
          "--advertise-client-urls is required when --listen-client-urls is set explicitly");
  }

  TEST_CASE("discovery clears the default initial cluster, not an explicit one") {
    config::Config c = Ok({"--discovery", "http://127.0.0.1:1/x"});
    CHECK(c.initial_cluster.empty());
    CHECK(Ok({"--discovery-srv", "example.com"}).initial_cluster.empty());
  }

  TEST_CASE("a member that may become a proxy needs no advertise-client-urls") {
    CHECK(Ok({"--listen-client-urls", "http://127.0.0.1:1", "--proxy", "on"}).IsProxy());
    // With discovery and fallback=proxy the defaults are kept.
    config::Config c = Ok({"--listen-client-urls", "http://127.0.0.1:1", "--discovery", "http://d:1/t"});
    CHECK(common::JoinUrls(c.advertise_client_urls) == "http://localhost:2379");
    CHECK(Err({"--listen-client-urls", "http://127.0.0.1:1", "--discovery", "http://d:1/t",
               "--discovery-fallback", "exit"}) ==
          "--advertise-client-urls is required when --listen-client-urls is set explicitly");
  }

  TEST_CASE("initial cluster default follows --name (etcd's rule, quirk included)") {
    config::Config named = Ok(With({"--name", "foo"}));
    CHECK(named.initial_cluster == "foo=http://127.0.0.1:23480");
    // Named "default": etcd keeps "default=http://localhost:2380" even with other peer URLs.
    CHECK(Ok(kLocal).initial_cluster == "default=http://localhost:2380");
    CHECK(Ok(With({"--name", "foo", "--initial-cluster", "foo=http://h:1"})).initial_cluster == "foo=http://h:1");
    config::Config multi = Ok({"--name", "m", "--initial-advertise-peer-urls", "http://b:2,http://a:1"});
    CHECK(multi.initial_cluster == "m=http://a:1,m=http://b:2");
  }

  TEST_CASE("default host replaces localhost when listening on 0.0.0.0") {
    auto r = config::Load({"--name", "n", "--listen-peer-urls", "http://0.0.0.0:2380",
                           "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls",
                           "http://localhost:2379"},
                          {}, NoFile, std::string("myhost"));
    REQUIRE(r.ok());
    CHECK(common::JoinUrls(r->initial_advertise_peer_urls) == "http://myhost:2380");
    CHECK(common::JoinUrls(r->advertise_client_urls) == "http://myhost:2379");
    CHECK(r->initial_cluster == "n=http://myhost:2380");
  }

  TEST_CASE("--config-file: only the YAML counts") {
    const std::string yaml =
        "name: infra1\n"
        "data-dir: /var/lib/x\n"
        "snapshot-count: 5000\n"
        "heartbeat-interval: 50\n"
        "election-timeout: 500\n"
        "listen-client-urls: http://127.0.0.1:2379,http://10.0.0.1:2379\n"
        "advertise-client-urls: http://10.0.0.1:2379\n"
        "initial-advertise-peer-urls: http://10.0.0.1:2380\n"
        "initial-cluster: infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380\n"
        "initial-cluster-state: existing\n"
        "initial-cluster-token: tok\n"
        "enable-v2: true\n"
        "strict-reconfig-check: false\n"
        "proxy: readonly\n"
        "discovery-fallback: exit\n"
        "log-outputs: [stderr]\n"
        "unknown-key: ignored\n";
    config::Config c = Ok({"--config-file", "/etc/kvraft.yml", "--name", "ignored"},
                          {{"ETCD_SNAPSHOT_COUNT", "1"}, {"ETCD_NAME", "ignored-too"}}, File(yaml));
    CHECK(c.config_file == "/etc/kvraft.yml");
    CHECK(c.name == "infra1");
    CHECK(c.data_dir == "/var/lib/x");
    CHECK(c.snapshot_count == 5000);
    CHECK(c.heartbeat_interval_ms == 50);
    CHECK(c.election_timeout_ms == 500);
    CHECK(c.listen_client_urls.size() == 2);
    CHECK(c.initial_cluster == "infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380");
    CHECK(c.initial_cluster_state == "existing");
    CHECK(c.initial_cluster_token == "tok");
    CHECK(c.enable_v2);
    CHECK_FALSE(c.strict_reconfig_check);
    CHECK(c.proxy == "readonly");
    CHECK(c.discovery_fallback == "exit");
    CHECK(c.log_outputs == std::vector<std::string>{"stderr"});
    CHECK(HasNotice(c, "Loading server configuration from \"/etc/kvraft.yml\". Other configuration "
                       "command line flags and environment variables will be ignored if provided."));
  }

  TEST_CASE("ETCD_CONFIG_FILE names the file when the flag is absent") {
    config::Config c = Ok({}, {{"ETCD_CONFIG_FILE", "/f.yml"}}, File("name: fromfile\n"));
    CHECK(c.name == "fromfile");
    CHECK(c.initial_cluster == "fromfile=http://localhost:2380");
    CHECK(Err({}, {{"ETCD_CONFIG_FILE", "/nonexist"}}) == "open /nonexist: no such file or directory");
    CHECK(Err({"--config-file", "/nonexist"}) == "open /nonexist: no such file or directory");
  }

  TEST_CASE("YAML errors") {
    auto yaml_err = [](const std::string& text) { return Err({"--config-file", "/f"}, {}, File(text)); };
    CHECK(yaml_err("name: [a\n").find("error converting YAML to JSON: yaml: line ") == 0);
    CHECK(yaml_err("election-timeout: abc\n") ==
          "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct "
          "field configYAML.election-timeout of type uint");
    CHECK(yaml_err("election-timeout: \"1000\"\n").find("cannot unmarshal string into") != std::string::npos);
    CHECK(yaml_err("snapshot-count: -1\n") ==
          "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number -1 into Go struct "
          "field configYAML.snapshot-count of type uint64");
    CHECK(yaml_err("enable-v2: maybe\n") ==
          "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct "
          "field configYAML.enable-v2 of type bool");
    CHECK(yaml_err("election-timeout: 1\n") ==
          "--election-timeout[1ms] should be at least as 5 times as --heartbeat-interval[100ms]");
    CHECK(yaml_err("listen-client-urls: ftp://x:1\n") ==
          "unexpected error setting up listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://x:1");
    CHECK(yaml_err("initial-cluster-state: foo\n") == "unexpected clusterState \"foo\"");
    CHECK(yaml_err("proxy: foo\n") == "unexpected error setting up proxyFlag: invalid value");
    CHECK(yaml_err("- a\n- b\n").find("cannot unmarshal array into Go value") != std::string::npos);
    // YAML 1.1 typing, as etcd's YAML reader does it.
    CHECK(Ok({"--config-file", "/f"}, {}, File("enable-v2: yes\nname: 0x10\n")).enable_v2);
    CHECK(Ok({"--config-file", "/f"}, {}, File("name: 0x10\n")).name == "16");
    CHECK(Ok({"--config-file", "/f"}, {}, File("")).name == "default");
  }

  TEST_CASE("ReadFileFromDisk reports a missing file like etcd") {
    CHECK(config::ReadFileFromDisk("/nonexistent/kvraft.yml").status().message() ==
          "open /nonexistent/kvraft.yml: no such file or directory");
  }

  TEST_CASE("YAML discovery clears the default initial cluster") {
    config::Config c = Ok({"--config-file", "/f"}, {}, File("discovery: http://d:1/t\n"));
    CHECK(c.initial_cluster.empty());
  }
}
