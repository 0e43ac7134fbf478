// Go-compatible response bytes; see wire.h.
#include "server/http/wire.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <vector>

namespace http::wire {
namespace {

// Go's net/http StatusText for the codes it knows.
std::string_view StatusText(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return "";
  }
}

// What a byte is in a header name, as a table: names are checked on every
// answer.
enum ByteClass : std::uint8_t { kToken = 1, kLower = 2, kUpper = 4 };

constexpr std::array<std::uint8_t, 256> MakeByteClasses() {
  std::array<std::uint8_t, 256> table{};
  constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  for (int c = 0x21; c < 0x7f; ++c) {
    if (kSeparators.find(static_cast<char>(c)) != std::string_view::npos) continue;
    table[c] = kToken;
    if (c >= 'a' && c <= 'z') table[c] |= kLower;
    if (c >= 'A' && c <= 'Z') table[c] |= kUpper;
  }
  return table;
}
constexpr std::array<std::uint8_t, 256> kByteClasses = MakeByteClasses();

std::uint8_t ClassOf(char c) { return kByteClasses[static_cast<unsigned char>(c)]; }
bool IsTokenByte(char c) { return ClassOf(c) & kToken; }

// Whether CanonicalKey(key) would return `key` unchanged.
bool IsCanonical(std::string_view key) {
  std::uint8_t wrong_case = kLower;  // at the start of a word
  for (char c : key) {
    const std::uint8_t cls = ClassOf(c);
    if (!(cls & kToken)) return true;  // left as it is
    if (cls & wrong_case) return false;
    wrong_case = c == '-' ? kLower : kUpper;
  }
  return true;
}

void AppendStatusLine(int status, bool http10, std::string* out) {
  out->append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  std::string_view text = StatusText(status);
  if (status >= 0) {
    int code = status % 1000;
    const char digits[] = {static_cast<char>('0' + code / 100),
                           static_cast<char>('0' + code / 10 % 10),
                           static_cast<char>('0' + code % 10), ' '};
    out->append(digits, sizeof(digits));
  } else {
    char code[16];
    std::snprintf(code, sizeof(code), "%03d ", status % 1000);
    out->append(code);
  }
  if (text.empty()) {
    out->append("status code ").append(std::to_string(status));
  } else {
    out->append(text);
  }
  out->append("\r\n");
}

// Header values cannot break the head: Go turns CR and LF into spaces.
// Sized once and filled in place: this runs for every header of every answer.
void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  const std::size_t start = out->size();
  out->resize(start + name.size() + value.size() + 4);
  char* p = std::copy(name.begin(), name.end(), out->data() + start);
  *p++ = ':';
  *p++ = ' ';
  for (char c : value) *p++ = c == '\r' || c == '\n' ? ' ' : c;
  *p++ = '\r';
  *p = '\n';
}

// The handler's headers, canonical and sorted by name (values of one name
// keep their order). Reports which of the server-added names it set itself.
struct HandlerHeaders {
  bool date = false;
  bool content_length = false;
  bool connection = false;
  bool transfer_encoding = false;
};

// This runs for every answer, so it avoids copies: it sorts views of the
// names and values, and builds strings only for names that need
// canonicalising (handlers set canonical names).
HandlerHeaders AppendHandlerHeaders(const Headers& headers, std::string* out) {
  std::vector<std::string> renamed;
  std::vector<std::pair<std::string_view, std::string_view>> sorted;
  sorted.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    if (!IsCanonical(name)) renamed.push_back(CanonicalKey(name));
    sorted.emplace_back(name, value);
  }
  if (!renamed.empty()) {  // views into `renamed` are taken once it stops growing
    auto next = renamed.begin();
    for (auto& entry : sorted) {
      if (!IsCanonical(entry.first)) entry.first = *next++;
    }
  }
  // Insertion sort: stable, and quick for the few headers an answer has.
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    for (std::size_t j = i; j > 0 && sorted[j].first < sorted[j - 1].first; --j) {
      std::swap(sorted[j], sorted[j - 1]);
    }
  }
  HandlerHeaders seen;
  for (const auto& [name, value] : sorted) {
    AppendHeader(name, value, out);
    if (name == "Date") seen.date = true;
    if (name == "Content-Length") seen.content_length = true;
    if (name == "Connection") seen.connection = true;
    if (name == "Transfer-Encoding") seen.transfer_encoding = true;
  }
  return seen;
}

