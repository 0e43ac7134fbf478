#include "cli/session.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "common/dns_srv.h"
#include "common/go_quote.h"
#include "common/http_client.h"

namespace cli {

static constexpr char kDefaultEndpoints[] = "http://127.0.0.1:2379,http://127.0.0.1:4001";

void Out(const std::string& text) {
  fwrite(text.data(), 1, text.size(), stdout);
  fflush(stdout);
}

void Err(const std::string& text) {
  fwrite(text.data(), 1, text.size(), stderr);
  fflush(stderr);
}

int HandleError(int code, const CtlError& error) {
  Err("Error:  " + error.Text() + "\n");
  if (error.cluster) Err(error.Detail() + "\n");
  return code;
}

static std::string Env(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? "" : v;
}

static std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// With -D, the members come from the domain's _etcd-client(-ssl) SRV records,
// http:// ones only with --insecure-discovery; when none is left, the endpoint
// flags count (as etcdctl).
std::vector<std::string> EndpointsFor(const GlobalOptions& global, std::string* error) {
  const std::string domain = global.discovery_srv.empty() ? Env("ETCDCTL_DISCOVERY_SRV") : global.discovery_srv;
  if (!domain.empty()) {
    auto urls = common::SrvClientUrls(domain, "", common::DnsOptions::FromEnvironment());
    if (!urls.ok()) {
      *error = urls.status().message();
      return {};
    }
    const bool insecure = global.insecure_discovery || !Env("ETCDCTL_INSECURE_DISCOVERY").empty();
    std::vector<std::string> kept;
    for (const std::string& u : *urls) {
      if (insecure || u.rfind("http://", 0) != 0) {
        kept.push_back(u);
      } else {
        Err("ignoring discovered insecure endpoint " + common::GoQuote(u) + "\n");
      }
    }
    if (!kept.empty()) return kept;
  }
  for (const std::string& v : {global.endpoints, Env("ETCDCTL_ENDPOINTS"), global.endpoint, Env("ETCDCTL_ENDPOINT"),
                               global.peers, Env("ETCDCTL_PEERS")}) {
    if (!v.empty()) return NormalizeEndpoints(v);
  }
  return NormalizeEndpoints(kDefaultEndpoints);
}

std::string AskPassword(const std::string& prompt) {
  Out(prompt);
  termios old_mode{};
  bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (tty) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
  Out("\n");
  return password;
}

std::string AuthorizationFor(const GlobalOptions& global) {
  std::string user = global.username.empty() ? Env("ETCDCTL_USERNAME") : global.username;
  if (user.empty()) return "";
  size_t colon = user.find(':');
  std::string password = colon == std::string::npos ? AskPassword("Password: ") : user.substr(colon + 1);
  return BasicAuthorization(user.substr(0, colon), password);
}

static ClientOptions OptionsFor(const GlobalOptions& global) {
  ClientOptions o;
  o.request_timeout = global.timeout;
  o.total_timeout = global.total_timeout;
  o.ca_file = global.ca_file.empty() ? Env("ETCDCTL_CA_FILE") : global.ca_file;
  o.cert_file = global.cert_file.empty() ? Env("ETCDCTL_CERT_FILE") : global.cert_file;
  o.key_file = global.key_file.empty() ? Env("ETCDCTL_KEY_FILE") : global.key_file;
  o.debug = global.debug;
  o.authorization = AuthorizationFor(global);
  return o;
}

std::unique_ptr<Client> NewClient(const GlobalOptions& global, bool sync, int* exit_code) {
  std::string error;
  std::vector<std::string> endpoints = EndpointsFor(global, &error);
  if (!error.empty()) {
    Err(error + "\n");
    *exit_code = kExitBadArgs;
    return nullptr;
  }
  auto client = std::make_unique<Client>(endpoints, OptionsFor(global));
  if (sync && !global.no_sync) {
    if (global.debug) Err("start to sync cluster using endpoints(" + Join(client->endpoints(), ",") + ")\n");
    CtlResult<bool> r = client->Sync();
    if (!r.ok() && r.error.message == "client: no endpoints available") {
      Err("etcd cluster has no published client endpoints.\n");
      Err("Try '--no-sync' if you want to access non-published client endpoints(" + Join(client->endpoints(), ",") +
          ").\n");
      *exit_code = HandleError(kExitServerError, r.error);
      return nullptr;
    }
    if (!r.ok() && r.error.connection) {
      *exit_code = HandleError(kExitBadConnection, r.error);
      return nullptr;
    }
    if (global.debug) Err("got endpoints(" + Join(client->endpoints(), ",") + ") after sync\n");
  }
  if (global.debug) Err("Cluster-Endpoints: " + Join(client->endpoints(), ", ") + "\n");
  client->StartDeadline();
  return client;
}

std::string CanonicalPath(const std::string& in) {
  std::string p = in.empty() || in[0] != '/' ? "/" + in : in;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < p.size()) {
    size_t slash = p.find('/', i);
    if (slash == std::string::npos) slash = p.size();
    std::string part = p.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out = "/" + Join(parts, "/");
  if (p.back() == '/' && out != "/") out += "/";
  return out;
}

// Go's URL path escaping: unreserved characters and $&+,/:;=@ stay.
static std::string EscapePath(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (isalnum(c) || (c != 0 && strchr("-_.~$&+,/:;=@", c) != nullptr)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string EncodeForm(QueryParams params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + common::QueryEscape(k) + "=" + common::QueryEscape(v);
  return out;
}

std::string AuthTarget(const std::string& action, const std::string& name) {
  std::string path = CanonicalPath("/v2/auth/" + action + (name.empty() ? "" : "/" + name));
  if (path.size() > 1 && path.back() == '/') path.pop_back();  // path.Join drops it
  return EscapePath(path);
}

std::string KeysTarget(const std::string& key, QueryParams params) {
  std::string path = "/v2/keys" + std::string(!key.empty() && key[0] != '/' ? "/" : "") + key;
  std::string target = EscapePath(CanonicalPath(path));
  std::string query = EncodeForm(std::move(params));
  return query.empty() ? target : target + "?" + query;
}

}  // namespace cli
