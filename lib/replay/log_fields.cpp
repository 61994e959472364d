#include "replay/log_fields.h"

#include <charconv>

namespace meshproof::replay {

bool log_unset(std::string_view value) { return value.empty() || value == "-"; }

std::optional<LogAddress> parse_log_address(std::string_view text) {
  if (log_unset(text)) return std::nullopt;
  LogAddress out;
  std::string_view host = text, port;
  if (text.front() == '[') {  // [v6]:port
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  out.ip = std::string(host);
  if (!port.empty()) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port == 0 || out.port > 65535) return std::nullopt;
  }
  return out;
}

std::optional<std::string> principal_of_uri_san(std::string_view san) {
  constexpr std::string_view kScheme = "spiffe://";
  if (san.rfind(kScheme, 0) != 0 || san.find(',') != std::string_view::npos) return std::nullopt;
  std::string principal(san.substr(kScheme.size()));
  if (principal.empty()) return std::nullopt;
  return principal;
}

std::string path_without_query(std::string_view path) {
  size_t cut = path.find_first_of("?#");
  return std::string(path.substr(0, cut));
}

std::string envoy_direction_ignored(std::string_view cluster) {
  if (cluster.rfind("outbound|", 0) == 0 || cluster == "PassthroughCluster" || cluster == "BlackHoleCluster")
    return "client-side line (upstream cluster " + std::string(cluster.substr(0, cluster.find('|'))) +
           "): the destination's own line records its decision";
  return "";
}

bool envoy_observed(std::string_view code, std::string_view details, std::string_view termination, LogRequest& out) {
  constexpr std::string_view kRbac = "rbac_access_denied_matched_policy[";
  const bool http_rbac = details.rfind(kRbac, 0) == 0, tcp_rbac = termination.rfind(kRbac, 0) == 0;
  const bool jwt = code == "401" && details.rfind("jwt_authn_access_denied", 0) == 0;
  if (http_rbac || tcp_rbac || jwt) {
    out.observed = Observed::Denied;
    out.observed_detail = (log_unset(code) ? std::string("connection") : std::string(code)) + " " +
                          std::string(tcp_rbac ? termination : details);
    return true;
  }
  if (log_unset(code)) return false;
  out.observed = Observed::Served;
  out.observed_detail = std::string(code);
  return true;
}

bool set_destination(const std::string& ns, const std::string& name, const ParseOptions& options, LogRequest& out) {
  if (!log_unset(ns) && !log_unset(name))
    out.spec.to = ns + "/" + name;
  else
    out.spec.to = options.to;
  return !out.spec.to.empty();
}

}  // namespace meshproof::replay
