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

// The service accounts of each gateway's pods, by (namespace, gateway name), in workload order.
using GatewayAccounts = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

GatewayAccounts gateway_accounts(const Mesh& mesh) {
  GatewayAccounts out;
  for (const Workload& pod : mesh.workloads) {
    if (pod.gateway_name.empty() || pod.service_account.empty()) continue;
    std::vector<std::string>& sas = out[{pod.ns, pod.gateway_name}];
    if (std::find(sas.begin(), sas.end(), pod.service_account) == sas.end()) sas.push_back(pod.service_account);
  }
  return out;
}

Waypoint make_waypoint(const model::gwapi::Gateway& g, const GatewayAccounts& accounts) {
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
  auto sas = accounts.find({g.meta.ns, g.meta.name});
  if (sas != accounts.end()) w.service_accounts = sas->second;
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

// Appends `p` unless it is already the last entry (an object with two targetRefs of the same key).
template <typename T>
void add_unique_last(std::vector<const T*>& list, const T* p) {
  if (list.empty() || list.back() != p) list.push_back(p);
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
  auto it = waypoint_index.find({ns, name});
  return it == waypoint_index.end() ? nullptr : &waypoints[it->second];
}

std::optional<WaypointModel::TargetKey> target_key(const model::TargetRef& t, const std::string& object_ns) {
  if (!t.ns.empty() && t.ns != object_ns) return std::nullopt;
  if (t.kind == "Service" && (t.group.empty() || t.group == "core"))
    return WaypointModel::TargetKey{object_ns, "Service", t.name};
  if (t.group == "gateway.networking.k8s.io" && (t.kind == "Gateway" || t.kind == "GatewayClass"))
    return WaypointModel::TargetKey{object_ns, t.kind, t.name};
  return std::nullopt;
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
  const GatewayAccounts accounts = gateway_accounts(mesh);
  for (const model::gwapi::Gateway& g : rs.gateway_api_gateways)
    if (g.is_waypoint() || g.status_addresses) model.waypoints.push_back(make_waypoint(g, accounts));
  for (size_t i = 0; i < model.waypoints.size(); ++i)
    model.waypoint_index.emplace(std::make_pair(model.waypoints[i].ns, model.waypoints[i].name), i);  // first wins
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
    for (const model::TargetRef& t : p.target_refs)
      if (auto key = target_key(t, p.meta.ns)) add_unique_last(model.policies_by_target[*key], &p);
  for (const model::RequestAuthentication& ra : rs.request_authentications)
    for (const model::TargetRef& t : ra.target_refs)
      if (auto key = target_key(t, ra.meta.ns)) add_unique_last(model.request_authentications_by_target[*key], &ra);
  return model;
}

}  // namespace meshproof::mesh
