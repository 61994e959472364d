// Hubble flows as `hubble observe -o json` writes them, one per line (a flow, or {"flow": {...}}):
// ingress flows to a workload (docs/replay.md#hubble). Cilium identities are not mesh identities, so the
// caller is the source workload (`--from`: its service account as the manifests give it), never a guess.
#include <nlohmann/json.hpp>

#include "replay/log.h"
#include "replay/log_fields.h"

namespace meshproof::replay {

namespace {

using nlohmann::json;

std::string hubble_string(const json& j, const json::json_pointer& p) {
  if (!j.contains(p)) return "";
  const json& v = j.at(p);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  return "";
}

LineOutcome hubble_unread(std::string reason) {
  LineOutcome o;
  o.reason = std::move(reason);
  return o;
}

LineOutcome hubble_ignored(std::string reason) {
  LineOutcome o;
  o.kind = LineOutcome::Ignored;
  o.reason = std::move(reason);
  return o;
}

// "NS/NAME" of an endpoint's first workload ("" when the flow names none).
std::string hubble_workload(const json& f, const char* endpoint) {
  const std::string base = std::string("/") + endpoint;
  std::string ns = hubble_string(f, json::json_pointer(base + "/namespace"));
  std::string name = hubble_string(f, json::json_pointer(base + "/workloads/0/name"));
  return ns.empty() || name.empty() ? "" : ns + "/" + name;
}

// "http://host:port/path?q" → host and path.
void hubble_url(const std::string& url, LogRequest& r) {
  size_t scheme = url.find("://");
  size_t host_start = scheme == std::string::npos ? std::string::npos : scheme + 3;
  size_t path_start = url.find('/', host_start == std::string::npos ? 0 : host_start);
  if (host_start != std::string::npos)
    r.spec.request.host =
        url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  r.spec.request.path = path_start == std::string::npos ? "/" : path_without_query(url.substr(path_start));
}

// FORWARDED / AUDIT (forwarded, would have been dropped) = served; DROPPED by policy = denied.
std::optional<std::string> hubble_observed(const json& f, LogRequest& r) {
  const std::string verdict = hubble_string(f, json::json_pointer("/verdict"));
  const std::string drop = hubble_string(f, json::json_pointer("/drop_reason_desc"));
  r.observed_detail = verdict + (drop.empty() ? "" : " " + drop);
  if (verdict == "FORWARDED" || verdict == "AUDIT" || verdict == "REDIRECTED") {
    r.observed = Observed::Served;
    return std::nullopt;
  }
  if (verdict == "DROPPED" && (drop == "POLICY_DENIED" || drop == "POLICY_DENY" || drop == "AUTH_REQUIRED")) {
    r.observed = Observed::Denied;
    return std::nullopt;
  }
  return "verdict " + (verdict.empty() ? std::string("missing") : r.observed_detail) + ": not an authorization outcome";
}

}  // namespace

LineOutcome parse_hubble_line(std::string_view line, const ParseOptions& options) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return hubble_unread("not a JSON object");
  const json& f = j.contains("flow") && j["flow"].is_object() ? j["flow"] : j;
  if (f.value("is_reply", false)) return hubble_ignored("reply direction of a connection");
  if (hubble_string(f, json::json_pointer("/traffic_direction")) != "INGRESS")
    return hubble_ignored("not an INGRESS flow: the destination's ingress flow records its decision");
  LineOutcome out;
  LogRequest& r = out.request;
  const std::string to = hubble_workload(f, "destination");
  if (!set_destination("", "", ParseOptions{options.format, to.empty() ? options.to : to}, r))
    return hubble_unread("no destination workload: destination.workloads is empty; give --to NAMESPACE/NAME");
  r.spec.from = hubble_workload(f, "source");
  if (r.spec.from.empty())
    return hubble_unread(
        "no source workload: Cilium identities are not mesh identities, and source.workloads is "
        "empty");
  const std::string port = hubble_string(f, json::json_pointer("/l4/TCP/destination_port"));
  if (port.empty()) return hubble_unread("not a TCP flow: Istio authorization applies to TCP connections");
  const unsigned long port_number = std::stoul(port);
  if (port_number == 0 || port_number > 65535) return hubble_unread("destination port " + port + " out of range");
  r.spec.port = static_cast<uint32_t>(port_number);
  r.spec.request.source_ip = hubble_string(f, json::json_pointer("/IP/source"));
  r.spec.request.destination_ip = hubble_string(f, json::json_pointer("/IP/destination"));
  r.spec.protocol = "tcp";
  if (f.contains(json::json_pointer("/l7/http"))) {
    r.spec.protocol = "http";
    r.spec.request.method = hubble_string(f, json::json_pointer("/l7/http/method"));
    hubble_url(hubble_string(f, json::json_pointer("/l7/http/url")), r);
  }
  if (auto err = hubble_observed(f, r)) return hubble_unread(*err);
  out.kind = LineOutcome::Request;
  return out;
}

}  // namespace meshproof::replay
