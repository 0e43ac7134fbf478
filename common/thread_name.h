// Names the calling thread, so top -H, perf, gdb and /proc/PID/task/*/comm
// show what each thread does. Thread-safe (each thread names only itself).
#pragma once

#include <cstddef>
#include <string>

namespace common {

// Linux keeps at most 15 characters of a thread name: longer names are cut
// to their first 15. A failure only leaves the old name, so it is ignored.
constexpr size_t kMaxThreadName = 15;
void SetThreadName(const std::string& name);

}  // namespace common
