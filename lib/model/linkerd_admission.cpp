// Linkerd's admission webhook (model/linkerd_admission.h). Sources, linkerd2 at b24cd40:
// policy-controller/runtime/src/admission.rs (Validate impls: AuthorizationPolicy 244-305, identity refs
// 309-322, MeshTLSAuthentication 326-343, Server 350-365, NetworkAuthentication 369-380 and 405-426,
// ServerAuthorization 430-474), validation.rs (identities), k8s/index/src/inbound/authorization_policy.rs
// 63-87 (targets the index can read, which admission also requires), and the CRD schemas
// (charts/linkerd-crds/templates/policy/*.yaml: podSelector xor externalWorkloadSelector, proxyProtocol enum).
#include <arpa/inet.h>
#include <strings.h>

#include <algorithm>

#include <array>
#include <cstring>
#include <optional>

#include "model/linkerd_admission.h"
#include "model/regex.h"

namespace meshproof::model::detail {

namespace {

constexpr const char* kAdmissionHelp =
    "Linkerd's admission webhook rejects this object (docs/semantics.md#linkerd-policy)";

void reject(Reader& r, Loc loc, const std::string& field, std::string message, std::string help = kAdmissionHelp) {
  r.diag(Severity::Error, loc, std::move(message), std::move(help), field);
}

// A CIDR as an address and prefix length, for the containment tests of validate_networks (ipnet::IpNet).
struct LinkerdCidr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  unsigned len = 0;
  bool contains(const LinkerdCidr& o) const {
    if (v6 != o.v6 || o.len < len) return false;
    for (unsigned i = 0; i < len; ++i) {
      const unsigned bit = 7 - i % 8;
      if (((bytes[i / 8] >> bit) & 1) != ((o.bytes[i / 8] >> bit) & 1)) return false;
    }
    return true;
  }
};

std::optional<LinkerdCidr> parse_linkerd_cidr(std::string_view text) {
  LinkerdCidr c;
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  c.v6 = addr.find(':') != std::string::npos;
  if (inet_pton(c.v6 ? AF_INET6 : AF_INET, addr.c_str(), c.bytes.data()) != 1) return std::nullopt;
  const unsigned width = c.v6 ? 128 : 32;
  c.len = width;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    c.len = 0;
    for (char ch : digits) {
      if (ch < '0' || ch > '9') return std::nullopt;
      c.len = c.len * 10 + static_cast<unsigned>(ch - '0');
    }
    if (c.len > width) return std::nullopt;
  }
  return c;
}

void admit_networks(const std::vector<LinkerdNetwork>& networks, const std::string& field, Reader& r) {
  for (size_t i = 0; i < networks.size(); ++i) {
    const LinkerdNetwork& net = networks[i];
    const std::string at = field + "[" + std::to_string(i) + "]";
    const std::optional<LinkerdCidr> cidr = parse_linkerd_cidr(net.cidr.value);
    if (!cidr) {
      reject(r, net.cidr.loc, at + ".cidr", "cidr \"" + net.cidr.value + "\" is not an IP network",
             "write an address or ADDRESS/BITS, e.g. 10.0.0.0/8");
      continue;
    }
    for (size_t k = 0; k < net.except.size(); ++k) {
      const Str& e = net.except[k];
      const std::optional<LinkerdCidr> ex = parse_linkerd_cidr(e.value);
      const std::string ef = at + ".except[" + std::to_string(k) + "]";
      if (!ex)
        reject(r, e.loc, ef, "except \"" + e.value + "\" is not an IP network");
      else if (ex->contains(*cidr))
        reject(r, e.loc, ef, "cidr '" + net.cidr.value + "' is completely negated by exception '" + e.value + "'");
      else if (!cidr->contains(*ex))
        reject(r, e.loc, ef, "cidr '" + net.cidr.value + "' does not include exception '" + e.value + "'");
    }
  }
}

bool targets(const LinkerdRef& ref, std::string_view group, std::string_view kind) {
  // LocalTargetRef::targets_kind: the kind matches case-insensitively and the group matches (core: "").
  if (ref.kind.size() != kind.size() || strncasecmp(ref.kind.c_str(), kind.data(), kind.size()) != 0) return false;
  return ref.group == group;
}

