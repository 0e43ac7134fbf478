// http::Request helpers and Go-shaped text errors (no I/O).
#include <strings.h>

#include "server/http/http.h"

namespace http {

const std::string& Request::Header(std::string_view name) const {
  static const std::string kAbsent;
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return kAbsent;
}

Response TextError(int status, const std::string& text) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}};
  r.body = text + "\n";
  return r;
}

}  // namespace http
