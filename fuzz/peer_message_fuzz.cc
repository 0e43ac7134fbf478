// The peer message decoder (server/transport/codec.cc) and the entry payloads
// a peer's messages carry into the log: v2 requests (Request::Decode), conf
// changes and their context, applied as a member applies a committed one.
// Input: a message batch as a peer POSTs it to /raft; the same bytes also go
// straight to each payload decoder.
#include <string>
#include <vector>

#include "fuzz/input.h"
#include "server/etcdserver/conf_change.h"
#include "server/etcdserver/membership.h"
#include "server/etcdserver/request.h"
#include "server/raft/messages.h"
#include "server/store/store.h"
#include "server/transport/transport.h"

namespace {

void DecodeRequest(const std::string& data) {
  auto r = etcdserver::Request::Decode(data);
  if (r) {
    auto again = etcdserver::Request::Decode(r->Encode());
    FUZZ_CHECK(again && again->Encode() == r->Encode());
  }
}

// A conf change as the apply loop takes it: checked against the membership,
// then written into the store.
void ApplyConfChange(const std::string& data) {
  auto cc = raft::DecodeConfChange(data);
  if (!cc.ok()) return;
  FUZZ_CHECK(raft::DecodeConfChange(raft::EncodeConfChange(*cc)).value() == *cc);
  auto ctx = etcdserver::ConfChangeContext::Decode(cc->context);
  if (!ctx) return;
  auto again = etcdserver::ConfChangeContext::Decode(ctx->Encode());
  FUZZ_CHECK(again && again->Encode() == ctx->Encode());
  store::Store st;
  etcdserver::ApplyConfChangeToStore(
      st, raft::ConfChange{raft::ConfChangeType::kAddNode, 0x8e9e05c52164694d, ""},
      etcdserver::ConfChangeContext{1, {"http://127.0.0.1:2380"}});
  if (etcdserver::CheckConfChange(st, *cc, *ctx).ok()) etcdserver::ApplyConfChangeToStore(st, *cc, *ctx);
  for (const etcdserver::Member& m : etcdserver::ReadMembers(st)) (void)etcdserver::MemberJson(m);
}

void DecodePayload(const std::string& data) {
  DecodeRequest(data);
  ApplyConfChange(data);
  (void)etcdserver::ConfChangeContext::Decode(data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  DecodePayload(bytes);
  auto batch = transport::DecodeMessages(bytes);
  if (!batch.ok()) return 0;
  // What decodes, encodes back to an equal batch.
  const std::string encoded = transport::EncodeMessages(*batch);
  auto again = transport::DecodeMessages(encoded);
  FUZZ_CHECK(again.ok() && transport::EncodeMessages(*again) == encoded);
  for (const raft::Message& m : *batch) {
    for (const raft::Entry& e : m.entries) {
      if (e.type == raft::EntryType::kConfChange) {
        ApplyConfChange(e.data);
      } else {
        DecodeRequest(e.data);
      }
    }
  }
  return 0;
}
