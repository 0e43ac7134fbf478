// Request parameters the way Go's net/http gathers them for etcd:
// url.ParseQuery for the query string and for an
// application/x-www-form-urlencoded body, merged as Request.ParseForm does
// (body values first), with Go's exact error texts, which etcd reports as
// cause of error 210 (shared/spec/keys-api.md §2).
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace api {

// Go's url.Values: every value of a name, in the order they arrived.
class Form {
 public:
  void Add(std::string name, std::string value);
  // The name occurred at all (even as "name" or "name=").
  bool Has(std::string_view name) const;
  // The first value (Go's FormValue), "" when absent.
  const std::string& Value(std::string_view name) const;
  // Every value of the name, empty when absent.
  const std::vector<std::string>& Values(std::string_view name) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Go's url.ParseQuery, appending into `form`: pairs split on '&', a pair
// without '=' has value "", '+' is a space. Every well-formed pair is added
// even when others fail. The error is the first bad escape
// (`invalid URL escape "%zz"`), unless a pair holds ';': then
// `invalid semicolon separator in query` (the last such wins, as in Go).
common::Status ParseQuery(std::string_view query, Form* form);

// What Request.ParseForm sees of a request.
struct FormSource {
  std::string_view method;
  std::string_view content_type;  // first Content-Type header, "" when absent
  std::string_view query;         // raw query string
  std::string_view body;
  bool body_too_large = false;    // the body was dropped for its size
};

// Go's Request.ParseForm. The body is read only for POST, PUT and PATCH whose
// media type (Go's mime.ParseMediaType, case-insensitive) is
// application/x-www-form-urlencoded; an absent Content-Type counts as
// application/octet-stream (body ignored). Body values precede query values.
// Errors, first one wins: a malformed Content-Type of those methods
// (`mime: no media type`, `mime: expected slash after first token`,
// `mime: expected token after slash`, `mime: unexpected content after media
// subtype`, `mime: invalid media parameter`, `mime: duplicate parameter name`)
// unless the body is too large (`http: POST too large`), then body parse
// errors, then query parse errors.
common::Result<Form> ParseRequestForm(const FormSource& src);

}  // namespace api
