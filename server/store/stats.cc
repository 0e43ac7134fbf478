// The /v2/stats/store body, fields in etcd's order.
#include <string>

#include "server/store/store.h"

namespace store {

std::string Store::StatsJson() const {
  struct Field {
    const char* name;
    uint64_t value;
  };
  const StoreStats& s = stats_;
  const Field fields[] = {
      {"getsSuccess", s.gets_success.load()},
      {"getsFail", s.gets_fail.load()},
      {"setsSuccess", s.sets_success.load()},
      {"setsFail", s.sets_fail.load()},
      {"deleteSuccess", s.delete_success.load()},
      {"deleteFail", s.delete_fail.load()},
      {"updateSuccess", s.update_success.load()},
      {"updateFail", s.update_fail.load()},
      {"createSuccess", s.create_success.load()},
      {"createFail", s.create_fail.load()},
      {"compareAndSwapSuccess", s.compare_and_swap_success.load()},
      {"compareAndSwapFail", s.compare_and_swap_fail.load()},
      {"compareAndDeleteSuccess", s.compare_and_delete_success.load()},
      {"compareAndDeleteFail", s.compare_and_delete_fail.load()},
      {"expireCount", s.expire_count.load()},
      {"watchers", WatcherCount()},
  };
  std::string out = "{";
  for (const Field& f : fields) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(f.name);
    out.append("\":");
    out.append(std::to_string(f.value));
  }
  out.push_back('}');
  return out;
}

}  // namespace store
