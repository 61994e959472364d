// The enforcement chain (mesh/enforcement.h; docs/semantics.md#enforcement-chain). Sources: ambient.md §6
// (policy attachment at a waypoint, istiod's policyattachment.go), §8 and A11 (who passes the waypoint,
// endpoint_builder.go), A12 (the identity the destination ztunnel sees after a waypoint).
#include "mesh/enforcement.h"

#include <algorithm>
#include <map>

#include "mesh/identity.h"

namespace meshproof::mesh {

namespace {

constexpr const char* kGatewayGroup = "gateway.networking.k8s.io";

// The target `t` of policy `p` attaches it to waypoint `w` on the chain of the Service (A9).
// `root` "": the policy kind cannot target the GatewayClass (RequestAuthentication).
std::string attached_by(const model::TargetRef& t, const model::ResourceBase& p, const Waypoint& w,
                        const std::string& service_ns, const std::string& service_name, const std::string& root) {
  const std::string& ns = p.meta.ns;
  if (!t.ns.empty() && t.ns != ns) return "";
  if (t.kind == "Service" && (t.group.empty() || t.group == "core")) {
    if (!service_name.empty() && ns == service_ns && t.name == service_name) return "Service " + ns + "/" + t.name;
    return "";
  }
  if (t.group == kGatewayGroup && t.kind == "Gateway" && ns == w.ns && t.name == w.name)
    return "Gateway " + w.display();
  if (!root.empty() && t.group == kGatewayGroup && t.kind == "GatewayClass" && ns == root && t.name == "istio-waypoint")
    return "GatewayClass istio-waypoint";
  return "";
}

// The objects indexed under the keys a waypoint on the chain of Service `service_ns/service_name` can attach
// by (attached_by decides), in input order (one vector of the input holds them: pointer order).
template <typename T>
std::vector<const T*> candidates(const std::map<WaypointModel::TargetKey, std::vector<const T*>>& index,
                                 const Waypoint& w, const std::string& service_ns, const std::string& service_name,
                                 const std::string& root) {
  std::vector<const T*> out;
  auto add = [&](const WaypointModel::TargetKey& key) {
    auto it = index.find(key);
    if (it != index.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  if (!service_name.empty()) add({service_ns, "Service", service_name});
  add({w.ns, "Gateway", w.name});
  if (!root.empty()) add({root, "GatewayClass", "istio-waypoint"});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The Service a request to `port` of `w` is addressed to: the first Service routing to the port.
std::pair<std::string, std::string> addressed_service(const Workload& w, uint32_t port) {
  if (port == 0) return {};
  for (const WorkloadPort& p : w.ports) {
    if (p.port != port || p.services.empty()) continue;
    const std::string& s = p.services.front();  // "ns/name:port"
    size_t slash = s.find('/'), colon = s.rfind(':');
    if (slash == std::string::npos || colon == std::string::npos || colon < slash) continue;
    return {s.substr(0, slash), s.substr(slash + 1, colon - slash - 1)};
  }
  return {};
}

const WaypointBinding* workload_binding(const Mesh& mesh, const WaypointModel& wm, const Workload& dest) {
  if (mesh.workloads.empty() || &dest < mesh.workloads.data() || &dest >= mesh.workloads.data() + mesh.workloads.size())
    return nullptr;
  size_t i = static_cast<size_t>(&dest - mesh.workloads.data());
  return i < wm.workloads.size() ? &wm.workloads[i] : nullptr;
}

// Whether `caller` passes waypoint `wp` that serves Service `svc` (A11); `why` says so either way.
bool passes_service_waypoint(const WaypointModel& wm, const ChainCaller& caller,
                             const std::pair<std::string, std::string>& svc, const Waypoint& wp, std::string& why) {
  const std::string name = "Service " + svc.first + "/" + svc.second + " is bound to waypoint " + wp.display();
  switch (caller.kind) {
    case CallerKind::Ambient:
      why = name + ", and an ambient caller's ztunnel sends Service traffic to it";
      return true;
    case CallerKind::Sidecar:
      why = name + ", but a sidecar caller is given no waypoint endpoints: it reaches the pod directly";
      return false;
    case CallerKind::NonMesh:
      why = name + ", but a caller outside the mesh sends plaintext straight to the destination's ztunnel";
      return false;
    case CallerKind::Ingress: {
      auto it = wm.ingress_use_waypoint.find(svc);
      if (it != wm.ingress_use_waypoint.end() && it->second) {
        why = name + ", and istio.io/ingress-use-waypoint is true: the ingress gateway sends traffic through it";
        return true;
      }
      why = name + ", but without istio.io/ingress-use-waypoint: \"true\" an ingress gateway reaches the pod directly";
      return false;
    }
  }
  return false;
}

}  // namespace

const char* to_string(CallerKind k) {
  switch (k) {
    case CallerKind::Ambient:
      return "ambient";
    case CallerKind::Sidecar:
      return "sidecar";
    case CallerKind::Ingress:
      return "ingress gateway";
    case CallerKind::NonMesh:
      return "outside the mesh";
  }
  return "?";
}

CallerKind caller_kind(DataPlane d) {
  switch (d) {
    case DataPlane::Ambient:
      return CallerKind::Ambient;
    case DataPlane::Sidecar:
      return CallerKind::Sidecar;
    case DataPlane::Gateway:
      return CallerKind::Ingress;
    case DataPlane::None:
      return CallerKind::NonMesh;
  }
  return CallerKind::NonMesh;
}

std::string EnforcementPoint::display() const {
  switch (kind) {
    case Waypoint:
      return "waypoint " + (waypoint ? waypoint->display() : std::string("?"));
    case Ztunnel:
      return "ztunnel";
    case Sidecar:
      return "sidecar";
    case Gateway:
      return "gateway";
    case None:
      return "none";
  }
  return "?";
}

std::vector<AttachedPolicy> waypoint_policies(const Mesh& mesh, const WaypointModel& wm, const Waypoint& w,
                                              const std::string& service_ns, const std::string& service_name) {
  std::vector<AttachedPolicy> out;
  for (const model::AuthorizationPolicy* p :
       candidates(wm.policies_by_target, w, service_ns, service_name, mesh.config.root_namespace))
    for (const model::TargetRef& t : p->target_refs) {
      std::string target = attached_by(t, *p, w, service_ns, service_name, mesh.config.root_namespace);
      if (target.empty()) continue;
      out.push_back({p, std::move(target)});
      break;
    }
  return out;
}

std::vector<const model::RequestAuthentication*> waypoint_request_authentications(const WaypointModel& wm,
                                                                                  const Waypoint& w,
                                                                                  const std::string& service_ns,
                                                                                  const std::string& service_name) {
  std::vector<const model::RequestAuthentication*> out;
  for (const model::RequestAuthentication* ra :
       candidates(wm.request_authentications_by_target, w, service_ns, service_name, ""))
    for (const model::TargetRef& t : ra->target_refs)
      if (!attached_by(t, *ra, w, service_ns, service_name, "").empty()) {
        out.push_back(ra);
        break;
      }
  return out;
}

std::string waypoint_principal(const Mesh& mesh, const Waypoint& w) {
  return principal_of(mesh, w.ns, w.service_accounts.empty() ? w.name : w.service_accounts.front());
}

EnforcementChain enforcement_chain(const Mesh& mesh, const WaypointModel& wm, const Workload& dest, uint32_t port,
                                   const ChainCaller& caller) {
  EnforcementChain c;
  switch (dest.data_plane) {
    case DataPlane::Sidecar:
      c.points.push_back({EnforcementPoint::Sidecar, nullptr});
      return c;
    case DataPlane::Gateway:
      c.points.push_back({EnforcementPoint::Gateway, nullptr});
      return c;
    case DataPlane::None:
      c.points.push_back({EnforcementPoint::None, nullptr});
      return c;
    case DataPlane::Ambient:
      break;
  }
  const auto svc = addressed_service(dest, port);
  if (!svc.second.empty()) c.service = svc.first + "/" + svc.second;
  const WaypointBinding* sb = svc.second.empty() || caller.pod_ip ? nullptr : wm.service(svc.first, svc.second);
  const WaypointBinding* wb = workload_binding(mesh, wm, dest);
  bool through = false;
  if (sb && sb->bound()) {
    through = passes_service_waypoint(wm, caller, svc, *sb->waypoint, c.why);
    (through ? c.waypoint : c.bypassed) = sb->waypoint;
  } else if (wb && wb->bound()) {
    // Pod-addressed traffic (or a Service without a waypoint of its own) uses the pod's workload waypoint.
    through = caller.kind == CallerKind::Ambient;
    c.why = "the workload is bound to waypoint " + wb->waypoint->display() +
            (through ? ", and an ambient caller's ztunnel sends its traffic there"
                     : std::string(", but a ") + to_string(caller.kind) + " caller reaches the pod directly");
    (through ? c.waypoint : c.bypassed) = wb->waypoint;
  } else if (caller.pod_ip && !svc.second.empty() && wm.service(svc.first, svc.second) &&
             wm.service(svc.first, svc.second)->bound()) {
    c.bypassed = wm.service(svc.first, svc.second)->waypoint;
    c.why = "Service " + c.service + " is bound to waypoint " + c.bypassed->display() +
            ", which carries only Service traffic: a caller dialing the pod IP reaches the pod directly";
  } else {
    c.why = sb ? sb->reason : (wb ? wb->reason : std::string("no waypoint serves the workload"));
  }
  if (through) {
    c.points.push_back({EnforcementPoint::Waypoint, c.waypoint});
    const std::string chain_service = sb && sb->bound() ? svc.second : "";
    c.waypoint_policies = waypoint_policies(mesh, wm, *c.waypoint, svc.first, chain_service);
    c.waypoint_request_authentications = waypoint_request_authentications(wm, *c.waypoint, svc.first, chain_service);
    c.waypoint_principal = waypoint_principal(mesh, *c.waypoint);
  }
  c.points.push_back({EnforcementPoint::Ztunnel, nullptr});
  return c;
}

PortProtocol port_protocol_of(const Workload& w, uint32_t port) {
  for (const WorkloadPort& p : w.ports)
    if (p.port == port) return p.protocol;
  return PortProtocol::Sniffed;
}

}  // namespace meshproof::mesh
