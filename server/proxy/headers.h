// The header rules of etcd's v2 proxy (proxy/httpproxy/reverse.go, spec
// clustering.md §5): what a forwarded request carries upstream and what of
// the member's answer reaches the client. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "server/http/http.h"

namespace proxy {

// Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Te,
// Trailers, Transfer-Encoding, Upgrade (case-insensitive): etcd's list.
bool IsHopByHop(std::string_view name);

// The client's IP of "ip:port" or "[ip]:port" (Go's net.SplitHostPort), ""
// when the address has no port.
std::string ClientIp(const std::string& remote_addr);

// The headers sent to a member: the client's minus hop-by-hop ones, with the
// client's IP appended to X-Forwarded-For (earlier values folded into one,
// ", "-joined). Content-Length and Expect are left out too: the outgoing
// client frames the body itself and sends it at once.
http::Headers UpstreamHeaders(const http::Request& req);

// The member's answer headers relayed to the client: all but hop-by-hop ones.
http::Headers RelayedHeaders(const http::Headers& upstream);

}  // namespace proxy
