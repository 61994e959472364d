// The checks Istio's authz builder makes before it uses an ext_authz extension provider
// (pilot/pkg/security/authz/builder/extauthz.go processExtensionProvider, buildExtAuthzHTTP/GRPC, and
// pkg/config/validation/agent/extensionprovider.go). A CUSTOM policy that names a provider failing them
// is enforced as DENY ("-deny-due-to-bad-CUSTOM-action", builder test case custom-bad-invalid-config).
// Not modelled: the service lookup in the registry (model.LookupCluster), which needs the cluster's
// services; the provider is assumed to name an existing one.
#include <algorithm>
#include <set>

#include "model/parse_internal.h"

namespace meshproof::model::detail {

namespace {

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string scalar_of(const Node& map, const char* key) {
  const Node* n = map.find(key);
  return n && n->type == Node::Type::Scalar ? n->scalar : "";
}

// validateProviderName: a DNS-1123 label (lower-case letters, digits, '-', at most 63 characters).
std::string name_problem(const std::string& name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > 63) return "the name is longer than 63 characters";
  bool chars_ok = std::all_of(name.begin(), name.end(),
                              [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
  if (!chars_ok) return "the name may hold only lower-case letters, digits and '-'";
  if (name.front() == '-' || name.back() == '-') return "the name starts or ends with '-'";
  return "";
}

// parsePort: 1..65535 (an absent port is 0).
bool port_ok(const std::string& port) {
  if (port.empty() || port.size() > 5 || !all_digits(port)) return false;
  int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

// parseStatusOnError: empty, or a code of Envoy's envoy.type.v3.StatusCode enum.
bool status_ok(const std::string& status) {
  static const std::set<int> codes = {0,   100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302,
                                      303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
                                      410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429,
                                      431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
  if (status.empty()) return true;
  if (status.size() > 9 || !all_digits(status)) return false;
  return codes.count(std::stoi(status)) > 0;
}

// checkWildcard: a header list holding a single "*".
bool has_single_wildcard(const Node& config, const char* key) {
  const Node* list = config.find(key);
  if (!list || list->type != Node::Type::Sequence) return false;
  return std::any_of(list->items.begin(), list->items.end(),
                     [](const Node& i) { return i.type == Node::Type::Scalar && i.scalar == "*"; });
}

}  // namespace

std::string ext_authz_problem(const Node& ep, const std::string& type) {
  if (type != "envoyExtAuthzHttp" && type != "envoyExtAuthzGrpc") return "";
  if (std::string p = name_problem(scalar_of(ep, "name")); !p.empty()) return p;
  const Node* config = ep.find(type.c_str());
  if (!config || !config->is_map()) return "the provider has no configuration";
  if (!port_ok(scalar_of(*config, "port"))) return "port must be in the range [1, 65535]";
  if (scalar_of(*config, "service").empty()) return "service must not be empty";
  if (!status_ok(scalar_of(*config, "statusOnError"))) return "statusOnError is not an HTTP status Envoy supports";
  if (type == "envoyExtAuthzGrpc") return "";
  std::string prefix = scalar_of(*config, "pathPrefix");
  if (!prefix.empty() && prefix.front() != '/') return "pathPrefix must begin with '/'";
  for (const char* key : {"includeRequestHeadersInCheck", "includeHeadersInCheck", "headersToDownstreamOnDeny",
                          "headersToDownstreamOnAllow", "headersToUpstreamOnAllow"})
    if (has_single_wildcard(*config, key)) return std::string("a single \"*\" is not supported in ") + key;
  return "";
}

}  // namespace meshproof::model::detail
