// Waypoints and bindings as istiod computes them (pilot/pkg/serviceregistry/ambient/waypoints.go:
// gatewayToWaypointTransform, fetchWaypointForTarget, fetchWaypointForService, fetchWaypointForWorkload,
// GetUseWaypoint, AllowsAttachmentFromNamespace, makeAllowedRoutes; services.go ingressUseWaypointFromLabels).
// Each rule and its source: docs/semantics.md#waypoints.
#include "mesh/waypoints.h"

#include <algorithm>
#include <optional>

namespace meshproof::mesh {

namespace {

constexpr const char* kUseWaypoint = "istio.io/use-waypoint";
constexpr const char* kUseWaypointNamespace = "istio.io/use-waypoint-namespace";
constexpr const char* kWaypointFor = "istio.io/waypoint-for";
constexpr const char* kIngressUseWaypoint = "istio.io/ingress-use-waypoint";
constexpr const char* kGatewayManaged = "gateway.istio.io/managed";

const std::string* label(const model::Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

// Go's strconv.ParseBool, true side; anything it does not parse counts as false (services.go).
bool parse_bool_true(const std::string& v) {
  return v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True";
}

std::string listener_problem(const model::gwapi::Gateway& g) {
  if (!g.is_waypoint()) return "";
  if (g.listeners.size() == 1 && g.listeners[0].port == 15008 && g.listeners[0].protocol == "HBONE") return "";
  return "Expected a single listener on port 15008 with protocol \"HBONE\"";
}

Waypoint make_waypoint(const model::gwapi::Gateway& g, const Mesh& mesh) {
  Waypoint w;
  w.gateway = &g;
  w.ns = g.meta.ns;
  w.name = g.meta.name;
  if (const std::string* v = label(g.meta.labels, kWaypointFor)) {
    w.traffic_for = *v;
    w.traffic_for_written = true;
  }
  w.ready_assumed = !g.status_addresses;
  w.listener_problem = listener_problem(g);
  for (const model::gwapi::Listener& l : g.listeners)
    if (l.protocol == "HBONE" && l.port == 15008) {
      w.allowed_routes = &l.allowed_routes;
      break;
    }
  for (const Workload& pod : mesh.workloads)
    if (pod.ns == g.meta.ns && pod.gateway_name == g.meta.name && !pod.service_account.empty() &&
        std::find(w.service_accounts.begin(), w.service_accounts.end(), pod.service_account) ==
            w.service_accounts.end())
      w.service_accounts.push_back(pod.service_account);
  return w;
}

// allowedRoutes.namespaces of the waypoint's HBONE listener admits objects of namespace `ns`; nullopt when
// the input does not say (a Selector and an undeclared namespace, or matchExpressions).
std::optional<bool> allows_namespace(const Waypoint& w, const std::string& ns, const Mesh& mesh) {
  const std::string from = w.allowed_routes ? w.allowed_routes->from : "Same";
  if (from == "All") return true;
  if (from != "Selector") return w.ns == ns;  // Same, None and anything else: istiod's default branch
  if (w.allowed_routes->selector_has_expressions) return std::nullopt;
  auto it = mesh.namespaces.find(ns);
  if (it == mesh.namespaces.end() || !it->second.decl) return std::nullopt;
  for (const auto& [k, v] : w.allowed_routes->selector_match_labels) {
    const std::string* have = label(it->second.labels, k.c_str());
    if (!have || *have != v) return false;
  }
  return true;
}

class Binder {
 public:
  Binder(const Mesh& mesh, const WaypointModel& model) : mesh_(mesh), model_(model) {}

  // fetchWaypointForTarget: the object's own label wins (none opts out); else its Namespace's label.
  WaypointBinding bind(const model::Labels& labels, const std::string& ns, const char* level, Loc loc) const {
    if (const std::string* v = label(labels, kUseWaypoint)) return by_label(labels, *v, ns, level, loc);
    auto it = mesh_.namespaces.find(ns);
    if (it == mesh_.namespaces.end() || !it->second.decl) {
      WaypointBinding b;
      b.status = BindingStatus::Unknown;
      b.reason = std::string("the ") + level + " has no label " + kUseWaypoint + " and Namespace " + ns +
                 " is not in the input, so whether it names a waypoint is unknown";
      return b;
    }
    const model::Labels& ns_labels = it->second.labels;
    if (label(ns_labels, kUseWaypoint))
      return by_label(ns_labels, *label(ns_labels, kUseWaypoint), ns, "Namespace", it->second.decl->meta.labels_loc);
    WaypointBinding b;
    b.reason = std::string("neither the ") + level + " nor Namespace " + ns + " has the label " + kUseWaypoint;
    return b;
  }

 private:
  WaypointBinding by_label(const model::Labels& labels, const std::string& value, const std::string& ns,
                           const char* level, Loc loc) const {
    WaypointBinding b;
    b.level = level;
    b.loc = loc;
    if (value == "none") {
      b.status = BindingStatus::OptedOut;
      b.reason = std::string("the ") + level + " opts out with " + kUseWaypoint + ": none";
      return b;
    }
    const std::string* wns = label(labels, kUseWaypointNamespace);
    b.requested = (wns ? *wns : ns) + "/" + value;
    const Waypoint* w = model_.find(wns ? *wns : ns, value);
    if (!w) {
      b.status = BindingStatus::NotFound;
      b.reason = std::string("the ") + level + " names waypoint " + b.requested + " (label " + kUseWaypoint +
                 "), which is not a Gateway of class istio-waypoint in the input: "
                 "traffic goes straight to the destination";
      return b;
    }
    std::optional<bool> allowed = allows_namespace(*w, ns, mesh_);
    if (allowed && !*allowed) {
      b.status = BindingStatus::AttachmentDenied;
      b.reason = "waypoint " + w->display() + " does not allow attachment from namespace " + ns +
                 " (allowedRoutes of its HBONE listener; the default is Same)";
      return b;
    }
    b.status = BindingStatus::Bound;
    b.waypoint = w;
    b.reason = std::string("bound by the label ") + kUseWaypoint + "=" + value + " on the " + level;
    if (!allowed)
      b.reason += " (allowedRoutes: Selector, and the namespace's labels are not in the input: assumed allowed)";
    return b;
  }

  const Mesh& mesh_;
  const WaypointModel& model_;
};

// gateway.istio.io/managed marks a waypoint's or east-west gateway's own Service: never bound.
bool managed_gateway_service(const model::Service& s) {
  const std::string* v = label(s.meta.labels, kGatewayManaged);
  return v && (*v == "istio.io-mesh-controller" || *v == "istio.io-eastwest-controller");
}

WaypointBinding bind_service(const Binder& binder, const model::Service& s) {
  if (managed_gateway_service(s)) {
    WaypointBinding b;
    b.status = BindingStatus::NotApplicable;
    b.reason = "a waypoint's or east-west gateway's own Service never has a waypoint";
    return b;
  }
  WaypointBinding b = binder.bind(s.meta.labels, s.meta.ns, "Service", s.meta.labels_loc);
  if (b.bound() && !b.waypoint->carries_service_traffic()) {
    b.status = BindingStatus::UnsupportedTrafficType;
    b.reason = "waypoint " + b.waypoint->display() + " carries " + b.waypoint->traffic_for +
               " traffic (istio.io/waypoint-for), not service traffic";
    b.waypoint = nullptr;
  }
  return b;
}

WaypointBinding bind_workload(const Binder& binder, const WaypointModel& model, const Workload& w) {
  if (model.is_waypoint_pod(w)) {
    WaypointBinding b;
    b.status = BindingStatus::NotApplicable;
    b.reason = "a waypoint's own pod";
    return b;
  }
  Loc loc = w.decl ? w.decl->meta.labels_loc : Loc{};
  WaypointBinding b = binder.bind(w.labels, w.ns, "pod", loc);
  if (b.bound() && !b.waypoint->carries_workload_traffic()) {
    const bool own_label = w.labels.count(kUseWaypoint) > 0;
    b.status = own_label ? BindingStatus::UnsupportedTrafficType : BindingStatus::NoLabel;
    b.reason = "waypoint " + b.waypoint->display() + " carries " + b.waypoint->traffic_for +
               " traffic (istio.io/waypoint-for), not workload traffic" +
               (own_label ? std::string() : ": the namespace's binding does not apply to pod-addressed traffic");
    b.waypoint = nullptr;
  }
  return b;
}

}  // namespace

const char* to_string(BindingStatus s) {
  switch (s) {
    case BindingStatus::Bound:
      return "bound";
    case BindingStatus::NoLabel:
      return "no-label";
    case BindingStatus::OptedOut:
      return "opted-out";
    case BindingStatus::NotFound:
      return "waypoint-not-found";
    case BindingStatus::AttachmentDenied:
      return "attachment-denied";
    case BindingStatus::UnsupportedTrafficType:
      return "unsupported-traffic-type";
    case BindingStatus::NotApplicable:
      return "not-applicable";
    case BindingStatus::Unknown:
      return "unknown";
  }
  return "unknown";
}

const Waypoint* WaypointModel::find(const std::string& ns, const std::string& name) const {
  for (const Waypoint& w : waypoints)
    if (w.ns == ns && w.name == name) return &w;
  return nullptr;
}

const WaypointBinding* WaypointModel::service(const std::string& ns, const std::string& name) const {
  auto it = services.find({ns, name});
  return it == services.end() ? nullptr : &it->second;
}

bool WaypointModel::is_waypoint_pod(const Workload& w) const {
  return !w.gateway_name.empty() && find(w.ns, w.gateway_name) != nullptr;
}

WaypointModel compute_waypoints(const Mesh& mesh) {
  WaypointModel model;
  if (!mesh.resources) return model;
  const model::ResourceSet& rs = *mesh.resources;
  for (const model::gwapi::Gateway& g : rs.gateway_api_gateways)
    if (g.is_waypoint() || g.status_addresses) model.waypoints.push_back(make_waypoint(g, mesh));
  Binder binder(mesh, model);
  for (const model::Service& s : rs.services) {
    model.services[{s.meta.ns, s.meta.name}] = bind_service(binder, s);
    const std::string* v = label(s.meta.labels, kIngressUseWaypoint);
    auto ns = mesh.namespaces.find(s.meta.ns);
    if (!v && ns != mesh.namespaces.end()) v = label(ns->second.labels, kIngressUseWaypoint);
    model.ingress_use_waypoint[{s.meta.ns, s.meta.name}] = v && parse_bool_true(*v);
  }
  model.workloads.reserve(mesh.workloads.size());
  for (const Workload& w : mesh.workloads) model.workloads.push_back(bind_workload(binder, model, w));
  for (const model::AuthorizationPolicy& p : rs.authorization_policies)
    if (!p.target_refs.empty()) model.targeting_policies.push_back(&p);
  for (const model::RequestAuthentication& ra : rs.request_authentications)
    if (!ra.target_refs.empty()) model.targeting_request_authentications.push_back(&ra);
  return model;
}

}  // namespace meshproof::mesh
