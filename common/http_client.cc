#include "common/http_client.h"

#include <httplib.h>
#include <strings.h>

namespace common {

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

Result<SplitUrl> SplitHttpUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return Status::InvalidArgument("not an absolute URL: " + url);
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("URL scheme must be http or https: " + url);
  }
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find_first_of("/?#", host_start);
  std::string host = url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (host.empty()) return Status::InvalidArgument("URL has no host: " + url);
  SplitUrl out;
  out.base = scheme + "://" + host;
  out.target = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (out.target[0] != '/') out.target = "/" + out.target;
  size_t hash = out.target.find('#');
  if (hash != std::string::npos) out.target.resize(hash);
  return out;
}

namespace {

// HttpDo, with the body of a 200 answer going to `sink` when one is given.
Result<HttpResponse> Send(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type, const HttpOptions& options, const BodySink* sink) {
  Result<SplitUrl> split = SplitHttpUrl(url);
  if (!split.ok()) return split.status();

  httplib::Client client(split->base, options.cert_file, options.key_file);
  if (!client.is_valid()) return Status::InvalidArgument("cannot make an HTTP client for " + url);
  auto seconds = [](std::chrono::milliseconds d) { return std::chrono::duration_cast<std::chrono::microseconds>(d); };
  client.set_connection_timeout(seconds(options.connect_timeout));
  client.set_read_timeout(seconds(options.timeout));
  client.set_write_timeout(seconds(options.timeout));
  if (!options.ca_file.empty()) client.set_ca_cert_path(options.ca_file);
  client.enable_server_certificate_verification(!options.insecure_skip_verify);
  if (!options.proxy.empty()) {
    Result<SplitUrl> proxy = SplitHttpUrl(options.proxy);
    if (!proxy.ok()) return Status::InvalidArgument("bad proxy URL: " + options.proxy);
    std::string host_port = proxy->base.substr(proxy->base.find("://") + 3);
    size_t colon = host_port.rfind(':');
    int port = 80;
    if (colon != std::string::npos && host_port.find(']', colon) == std::string::npos) {
      port = atoi(host_port.c_str() + colon + 1);
      host_port.resize(colon);
    }
    if (host_port.size() > 1 && host_port.front() == '[') host_port = host_port.substr(1, host_port.size() - 2);
    client.set_proxy(host_port, port);
  }

  httplib::Request req;
  req.method = method;
  req.path = split->target;
  for (const auto& [k, v] : options.headers) req.headers.emplace(k, v);
  if (!content_type.empty()) req.headers.emplace("Content-Type", content_type);
  req.body = body;
  std::string error_body;
  int status = 0;  // outlives the handlers below, which client.send calls
  if (sink) {
    req.response_handler = [&status](const httplib::Response& r) {
      status = r.status;
      return true;
    };
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (status != 200) {
        error_body.append(data, n);
        return true;
      }
      return (*sink)(std::string_view(data, n));
    };
  }
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  if (!client.send(req, res, error)) {
    return Status::Unavailable(method + " " + url + ": " + httplib::to_string(error));
  }
  HttpResponse out;
  out.status = res.status;
  out.body = sink ? std::move(error_body) : std::move(res.body);
  for (auto& [k, v] : res.headers) out.headers.emplace_back(k, v);
  return out;
}

}  // namespace

Result<HttpResponse> HttpDo(const std::string& method, const std::string& url, const std::string& body,
                            const std::string& content_type, const HttpOptions& options) {
  return Send(method, url, body, content_type, options, nullptr);
}

Result<HttpResponse> HttpDoStreaming(const std::string& method, const std::string& url, const HttpOptions& options,
                                     const BodySink& sink) {
  return Send(method, url, "", "", options, &sink);
}

std::string QueryEscape(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace common
