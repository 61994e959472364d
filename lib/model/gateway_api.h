// Kubernetes Gateway API kinds (gateway.networking.k8s.io), as the API server stores them. Only the Gateway
// is modelled so far; the route kinds (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute) and ReferenceGrant belong
// here too, built from the shared pieces below (object references, parent references). Built by
// model/parse_gateway_api.cpp, checked by model/validate_gateway_api.cpp (what the CRD schema and its CEL
// rules reject, docs/semantics.md#gateway-api). Included by model/resources.h for ResourceSet's list.
#pragma once

#include <cstdint>
#include <map>
#include <string>
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

// A ParentReference of a route (sectionName names a listener, port a listener port). Unused until routes
// are modelled.
struct ParentReference : ObjectReference {
  std::string section_name;
  uint32_t port = 0;
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
  bool status_addresses = false;  // status.addresses non-empty (istiod indexes waypoints only then)

  bool is_waypoint() const { return gateway_class_name == kWaypointClass; }
};

}  // namespace gwapi
}  // namespace meshproof::model
