// Known policy kinds outside the model (model/not_analyzed.h). The lists name the kinds that decide who may
// talk to whom, or whether traffic is encrypted, in the systems meshproof meets beside Istio; each is a
// reason the tool's answer may be incomplete, so none is skipped in silence.
#include "model/not_analyzed.h"

#include <array>

#include "model/linkerd_policy.h"
#include "model/parse_internal.h"

namespace meshproof::model {

namespace {

template <size_t N>
bool listed(std::string_view kind, const std::array<std::string_view, N>& kinds) {
  for (std::string_view k : kinds)
    if (k == kind) return true;
  return false;
}

// A scalar at `key` of a map, or "".
std::string_view scalar_at(const load::Node& map, std::string_view key) {
  const load::Node* n = map.find(key);
  return n && n->is_scalar() ? std::string_view(n->scalar) : std::string_view();
}

void add_object(const load::Node& obj, std::string_view api_version, std::string_view kind, const char* system,
                std::vector<NotAnalyzed>& out) {
  NotAnalyzed n;
  n.loc = detail::first_key_loc(obj);
  n.api_version = std::string(api_version);
  n.kind = std::string(kind);
  n.system = system;
  if (const load::Node* md = obj.find("metadata"); md && md->is_map()) {
    n.name = std::string(scalar_at(*md, "name"));
    n.ns = std::string(scalar_at(*md, "namespace"));
  }
  out.push_back(std::move(n));
}

void visit_object(const load::Node& obj, std::string_view default_api_version, std::string_view default_kind,
                  std::vector<NotAnalyzed>& out);

// A `kind: List` (or any typed `*List`): its items, each with the list's apiVersion and item kind as
// defaults, as the model's dispatcher reads them.
void visit_list(const load::Node& items, std::string_view api_version, std::string_view kind,
                std::vector<NotAnalyzed>& out) {
  if (!items.is_seq()) return;
  std::string_view item_kind;
  if (kind != "List" && kind.size() > 4) item_kind = kind.substr(0, kind.size() - 4);
  for (const load::Node& item : items.items) visit_object(item, api_version, item_kind, out);
}

void visit_object(const load::Node& obj, std::string_view default_api_version, std::string_view default_kind,
                  std::vector<NotAnalyzed>& out) {
  if (!obj.is_map()) return;
  std::string_view api_version = scalar_at(obj, "apiVersion");
  std::string_view kind = scalar_at(obj, "kind");
  if (api_version.empty() && !obj.find("apiVersion")) api_version = default_api_version;
  if (kind.empty() && !obj.find("kind")) kind = default_kind;
  if (api_version.empty() || kind.empty()) return;
  const bool is_list = kind == "List" || (kind.size() > 4 && kind.substr(kind.size() - 4) == "List");
  if (is_list && obj.find("items")) {
    visit_list(*obj.find("items"), api_version, kind, out);
    return;
  }
  const size_t slash = api_version.rfind('/');
  const std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
  if (const char* system = unmodelled_policy_system(group, kind)) add_object(obj, api_version, kind, system, out);
}

// The resource of an AWS CloudFormation template that configures App Mesh, or an ECS service with Service
// Connect (its mesh-like service-to-service routing and TLS), by its Type.
const char* cloudformation_system(const load::Node& resource) {
  const std::string_view type = scalar_at(resource, "Type");
  if (type.rfind("AWS::AppMesh::", 0) == 0) return "AWS App Mesh";
  if (type != "AWS::ECS::Service") return nullptr;
  const load::Node* props = resource.find("Properties");
  return props && props->find("ServiceConnectConfiguration") ? "ECS Service Connect" : nullptr;
}

void visit_cloudformation(const load::Node& root, std::vector<NotAnalyzed>& out) {
  const load::Node* resources = root.find("Resources");
  if (!resources || !resources->is_map() || root.find("apiVersion")) return;
  for (const load::MapEntry& e : resources->entries) {
    const char* system = e.value.is_map() ? cloudformation_system(e.value) : nullptr;
    if (!system) continue;
    NotAnalyzed n;
    n.loc = e.key_loc;
    n.api_version = "cloudformation";
    n.kind = std::string(scalar_at(e.value, "Type"));
    n.name = e.key;
    n.system = system;
    out.push_back(std::move(n));
  }
}

}  // namespace

const char* unmodelled_policy_system(std::string_view group, std::string_view kind) {
  // Linkerd's policy API: Server, ServerAuthorization, AuthorizationPolicy, MeshTLSAuthentication and
  // NetworkAuthentication are modelled (model/linkerd_policy.h); the group's other kinds (HTTPRoute,
  // EgressNetwork, rate limits) and ServiceProfile (per-route policy of linkerd.io) are not.
  if (is_linkerd_policy_kind(group, kind)) return nullptr;
  if (group == "policy.linkerd.io" || group == "linkerd.io") return "Linkerd";
  if (group == "consul.hashicorp.com" || group == "auth.consul.hashicorp.com" || group == "mesh.consul.hashicorp.com") {
    static constexpr std::array<std::string_view, 7> kConsul = {
        "ServiceIntentions", "ServiceDefaults",    "ProxyDefaults",   "Mesh",
        "JWTProvider",       "TrafficPermissions", "ExportedServices"};
    return listed(kind, kConsul) ? "Consul" : nullptr;
  }
  if (group == "appmesh.k8s.aws") return "AWS App Mesh";
  // NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, CiliumNetworkPolicy and
  // CiliumClusterwideNetworkPolicy are modelled (model/network_policy.h); the parts that are not (Cilium L7
  // rules, toFQDNs, host policies, ClusterNetworkPolicy domainNames, ...) are listed by their reader
  // (NetworkPolicySet::not_analyzed).
  // Istio kinds that can change what a proxy admits, outside the model (an RBAC or ext_authz filter patched
  // in, an authorizing Wasm module).
  if (group == "networking.istio.io" && kind == "EnvoyFilter") return "Istio";
  if (group == "extensions.istio.io" && kind == "WasmPlugin") return "Istio";
  // A ListenerSet adds listeners (ports, TLS, hostnames) to a Gateway; its listeners are not read
  // (docs/semantics.md#gateway-api-frontend-tls), so a gateway's plaintext or TLS surface may be larger.
  if ((group == "gateway.networking.k8s.io" && kind == "ListenerSet") ||
      (group == "gateway.networking.x-k8s.io" && kind == "XListenerSet"))
    return "Gateway API";
  return nullptr;
}

void find_not_analyzed(const load::Document& doc, std::vector<NotAnalyzed>& out) {
  visit_object(doc.root, "", "", out);
  if (doc.root.is_map()) visit_cloudformation(doc.root, out);
}

std::string describe(const NotAnalyzed& n) {
  std::string name = n.ns.empty() ? n.name : n.ns + "/" + n.name;
  if (name.empty()) name = "(no name)";
  const std::string type =
      n.api_version == "cloudformation" ? "CloudFormation " + n.kind : n.api_version + " " + n.kind;
  return type + " " + name + " (" + n.system + ")" + (n.part.empty() ? "" : ": " + n.part);
}

}  // namespace meshproof::model
