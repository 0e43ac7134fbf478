// The bytes of HTTP/1.x responses, laid out as Go's net/http writes them (what
// etcd's clients see): status line with Go's reason texts, handler headers in
// canonical form sorted by name, then Date, Content-Length, Connection and
// Transfer-Encoding. Private to server/http; no I/O, no Beast.
//
// Threads: pure functions, except that HttpDate caches per thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/http/http.h"

namespace http::wire {

// What the server knows about the request a response answers.
struct Framing {
  bool http10 = false;      // request was HTTP/1.0: answer in 1.0, no chunking
  bool head = false;        // HEAD: headers only
  bool keep_alive = true;   // connection stays open after this response
};

// Go's "Mon, 02 Jan 2006 15:04:05 GMT" for the current second.
const std::string& HttpDate();

// "Content-type" -> "Content-Type", as Go's CanonicalMIMEHeaderKey (names
// holding a space or other non-token byte are left as they are).
std::string CanonicalKey(std::string_view key);

// No body (and no Content-Length) for 1xx, 204 and 304.
bool BodyAllowed(int status);

// Whether a whole answer's body goes out after its head: not for HEAD, nor
// for statuses without a body.
bool SendsBody(int status, const Framing& framing);

// The whole answer to a request (head plus body, unless HEAD).
std::string FormatReply(const Response& response, const Framing& framing);
// Its head alone (stating the body's length), for a body sent on its own.
std::string FormatReplyHead(const Response& response, const Framing& framing);

// The head of a streamed answer; its body follows as chunks when `*chunked`
// is set (HTTP/1.1), raw until the connection closes otherwise.
std::string FormatStreamHead(int status, const Headers& headers, const Framing& framing,
                             bool* chunked);

// One chunk of a chunked body ("" for an empty chunk: it would end the body).
std::string FormatChunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// The fixed answers Go writes itself to bad requests (then it closes), and
// kvraft's own in the same form.
std::string FormatError(std::string_view public_error);
inline constexpr std::string_view kBadRequest = "400 Bad Request";
inline constexpr std::string_view kMissingHost = "400 Bad Request: missing required Host header";
inline constexpr std::string_view kTooManyHosts = "400 Bad Request: too many Host headers";
inline constexpr std::string_view kHeaderTooLarge = "431 Request Header Fields Too Large";
inline constexpr std::string_view kUriTooLong = "414 Request URI Too Long";
inline constexpr std::string_view kTooManyConnections =
    "503 Service Unavailable: too many open connections";
inline constexpr std::string_view kTooManyBodies =
    "503 Service Unavailable: too many request bodies arriving";
inline constexpr std::string_view kUnsupportedTransferEncoding = "501 Unsupported transfer encoding";

inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace http::wire
