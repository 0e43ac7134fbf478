#include "tests/unit/common/fake_v2_keys.h"

#include <chrono>

#include "common/json_string.h"

namespace common::testing {

FakeV2Keys::FakeV2Keys(int port) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  server_.Get(".*", handler);
  server_.Put(".*", handler);
  if (port == 0) {
    port_ = server_.bind_to_any_port("127.0.0.1");
  } else {
    port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (port_ <= 0) return;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeV2Keys::~FakeV2Keys() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void FakeV2Keys::Set(const std::string& key, const std::string& value) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(key);
    keys_[key] = Node{value, events_.size(), events_.size()};
  }
  changed_.notify_all();
}

void FakeV2Keys::FailNext(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
}

void FakeV2Keys::AnswerWith(const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  fixed_answer_ = body;
}

std::vector<std::string> FakeV2Keys::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

bool FakeV2Keys::WaitRequests(size_t n) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return requests_.size() >= n; });
}

void FakeV2Keys::Handle(const httplib::Request& req, httplib::Response& res) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(req.method + " " + req.target + (req.body.empty() ? "" : " " + req.body));
  changed_.notify_all();
  if (fail_next_ > 0) {
    --fail_next_;
    res.status = 503;
    return;
  }
  if (!fixed_answer_.empty()) {
    res.set_content(fixed_answer_, "text/html");
    return;
  }
  lock.unlock();
  if (req.method == "PUT") return Put(req.path, req, res);
  if (req.get_param_value("wait") == "true") {
    return Watch(req.path, req.get_param_value("recursive") == "true",
                 std::stoull(req.get_param_value("waitIndex")), res);
  }
  Get(req.path, res);
}

std::string FakeV2Keys::NodeJson(const std::string& key, const Node& n) const {
  return "{\"key\":" + JsonString(key) + ",\"value\":" + JsonString(n.value) +
         ",\"modifiedIndex\":" + std::to_string(n.modified) + ",\"createdIndex\":" + std::to_string(n.created) + "}";
}

void FakeV2Keys::Error(httplib::Response& res, int status, int code, const std::string& message,
                       const std::string& key) {
  res.status = status;
  res.set_header("X-Etcd-Index", std::to_string(events_.size()));
  res.set_content("{\"errorCode\":" + std::to_string(code) + ",\"message\":\"" + message + "\",\"cause\":" +
                      JsonString(key) + ",\"index\":" + std::to_string(events_.size()) + "}",
                  "application/json");
}

// A key, or a directory listing its direct children (one level, as GET
// without recursive=true). Unlike etcd, "_config" is listed: the client must
// skip it itself, as it does against the public discovery service.
void FakeV2Keys::Get(const std::string& key, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  res.set_header("X-Etcd-Index", std::to_string(events_.size()));
  auto it = keys_.find(key);
  if (it != keys_.end()) {
    res.set_content("{\"action\":\"get\",\"node\":" + NodeJson(key, it->second) + "}", "application/json");
    return;
  }
  std::string children;
  bool config = false;
  for (const auto& [k, n] : keys_) {
    if (k.rfind(key + "/", 0) != 0) continue;
    std::string rest = k.substr(key.size() + 1);
    if (rest.find('/') == std::string::npos) {
      children += (children.empty() ? "" : ",") + NodeJson(k, n);
    } else if (rest.rfind("_config/", 0) == 0) {
      config = true;
    }
  }
  if (children.empty() && !config) return Error(res, 404, 100, "Key not found", key);
  if (config) children = "{\"key\":" + JsonString(key + "/_config") + ",\"dir\":true}" + (children.empty() ? "" : ",") + children;
  res.set_content("{\"action\":\"get\",\"node\":{\"key\":" + JsonString(key) + ",\"dir\":true,\"nodes\":[" +
                      children + "]}}",
                  "application/json");
}

void FakeV2Keys::Put(const std::string& key, const httplib::Request& req, httplib::Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (req.get_param_value("prevExist") == "false" && keys_.count(key)) {
      return Error(res, 412, 105, "Key already exists", key);
    }
    events_.push_back(key);
    Node& n = keys_[key];
    n = Node{req.get_param_value("value"), events_.size(), events_.size()};
    res.status = 201;
    res.set_header("X-Etcd-Index", std::to_string(events_.size()));
    res.set_content("{\"action\":\"create\",\"node\":" + NodeJson(key, n) + "}", "application/json");
  }
  changed_.notify_all();
}

// Answers with the first change at or after wait_index to `key` (or below it
// when recursive); waits up to 10 s for one, then ends the watch with an
// empty body as a server may.
void FakeV2Keys::Watch(const std::string& key, bool recursive, uint64_t wait_index, httplib::Response& res) {
  std::unique_lock<std::mutex> lock(mu_);
  auto match = [&](const std::string& k) { return k == key || (recursive && k.rfind(key + "/", 0) == 0); };
  auto found = [&] {
    for (uint64_t i = wait_index; i >= 1 && i <= events_.size(); ++i) {
      if (match(events_[i - 1])) return i;
    }
    return uint64_t{0};
  };
  changed_.wait_for(lock, std::chrono::seconds(10), [&] { return stopping_ || found() != 0; });
  uint64_t i = found();
  res.set_header("X-Etcd-Index", std::to_string(events_.size()));
  if (i == 0) {
    res.set_content("", "application/json");
    return;
  }
  const std::string& k = events_[i - 1];
  Node n = keys_[k];
  res.set_content("{\"action\":\"create\",\"node\":" + NodeJson(k, n) + "}", "application/json");
}

}  // namespace common::testing
