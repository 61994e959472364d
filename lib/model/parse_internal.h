// Internal to lib/model: the per-kind parsers behind add_document (parse.cpp).
#pragma once

#include "model/parse.h"
#include "model/reader.h"

namespace meshproof::model::detail {

// Kubernetes (parse_k8s.cpp). `obj` is the whole object; the Reader's path is at the object root.
void parse_workload(const Node& obj, Reader& r, Workload& w);
void parse_service(const Node& obj, Reader& r, Service& s);
// A Secret's data keys, or the secret a cert-manager Certificate declares; never reports a diagnostic
// (Secrets are not validated, only their names are compared).
void parse_secret(const Node& obj, Secret& s);
void parse_certificate_secret(const Node& obj, Secret& s);

// Istio security (parse_security.cpp): strict schema, unknown fields are errors.
void parse_authorization_policy(const Node& obj, Reader& r, AuthorizationPolicy& p);
void parse_peer_authentication(const Node& obj, Reader& r, PeerAuthentication& p);
void parse_request_authentication(const Node& obj, Reader& r, RequestAuthentication& p);

// Istio networking and telemetry (parse_networking.cpp): only the fields meshproof reads are typed.
void parse_gateway(const Node& obj, Reader& r, Gateway& g);
void parse_virtual_service(const Node& obj, Reader& r, VirtualService& v);
void parse_destination_rule(const Node& obj, Reader& r, DestinationRule& d);
void parse_service_entry(const Node& obj, Reader& r, ServiceEntry& s);
void parse_sidecar(const Node& obj, Reader& r, Sidecar& s);
void parse_telemetry(const Node& obj, Reader& r, Telemetry& t);

// Mesh configuration (parse_mesh.cpp).
// A ConfigMap named `istio` or `istio-<revision>` with `data.mesh`. Returns false when it is not one.
bool parse_mesh_configmap(const Node& obj, Reader& r, const ResourceBase& base, const ParseContext& ctx,
                          MeshConfig& out);
// IstioOperator spec.meshConfig. Returns false when it has none.
bool parse_istio_operator(const Node& obj, Reader& r, const ResourceBase& base, MeshConfig& out);
// Why Istio's authz builder refuses the ext_authz provider `ep` of kind `type` (extension_provider.cpp);
// "" when it is usable or not an ext_authz provider.
std::string ext_authz_problem(const Node& ep, const std::string& type);
// Keeps the mesh config that Istio would use when the input holds several (docs/semantics.md §2).
void adopt_mesh_config(ResourceSet& set, MeshConfig&& candidate);

// metadata: name, namespace, labels, annotations, creationTimestamp (a missing name is an error).
void read_metadata(const Node& obj, Reader& r, ResourceBase& b);

// `spec` of an object as a map, or nullptr when absent/null (type errors reported).
const Node* spec_of(const Node& obj, Reader& r);

// The map under `key`, or nullptr when absent/null (a wrong type is reported).
inline const Node* child_map(const Node& parent, std::string_view key, Reader& r) {
  const Node* n = parent.find(key);
  if (!n) return nullptr;
  auto s = r.field(key);
  return r.expect_map(*n) ? n : nullptr;
}

// Calls fn(item) for every map item of a list field, with the path at the item.
template <class Fn>
void each_map(const Node& parent, std::string_view key, Reader& r, const char* what, Fn fn) {
  const Node* n = parent.find(key);
  if (!n) return;
  auto s = r.field(key);
  if (!r.expect_seq(*n, what)) return;
  for (size_t i = 0; i < n->items.size(); ++i) {
    auto si = r.index(i);
    if (r.expect_map(n->items[i])) fn(n->items[i]);
  }
}

// Gateway API (parse_gateway_api.cpp).
void parse_gateway_api_gateway(const Node& obj, Reader& r, gwapi::Gateway& g);
// Routes and ReferenceGrant (parse_gateway_api_routes.cpp).
void parse_gateway_api_route(const Node& obj, Reader& r, gwapi::Route& route);
void parse_reference_grant(const Node& obj, Reader& r, gwapi::ReferenceGrant& g);

}  // namespace meshproof::model::detail