bool is_meshtls_ref(const LinkerdRef& a) { return targets(a, "policy.linkerd.io", "MeshTLSAuthentication"); }
bool is_network_ref(const LinkerdRef& a) { return targets(a, "policy.linkerd.io", "NetworkAuthentication"); }
bool is_service_account_ref(const LinkerdRef& a) { return targets(a, "", "ServiceAccount"); }

void admit_identities(const std::vector<Str>& ids, const std::string& field, Reader& r) {
  for (size_t i = 0; i < ids.size(); ++i)
    if (std::string why = linkerd_identity_problem(ids[i].value); !why.empty())
      reject(r, ids[i].loc, field + "[" + std::to_string(i) + "]", "id " + ids[i].value + " is invalid: " + why);
}

bool dns_label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool valid_dns_like_identity(std::string_view id) {
  size_t start = 0;
  for (size_t n = 0;; ++n) {
    size_t dot = id.find('.', start);
    std::string_view label = id.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const bool wildcard = n == 0 && label == "*";
    if (!wildcard) {
      if (label.empty() || label.front() == '-' || label.back() == '-') return false;
      for (char c : label)
        if (!dns_label_char(c)) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string spiffe_path_problem(std::string_view path) {
  static constexpr std::string_view kSegmentChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') {
      if (kSegmentChars.find(path[i]) == std::string_view::npos)
        return "SPIFFE path segment characters are limited to letters, numbers, dots, dashes, and underscores";
      continue;
    }
    if (i == 0) continue;
    std::string_view seg = path.substr(start, i - start);
    if (seg == "/")
      return i == path.size() ? "SPIFFE path cannot have a trailing slash"
                              : "SPIFFE path cannot contain empty segments";
    if (seg == "/." || seg == "/..") return "SPIFFE path cannot contain dot segments";
    start = i;
  }
  return "";
}

}  // namespace

std::string linkerd_identity_problem(std::string_view id) {
  static constexpr std::string_view kScheme = "spiffe://";
  if (id.starts_with(kScheme)) {
    std::string_view rest = id.substr(kScheme.size());
    const size_t slash = std::min(rest.find('/'), rest.size());
    if (slash == 0) return "SPIFFE trust domain is missing";
    for (char c : rest.substr(0, slash))
      if (std::string_view("abcdefghijklmnopqrstuvwxyz0123456789-._").find(c) == std::string_view::npos)
        return "SPIFFE trust domain characters are limited to lowercase letters, numbers, dots, dashes, and "
               "underscores";
    return spiffe_path_problem(rest.substr(slash));
  }
  if (valid_dns_like_identity(id)) return "";
  return "identity must be a valid SPIFFE id or a DNS SAN, matching the regex: "
         "^(\\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
}

void admit_linkerd_object(const LinkerdServer& s, Reader& r) {
  if (s.pod_selector.present == s.external_workload_selector)
    reject(r, s.loc, "spec", "a Server needs exactly one of podSelector and externalWorkloadSelector",
           "the CRD schema (oneOf) rejects the object; select the pods with spec.podSelector");
  if (s.port_number == 0 && s.port_name.empty())
    reject(r, s.loc, "spec.port", "spec.port is missing", "name the container port (number or name) the Server is for");
  static constexpr std::array<std::string_view, 7> kProtocols = {"",     "unknown", "HTTP/1", "HTTP/2",
                                                                 "gRPC", "opaque",  "TLS"};
  if (std::find(kProtocols.begin(), kProtocols.end(), s.proxy_protocol) == kProtocols.end())
    reject(r, s.loc, "spec.proxyProtocol",
           "proxyProtocol \"" + s.proxy_protocol + "\" is not one of unknown, HTTP/1, HTTP/2, gRPC, opaque, TLS",
           "the CRD schema's enum rejects the object");
  if (!valid_linkerd_default_policy(s.access_policy))
    reject(r, s.access_policy_loc, "spec.accessPolicy",
           "Invalid 'accessPolicy' field: \"" + s.access_policy + "\" is not a default policy",
           "use one of all-unauthenticated, all-authenticated, cluster-unauthenticated, cluster-authenticated, deny, "
           "audit");
}

