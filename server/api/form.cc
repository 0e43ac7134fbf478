// Go's url.ParseQuery, mime.ParseMediaType (the parts ParseForm relies on)
// and Request.ParseForm (see form.h).
#include "server/api/form.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "server/api/go_path.h"

namespace api {
namespace {

constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

// unicode.IsSpace for ASCII, U+0085 and U+00A0 (the only spaces a sane header
// value could hold).
size_t SpaceLength(std::string_view s, size_t i) {
  const char c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == '\xc2' && i + 1 < s.size() && (s[i + 1] == '\x85' || s[i + 1] == '\xa0')) return 2;
  return 0;
}

std::string_view TrimLeftSpace(std::string_view s) {
  size_t i = 0;
  for (size_t n; i < s.size() && (n = SpaceLength(s, i)) > 0;) i += n;
  return s.substr(i);
}

std::string_view TrimSpace(std::string_view s) {
  s = TrimLeftSpace(s);
  while (!s.empty()) {
    const char c = s.back();
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s[s.size() - 2] == '\xc2' && (c == '\x85' || c == '\xa0')) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 2045 token characters, as Go's mime package defines them.
bool IsTokenChar(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(ch) == std::string_view::npos;
}

// Splits a leading token off `v`; the token is empty when there is none.
std::pair<std::string_view, std::string_view> ConsumeToken(std::string_view v) {
  size_t n = 0;
  while (n < v.size() && IsTokenChar(v[n])) ++n;
  return {v.substr(0, n), v.substr(n)};
}

// A token or a quoted string; returns the rest, or nullopt if nothing parsed.
std::optional<std::string_view> ConsumeValue(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (v[0] != '"') {
    auto [token, rest] = ConsumeToken(v);
    if (token.empty()) return std::nullopt;
    return rest;
  }
  bool literal = false;
  for (size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    if (literal) {
      literal = false;
    } else if (c == '"') {
      return v.substr(i + 1);
    } else if (c == '\\') {
      literal = true;
    } else if (c == '\r' || c == '\n') {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// One "; name=value" parameter: its lower-case name and the rest, or nullopt.
std::optional<std::pair<std::string, std::string_view>> ConsumeMediaParam(std::string_view v) {
  std::string_view rest = TrimLeftSpace(v);
  if (rest.empty() || rest[0] != ';') return std::nullopt;
  rest = TrimLeftSpace(rest.substr(1));
  auto [name, after_name] = ConsumeToken(rest);
  if (name.empty()) return std::nullopt;
  rest = TrimLeftSpace(after_name);
  if (rest.empty() || rest[0] != '=') return std::nullopt;
  auto after_value = ConsumeValue(TrimLeftSpace(rest.substr(1)));
  if (!after_value) return std::nullopt;
  return std::make_pair(AsciiLower(name), *after_value);
}

struct MediaType {
  std::string type;   // lower-case; "" when unusable
  std::string error;  // Go's error text, "" when none
};

// Go 1.19's mime.ParseMediaType, reduced to what ParseForm uses: the media
// type and the error. An invalid parameter still yields the media type.
MediaType ParseMediaType(std::string_view v) {
  const size_t semi = std::min(v.find(';'), v.size());
  MediaType mt;
  mt.type = std::string(TrimSpace(AsciiLower(v.substr(0, semi))));

  auto [main_type, rest] = ConsumeToken(mt.type);
  const char* error = nullptr;
  if (main_type.empty()) {
    error = "mime: no media type";
  } else if (!rest.empty() && rest[0] != '/') {
    error = "mime: expected slash after first token";
  } else if (!rest.empty()) {
    auto [sub_type, after] = ConsumeToken(rest.substr(1));
    if (sub_type.empty()) {
      error = "mime: expected token after slash";
    } else if (!after.empty()) {
      error = "mime: unexpected content after media subtype";
    }
  }
  if (error != nullptr) return {"", error};

  std::set<std::string> seen;
  for (std::string_view params = v.substr(semi); !(params = TrimLeftSpace(params)).empty();) {
    auto param = ConsumeMediaParam(params);
    if (!param) {
      if (TrimSpace(params) == ";") break;  // a trailing ';' is allowed
      mt.error = "mime: invalid media parameter";
      return mt;
    }
    if (!seen.insert(param->first).second) return {"", "mime: duplicate parameter name"};
    params = param->second;
  }
  return mt;
}

}  // namespace

void Form::Add(std::string name, std::string value) {
  values_[std::move(name)].push_back(std::move(value));
}

bool Form::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

const std::vector<std::string>& Form::Values(std::string_view name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

const std::string& Form::Value(std::string_view name) const {
  static const std::string kEmpty;
  const auto& values = Values(name);
  return values.empty() ? kEmpty : values.front();
}

common::Status ParseQuery(std::string_view query, Form* form) {
  common::Status result;
  while (!query.empty()) {
    const size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(std::min(amp + 1, query.size()));
    if (pair.find(';') != std::string_view::npos) {
      result = common::Status::InvalidArgument("invalid semicolon separator in query");
      continue;
    }
    if (pair.empty()) continue;
    const size_t eq = std::min(pair.find('='), pair.size());
    auto name = GoUnescape(pair.substr(0, eq), UnescapeMode::kQueryComponent);
    auto value = GoUnescape(pair.substr(std::min(eq + 1, pair.size())),
                            UnescapeMode::kQueryComponent);
    if (!name.ok() || !value.ok()) {
      if (result.ok()) result = name.ok() ? value.status() : name.status();
      continue;
    }
    form->Add(std::move(name.value()), std::move(value.value()));
  }
  return result;
}

common::Result<Form> ParseRequestForm(const FormSource& src) {
  Form form;
  common::Status error;
  if (src.method == "POST" || src.method == "PUT" || src.method == "PATCH") {
    // RFC 7231 3.1.1.5: a missing type may be taken as application/octet-stream.
    const MediaType mt = ParseMediaType(src.content_type.empty() ? "application/octet-stream"
                                                                 : src.content_type);
    if (!mt.error.empty()) error = common::Status::InvalidArgument(mt.error);
    if (mt.type == kFormMediaType) {
      if (src.body_too_large) return common::Status::InvalidArgument("http: POST too large");
      common::Status body_error = ParseQuery(src.body, &form);
      if (error.ok()) error = body_error;
    }
  }
  common::Status query_error = ParseQuery(src.query, &form);
  if (error.ok()) error = query_error;
  if (!error.ok()) return error;
  return form;
}

}  // namespace api
