// --help and --version texts. Laid out like etcd's so habits carry over;
// defaults shown are kvraft's (equal to etcd 3.4's except the data dir suffix).
#include <string>

#include "common/version.h"
#include "server/config/config.h"

namespace config {

std::string UsageLine() {
  return "Usage:\n\n"
         "  kvraft [flags]\n"
         "    Start a kvraft member (an etcd v2 API compatible server).\n\n"
         "  kvraft --version\n"
         "    Show the version.\n\n"
         "  kvraft -h | --help\n"
         "    Show this help.\n\n"
         "  kvraft --config-file <path>\n"
         "    Read the configuration from a YAML file; all other flags and ETCD_* environment\n"
         "    variables are then ignored.\n";
}

std::string HelpText() {
  return UsageLine() +
         "\nMember:\n"
         "  --name 'default'\n    Name of this member, unique in the cluster.\n"
         "  --data-dir '${name}.kvraft'\n    Directory for the log, snapshots and state.\n"
         "  --wal-dir ''\n    Accepted; no effect (the log is in --data-dir).\n"
         "  --snapshot-count '100000'\n    Applied entries between two snapshots.\n"
         "  --experimental-snapshot-catchup-entries '5000'\n"
         "    Log entries kept after a snapshot so slow followers catch up without one.\n"
         "  --heartbeat-interval '100'\n    Heartbeat interval in milliseconds (one raft tick).\n"
         "  --election-timeout '1000'\n    Election timeout in milliseconds; at least 5 heartbeats, at most 50000.\n"
         "  --initial-election-tick-advance 'true'\n    Accepted; no effect.\n"
         "  --listen-peer-urls 'http://localhost:2380'\n    Comma-separated URLs to accept peer traffic on (IP or localhost).\n"
         "  --listen-client-urls 'http://localhost:2379'\n    Comma-separated URLs to accept client traffic on (IP or localhost).\n"
         "  --max-snapshots '5'\n    Accepted; no effect (one snapshot, in SQLite).\n"
         "  --max-wals '5'\n    Accepted; no effect (the log is in SQLite).\n"
         "  --quota-backend-bytes '0'\n    Accepted for etcd compatibility (v3 backend only).\n"
         "  --max-request-bytes '1572864'\n    Largest v2 request bodies accepted (larger: 400, errorCode 210).\n"
         "  --max-client-connections '16000'\n"
         "    Client connections open at once (more: 503 and closed); 0 for no cap. Lowered when the\n"
         "    open-files limit leaves too little room for peer (or member) connections and files.\n"
         "\nClustering:\n"
         "  --initial-advertise-peer-urls 'http://localhost:2380'\n    This member's peer URLs, as the other members should reach them.\n"
         "  --initial-cluster 'default=http://localhost:2380'\n    Members at bootstrap: name=peerURL[,name=peerURL...].\n"
         "  --initial-cluster-state 'new'\n    'new' to bootstrap a cluster, 'existing' to join a running one.\n"
         "  --initial-cluster-token 'etcd-cluster'\n    Token mixed into member and cluster IDs at bootstrap.\n"
         "  --advertise-client-urls 'http://localhost:2379'\n    This member's client URLs, as clients should reach them.\n"
         "  --discovery ''\n    Discovery URL to bootstrap the cluster with.\n"
         "  --discovery-fallback 'proxy'\n    What to do when the discovery cluster is full: 'proxy' or 'exit'.\n"
         "  --discovery-proxy ''\n    HTTP proxy for discovery requests.\n"
         "  --discovery-srv ''\n    DNS domain whose SRV records list the initial cluster.\n"
         "  --discovery-srv-name ''\n    Suffix of the SRV service name queried.\n"
         "  --strict-reconfig-check 'true'\n    Refuse member changes that could lose the quorum.\n"
         "  --pre-vote 'true'\n    Run raft's pre-vote phase before elections (etcd 3.4 defaults to false).\n"
         "  --enable-v2 'false'\n    Accepted for etcd compatibility; the v2 API is always served.\n"
         "  --enable-snapshot-endpoint 'true'\n    Serve online backups (GET /kvraft/snapshot, `kvraftctl snapshot save`).\n"
         "\nSecurity (kvraft serves plain HTTP only):\n"
         "  --cert-file ''\n    Client TLS certificate (refused: no TLS yet).\n"
         "  --key-file ''\n    Client TLS key (refused: no TLS yet).\n"
         "  --client-cert-auth 'false'\n    Require client certificates (refused: no TLS yet).\n"
         "  --client-crl-file ''\n    Client certificate revocation list (refused: no TLS yet).\n"
         "  --client-cert-allowed-hostname ''\n    Hostname client certificates must carry (refused: no TLS yet).\n"
         "  --trusted-ca-file ''\n    CA for client certificates (refused: no TLS yet).\n"
         "  --auto-tls 'false'\n    Client TLS with generated certificates (refused: no TLS yet).\n"
         "  --peer-cert-file ''\n    Peer TLS certificate (refused: no TLS yet).\n"
         "  --peer-key-file ''\n    Peer TLS key (refused: no TLS yet).\n"
         "  --peer-client-cert-auth 'false'\n    Require peer certificates (refused: no TLS yet).\n"
         "  --peer-trusted-ca-file ''\n    CA for peer certificates (refused: no TLS yet).\n"
         "  --peer-cert-allowed-cn ''\n    Common name peer certificates must carry (refused: no TLS yet).\n"
         "  --peer-cert-allowed-hostname ''\n    Hostname peer certificates must carry (refused: no TLS yet).\n"
         "  --peer-auto-tls 'false'\n    Peer TLS with generated certificates (refused: no TLS yet).\n"
         "  --peer-crl-file ''\n    Peer certificate revocation list (refused: no TLS yet).\n"
         "  --cipher-suites ''\n    TLS cipher suites (refused: no TLS yet).\n"
         "  --cors '*'\n    Accepted; no effect (responses always allow any origin).\n"
         "  --host-whitelist '*'\n    Accepted; no effect (any Host header is accepted).\n"
         "\nProfiling:\n"
         "  --enable-pprof 'false'\n    Accepted for etcd compatibility.\n"
         "  --listen-metrics-urls ''\n    Checked like the other URLs; no effect (nothing listens there).\n"
         "\nLogging:\n"
         "  --logger 'capnslog'\n    'capnslog' or 'zap' (same output in kvraft).\n"
         "  --log-outputs 'default'\n    Accepted; no effect (the log goes to stderr).\n"
         "  --log-level 'info'\n    debug, info, warn or error.\n"
         "  --debug 'false'\n    Same as --log-level=debug.\n"
         "\nv2 Proxy:\n"
         "  --proxy 'off'\n    'off', 'readonly' or 'on'.\n"
         "  --proxy-failure-wait 5000\n    Milliseconds a failed endpoint is skipped.\n"
         "  --proxy-refresh-interval 30000\n    Milliseconds between endpoint refreshes.\n"
         "  --proxy-dial-timeout 1000\n    Dial timeout in milliseconds (0: none).\n"
         "  --proxy-write-timeout 5000\n    Write timeout in milliseconds (0: none).\n"
         "  --proxy-read-timeout 0\n    Read timeout in milliseconds (0: none).\n"
         "  --proxy-max-watches 1024\n    Watches (wait=true) forwarded at once, a thread each (more: 503).\n"
         "\nUnsafe:\n"
         "  --force-new-cluster 'false'\n    Force to create a new one-member cluster.\n"
         "\nOther etcd 3.4 flags (v3, gRPC, auth tokens, compaction, experimental-*) are accepted\n"
         "and have no effect. Every flag may also be set as ETCD_<FLAG_NAME> in the environment.\n";
}

std::string VersionText() {
  return std::string("kvraft Version: ") + common::kKvraftVersion + "\n" +
         "etcd API Version: " + common::kServerVersion + "\n";
}

}  // namespace config
