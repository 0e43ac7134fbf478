#include "server/etcdserver/apply.h"

namespace etcdserver {
namespace {

ApplyResult From(store::V2Result<store::Event> r) {
  ApplyResult out;
  if (r.ok()) {
    out.event = std::move(r.value());
  } else {
    out.error = r.error();
  }
  return out;
}

store::ExpireOptions Expire(const Request& r) {
  return store::ExpireOptions{r.expiration_ns, r.refresh.value_or(false)};
}

ApplyResult ApplyPut(store::Store& st, const Request& r) {
  bool compare = !r.prev_value.empty() || r.prev_index != 0;
  if (r.prev_exist) {
    if (*r.prev_exist) {
      if (!compare) return From(st.Update(r.path, r.val, Expire(r)));
      return From(st.CompareAndSwap(r.path, r.prev_value, r.prev_index, r.val, Expire(r)));
    }
    return From(st.Create(r.path, r.dir, r.val, /*unique=*/false, Expire(r)));
  }
  if (compare) return From(st.CompareAndSwap(r.path, r.prev_value, r.prev_index, r.val, Expire(r)));
  return From(st.Set(r.path, r.dir, r.val, Expire(r)));
}

}  // namespace

ApplyResult ApplyRequest(store::Store& st, const Request& r) {
  if (r.method == "POST") return From(st.Create(r.path, r.dir, r.val, /*unique=*/true, Expire(r)));
  if (r.method == "PUT") return ApplyPut(st, r);
  if (r.method == "DELETE") {
    if (!r.prev_value.empty() || r.prev_index != 0) {
      return From(st.CompareAndDelete(r.path, r.prev_value, r.prev_index));
    }
    return From(st.Delete(r.path, r.dir, r.recursive));
  }
  if (r.method == "GET") return From(st.Get(r.path, r.recursive, r.sorted));
  ApplyResult out;
  if (r.method == "SYNC") {
    st.DeleteExpiredKeys(r.time_ns);
  } else {
    out.error = store::V2Error{store::kEcodeRaftInternal, "unknown method " + r.method, st.Index()};
  }
  return out;
}

}  // namespace etcdserver
