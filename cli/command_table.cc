// The commands and flags of kvraftctl, with etcdctl v2's names and help texts.
#include "cli/backup_commands.h"
#include "cli/auth_commands.h"
#include "cli/command.h"
#include "cli/keys_commands.h"
#include "cli/member_commands.h"

namespace cli {

namespace {

FlagSpec Bool(std::vector<std::string> names, std::string left, std::string usage) {
  return {std::move(names), FlagKind::kBool, "", std::move(left), std::move(usage)};
}

FlagSpec Value(std::vector<std::string> names, FlagKind kind, std::string def, std::string left, std::string usage) {
  return {std::move(names), kind, std::move(def), std::move(left), std::move(usage)};
}

FlagSpec Ttl() {
  return Value({"ttl"}, FlagKind::kInt, "0", "--ttl value", "key time-to-live in seconds (default: 0)");
}

FlagSpec Recursive(const char* usage) { return Bool({"recursive", "r"}, "--recursive, -r", usage); }

FlagSpec AfterIndex() {
  return Value({"after-index"}, FlagKind::kInt, "0", "--after-index value", "watch after the given index (default: 0)");
}

constexpr char kSetDescription[] =
    "Set sets the value of a key.\n\n"
    "   When <value> begins with '-', <value> is interpreted as a flag.\n"
    "   Insert '--' for workaround:\n\n"
    "   $ set -- <key> <value>";

std::vector<FlagSpec> RoleGrantFlags(const char* path_usage, const char* verb) {
  const std::string v = verb;
  return {Value({"path"}, FlagKind::kString, "", "--path value", path_usage),
          Bool({"read"}, "--read", v + (v == "Grant" ? " read-only access" : " read access")),
          Bool({"write"}, "--write", v + (v == "Grant" ? " write-only access" : " write access")),
          Bool({"readwrite", "rw"}, "--readwrite, --rw", v + " read-write access")};
}

// etcdctl's user, role and auth groups, with its (sometimes odd) usage texts.
std::vector<Command> AuthCommands() {
  std::vector<FlagSpec> roles = {
      Value({"roles"}, FlagKind::kStringSlice, "", "--roles value", "List of roles to grant or revoke")};
  Command user{"user", "user add, grant and revoke subcommands", "", "", {}, nullptr, {}};
  user.subcommands = {
      {"add", "add a new user for the etcd cluster", "<user>", "", {}, UserAddAction, {}},
      {"get", "get details for a user", "<user>", "", {}, UserGetAction, {}},
      {"list", "list all current users", "<user>", "", {}, UserListAction, {}},
      {"remove", "remove a user for the etcd cluster", "<user>", "", {}, UserRemoveAction, {}},
      {"grant", "grant roles to an etcd user", "<user>", "", roles, UserGrantAction, {}},
      {"revoke", "revoke roles for an etcd user", "<user>", "", roles, UserRevokeAction, {}},
      {"passwd", "change password for a user", "<user>", "", {}, UserPasswdAction, {}},
  };
  Command role{"role", "role add, grant and revoke subcommands", "", "", {}, nullptr, {}};
  role.subcommands = {
      {"add", "add a new role for the etcd cluster", "<role> ", "", {}, RoleAddAction, {}},
      {"get", "get details for a role", "<role>", "", {}, RoleGetAction, {}},
      {"list", "list all roles", " ", "", {}, RoleListAction, {}},
      {"remove", "remove a role from the etcd cluster", "<role>", "", {}, RoleRemoveAction, {}},
      {"grant", "grant path matches to an etcd role", "<role>", "",
       RoleGrantFlags("Path granted for the role to access", "Grant"), RoleGrantAction, {}},
      {"revoke", "revoke path matches for an etcd role", "<role>", "",
       RoleGrantFlags("Path revoked for the role to access", "Revoke"), RoleRevokeAction, {}},
  };
  Command auth{"auth", "overall auth controls", "", "", {}, nullptr, {}};
  auth.subcommands = {
      {"enable", "enable auth access controls", " ", "", {}, AuthEnableAction, {}},
      {"disable", "disable auth access controls", " ", "", {}, AuthDisableAction, {}},
  };
  return {user, role, auth};
}

std::vector<Command> BuildCommands() {
  std::vector<FlagSpec> set_flags = {
      Ttl(), Value({"swap-with-value"}, FlagKind::kString, "", "--swap-with-value value", "previous value"),
      Value({"swap-with-index"}, FlagKind::kInt, "0", "--swap-with-index value", "previous index (default: 0)")};
  Command member{"member", "member add, remove and list subcommands", "", "", {}, nullptr, {}};
  member.subcommands = {
      {"list", "enumerate existing cluster members", " ", "",
       {Value({"write-out", "w"}, FlagKind::kString, "simple", "--write-out value, -w value",
              "member list format: simple or table (default: \"simple\")")},
       MemberListAction, {}},
      {"add", "add a new member to the etcd cluster", "<name> <peerURL>", "", {}, MemberAddAction, {}},
      {"remove", "remove an existing member from the etcd cluster", "<memberID>", "", {}, MemberRemoveAction, {}},
      {"update", "update an existing member in the etcd cluster", "<memberID> <peerURLs>", "", {},
       MemberUpdateAction, {}},
  };
  Command snapshot{"snapshot", "online backup: save a running member's data, restore it as a new cluster", "", "", {},
                   nullptr, {}};
  snapshot.subcommands = {
      {"save", "stream a consistent snapshot from the first endpoint that answers into <file>", "<file>", "", {},
       SnapshotSaveAction, {}},
      {"restore", "make a new member's data dir from a snapshot file (runs kvraft)", "<file>", "",
       {Value({"data-dir"}, FlagKind::kString, "", "--data-dir value",
              "Path to the data directory (default: \"<name>.kvraft\")"),
        Value({"name"}, FlagKind::kString, "", "--name value", "Human-readable name for this member (default: \"default\")"),
        Value({"initial-cluster"}, FlagKind::kString, "", "--initial-cluster value",
              "Initial cluster configuration for restore bootstrap"),
        Value({"initial-cluster-token"}, FlagKind::kString, "", "--initial-cluster-token value",
              "Initial cluster token for the etcd cluster during restore bootstrap"),
        Value({"initial-advertise-peer-urls"}, FlagKind::kString, "", "--initial-advertise-peer-urls value",
              "List of this member's peer URLs to advertise to the rest of the cluster")},
       SnapshotRestoreAction, {}},
      {"status", "print what a snapshot file holds, once its checksum holds", "<file>", "", {}, SnapshotStatusAction,
       {}},
  };
  std::vector<Command> commands = {
      {"backup", "backup an etcd directory", " ", "",
       {Value({"data-dir"}, FlagKind::kString, "", "--data-dir value", "Path to the etcd data dir"),
        Value({"wal-dir"}, FlagKind::kString, "", "--wal-dir value", "Path to the etcd wal dir"),
        Value({"backup-dir"}, FlagKind::kString, "", "--backup-dir value", "Path to the backup dir"),
        Value({"backup-wal-dir"}, FlagKind::kString, "", "--backup-wal-dir value", "Path to the backup wal dir"),
        Bool({"with-v3"}, "--with-v3", "Backup v3 backend data")},
       BackupAction, {}},
      snapshot,
      {"cluster-health", "check the health of the etcd cluster", " ", "",
       {Bool({"forever", "f"}, "--forever, -f", "forever check the health every 10 second until CTRL+C")},
       ClusterHealthAction, {}},
      {"mk", "make a new key with a given value", "<key> <value>", "",
       {Bool({"in-order"}, "--in-order", "create in-order key under directory <key>"), Ttl()}, MkAction, {}},
      {"mkdir", "make a new directory", "<key>", "", {Ttl()}, MkdirAction, {}},
      {"rm", "remove a key or a directory", "<key>", "",
       {Bool({"dir"}, "--dir", "removes the key if it is an empty directory or a key-value pair"),
        Recursive("removes the key and all child keys(if it is a directory)"),
        Value({"with-value"}, FlagKind::kString, "", "--with-value value", "previous value"),
        Value({"with-index"}, FlagKind::kInt, "0", "--with-index value", "previous index (default: 0)")},
       RmAction, {}},
      {"rmdir", "removes the key if it is an empty directory or a key-value pair", "<key>", "", {}, RmdirAction, {}},
      {"get", "retrieve the value of a key", "<key>", "",
       {Bool({"sort"}, "--sort", "returns result in sorted order"),
        Bool({"quorum", "q"}, "--quorum, -q", "require quorum for get request")},
       GetAction, {}},
      {"ls", "retrieve a directory", "[key]", "",
       {Bool({"sort"}, "--sort", "returns result in sorted order"),
        Recursive("returns all key names recursively for the given path"),
        Bool({"p"}, "-p", "append slash (/) to directories"),
        Bool({"quorum", "q"}, "--quorum, -q", "require quorum for get request")},
       LsAction, {}},
      {"set", "set the value of a key", "<key> <value>", kSetDescription, set_flags, SetAction, {}},
      {"put", "set the value of a key and print OK (an alias of set)", "<key> <value>", "", set_flags, PutAction, {}},
      {"setdir", "create a new directory or update an existing directory TTL", "<key>", "", {Ttl()}, SetdirAction, {}},
      {"update", "update an existing key with a given value", "<key> <value>", "", {Ttl()}, UpdateAction, {}},
      {"updatedir", "update an existing directory", "<key> <value>", "", {Ttl()}, UpdatedirAction, {}},
      {"watch", "watch a key for changes", "<key>", "",
       {Bool({"forever", "f"}, "--forever, -f", "forever watch a key until CTRL+C"), AfterIndex(),
        Recursive("returns all values for key and child keys")},
       WatchAction, {}},
      {"exec-watch", "watch a key for changes and exec an executable", "<key> <command> [args...]", "",
       {AfterIndex(), Recursive("watch all values for key and child keys")}, ExecWatchAction, {}},
      member,
  };
  for (Command& c : AuthCommands()) commands.push_back(std::move(c));
  return commands;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = BuildCommands();
  return commands;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec> flags = {
      Bool({"debug"}, "--debug", "output cURL commands which can be used to reproduce the request"),
      Bool({"no-sync"}, "--no-sync", "don't synchronize cluster information before sending request"),
      Value({"output", "o"}, FlagKind::kString, "simple", "--output simple, -o simple",
            "output response in the given format (simple, `extended` or `json`) (default: \"simple\")"),
      Value({"discovery-srv", "D"}, FlagKind::kString, "", "--discovery-srv value, -D value",
            "domain name to query for SRV records describing cluster endpoints"),
      Bool({"insecure-discovery"}, "--insecure-discovery", "accept insecure SRV records describing cluster endpoints"),
      Value({"peers", "C"}, FlagKind::kString, "", "--peers value, -C value",
            "DEPRECATED - \"--endpoints\" should be used instead"),
      Value({"endpoint"}, FlagKind::kString, "", "--endpoint value", "DEPRECATED - \"--endpoints\" should be used instead"),
      Value({"endpoints"}, FlagKind::kString, "", "--endpoints value",
            "a comma-delimited list of machine addresses in the cluster (default: "
            "\"http://127.0.0.1:2379,http://127.0.0.1:4001\")"),
      Value({"cert-file"}, FlagKind::kString, "", "--cert-file value",
            "identify HTTPS client using this SSL certificate file"),
      Value({"key-file"}, FlagKind::kString, "", "--key-file value", "identify HTTPS client using this SSL key file"),
      Value({"ca-file"}, FlagKind::kString, "", "--ca-file value",
            "verify certificates of HTTPS-enabled servers using this CA bundle"),
      Value({"username", "u"}, FlagKind::kString, "", "--username value, -u value",
            "provide username[:password] and prompt if password is not supplied."),
      Value({"timeout"}, FlagKind::kDuration, "2s", "--timeout value", "connection timeout per request (default: 2s)"),
      Value({"total-timeout"}, FlagKind::kDuration, "5s", "--total-timeout value",
            "timeout for the command execution (except watch) (default: 5s)"),
  };
  return flags;
}

}  // namespace cli
