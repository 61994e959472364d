// Envoy text access-log lines in Istio's default format (docs/replay.md#envoy-text), optionally followed
// by %DOWNSTREAM_PEER_URI_SAN%: the default format logs no client identity, so a line without it cannot
// be rebuilt for a policy that names identities, and is reported as such.
#include <optional>
#include <string>
#include <vector>

#include "base/text.h"
#include "replay/log.h"
#include "replay/log_fields.h"

namespace meshproof::replay {

namespace {

// Positions in Istio's default text format (0 is [%START_TIME%]).
enum EnvoyTextField : size_t {
  kRequestLine = 1,  // "METHOD PATH PROTOCOL"
  kResponseCode = 2,
  kResponseCodeDetails = 4,
  kTerminationDetails = 5,
  kAuthority = 14,
  kUpstreamCluster = 16,
  kDownstreamLocal = 18,
  kDownstreamRemote = 19,
  kServerName = 20,
  kIstioFieldCount = 22,  // ... %ROUTE_NAME%
};

// Splits at spaces; "[...]" and "\"...\"" are one token each (quotes removed, \" and \\ unescaped).
std::optional<std::vector<std::string>> envoy_text_tokens(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    std::string token;
    if (line[i] == '"' || line[i] == '[') {
      const char close = line[i] == '"' ? '"' : ']';
      size_t j = i + 1;
      for (; j < line.size() && line[j] != close; ++j) {
        if (line[j] == '\\' && close == '"' && j + 1 < line.size()) ++j;
        token += line[j];
      }
      if (j >= line.size()) return std::nullopt;  // unterminated
      i = j + 1;
    } else {
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      token = std::string(line.substr(i, j - i));
      i = j;
    }
    out.push_back(std::move(token));
  }
  return out;
}

LineOutcome envoy_text_unread(std::string reason) {
  LineOutcome o;
  o.reason = std::move(reason);
  return o;
}

// Method, path and the HTTP fields of the request line; a TCP line has "- - -".
void envoy_text_http(const std::vector<std::string>& t, LogRequest& r) {
  std::vector<std::string> request_line = split(t[kRequestLine], ' ');
  const bool http = request_line.size() >= 2 && !log_unset(request_line[0]);
  r.spec.protocol = http ? "http" : "tcp";
  if (!http) return;
  r.spec.request.method = request_line[0];
  if (!log_unset(request_line[1])) r.spec.request.path = path_without_query(request_line[1]);
  if (!log_unset(t[kAuthority])) r.spec.request.host = t[kAuthority];
}

}  // namespace

LineOutcome parse_envoy_text_line(std::string_view line, const ParseOptions& options) {
  auto tokens = envoy_text_tokens(line);
  if (!tokens) return envoy_text_unread("unterminated quote or bracket");
  const std::vector<std::string>& t = *tokens;
  if (t.size() != kIstioFieldCount && t.size() != kIstioFieldCount + 1)
    return envoy_text_unread(std::to_string(t.size()) +
                             " fields: not Istio's default text format (22 fields, or 23 "
                             "with %DOWNSTREAM_PEER_URI_SAN% last)");
  LineOutcome out;
  if (std::string why = envoy_direction_ignored(t[kUpstreamCluster]); !why.empty()) {
    out.kind = LineOutcome::Ignored;
    out.reason = why;
    return out;
  }
  LogRequest& r = out.request;
  if (!set_destination("", "", options, r))
    return envoy_text_unread("no destination workload: a text log names none; give --to NAMESPACE/NAME");
  if (t.size() == kIstioFieldCount)
    return envoy_text_unread(
        "no client identity: Istio's default text format does not log "
        "%DOWNSTREAM_PEER_URI_SAN%; append it (docs/replay.md#log-format)");
  if (log_unset(t.back())) {
    r.spec.plaintext = true;
  } else if (auto principal = principal_of_uri_san(t.back())) {
    r.spec.request.principal = *principal;
  } else {
    return envoy_text_unread("last field \"" + t.back() + "\" is not - or one spiffe:// URI");
  }
  auto local = parse_log_address(t[kDownstreamLocal]);
  if (!local || local->port == 0) return envoy_text_unread("no destination port: %DOWNSTREAM_LOCAL_ADDRESS% is -");
  r.spec.port = local->port;
  r.spec.request.destination_ip = local->ip;
  if (auto remote = parse_log_address(t[kDownstreamRemote])) r.spec.request.source_ip = remote->ip;
  if (!log_unset(t[kServerName])) r.spec.request.sni = t[kServerName];
  envoy_text_http(t, r);
  if (!envoy_observed(t[kResponseCode], t[kResponseCodeDetails], t[kTerminationDetails], r))
    return envoy_text_unread("no response code: what the proxy did is not recorded");
  out.kind = LineOutcome::Request;
  return out;
}

}  // namespace meshproof::replay