void admit_linkerd_object(const LinkerdServerAuthorization& a, Reader& r) {
  if (a.server_name.empty() == !a.server_selector.present)
    reject(r, a.loc, "spec.server", "spec.server needs exactly one of name and selector",
           "the CRD schema (oneOf) rejects the object");
  const bool mesh_tls = a.unauthenticated_tls || !a.identities.empty() || !a.service_accounts.empty();
  if (mesh_tls && a.unauthenticated)
    reject(r, a.loc, "spec.client.unauthenticated", "`unauthenticated` must be false if `mesh_tls` is specified");
  if (a.unauthenticated_tls && (!a.identities.empty() || !a.service_accounts.empty()))
    reject(r, a.loc, "spec.client.meshTLS.unauthenticatedTLS",
           "`unauthenticatedTLS` be false if any `identities` or `service_accounts` is specified");
  admit_identities(a.identities, "spec.client.meshTLS.identities", r);
  admit_networks(a.networks, "spec.client.networks", r);
}

void admit_linkerd_object(const LinkerdAuthorizationPolicy& p, Reader& r) {
  const LinkerdRef& t = p.target;
  const bool known_target = targets(t, "policy.linkerd.io", "Server") || targets(t, "", "Namespace") ||
                            targets(t, "policy.linkerd.io", "HTTPRoute") ||
                            targets(t, "gateway.networking.k8s.io", "HTTPRoute") ||
                            targets(t, "gateway.networking.k8s.io", "GRPCRoute");
  if (targets(t, "", "Namespace") && t.name != p.meta.ns)
    reject(r, t.loc, "spec.targetRef.name", "cannot target another namespace: " + t.name);
  if (!known_target)
    reject(r, t.loc, "spec.targetRef",
           "unsupported authorization target type: " + (t.group.empty() ? "" : t.group + "/") + t.kind,
           "target a policy.linkerd.io Server or HTTPRoute, the policy's own Namespace, or a Gateway API "
           "HTTPRoute/GRPCRoute");
  size_t mtls = 0, sas = 0, nets = 0;
  for (const LinkerdRef& a : p.authentications) {
    mtls += is_meshtls_ref(a);
    sas += is_service_account_ref(a);
    nets += is_network_ref(a);
    if (!is_meshtls_ref(a) && !is_service_account_ref(a) && !is_network_ref(a))
      reject(r, a.loc, "spec.requiredAuthenticationRefs", "unsupported authentication kind(s): " + a.kind);
  }
  const Loc refs = p.authentications.empty() ? p.loc : p.authentications.front().loc;
  if (mtls > 1) reject(r, refs, "spec.requiredAuthenticationRefs", "only a single MeshTLSAuthentication may be set");
  if (sas > 1) reject(r, refs, "spec.requiredAuthenticationRefs", "only a single ServiceAccount may be set");
  if (mtls == 1 && sas == 1)
    reject(r, refs, "spec.requiredAuthenticationRefs",
           "a MeshTLSAuthentication and ServiceAccount may not be set together");
  if (nets > 1) reject(r, refs, "spec.requiredAuthenticationRefs", "only a single NetworkAuthentication may be set");
}

void admit_linkerd_object(const LinkerdMeshTLSAuthentication& m, Reader& r) {
  if (m.identities.empty() == m.identity_refs.empty())
    reject(r, m.loc, "spec", "a MeshTLSAuthentication needs exactly one of identities and identityRefs, not empty",
           "the CRD schema (oneOf, minItems 1) rejects the object");
  admit_identities(m.identities, "spec.identities", r);
  for (const LinkerdRef& ref : m.identity_refs) {
    if (targets(ref, "", "Namespace") && !ref.ns.empty())
      reject(r, ref.loc, "spec.identityRefs", "Namespace identity_ref is cluster-scoped and cannot have a namespace");
    else if (!targets(ref, "", "Namespace") && !targets(ref, "", "ServiceAccount"))
      reject(r, ref.loc, "spec.identityRefs", "invalid identity target kind: " + ref.kind);
  }
}

void admit_linkerd_object(const LinkerdNetworkAuthentication& n, Reader& r) {
  if (n.networks.empty()) reject(r, n.loc, "spec.networks", "at least one network must be specified");
  admit_networks(n.networks, "spec.networks", r);
}

