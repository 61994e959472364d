// Ambient waypoints (docs/semantics.md#waypoints, ambient.md A3): which Gateway API Gateways are waypoints,
// which traffic each carries (istio.io/waypoint-for), and for every Service and workload the waypoint its
// traffic is bound to, or none, and why. Computed on demand from the resolved mesh (like mesh/client_tls.h),
// not part of Mesh, so that mesh.h stays unchanged; only its users include this header.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/location.h"
#include "mesh/mesh.h"
#include "model/gateway_api.h"

namespace meshproof::mesh {

// istio.io/waypoint-for on the Gateway (the GatewayClass's label is not read: GatewayClass is not modelled);
// default "service". Values istiod knows: service, workload, all, none; any other value carries nothing.
struct Waypoint {
  const model::gwapi::Gateway* gateway = nullptr;
  std::string ns;
  std::string name;
  std::string traffic_for = "service";
  bool traffic_for_written = false;
  // Not ready in the input: the Gateway has no status.addresses (a manifest never has). istiod indexes a
  // waypoint only once its deployment is ready; meshproof assumes the deployment comes up.
  bool ready_assumed = false;
  // Istio's listener rule for class istio-waypoint ("Expected a single listener on port 15008 with protocol
  // HBONE", gateway conversion): "" when the listeners are right. The waypoint is still indexed.
  std::string listener_problem;
  // allowedRoutes of the HBONE listener (port 15008, protocol HBONE); Same without one.
  const model::gwapi::AllowedRoutes* allowed_routes = nullptr;
  std::vector<std::string> service_accounts;  // of the pods labelled gateway.networking.k8s.io/gateway-name
  std::string display() const { return ns + "/" + name; }
  bool carries_service_traffic() const { return traffic_for == "service" || traffic_for == "all"; }
  bool carries_workload_traffic() const { return traffic_for == "workload" || traffic_for == "all"; }
};

enum class BindingStatus {
  Bound,                   // traffic goes through `waypoint`
  NoLabel,                 // neither the object nor its namespace has istio.io/use-waypoint
  OptedOut,                // istio.io/use-waypoint: none (on the object, or on the namespace)
  NotFound,                // the named waypoint is not in the input (istiod: WaypointIsNotReady)
  AttachmentDenied,        // allowedRoutes of the waypoint refuses the object's namespace
  UnsupportedTrafficType,  // the waypoint does not carry this kind of traffic (service vs workload)
  NotApplicable,           // a waypoint's own Service or pods, or an east-west gateway: never bound
  Unknown,                 // the namespace is not declared and the object has no label: the input does not say
};

const char* to_string(BindingStatus s);

struct WaypointBinding {
  BindingStatus status = BindingStatus::NoLabel;
  const Waypoint* waypoint = nullptr;  // Bound only
  std::string requested;               // "NS/NAME" the label asked for ("" without a label)
  std::string level;                   // where the label was read: "Service", "pod", "Namespace"
  std::string reason;                  // one sentence: why (for messages and explain)
  Loc loc;                             // the labels that decided, when known
  bool bound() const { return status == BindingStatus::Bound; }
};

// Bindings point into `waypoints`: the model moves but is never copied.
struct WaypointModel {
  WaypointModel() = default;
  WaypointModel(WaypointModel&&) = default;
  WaypointModel& operator=(WaypointModel&&) = default;
  WaypointModel(const WaypointModel&) = delete;
  WaypointModel& operator=(const WaypointModel&) = delete;

  std::vector<Waypoint> waypoints;                                          // in input order
  std::map<std::pair<std::string, std::string>, WaypointBinding> services;  // (ns, name) of every declared Service
  std::vector<WaypointBinding> workloads;                                   // parallel to Mesh::workloads
  // The Services of the input whose label istio.io/ingress-use-waypoint (else the Namespace's) parses as true.
  std::map<std::pair<std::string, std::string>, bool> ingress_use_waypoint;
  // AuthorizationPolicies and RequestAuthentications by what a targetRef of theirs names: (the object's
  // namespace, "Service" | "Gateway" | "GatewayClass", name), each list in input order. Only these can be
  // applied by a waypoint (mesh/enforcement.h), and a chain looks up its three keys instead of scanning every
  // policy of the input (target_key).
  using TargetKey = std::tuple<std::string, std::string, std::string>;
  std::map<TargetKey, std::vector<const model::AuthorizationPolicy*>> policies_by_target;
  std::map<TargetKey, std::vector<const model::RequestAuthentication*>> request_authentications_by_target;
  std::map<std::pair<std::string, std::string>, size_t> waypoint_index;  // (ns, name) -> waypoints

  const Waypoint* find(const std::string& ns, const std::string& name) const;
  const WaypointBinding* service(const std::string& ns, const std::string& name) const;
  // The waypoint pods of a Waypoint (Mesh::workloads indexes).
  bool is_waypoint_pod(const Workload& w) const;
};

WaypointModel compute_waypoints(const Mesh& mesh);

// The key under which an object of namespace `object_ns` is indexed for its targetRef `t`; nullopt when the
// target is of a kind a waypoint never attaches by, or names another namespace (istio.io targetRefs: a policy
// targets objects of its own namespace).
std::optional<WaypointModel::TargetKey> target_key(const model::TargetRef& t, const std::string& object_ns);

}  // namespace meshproof::mesh
