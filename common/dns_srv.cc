// SRV and address lookups with c-ares, driven by poll on the calling thread.
#include "common/dns_srv.h"

#include <arpa/inet.h>
#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace common {
namespace {

// One c-ares channel for one lookup: set up, run to completion, destroyed.
class Channel {
 public:
  static Result<std::unique_ptr<Channel>> Open(const DnsOptions& options) {
    static std::once_flag init_once;
    static int init_status = ARES_SUCCESS;
    std::call_once(init_once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
    if (init_status != ARES_SUCCESS) {
      return Status::Internal(std::string("c-ares: ") + ares_strerror(init_status));
    }
    ares_options opts{};
    opts.timeout = static_cast<int>(options.timeout.count());
    opts.tries = options.tries;
    char lookups[] = "fb";  // /etc/hosts, then DNS
    opts.lookups = lookups;
    std::unique_ptr<Channel> ch(new Channel(options));
    int rc = ares_init_options(&ch->channel_, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (rc != ARES_SUCCESS) {
      ch->channel_ = nullptr;
      return Status::Internal(std::string("c-ares: ") + ares_strerror(rc));
    }
    if (!options.servers.empty()) {
      rc = ares_set_servers_ports_csv(ch->channel_, options.servers.c_str());
      if (rc != ARES_SUCCESS) {
        return Status::InvalidArgument("bad DNS server list \"" + options.servers +
                                       "\" (want ip:port,...): " + ares_strerror(rc));
      }
    }
    return ch;
  }

  ~Channel() {
    if (channel_ != nullptr) ares_destroy(channel_);  // runs pending callbacks with ARES_EDESTRUCTION
  }

  ares_channel get() { return channel_; }

  // Processes events until no query is pending. Bounded: c-ares times every
  // query out by itself; the deadline only guards against a stuck loop.
  void Run() {
    const auto budget = options_.timeout * (options_.tries + 1) * 4 + std::chrono::seconds(1);
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (std::chrono::steady_clock::now() < deadline) {
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int mask = ares_getsock(channel_, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM];
      int n = 0;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = (ARES_GETSOCK_READABLE(mask, i) ? POLLIN : 0) |
                       (ARES_GETSOCK_WRITABLE(mask, i) ? POLLOUT : 0);
        if (events != 0) fds[n++] = pollfd{socks[i], events, 0};
      }
      timeval max_wait{1, 0};
      timeval wait{};
      timeval* next = ares_timeout(channel_, &max_wait, &wait);
      if (n == 0 && next == &max_wait) return;  // nothing pending
      int ms = static_cast<int>(next->tv_sec * 1000 + next->tv_usec / 1000);
      if (poll(fds, n, ms) <= 0) {
        ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
        continue;
      }
      for (int i = 0; i < n; ++i) {
        ares_process_fd(channel_, (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                        (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
      }
    }
  }

 private:
  explicit Channel(const DnsOptions& options) : options_(options) {}

  DnsOptions options_;
  ares_channel channel_ = nullptr;
};

std::string LookupError(const std::string& name, int status) {
  return "lookup " + name + ": " + ares_strerror(status);
}

struct SrvQuery {
  std::string name;
  bool done = false;
  Status status = Status::Unavailable("no answer");
  std::vector<SrvRecord> records;
};

Status LookupFailure(const std::string& name, int status) {
  return status == ARES_ENOTFOUND || status == ARES_ENODATA ? Status::NotFound(LookupError(name, status))
                                                            : Status::Unavailable(LookupError(name, status));
}

void OnSrvAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* q = static_cast<SrvQuery*>(arg);
  q->done = true;
  if (status != ARES_SUCCESS) {
    q->status = LookupFailure(q->name, status);
    return;
  }
  Result<std::vector<SrvRecord>> records = ParseSrvAnswer(q->name, abuf, alen);
  q->status = records.status();
  if (records.ok()) q->records = std::move(records).value();
}

struct AddrQuery {
  std::string host;
  bool done = false;
  Status status = Status::Unavailable("no answer");
  std::vector<std::string> addrs;
};

void OnAddrAnswer(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* q = static_cast<AddrQuery*>(arg);
  q->done = true;
  if (status != ARES_SUCCESS) {
    q->status = LookupFailure(q->host, status);
    return;
  }
  for (ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
    char text[INET6_ADDRSTRLEN] = {0};
    const void* raw = n->ai_family == AF_INET6
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(n->ai_addr)->sin6_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(n->ai_addr)->sin_addr);
    if (inet_ntop(n->ai_family, raw, text, sizeof(text)) != nullptr) q->addrs.push_back(text);
  }
  ares_freeaddrinfo(result);
  q->status = q->addrs.empty() ? Status::NotFound("lookup " + q->host + ": no addresses") : Status::OK();
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

SrvLookups RealLookups(const DnsOptions& options) {
  return SrvLookups{[options](const std::string& name) { return LookupSrv(name, options); },
                    [options](const std::string& host) { return ResolveHost(host, options); }};
}

}  // namespace

DnsOptions DnsOptions::FromEnvironment() {
  DnsOptions options;
  if (const char* servers = std::getenv("KVRAFT_DNS_SERVERS")) options.servers = servers;
  return options;
}

Result<std::vector<SrvRecord>> ParseSrvAnswer(const std::string& name, const unsigned char* answer, int length) {
  ares_srv_reply* reply = nullptr;
  int status = ares_parse_srv_reply(answer, length, &reply);
  if (status != ARES_SUCCESS) return LookupFailure(name, status);
  std::vector<SrvRecord> records;
  for (ares_srv_reply* r = reply; r != nullptr; r = r->next) {
    std::string target = r->host;
    if (!target.empty() && target.back() == '.') target.pop_back();
    records.push_back(SrvRecord{target, r->port, r->priority, r->weight});
  }
  ares_free_data(reply);
  return records;
}

Result<std::vector<SrvRecord>> LookupSrv(const std::string& name, const DnsOptions& options) {
  Result<std::unique_ptr<Channel>> ch = Channel::Open(options);
  if (!ch.ok()) return ch.status();
  SrvQuery q;
  q.name = name;
  ares_query((*ch)->get(), name.c_str(), 1 /* C_IN */, 33 /* T_SRV */, OnSrvAnswer, &q);
  (*ch)->Run();
  if (!q.done) return Status::Timeout("lookup " + name + ": timed out");  // ~Channel ends it
  if (!q.status.ok()) return q.status;
  SortSrvRecords(&q.records);
  return q.records;
}

Result<std::vector<std::string>> ResolveHost(const std::string& host, const DnsOptions& options) {
  if (IsIpLiteral(host)) return std::vector<std::string>{host};
  Result<std::unique_ptr<Channel>> ch = Channel::Open(options);
  if (!ch.ok()) return ch.status();
  AddrQuery q;
  q.host = host;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  ares_getaddrinfo((*ch)->get(), host.c_str(), nullptr, &hints, OnAddrAnswer, &q);
  (*ch)->Run();
  if (!q.done) return Status::Timeout("lookup " + host + ": timed out");  // ~Channel ends it
  if (!q.status.ok()) return q.status;
  return q.addrs;
}

Result<std::string> SrvInitialCluster(const std::string& domain, const std::string& service_name,
                                      const std::string& name, const std::string& advertise_peer_urls,
                                      bool member_mode, const DnsOptions& options) {
  return BuildSrvInitialCluster(RealLookups(options), domain, service_name, name, advertise_peer_urls,
                                member_mode);
}

Result<std::vector<std::string>> SrvClientUrls(const std::string& domain, const std::string& service_name,
                                               const DnsOptions& options) {
  return BuildSrvClientUrls(RealLookups(options), domain, service_name);
}

}  // namespace common