void AppendConnection(const Framing& framing, const HandlerHeaders& seen, std::string* out) {
  if (seen.connection) return;
  if (framing.http10 && framing.keep_alive) AppendHeader("Connection", "keep-alive", out);
  if (!framing.http10 && !framing.keep_alive) AppendHeader("Connection", "close", out);
}

// Room for a head with these handler headers and the ones the server adds.
std::size_t HeadSize(const Headers& headers) {
  std::size_t size = 160;
  for (const auto& [name, value] : headers) size += name.size() + value.size() + 4;
  return size;
}

}  // namespace

const std::string& HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

std::string CanonicalKey(std::string_view key) {
  std::string out(key);
  if (!std::all_of(out.begin(), out.end(), IsTokenByte)) return out;
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

bool BodyAllowed(int status) {
  return !(status >= 100 && status < 200) && status != 204 && status != 304;
}

bool SendsBody(int status, const Framing& framing) { return BodyAllowed(status) && !framing.head; }

namespace {

void AppendReplyHead(const Response& response, const Framing& framing, std::string* out) {
  AppendStatusLine(response.status, framing.http10, out);
  HandlerHeaders seen = AppendHandlerHeaders(response.headers, out);
  if (!seen.date) AppendHeader("Date", HttpDate(), out);
  // Like Go: a HEAD answer states the length of the body it would have sent,
  // if the handler gave one.
  if (!seen.content_length && BodyAllowed(response.status) &&
      (!framing.head || !response.body.empty())) {
    AppendHeader("Content-Length", std::to_string(response.body.size()), out);
  }
  AppendConnection(framing, seen, out);
  out->append("\r\n");
}

}  // namespace

std::string FormatReply(const Response& response, const Framing& framing) {
  std::string out;
  const bool body = SendsBody(response.status, framing);
  out.reserve(HeadSize(response.headers) + (body ? response.body.size() : 0));
  AppendReplyHead(response, framing, &out);
  if (body) out.append(response.body);
  return out;
}

std::string FormatReplyHead(const Response& response, const Framing& framing) {
  std::string out;
  out.reserve(HeadSize(response.headers));
  AppendReplyHead(response, framing, &out);
  return out;
}

std::string FormatStreamHead(int status, const Headers& headers, const Framing& framing,
                             bool* chunked) {
  std::string out;
  out.reserve(HeadSize(headers));
  AppendStatusLine(status, framing.http10, &out);
  HandlerHeaders seen = AppendHandlerHeaders(headers, &out);
  if (!seen.date) AppendHeader("Date", HttpDate(), &out);
  AppendConnection(framing, seen, &out);
  *chunked = !framing.http10 && !framing.head && BodyAllowed(status) &&
             !seen.content_length && !seen.transfer_encoding;
  if (*chunked) AppendHeader("Transfer-Encoding", "chunked", &out);
  out.append("\r\n");
  return out;
}

std::string FormatChunk(std::string_view data) {
  if (data.empty()) return "";
  char size[32];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out;
  out.reserve(static_cast<std::size_t>(n) + data.size() + 2);
  out.append(size, static_cast<std::size_t>(n)).append(data).append("\r\n");
  return out;
}

std::string FormatError(std::string_view public_error) {
  std::string out("HTTP/1.1 ");
  out.append(public_error)
      .append("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")
      .append(public_error);
  return out;
}

}  // namespace http::wire
