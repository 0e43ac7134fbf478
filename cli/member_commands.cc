#include "cli/member_commands.h"

#include "cli/session.h"
#include "common/go_quote.h"
#include "common/json_string.h"
#include "common/url.h"

namespace cli {

namespace {

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

CtlResult<std::vector<Member>> ListMembers(Client& client) {
  CtlResult<common::HttpResponse> r = client.Do({"GET", "/v2/members"});
  if (!r.ok()) return r.error;
  if (r.value->status != 200) return CtlError{"unexpected status code " + std::to_string(r.value->status)};
  auto members = ParseMemberList(r.value->body);
  if (!members.ok()) return CtlError{members.status().message()};
  return *members;
}

// The body of POST and PUT /v2/members: {"peerURLs":[...]}.
std::string PeerUrlsBody(const std::vector<common::Url>& urls) {
  std::string body = "{\"peerURLs\":[";
  for (size_t i = 0; i < urls.size(); ++i) body += (i ? "," : "") + common::JsonString(urls[i].String());
  return body + "]}";
}

// Prints an error the way the member commands do (no "Error:" prefix).
int Fail(const std::string& text) {
  Err(text + "\n");
  return kExitBadArgs;
}

}  // namespace

std::string MemberTable(const std::vector<Member>& members) {
  std::vector<std::vector<std::string>> rows = {{"ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS"}};
  for (const Member& m : members) {
    rows.push_back({m.id, m.name.empty() ? "unstarted" : "started", m.name, Join(m.peer_urls, ","),
                    Join(m.client_urls, ",")});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string rule = "+";
  for (size_t w : width) rule += std::string(w + 2, '-') + "+";
  rule += "\n";
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string s = "|";
    for (size_t c = 0; c < row.size(); ++c) {
      size_t gap = width[c] - row[c].size();
      size_t left = header ? gap / 2 : gap;
      s += " " + std::string(left, ' ') + row[c] + std::string(gap - left, ' ') + " |";
    }
    return s + "\n";
  };
  std::string out = rule + line(rows[0], true) + rule;
  for (size_t i = 1; i < rows.size(); ++i) out += line(rows[i], false);
  return out + rule;
}

int MemberListAction(CommandContext& ctx) {
  if (!ctx.args.empty()) return Fail("No arguments accepted");
  std::string format = ctx.flags.String("write-out");
  if (format != "simple" && format != "table") return Fail("unsupported output format: " + format);
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  CtlResult<std::vector<Member>> members = ListMembers(*client);
  if (!members.ok()) return Fail(members.error.Text());
  CtlResult<common::HttpResponse> leader_http = client->Do({"GET", "/v2/members/leader"});
  std::string leader_error;
  Member leader;
  if (!leader_http.ok()) {
    leader_error = leader_http.error.Text();
  } else if (leader_http.value->status != 200) {
    leader_error = "unexpected status code " + std::to_string(leader_http.value->status);
  } else if (auto m = ParseMember(leader_http.value->body); m.ok()) {
    leader = *m;
  } else {
    leader_error = m.status().message();
  }
  if (!leader_error.empty()) return Fail("Failed to get leader:  " + leader_error);
  if (format == "table") {
    Out(MemberTable(*members.value));
    return kExitSuccess;
  }
  std::string out;
  for (const Member& m : *members.value) {
    if (m.name.empty()) {
      out += m.id + "[unstarted]: peerURLs=" + Join(m.peer_urls, ",") + "\n";
    } else {
      out += m.id + ": name=" + m.name + " peerURLs=" + Join(m.peer_urls, ",") + " clientURLs=" +
             Join(m.client_urls, ",") + " isLeader=" + (m.id == leader.id ? "true" : "false") + "\n";
    }
  }
  Out(out);
  return kExitSuccess;
}

int MemberAddAction(CommandContext& ctx) {
  if (ctx.args.size() != 2) return Fail("Provide a name and a single member peerURL");
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  const std::string& name = ctx.args[0];
  auto urls = common::ParseUrlList({ctx.args[1]});
  if (!urls.ok()) return Fail(urls.status().message());
  CtlResult<common::HttpResponse> r = client->Do({"POST", "/v2/members", PeerUrlsBody(*urls), "application/json"});
  if (!r.ok()) return Fail(r.error.Text());
  if (r.value->status != 201) {
    if (r.value->status != 409) return Fail("unexpected status code " + std::to_string(r.value->status));
    return Fail(MembersErrorMessage(r.value->body));
  }
  auto added = ParseMember(r.value->body);
  if (!added.ok()) return Fail(added.status().message());
  Out("Added member named " + name + " with ID " + added->id + " to cluster\n");
  CtlResult<std::vector<Member>> members = ListMembers(*client);
  if (!members.ok()) return Fail(members.error.Text());
  std::vector<std::string> conf;
  for (const Member& m : *members.value) {
    for (const std::string& u : m.peer_urls) conf.push_back((m.id == added->id ? name : m.name) + "=" + u);
  }
  Out("\nETCD_NAME=" + common::GoQuote(name) + "\nETCD_INITIAL_CLUSTER=" + common::GoQuote(Join(conf, ",")) +
      "\nETCD_INITIAL_CLUSTER_STATE=\"existing\"\n");
  return kExitSuccess;
}

int MemberRemoveAction(CommandContext& ctx) {
  if (ctx.args.size() != 1) return Fail("Provide a single member ID");
  const std::string& id = ctx.args[0];
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  CtlResult<std::vector<Member>> members = ListMembers(*client);
  if (!members.ok()) return Fail("Error while verifying ID against known members: " + members.error.Text());
  bool found = false;
  for (const Member& m : *members.value) {
    found = found || m.id == id;
    if (m.name == id) {
      Err("Found a member named " + m.name + "; if this is correct, please use its ID, eg:\n\t" + kProgramName +
          " member remove " + m.id + "\n");
      Err("For more details, read the documentation at "
          "https://github.com/coreos/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n");
    }
  }
  if (!found) return Fail("Couldn't find a member in the cluster with an ID of " + id + ".");
  CtlResult<common::HttpResponse> r = client->Do({"DELETE", "/v2/members/" + id});
  std::string error = !r.ok() ? r.error.Text()
                      : r.value->status == 204 || r.value->status == 410
                          ? ""
                          : "unexpected status code " + std::to_string(r.value->status);
  if (!error.empty()) {
    Err("Received an error trying to remove member " + id + ": " + error);
    return kExitBadArgs;
  }
  Out("Removed member " + id + " from cluster\n");
  return kExitSuccess;
}

int MemberUpdateAction(CommandContext& ctx) {
  if (ctx.args.size() != 2) {
    return Fail("Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)");
  }
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  const std::string& id = ctx.args[0];
  auto urls = common::ParseUrls(ctx.args[1]);
  if (!urls.ok()) return Fail(urls.status().message());
  CtlResult<common::HttpResponse> r = client->Do({"PUT", "/v2/members/" + id, PeerUrlsBody(*urls), "application/json"});
  if (!r.ok()) return Fail(r.error.Text());
  int status = r.value->status;
  if (status == 404 || status == 409) return Fail(MembersErrorMessage(r.value->body));
  if (status != 204) return Fail("unexpected status code " + std::to_string(status));
  Out("Updated member with ID " + id + " in cluster\n");
  return kExitSuccess;
}

}  // namespace cli
