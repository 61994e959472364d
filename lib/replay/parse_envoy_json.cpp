// Envoy JSON access-log lines: Istio's default JSON keys plus the keys docs/replay.md asks to add
// (source_principal, destination_namespace, destination_workload, request_header.<name>).
#include <nlohmann/json.hpp>

#include "base/text.h"
#include "replay/log.h"
#include "replay/log_fields.h"

namespace meshproof::replay {

namespace {

using nlohmann::json;

// The string at `key` ("" when absent or not a string; numbers as written).
std::string envoy_json_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return "";
}

LineOutcome envoy_json_unread(std::string reason) {
  LineOutcome o;
  o.reason = std::move(reason);
  return o;
}

// The caller: source_principal (or downstream_peer_uri_san) "-" = no client certificate (plaintext).
std::optional<std::string> envoy_json_caller(const json& j, LogRequest& r) {
  const char* key = j.contains("source_principal") ? "source_principal" : "downstream_peer_uri_san";
  if (!j.contains(key))
    return "no client identity: the line has no source_principal (%DOWNSTREAM_PEER_URI_SAN%); add it to the "
           "log format (docs/replay.md#log-format)";
  std::string san = envoy_json_field(j, key);
  if (log_unset(san)) {
    r.spec.plaintext = true;
    return std::nullopt;
  }
  auto principal = principal_of_uri_san(san);
  if (!principal) return "source_principal \"" + san + "\" is not one spiffe:// URI";
  r.spec.request.principal = *principal;
  return std::nullopt;
}

// Destination port and address (R3: the original destination), source address, HTTP fields, headers.
std::optional<std::string> envoy_json_request(const json& j, LogRequest& r) {
  auto local = parse_log_address(envoy_json_field(j, "downstream_local_address"));
  if (!local || local->port == 0) return "no destination port: downstream_local_address is missing or not IP:PORT";
  r.spec.port = local->port;
  r.spec.request.destination_ip = local->ip;
  std::string remote_text = envoy_json_field(j, "downstream_remote_address");
  if (auto remote = parse_log_address(remote_text)) r.spec.request.source_ip = remote->ip;
  std::string method = envoy_json_field(j, "method"), path = envoy_json_field(j, "path");
  std::string authority = envoy_json_field(j, "authority"), sni = envoy_json_field(j, "requested_server_name");
  const bool http = !log_unset(method);
  r.spec.protocol = http ? "http" : "tcp";
  if (http) {
    r.spec.request.method = method;
    if (!log_unset(path)) r.spec.request.path = path_without_query(path);
    if (!log_unset(authority)) r.spec.request.host = authority;
  }
  if (!log_unset(sni)) r.spec.request.sni = sni;
  constexpr std::string_view kHeader = "request_header.";
  for (const auto& [key, value] : j.items())
    if (key.rfind(kHeader, 0) == 0 && value.is_string() && !log_unset(value.get<std::string>()))
      r.spec.request.headers.push_back(ascii_lower(key.substr(kHeader.size())) + "=" + value.get<std::string>());
  return std::nullopt;
}

}  // namespace

LineOutcome parse_envoy_json_line(std::string_view line, const ParseOptions& options) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return envoy_json_unread("not a JSON object");
  LineOutcome out;
  if (std::string why = envoy_direction_ignored(envoy_json_field(j, "upstream_cluster")); !why.empty()) {
    out.kind = LineOutcome::Ignored;
    out.reason = why;
    return out;
  }
  LogRequest& r = out.request;
  if (!set_destination(envoy_json_field(j, "destination_namespace"), envoy_json_field(j, "destination_workload"),
                       options, r))
    return envoy_json_unread(
        "no destination workload: the line has no destination_namespace/destination_workload; give --to "
        "NAMESPACE/NAME for a log of one workload's proxy");
  if (auto err = envoy_json_caller(j, r)) return envoy_json_unread(*err);
  if (auto err = envoy_json_request(j, r)) return envoy_json_unread(*err);
  if (!envoy_observed(envoy_json_field(j, "response_code"), envoy_json_field(j, "response_code_details"),
                      envoy_json_field(j, "connection_termination_details"), r))
    return envoy_json_unread("no response_code: what the proxy did is not recorded");
  out.kind = LineOutcome::Request;
  return out;
}

}  // namespace meshproof::replay
