// Kubernetes Gateway API kinds (gateway.networking.k8s.io), as the API server stores them: Gateway, the
// route kinds (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, one struct told apart by `kind`) and
// ReferenceGrant, built from the shared pieces below (object references, parent references). Built by
// model/parse_gateway_api.cpp and parse_gateway_api_routes.cpp, checked by model/validate_gateway_api.cpp
// and validate_gateway_api_routes.cpp (what the CRD schema and its CEL rules reject,
// docs/semantics.md#gateway-api). Included by model/resources.h for ResourceSet's lists.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/location.h"
#include "model/object_meta.h"

namespace meshproof::model {

namespace gwapi {

inline constexpr const char* kGroup = "gateway.networking.k8s.io";
// Istio's waypoint class (pkg/config/constants: WaypointGatewayClassName).
inline constexpr const char* kWaypointClass = "istio-waypoint";

// A reference to another object: SecretObjectReference, BackendObjectReference and ParentReference share
// these fields (group "" is core). `ns` empty: the referring object's namespace.
struct ObjectReference {
  std::string group;
  std::string kind;
  std::string name;
  std::string ns;
  bool group_present = false;
  bool kind_present = false;
  Loc loc;
};

// A ParentReference of a route (sectionName names a listener, port a listener port). group defaults to
// gateway.networking.k8s.io and kind to Gateway.
struct ParentReference : ObjectReference {
  std::string section_name;
  bool section_name_present = false;
  uint32_t port = 0;
  bool port_present = false;
};

// A backendRef of a route rule: group "" and kind Service by default; port required for a Service.
struct BackendReference : ObjectReference {
  uint32_t port = 0;
  bool port_present = false;
  uint32_t weight = 1;  // the CRD default; 0 sends nothing to this backend
};

// One match of an HTTPRoute rule (GRPCRoute matches are kept in the same shape: grpc_service and
// grpc_method, as written). path.type defaults to PathPrefix and path.value to "/".
struct RouteMatch {
  bool path_present = false;
  std::string path_type = "PathPrefix";
  std::string path_value = "/";
  Loc path_loc;
  std::string method;  // "" = any
  Loc method_loc;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value (type Exact)
  std::vector<std::string> header_types;                     // Exact (default) or RegularExpression, per header
  std::string grpc_type = "Exact";                           // GRPCRoute method.type
  std::string grpc_service, grpc_method;                     // GRPCRoute method.service / method.method
  bool grpc_method_present = false;
  Loc loc;
};

// One filter of an HTTPRoute/GRPCRoute rule: what changes the request's path (docs/semantics.md#gateway-api).
// RequestRedirect answers the client itself (no backend); URLRewrite changes the Host and path the backend sees.
struct RouteFilter {
  std::string type;              // RequestRedirect, URLRewrite, RequestHeaderModifier, RequestMirror, ...
  std::string redirect_scheme;   // RequestRedirect.scheme ("" when absent: the request's own)
  uint32_t redirect_port = 0;    // RequestRedirect.port (0 when absent)
  std::string rewrite_hostname;  // URLRewrite.hostname ("" when absent)
  std::string rewrite_path_type, rewrite_path_value;            // URLRewrite.path: ReplaceFullPath / ReplacePrefixMatch
  std::vector<std::pair<std::string, std::string>> header_set;  // RequestHeaderModifier set + add (name, value)
  Loc loc;
};

struct RouteRule {
  std::string name;  // rules[].name (optional)
  std::vector<RouteMatch> matches;
  bool matches_present = false;
  std::vector<BackendReference> backend_refs;
  bool backend_refs_present = false;
  bool has_filters = false;  // filters written (a rule's filters list is non-empty)
  std::vector<RouteFilter> filters;
  Loc loc;
};

// HTTPRoute, GRPCRoute, TLSRoute, TCPRoute (ResourceBase::kind tells them apart).
struct Route : ResourceBase {
  std::vector<ParentReference> parent_refs;
  Loc parent_refs_loc;
  std::vector<std::string> hostnames;  // HTTPRoute, GRPCRoute, TLSRoute
  std::vector<Loc> hostname_locs;
  std::vector<RouteRule> rules;
  bool rules_present = false;
  Loc rules_loc;

