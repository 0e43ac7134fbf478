#include "server/proxy/headers.h"

#include <doctest/doctest.h>

namespace {

std::string Get(const http::Headers& h, const std::string& name) {
  std::string out;
  for (const auto& [k, v] : h) {
    if (k == name) out += (out.empty() ? "" : "|") + v;
  }
  return out;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("hop-by-hop headers are etcd's list, case-insensitive") {
    for (const char* h : {"Connection", "keep-alive", "PROXY-AUTHENTICATE", "Proxy-Authorization", "TE", "Trailers",
                          "transfer-encoding", "Upgrade"}) {
      CHECK(proxy::IsHopByHop(h));
    }
    // Go's ReverseProxy also drops these; etcd's list does not.
    CHECK_FALSE(proxy::IsHopByHop("Proxy-Connection"));
    CHECK_FALSE(proxy::IsHopByHop("Trailer"));
    CHECK_FALSE(proxy::IsHopByHop("Content-Type"));
  }

  TEST_CASE("the client's IP comes from host:port, IPv6 in brackets") {
    CHECK(proxy::ClientIp("127.0.0.1:5555") == "127.0.0.1");
    CHECK(proxy::ClientIp("[::1]:5555") == "::1");
    CHECK(proxy::ClientIp("127.0.0.1") == "");
    CHECK(proxy::ClientIp("") == "");
  }

  TEST_CASE("a forwarded request drops hop-by-hop headers and appends X-Forwarded-For") {
    http::Request req;
    req.remote_addr = "10.0.0.7:40000";
    req.headers = {{"Host", "proxy:2379"},        {"Connection", "keep-alive"},
                   {"Content-Type", "application/x-www-form-urlencoded"},
                   {"Content-Length", "7"},       {"Expect", "100-continue"},
                   {"x-forwarded-for", "1.1.1.1"}, {"Upgrade", "h2c"},
                   {"X-Forwarded-For", "2.2.2.2"}, {"Authorization", "Basic dTpw"}};
    http::Headers out = proxy::UpstreamHeaders(req);
    CHECK(Get(out, "Host") == "proxy:2379");
    CHECK(Get(out, "Authorization") == "Basic dTpw");
    CHECK(Get(out, "Content-Type") == "application/x-www-form-urlencoded");
    CHECK(Get(out, "X-Forwarded-For") == "1.1.1.1, 2.2.2.2, 10.0.0.7");
    for (const auto& [k, v] : out) {
      CHECK(k != "Connection");
      CHECK(k != "Upgrade");
      CHECK(k != "Content-Length");
      CHECK(k != "Expect");
      CHECK(k != "x-forwarded-for");
    }
    req.headers.clear();
    CHECK(Get(proxy::UpstreamHeaders(req), "X-Forwarded-For") == "10.0.0.7");
  }

  TEST_CASE("a relayed answer keeps all but hop-by-hop headers, in order") {
    http::Headers upstream = {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"},
                              {"X-Etcd-Index", "4"},                {"Connection", "close"},
                              {"Keep-Alive", "timeout=5"},          {"X-Etcd-Index", "5"}};
    http::Headers want = {{"Content-Type", "application/json"}, {"X-Etcd-Index", "4"}, {"X-Etcd-Index", "5"}};
    CHECK(proxy::RelayedHeaders(upstream) == want);
  }
}
