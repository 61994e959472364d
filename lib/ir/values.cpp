#include "ir/values.h"

namespace meshproof::ir {

bool generator_http_only(GeneratorKind g) {
  switch (g) {
    case GeneratorKind::RequestPrincipal:
    case GeneratorKind::Audiences:
    case GeneratorKind::Presenter:
    case GeneratorKind::Header:
    case GeneratorKind::Claims:
    case GeneratorKind::Host:
    case GeneratorKind::Path:
    case GeneratorKind::Method:
      return true;
    default:
      return false;
  }
}

std::optional<WhenKey> classify_when_key(const std::string& k) {
  using G = GeneratorKind;
  if (k == "destination.ip") return WhenKey{G::DestinationIp, true};
  if (k == "destination.port") return WhenKey{G::DestinationPort, true};
  if (k == "connection.sni") return WhenKey{G::Sni, true};
  if (k.starts_with("experimental.envoy.filters.")) return WhenKey{G::EnvoyFilter, true};
  if (k == "source.ip") return WhenKey{G::SourceIp, false};
  if (k == "remote.ip") return WhenKey{G::RemoteIp, false};
  if (k == "source.namespace") return WhenKey{G::Namespace, false};
  if (k == "source.principal") return WhenKey{G::Principal, false};
  if (k == "source.serviceAccount") return WhenKey{G::ServiceAccount, false};
  if (k == "source.trustDomain") return WhenKey{G::TrustDomain, false};
  if (k == "request.auth.principal") return WhenKey{G::RequestPrincipal, false};
  if (k == "request.auth.audiences") return WhenKey{G::Audiences, false};
  if (k == "request.auth.presenter") return WhenKey{G::Presenter, false};
  if (k.starts_with("request.headers")) return WhenKey{G::Header, false};
  if (k.starts_with("request.auth.claims")) return WhenKey{G::Claims, false};
  return std::nullopt;
}

// model.New inserts each field at the front of the list in reverse, which gives this order (IS §4).
const std::array<FieldSpec<model::Source>, 7> kSourceFields = {{
    {GeneratorKind::Principal, "principals", "notPrincipals", "source.principal", &model::Source::principals,
     &model::Source::not_principals},
    {GeneratorKind::RequestPrincipal, "requestPrincipals", "notRequestPrincipals", "request.auth.principal",
     &model::Source::request_principals, &model::Source::not_request_principals},
    {GeneratorKind::ServiceAccount, "serviceAccounts", "notServiceAccounts", "source.serviceAccount",
     &model::Source::service_accounts, &model::Source::not_service_accounts},
    {GeneratorKind::TrustDomain, "trustDomains", "notTrustDomains", "source.trustDomain", &model::Source::trust_domains,
     &model::Source::not_trust_domains},
    {GeneratorKind::Namespace, "namespaces", "notNamespaces", "source.namespace", &model::Source::namespaces,
     &model::Source::not_namespaces},
    {GeneratorKind::RemoteIp, "remoteIpBlocks", "notRemoteIpBlocks", "remote.ip", &model::Source::remote_ip_blocks,
     &model::Source::not_remote_ip_blocks},
    {GeneratorKind::SourceIp, "ipBlocks", "notIpBlocks", "source.ip", &model::Source::ip_blocks,
     &model::Source::not_ip_blocks},
}};

const std::array<FieldSpec<model::Operation>, 4> kOperationFields = {{
    {GeneratorKind::Host, "hosts", "notHosts", ":authority", &model::Operation::hosts, &model::Operation::not_hosts},
    {GeneratorKind::Method, "methods", "notMethods", ":method", &model::Operation::methods,
     &model::Operation::not_methods},
    {GeneratorKind::Path, "paths", "notPaths", "path-matcher", &model::Operation::paths, &model::Operation::not_paths},
    {GeneratorKind::DestinationPort, "ports", "notPorts", "destination.port", &model::Operation::ports,
     &model::Operation::not_ports},
}};

StringPattern string_pattern(const std::string& v) {
  if (v == "*") return {StringPattern::Any, ""};
  if (v.starts_with("*")) return {StringPattern::Suffix, v.substr(1)};
  if (v.ends_with("*")) return {StringPattern::Prefix, v.substr(0, v.size() - 1)};
  return {StringPattern::Exact, v};
}

RequestPrincipalPattern request_principal_pattern(const std::string& v) {
  size_t idx = v.rfind('/');
  bool found = idx != std::string::npos;
  std::string iss = found ? v.substr(0, idx) : v;
  std::string sub = found ? v.substr(idx + 1) : "";
  const StringPattern any{StringPattern::Any, ""};
  auto exact = [](std::string s) { return StringPattern{StringPattern::Exact, std::move(s)}; };
  if (v == "*") return {any, any};
  if (v.starts_with("*")) {
    if (!found) return {any, {StringPattern::Suffix, v.substr(1)}};
    return {iss == "*" ? any : StringPattern{StringPattern::Suffix, iss.substr(1)}, exact(sub)};
  }
  if (v.ends_with("*")) {
    if (!found) return {{StringPattern::Prefix, v.substr(0, v.size() - 1)}, any};
    return {exact(iss), sub == "*" ? any : StringPattern{StringPattern::Prefix, sub.substr(0, sub.size() - 1)}};
  }
  return {exact(iss), exact(sub)};
}

ServiceAccountName split_service_account(const std::string& v, const std::string& policy_ns) {
  size_t slash = v.find('/');
  if (slash == std::string::npos) return {policy_ns, v};
  return {v.substr(0, slash), v.substr(slash + 1)};
}

std::optional<std::string> envoy_path_template(const std::string& path) {
  if (path.find("{*}") == std::string::npos && path.find("{**}") == std::string::npos) return std::nullopt;
  std::string t = path;
  for (size_t p; (p = t.find("{**}")) != std::string::npos;) t.replace(p, 4, "**");
  for (size_t p; (p = t.find("{*}")) != std::string::npos;) t.replace(p, 3, "*");
  return t;
}

std::optional<EnvoyFilterKey> parse_envoy_filter_key(const std::string& when_key) {
  std::string body = when_key.substr(std::string("experimental.").size());
  if (body.ends_with("]")) body.pop_back();
  size_t open = body.find('[');
  if (open == std::string::npos) return std::nullopt;
  return EnvoyFilterKey{body.substr(0, open), body.substr(open + 1)};
}

std::optional<std::string> list_value_element(const std::string& v) {
  if (!v.starts_with("[") || !v.ends_with("]")) return std::nullopt;
  size_t a = v.find_first_not_of("[]"), b = v.find_last_not_of("[]");
  return a == std::string::npos ? "" : v.substr(a, b - a + 1);
}

std::optional<std::vector<std::string>> names_in_nested_brackets(const std::string& s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return std::nullopt;
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '[') return std::nullopt;
    size_t close = s.find(']', i);
    if (close == std::string::npos || close == i + 1) return std::nullopt;
    std::string name = s.substr(i + 1, close - i - 1);
    if (name.find('[') != std::string::npos) return std::nullopt;
    out.push_back(name);
    i = close + 1;
  }
  return out;
}

std::optional<std::string> name_in_brackets(const std::string& s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  return s.substr(1, s.size() - 2);
}

std::optional<uint32_t> port_value(const std::string& v) {
  if (v.empty()) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > 65535) return std::nullopt;  // ParseUint's 32-bit range error or convertToPort's limit
  }
  return static_cast<uint32_t>(n);
}

}  // namespace meshproof::ir