  bool is_http() const { return kind == "HTTPRoute"; }
  bool is_grpc() const { return kind == "GRPCRoute"; }
  bool is_tls() const { return kind == "TLSRoute"; }
  bool is_tcp() const { return kind == "TCPRoute"; }
};

// ReferenceGrant: objects of the `from` kinds in the `from` namespaces may refer to the `to` kinds (all of
// that kind, or the one named) in the grant's own namespace.
struct ReferenceGrantFrom {
  std::string group, kind, ns;
  bool group_present = false, kind_present = false, ns_present = false;
  Loc loc;
};
struct ReferenceGrantTo {
  std::string group, kind, name;
  bool group_present = false, kind_present = false;
  Loc loc;
};
struct ReferenceGrant : ResourceBase {
  std::vector<ReferenceGrantFrom> from;
  std::vector<ReferenceGrantTo> to;
  bool from_present = false, to_present = false;
  Loc from_loc, to_loc;
};

// allowedRoutes of a listener: which namespaces' routes (and, for waypoints, which namespaces' Services and
// pods, ambient.md §2.2) may attach. from: Same (the CRD default), All, Selector, None.
struct AllowedRoutes {
  std::string from = "Same";
  bool from_written = false;
  bool selector_present = false;
  std::map<std::string, std::string> selector_match_labels;  // namespaces.selector.matchLabels
  bool selector_has_expressions = false;                     // matchExpressions: not evaluated
  std::vector<ObjectReference> kinds;                        // group + kind only
  Loc loc;
  Loc from_loc;
};

struct ListenerTls {
  bool present = false;
  std::string mode = "Terminate";  // the CRD default
  bool mode_written = false;
  std::vector<ObjectReference> certificate_refs;  // group "" and kind "Secret" by default
  bool options_present = false;
  std::map<std::string, std::string> options;  // e.g. gateway.istio.io/tls-terminate-mode
  Loc loc;
  Loc mode_loc;
};

struct Listener {
  std::string name;
  uint32_t port = 0;
  bool port_present = false;
  std::string protocol;  // HTTP, HTTPS, TLS, TCP, UDP, or a domain-prefixed one such as HBONE (Istio)
  std::string hostname;
  bool hostname_present = false;
  ListenerTls tls;
  AllowedRoutes allowed_routes;
  Loc loc;
  Loc name_loc;
  Loc port_loc;
  Loc protocol_loc;
  Loc hostname_loc;
};

struct Address {
  std::string type = "IPAddress";  // the CRD default; also Hostname, NamedAddress or a domain-prefixed type
  std::string value;
  Loc loc;
};

// spec.tls.frontend.default.validation or perPort[].tls.validation (Gateway API v1.4+): the gateway asks
// HTTPS clients for a certificate signed by these CAs. AllowValidOnly is mutual TLS; AllowInsecureFallback
// also accepts clients without a valid certificate.
struct FrontendValidation {
  bool present = false;
  uint32_t port = 0;  // perPort only
  std::vector<ObjectReference> ca_certificate_refs;
  std::string mode = "AllowValidOnly";  // the CRD default
  Loc loc;
};

// gateway.networking.k8s.io/v1 (and v1beta1) Gateway.
struct Gateway : ResourceBase {
  std::string gateway_class_name;
  bool gateway_class_name_present = false;
  Loc gateway_class_name_loc;
  std::vector<Listener> listeners;
  bool listeners_present = false;
  Loc listeners_loc;
  std::vector<Address> addresses;
  Labels infrastructure_labels;       // spec.infrastructure.labels
  Labels infrastructure_annotations;  // spec.infrastructure.annotations
  Loc infrastructure_loc;
  bool status_addresses = false;                      // status.addresses non-empty (istiod indexes waypoints only then)
  FrontendValidation frontend_default;                // spec.tls.frontend.default.validation
  std::vector<FrontendValidation> frontend_per_port;  // spec.tls.frontend.perPort[]

  bool is_waypoint() const { return gateway_class_name == kWaypointClass; }
};

}  // namespace gwapi
}  // namespace meshproof::model
