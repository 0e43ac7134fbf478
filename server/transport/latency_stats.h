// Running latency figures of one follower, computed as etcd's FollowerStats
// does (average and standard deviation over all successes). Plain value; the
// owner synchronises.
#pragma once

#include <cmath>
#include <cstdint>

#include "server/transport/transport.h"

namespace transport {

class LatencyStats {
 public:
  void Succeed(double ms) {
    s_.latency_current_ms = ms;
    if (ms > s_.latency_max_ms) s_.latency_max_ms = ms;
    if (ms < s_.latency_min_ms) s_.latency_min_ms = ms;
    ++s_.success;
    sum_ms_ += ms;
    sum_squares_ += ms * ms;
    s_.latency_average_ms = sum_ms_ / static_cast<double>(s_.success);
    double variance = sum_squares_ / static_cast<double>(s_.success) -
                      s_.latency_average_ms * s_.latency_average_ms;
    s_.latency_stddev_ms = variance > 0 ? std::sqrt(variance) : 0;  // rounding can dip below 0
  }
  void Fail() { ++s_.fail; }
  const PeerStats& stats() const { return s_; }

 private:
  PeerStats s_;
  double sum_ms_ = 0;
  double sum_squares_ = 0;
};

}  // namespace transport
