// Auth records: Go-compatible JSON in and out, etcd's grant/revoke merges and
// the permission patterns, with the quirks etcd 3.4 shows (null versus [],
// unsorted lists kept as created, the recursive rule).
#include "server/auth/records.h"

#include <doctest/doctest.h>

using auth::ParseRole;
using auth::ParseUser;
using auth::Role;
using auth::User;

TEST_SUITE("auth") {

TEST_CASE("user JSON decodes as Go's json.Decoder does") {
  auto u = ParseUser(R"({"user":"bob","password":"pw","roles":["b","a"]})");
  REQUIRE(u);
  CHECK(u->user == "bob");
  CHECK(u->password == "pw");
  CHECK(*u->roles == std::vector<std::string>{"b", "a"});
  CHECK_FALSE(u->grant);
  // Field names match case-insensitively; the first value counts, the rest is ignored.
  u = ParseUser(R"({"User":"bob","GRANT":["r"]} trailing garbage)");
  REQUIRE(u);
  CHECK(u->user == "bob");
  CHECK(*u->grant == std::vector<std::string>{"r"});
  // null is an empty record; null elements are empty strings.
  u = ParseUser("null");
  REQUIRE(u);
  CHECK(u->user.empty());
  u = ParseUser(R"({"user":"a","roles":[null]})");
  REQUIRE(u);
  CHECK(*u->roles == std::vector<std::string>{""});
  // A later duplicate wins; null resets a list to nil.
  u = ParseUser(R"({"roles":["x"],"roles":null})");
  REQUIRE(u);
  CHECK_FALSE(u->roles);
  for (const char* bad : {"", "not json", "[]", "\"bob\"", "5", R"({"user":5})", R"({"roles":"r"})",
                          R"({"roles":[1]})", R"({"user":"a")"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseUser(bad));
  }
}

TEST_CASE("role JSON keeps null apart from [] and grant/revoke as sent") {
  auto r = ParseRole(R"({"role":"r1","grant":{"kv":{"read":[]}}})");
  REQUIRE(r);
  CHECK_FALSE(r->permissions.kv.read);
  REQUIRE(r->grant);
  CHECK(r->grant->IsEmpty());
  CHECK(auth::RoleJson(*r) ==
        R"({"role":"r1","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":[],"write":null}}})");
  r = ParseRole(R"({"Role":"x","Permissions":{"KV":{"Read":["/a/*"],"write":["/b"]}},"revoke":null})");
  REQUIRE(r);
  CHECK(auth::RoleJson(*r) == R"({"role":"x","permissions":{"kv":{"read":["/a/*"],"write":["/b"]}}})");
  CHECK_FALSE(ParseRole(R"({"permissions":{"kv":{"read":"/a"}}})"));
  CHECK_FALSE(ParseRole(R"({"grant":[]})"));
}

TEST_CASE("user JSON leaves out an empty password, grant and revoke; roles may be null or []") {
  User u;
  u.user = "bob";
  CHECK(auth::UserJson(u) == R"({"user":"bob","roles":null})");
  u.roles.emplace();
  u.grant.emplace();
  CHECK(auth::UserJson(u) == R"({"user":"bob","roles":[]})");
  u.password = "$2b$10$x";
  u.roles = std::vector<std::string>{"a<b"};
  CHECK(auth::UserJson(u) == R"({"user":"bob","password":"$2b$10$x","roles":["a\u003cb"]})");
}

TEST_CASE("the root user always holds the root role") {
  User u;
  u.user = "root";
  CHECK(*auth::WithRootRole(u).roles == std::vector<std::string>{"root"});
  u.roles = std::vector<std::string>{"b", "root"};
  CHECK(*auth::WithRootRole(u).roles == std::vector<std::string>{"b", "root"});
}

TEST_CASE("user merge: grants then revokes, sorted and never null; duplicates and ungranted roles refused") {
  User old;
  old.user = "u";
  old.password = "H";
  User change;
  change.user = "u";
  User out;
  REQUIRE_FALSE(auth::MergeUser(old, change, std::nullopt, &out));
  CHECK(out.roles == std::vector<std::string>{});  // nil became []
  CHECK_FALSE(out == old);                        // so etcd stores it: the "roles":[] quirk
  change.grant = std::vector<std::string>{"z", "a"};
  REQUIRE_FALSE(auth::MergeUser(old, change, std::string("H2"), &out));
  CHECK(*out.roles == std::vector<std::string>{"a", "z"});
  CHECK(out.password == "H2");
  old.roles = std::vector<std::string>{"a"};
  change.grant = std::vector<std::string>{"a"};
  auto err = auth::MergeUser(old, change, std::nullopt, &out);
  REQUIRE(err);
  CHECK(err->status == 409);
  CHECK(err->message == "auth: Granting duplicate role a for user u");
  change.grant.reset();
  change.revoke = std::vector<std::string>{"zzz"};
  err = auth::MergeUser(old, change, std::nullopt, &out);
  REQUIRE(err);
  CHECK(err->message == "auth: Revoking ungranted role zzz for user u");
  change.revoke = std::vector<std::string>{"a"};
  REQUIRE_FALSE(auth::MergeUser(old, change, std::nullopt, &out));
  CHECK(out.roles == std::vector<std::string>{});
}

TEST_CASE("role merge: duplicate grants refused, ungranted revokes ignored, lists sorted") {
  Role old = *ParseRole(R"({"role":"rkt","permissions":{"kv":{"read":["/rkt/*"],"write":["/rkt/*"]}}})");
  Role change = *ParseRole(R"({"role":"rkt","grant":{"kv":{"read":["/other"]}}})");
  Role out;
  REQUIRE_FALSE(auth::MergeRole(old, change, &out));
  CHECK(auth::RoleJson(out) == R"({"role":"rkt","permissions":{"kv":{"read":["/other","/rkt/*"],"write":["/rkt/*"]}}})");
  auto err = auth::MergeRole(out, change, &out);
  REQUIRE(err);
  CHECK(err->message == "auth: Granting duplicate read permission /other");
  change = *ParseRole(R"({"role":"rkt","grant":{"kv":{"write":["/rkt/*"]}}})");
  err = auth::MergeRole(old, change, &out);
  REQUIRE(err);
  CHECK(err->message == "auth: Granting duplicate write permission /rkt/*");
  change = *ParseRole(R"({"role":"rkt","revoke":{"kv":{"read":["/nothere"]}}})");
  REQUIRE_FALSE(auth::MergeRole(old, change, &out));
  CHECK(out == old);  // nothing changed: the handler answers "Role not updated"
  // Revoking from a role whose write list is null makes it [].
  old = *ParseRole(R"({"role":"g","permissions":{"kv":{"read":["/*"]}}})");
  change = *ParseRole(R"({"role":"g","revoke":{"kv":{"read":["/*"]}}})");
  REQUIRE_FALSE(auth::MergeRole(old, change, &out));
  CHECK(auth::RoleJson(out) == R"({"role":"g","permissions":{"kv":{"read":[],"write":[]}}})");
}

TEST_CASE("patterns: '*' is a prefix match, anything else exact; recursive needs a '*' prefix") {
  Role r = *ParseRole(R"({"role":"r","permissions":{"kv":{"read":["/rkt/*","/exact","/foo*",""],"write":["/w/*"]}}})");
  CHECK(auth::HasKeyAccess(r, "/rkt/a", false));
  CHECK(auth::HasKeyAccess(r, "/rkt/", false));
  CHECK_FALSE(auth::HasKeyAccess(r, "/rkt", false));
  CHECK(auth::HasKeyAccess(r, "/exact", false));
  CHECK_FALSE(auth::HasKeyAccess(r, "/exact/", false));
  CHECK(auth::HasKeyAccess(r, "/foobar", false));
  CHECK_FALSE(auth::HasKeyAccess(r, "", false));  // the empty pattern matches nothing
  CHECK_FALSE(auth::HasKeyAccess(r, "/rkt/a", true));
  CHECK(auth::HasKeyAccess(r, "/w/x", true));
  CHECK_FALSE(auth::HasRecursiveAccess(r, "/rkt", false));
  CHECK(auth::HasRecursiveAccess(r, "/rkt/sub", false));
  CHECK_FALSE(auth::HasRecursiveAccess(r, "/exact", false));
  CHECK(auth::HasKeyAccess(auth::RootRole(), "/anything", true));
  CHECK(auth::HasRecursiveAccess(auth::RootRole(), "", true));
  Role all = *ParseRole(R"({"role":"a","permissions":{"kv":{"read":["*"]}}})");
  CHECK(auth::HasKeyAccess(all, "", false));
  CHECK(auth::HasRecursiveAccess(all, "", false));
}

}  // TEST_SUITE