namespace {

// policy-controller k8s/index/src/routes/http.rs path_match: Exact and PathPrefix values must be absolute, a
// RegularExpression must compile (Rust's regex crate there; RE2 here, model/regex.h: the same syntax family,
// without look-around or backreferences in either).
void admit_route_path(const gwapi::RouteMatch& m, const std::string& at, Reader& r) {
  if (!m.path_present) return;
  if (m.path_type == "Exact" || m.path_type == "PathPrefix") {
    if (!m.path_value.starts_with('/'))
      reject(r, m.path_loc, at + ".path.value",
             "HttpPathMatch paths must be absolute (begin with `/`); \"" + m.path_value + "\" is not an absolute path");
  } else if (m.path_type == "RegularExpression") {
    if (auto err = regex_error(m.path_value))
      reject(r, m.path_loc, at + ".path.value", "path regex \"" + m.path_value + "\" does not compile: " + *err);
  } else {
    reject(r, m.path_loc, at + ".path.type",
           "path type \"" + m.path_type + "\" is not one of Exact, PathPrefix, RegularExpression",
           "the CRD schema's enum rejects the object");
  }
}

void admit_route_match(const gwapi::RouteMatch& m, const std::string& at, Reader& r) {
  admit_route_path(m, at, r);
  static constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                               "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  if (!m.method.empty() && std::find(kMethods.begin(), kMethods.end(), m.method) == kMethods.end())
    reject(r, m.method_loc, at + ".method", "method \"" + m.method + "\" is not an HTTP method the CRD allows",
           "use one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH");
  for (size_t k = 0; k < m.headers.size(); ++k) {
    const std::string hf = at + ".headers[" + std::to_string(k) + "]";
    const std::string& type = m.header_types[k];
    if (m.headers[k].first.empty()) reject(r, m.loc, hf + ".name", "a header match needs a name");
    if (type == "RegularExpression") {
      if (auto err = regex_error(m.headers[k].second))
        reject(r, m.loc, hf + ".value", "header regex \"" + m.headers[k].second + "\" does not compile: " + *err);
    } else if (type != "Exact") {
      reject(r, m.loc, hf + ".type", "header match type \"" + type + "\" is not one of Exact, RegularExpression",
             "the CRD schema's enum rejects the object");
    }
  }
}

}  // namespace

// policy-controller runtime/src/admission.rs Validate<HttpRouteSpec>: every match must convert (validate_match).
void admit_linkerd_object(const LinkerdHTTPRoute& route, Reader& r) {
  for (size_t i = 0; i < route.rules.size(); ++i)
    for (size_t j = 0; j < route.rules[i].matches.size(); ++j)
      admit_route_match(route.rules[i].matches[j],
                        "spec.rules[" + std::to_string(i) + "].matches[" + std::to_string(j) + "]", r);
}

}  // namespace meshproof::model::detail

namespace meshproof::model {

namespace {

template <class T>
void take_rejected_of(std::vector<T>& from, std::vector<T>& to, const std::vector<Diagnostic>& diags) {
  std::vector<T> kept;
  for (T& o : from) {
    bool rejected = false;
    for (const Diagnostic& d : diags)
      rejected = rejected || (d.severity == Severity::Error && d.resource.loc == o.loc && d.resource.kind == o.kind);
    (rejected ? to : kept).push_back(std::move(o));
  }
  from = std::move(kept);
}

}  // namespace

LinkerdPolicySet take_rejected_linkerd(LinkerdPolicySet& set) {
  LinkerdPolicySet out;
  take_rejected_of(set.servers, out.servers, set.diagnostics);
  take_rejected_of(set.server_authorizations, out.server_authorizations, set.diagnostics);
  take_rejected_of(set.authorization_policies, out.authorization_policies, set.diagnostics);
  take_rejected_of(set.meshtls_authentications, out.meshtls_authentications, set.diagnostics);
  take_rejected_of(set.network_authentications, out.network_authentications, set.diagnostics);
  take_rejected_of(set.http_routes, out.http_routes, set.diagnostics);
  return out;
}

}  // namespace meshproof::model
