// The auth state read from the store under /2: what it finds, and that the
// cache notices every change there (writes, deletes, a snapshot install)
// and nothing elsewhere.
#include "server/auth/state.h"

#include <doctest/doctest.h>

using auth::AuthState;
using auth::AuthStateCache;

namespace {

void Put(store::Store& st, const std::string& path, const std::string& value) {
  REQUIRE(st.Set(path, false, value, {}).ok());
}

void Dirs(store::Store& st) {
  for (const char* d : {"/2", "/2/users", "/2/roles"}) REQUIRE(st.Create(d, true, "", false, {}).ok());
}

}  // namespace

TEST_SUITE("auth") {

TEST_CASE("an empty store has no auth state; the records appear as etcd writes them") {
  store::Store st;
  auto s = AuthState::Load(st);
  CHECK_FALSE(s->enabled());
  CHECK_FALSE(s->has_auth_dir());
  CHECK(s->UserNames().empty());
  CHECK(s->RoleNames() == std::vector<std::string>{"root"});
  CHECK(s->FindRole("root").get() != nullptr);
  CHECK(s->FindRole("guest").get() == nullptr);
  Dirs(st);
  Put(st, "/2/enabled", "true");
  Put(st, "/2/users/root", R"({"user":"root","password":"H","roles":null})");
  Put(st, "/2/users/_hidden", R"({"user":"_hidden","password":"H","roles":["r"]})");
  Put(st, "/2/users/bad", "not json");
  Put(st, "/2/roles/r", R"({"role":"r","permissions":{"kv":{"read":["/a/*"],"write":null}}})");
  s = AuthState::Load(st);
  CHECK(s->enabled());
  CHECK(s->has_auth_dir());
  CHECK(s->has_users_dir());
  CHECK(s->has_roles_dir());
  CHECK(s->has_enabled());
  CHECK(s->UserNames() == std::vector<std::string>{"root"});  // hidden and unreadable ones not listed
  auto root = s->FindUser("root");
  REQUIRE(root.get() != nullptr);
  CHECK(*root->user.roles == std::vector<std::string>{"root"});
  // A hidden user is found by name, as etcd reads it.
  auto hidden = s->FindUser("_hidden");
  REQUIRE(hidden.get() != nullptr);
  CHECK(hidden->binding != root->binding);
  CHECK(s->FindUser("bad").get() == nullptr);
  CHECK(s->RoleNames() == std::vector<std::string>{"r", "root"});
}

TEST_CASE("a user's binding changes with its record, its roles and the switch") {
  store::Store st;
  Dirs(st);
  Put(st, "/2/enabled", "false");
  Put(st, "/2/users/u", R"({"user":"u","password":"H","roles":["r"]})");
  Put(st, "/2/roles/r", R"({"role":"r","permissions":{"kv":{"read":[],"write":[]}}})");
  Put(st, "/2/roles/other", R"({"role":"other","permissions":{"kv":{"read":[],"write":[]}}})");
  const std::string b0 = AuthState::Load(st)->FindUser("u")->binding;
  Put(st, "/2/roles/other", R"({"role":"other","permissions":{"kv":{"read":["/x"],"write":[]}}})");
  CHECK(AuthState::Load(st)->FindUser("u")->binding == b0);
  Put(st, "/2/roles/r", R"({"role":"r","permissions":{"kv":{"read":["/x"],"write":[]}}})");
  const std::string b1 = AuthState::Load(st)->FindUser("u")->binding;
  CHECK(b1 != b0);
  Put(st, "/2/enabled", "true");
  const std::string b2 = AuthState::Load(st)->FindUser("u")->binding;
  CHECK(b2 != b1);
  Put(st, "/2/users/u", R"({"user":"u","password":"H","roles":["r"]})");
  CHECK(AuthState::Load(st)->FindUser("u")->binding != b2);
}

TEST_CASE("the cache is read again after any change under /2, a delete or a snapshot install, and only then") {
  store::Store st;
  AuthStateCache cache(st);
  auto a = cache.Current();
  CHECK(cache.Current().get() == a.get());
  Put(st, "/1/foo", "bar");
  Put(st, "/20", "not under /2");
  CHECK(cache.Current().get() == a.get());
  Dirs(st);
  Put(st, "/2/enabled", "true");
  auto b = cache.Current();
  CHECK(b.get() != a.get());
  CHECK(b->enabled());
  CHECK(cache.Current().get() == b.get());
  REQUIRE(st.Delete("/2/enabled", false, false).ok());
  auto c = cache.Current();
  CHECK_FALSE(c->enabled());
  // A snapshot taken with auth on, installed: the cache follows.
  store::Store other;
  for (const char* d : {"/2", "/2/users", "/2/roles"}) REQUIRE(other.Create(d, true, "", false, {}).ok());
  REQUIRE(other.Set("/2/enabled", false, "true", {}).ok());
  REQUIRE(st.Recover(other.Save()).ok());
  CHECK(cache.Current()->enabled());
}

}  // TEST_SUITE
