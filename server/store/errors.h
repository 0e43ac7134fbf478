// The v2 error table (etcd's v2error): code -> message and HTTP status, and the
// V2Error value that store operations and request parsing return.
// Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace store {

enum ErrorCode : int {
  kEcodeKeyNotFound = 100,
  kEcodeTestFailed = 101,
  kEcodeNotFile = 102,
  kEcodeNotDir = 104,
  kEcodeNodeExist = 105,
  kEcodeRootROnly = 107,
  kEcodeDirNotEmpty = 108,
  kEcodeUnauthorized = 110,
  kEcodePrevValueRequired = 201,
  kEcodeTTLNaN = 202,
  kEcodeIndexNaN = 203,
  kEcodeInvalidField = 209,
  kEcodeInvalidForm = 210,
  kEcodeRefreshValue = 211,
  kEcodeRefreshTTLRequired = 212,
  kEcodeRaftInternal = 300,
  kEcodeLeaderElect = 301,
  kEcodeEventIndexCleared = 401,
};

// Exact message of a code ("Key not found"); "" for an unknown code.
const char* ErrorMessage(int code);
// HTTP status etcd answers for a code (404 for 100, 412 for 101/105, ...; 400 default).
int ErrorHttpStatus(int code);

struct V2Error {
  int code = 0;
  // What the user sees. Store errors name the failing path with the user-key
  // prefix "/1" already removed ("/1/foo" -> "/foo", "/1" -> "" so the cause
  // is omitted, as etcd prints it); internal paths ("/0/...") stay as they are.
  std::string cause;    // omitted from JSON when empty
  uint64_t index = 0;   // the store index when it happened (0 for parse errors)

  // {"errorCode":N,"message":"...","cause":"...","index":I}\n
  std::string Json() const;
  int HttpStatus() const { return ErrorHttpStatus(code); }
};

// A value or a V2Error.
template <typename T>
class V2Result {
 public:
  V2Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  V2Result(V2Error error) : error_(std::move(error)) {}  // NOLINT
  bool ok() const { return value_.has_value(); }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  const V2Error& error() const { return error_; }

 private:
  std::optional<T> value_;
  V2Error error_;
};

}  // namespace store
