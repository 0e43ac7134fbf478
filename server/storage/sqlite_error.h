// SQLite's message for the last failure on a connection, with the OS error
// behind it when there is one ("disk I/O error (Input/output error)"), so a
// log line tells a failing disk from a full one.
#pragma once

#include <sqlite3.h>

#include <cstring>
#include <string>

namespace storage {

inline std::string SqliteError(sqlite3* db) {
  std::string msg = sqlite3_errmsg(db);
  int code = sqlite3_errcode(db) & 0xff;
  // The OS error is kept from the last failed call: it only explains these.
  int os_errno = sqlite3_system_errno(db);
  if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) && os_errno != 0) {
    msg += std::string(" (") + std::strerror(os_errno) + ")";
  }
  return msg;
}

}  // namespace storage
