// Status and Result<T>: the error values of every core layer.
//
// A Status is a code plus a message; OK carries no allocation. Result<T> holds
// either a value or a non-OK Status. Both are plain values, safe to copy
// between threads. Exceptions never cross a layer: code that calls a throwing
// library catches at the call and returns a Status.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace common {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad input from a user or a peer
  kNotFound,
  kAlreadyExists,
  kCorruption,       // on-disk data that does not parse or does not belong here
  kIOError,          // the OS or SQLite failed
  kUnavailable,      // no leader, peer down, stopping: try again later
  kTimeout,
  kCompacted,        // raft: the requested entries were compacted away
  kInternal,
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Timeout(std::string m) { return Status(Code::kTimeout, std::move(m)); }
  static Status Compacted(std::string m) { return Status(Code::kCompacted, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}             // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {      // NOLINT
    assert(!status_.ok() && "Result built from an OK status carries no value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace common
