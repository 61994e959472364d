// policy-not-enforced (MP1009): an AuthorizationPolicy that no proxy enforces (docs/semantics.md#ztunnel;
// ambient.md §3, §6, A4, A9):
//  * `targetRefs` naming a Service that no waypoint serves: ztunnel never receives targetRefs policies
//    (authorization.go "TargetRef is not intended for ztunnel"), sidecars ignore them (IS §10), and a waypoint
//    applies a Service-targeted policy only to a Service bound to it with the label istio.io/use-waypoint (on
//    the Service, else its Namespace; value `none` opts out; ambient.md A3). Status AncestorNotBound.
//    The binding follows istiod (mesh/waypoints.h, docs/semantics.md#waypoints): a waypoint of the input whose
//    allowedRoutes refuses the namespace, or that carries no service traffic, binds nothing either. A label
//    naming a waypoint the input does not hold, or an undeclared namespace, is no finding (the input may lack
//    the Gateway).
//  * `targetRefs` naming a Service bound to a waypoint, when the enforcement chain (mesh/enforcement.h) of no
//    workload behind it carries the policy: its workloads have sidecars (which authorize with their own
//    policies and ignore targetRefs) or no proxy, so no request to them passes the waypoint.
//  * a policy whose selected workloads are all declared and outside the mesh: their enforcement chain is
//    `none` (no sidecar, no ambient enrollment), so nothing enforces it.
//  * an AUDIT or CUSTOM policy whose selected workloads are all ambient: istiod does not send those actions to
//    ztunnel ("ztunnel does not support the AUDIT/CUSTOM action").
//  * a Sidecar resource in an ambient namespace, or whose selected workloads are all ambient: only sidecar
//    proxies read Sidecar resources, so its egress scope and outbound policy apply nowhere (istioctl analyze
//    IST0167, sidecar.SelectorAnalyzer; docs/semantics.md#egress, E9).
//  * a selector policy whose selected workloads are all waypoint pods: a waypoint applies only targetRefs
//    policies ("waypoints never use selector", policyattachment.go), and waypoint pods are outside ztunnel's
//    capture (istio.io/dataplane-mode: none), so nothing enforces it (ambient.md §2.1, §6).
#include <algorithm>
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_findings.h"
#include "checks/policy_workloads.h"
#include "checks/service_backends.h"
#include "checks/sidecar_scope.h"
#include "ir/lower_ztunnel.h"
#include "mesh/enforcement.h"
#include "mesh/waypoints.h"

namespace meshproof::checks {
namespace {

constexpr const char* kUseWaypoint = "istio.io/use-waypoint";

// The input's Services by namespace and name, the first of each (a scan per targetRefs policy was quadratic
// in the tree's size).
class ServiceIndex {
 public:
  explicit ServiceIndex(const Context& ctx) {
    for (const model::Service& s : ctx.resources.services) by_name_.emplace(std::make_pair(s.meta.ns, s.meta.name), &s);
  }
  const model::Service* find(const std::string& ns, const std::string& name) const {
    auto it = by_name_.find(std::make_pair(ns, name));
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, const model::Service*> by_name_;
};

// Why no waypoint serves the Service, or "" when one does (or the input does not say).
std::string unbound_reason(const model::Service& s, const mesh::WaypointBinding& b) {
  const std::string svc = "Service " + s.meta.ns + "/" + s.meta.name;
  switch (b.status) {
    case mesh::BindingStatus::Bound:
    case mesh::BindingStatus::Unknown:
    case mesh::BindingStatus::NotFound:  // the waypoint may be kept outside the input: no finding
      return "";
    case mesh::BindingStatus::OptedOut:
      return b.level == "Service" ? svc + " opts out with " + kUseWaypoint + ": none"
                                  : "Namespace " + s.meta.ns + " opts out with " + kUseWaypoint + ": none";
    case mesh::BindingStatus::NoLabel:
      break;
    default:
      return svc + " is bound to no waypoint: " + b.reason;
  }
  std::string why = "neither " + svc + " nor Namespace " + s.meta.ns + " has the label " + kUseWaypoint +
                    ", so no waypoint serves it";
  for (const auto& [key, value] : s.meta.annotations)
    if (key.find("waypoint") != std::string::npos) {
      why += " (the annotation " + key + " is not read by Istio: the binding is the label " + kUseWaypoint + ")";
      break;
    }
  return why;
}

bool targets_core_service(const model::TargetRef& t) {
  return t.kind == "Service" && (t.group.empty() || t.group == "core");
}

class PolicyNotEnforced final : public Check {
 public:
  PolicyNotEnforced()
      : Check(CheckInfo{"policy-not-enforced", "MP1009", Severity::Error,
                        "An AuthorizationPolicy or Sidecar that no proxy enforces",
                        "A policy whose targetRefs name a Service that no waypoint serves is enforced nowhere: ztunnel "
                        "never receives targetRefs policies and sidecars ignore them. An AUDIT or CUSTOM policy that "
                        "only ambient workloads select is not sent to ztunnel, which supports neither action. A "
                        "Sidecar resource for ambient workloads is read by no proxy, and a selector policy that "
                        "selects only waypoint pods is applied by neither the waypoint nor ztunnel."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out = policies_with_action(ctx, {});
    for (const model::Sidecar& s : ctx.resources.sidecars) out.push_back(s.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const mesh::WaypointModel waypoints = mesh::compute_waypoints(ctx.mesh);
    const PolicyWorkloads applying(ctx.mesh);
    const ServiceBackends backends(ctx.mesh);
    const ServiceIndex services(ctx);
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {
      if (!p.target_refs.empty()) {
        report_unbound_targets(ctx, waypoints, backends, services, p, out);
        continue;
      }
      if (p.action == model::Action::Audit || p.action == model::Action::Custom) report_ztunnel_only(applying, p, out);
      report_waypoint_pods_only(applying, waypoints, p, out);
      report_outside_mesh(ctx, applying, waypoints, p, out);
    }
    for (const model::Sidecar& s : ctx.resources.sidecars) report_ambient_sidecar(ctx, s, out);
  }

 private:
  void report_unbound_targets(const Context& ctx, const mesh::WaypointModel& waypoints, const ServiceBackends& backends,
                              const ServiceIndex& services, const model::AuthorizationPolicy& p,
                              std::vector<Finding>& out) const {
    const std::string ns = namespace_of(p);
    for (const model::TargetRef& t : p.target_refs) {
      if (!targets_core_service(t) || (!t.ns.empty() && t.ns != ns)) continue;
      const model::Service* s = services.find(ns, t.name);
      if (!s) continue;  // not in the input: whether a waypoint serves it is unknown
      const mesh::WaypointBinding* binding = waypoints.service(ns, t.name);
      if (binding && binding->bound()) {
        report_unreached_waypoint(ctx, waypoints, backends, p, t, *binding->waypoint, out);
        continue;
      }
      std::string why = binding ? unbound_reason(*s, *binding) : "";
      if (why.empty()) continue;
      std::string message = "AuthorizationPolicy " + ns + "/" + p.meta.name + " targets Service " + ns + "/" + t.name +
                            " (targetRefs), but " + why +
                            ": ztunnel never receives targetRefs policies and sidecars ignore them, so the policy is "
                            "enforced nowhere (docs/semantics.md#ztunnel)";
      Finding f = make(p.ref(), t.loc.known() ? t.loc : p.loc, std::move(message),
                       "deploy a waypoint (a Gateway of class istio-waypoint) and label Service " + ns + "/" + t.name +
                           " (or Namespace " + ns + ") " + kUseWaypoint +
                           "=<waypoint name>; or replace targetRefs with a selector (ztunnel then enforces its L4 "
                           "parts only)",
                       "target:" + t.name);
      f.properties["reason"] = "target-not-bound";
      f.properties["target"] = "Service " + ns + "/" + t.name;
      out.push_back(std::move(f));
    }
  }

  // A Service bound to a waypoint whose workloads no request reaches through it: the enforcement chain of each
  // declared workload behind the Service (mesh/enforcement.h, for an ambient caller, the one that passes a
  // waypoint) never carries the policy. A sidecar workload is authorized by its own sidecar, which ignores
  // targetRefs; a workload outside the mesh by nothing (docs/semantics.md#enforcement-chain, A9, A11).
  void report_unreached_waypoint(const Context& ctx, const mesh::WaypointModel& waypoints,
                                 const ServiceBackends& backends, const model::AuthorizationPolicy& p,
                                 const model::TargetRef& t, const mesh::Waypoint& w, std::vector<Finding>& out) const {
    const std::string ns = namespace_of(p);
    std::vector<std::string> unreached;
    for (const ServiceBackends::Backend& b : backends.of(ns, t.name)) {
      const mesh::EnforcementChain chain =
          mesh::enforcement_chain(ctx.mesh, waypoints, *b.workload, b.port->port, {mesh::CallerKind::Ambient, false});
      for (const mesh::AttachedPolicy& a : chain.waypoint_policies)
        if (a.policy == &p) return;  // enforced at the waypoint on this workload's chain
      gaps::add_unique(unreached, describe_workload(*b.workload) + " (" + chain_points_text(chain) + ")");
    }
    if (unreached.empty()) return;  // no workload behind the Service in the input: nothing to judge
    const std::string name = ns + "/" + p.meta.name;
    std::string message = "AuthorizationPolicy " + name + " targets Service " + ns + "/" + t.name +
                          " (targetRefs), which is bound to waypoint " + w.display() +
                          ", but no request to its workloads passes the waypoint: " + join(unreached) +
                          " (a sidecar authorizes with its own policies and ignores targetRefs; a workload outside "
                          "the mesh has no proxy), so the policy is enforced nowhere "
                          "(docs/semantics.md#enforcement-chain)";
    Finding f = make(p.ref(), t.loc.known() ? t.loc : p.loc, std::move(message),
                     "enroll the Service's workloads in ambient (namespace label istio.io/dataplane-mode=ambient, "
                     "without sidecar injection), or replace targetRefs with a selector that their sidecars enforce",
                     "target:" + t.name);
    f.properties["reason"] = "target-workloads-not-ambient";
    f.properties["target"] = "Service " + ns + "/" + t.name;
    f.properties["waypoint"] = w.display();
    out.push_back(std::move(f));
  }

  static std::string chain_points_text(const mesh::EnforcementChain& chain) {
    std::vector<std::string> points;
    for (const mesh::EnforcementPoint& e : chain.points) points.push_back(e.display());
    return "enforced by: " + join(points, " -> ");
  }

  // A policy whose selected workloads are all declared and outside the mesh: the enforcement chain of each is
  // `none` (no sidecar, no ambient enrollment; docs/semantics.md#enforcement-chain, #data-plane-membership).
  void report_outside_mesh(const Context& ctx, const PolicyWorkloads& applying, const mesh::WaypointModel& waypoints,
                           const model::AuthorizationPolicy& p, std::vector<Finding>& out) const {
    std::vector<std::string> outside;
    for (const mesh::Workload* wp : applying.of(p)) {
      const mesh::Workload& w = *wp;
      if (w.origin != mesh::WorkloadOrigin::Declared) return;
      const mesh::EnforcementChain chain =
          mesh::enforcement_chain(ctx.mesh, waypoints, w, 0, {mesh::CallerKind::Ambient, false});
      if (chain.points.empty() || chain.points.front().kind != mesh::EnforcementPoint::None) return;
      outside.push_back(describe_workload(w));
    }
    if (outside.empty()) return;
    const std::string name = namespace_of(p) + "/" + p.meta.name;
    std::string message = "AuthorizationPolicy " + name + " selects only workloads outside the mesh (" + join(outside) +
                          "): they have no sidecar and no ambient enrollment, so no proxy enforces the policy "
                          "(enforced by: none; docs/semantics.md#enforcement-chain)";
    Finding f = make(p.ref(), p.selector.loc.known() ? p.selector.loc : p.loc, std::move(message),
                     "enroll the workloads in the mesh (sidecar injection, or the namespace label "
                     "istio.io/dataplane-mode=ambient); workload-outside-mesh lists them",
                     "outside-mesh");
    f.properties["reason"] = "workloads-outside-mesh";
    f.properties["workloads"] = join(outside);
    out.push_back(std::move(f));
  }

  // A Sidecar without selector in an ambient namespace, or one whose selected workloads are all ambient.
  void report_ambient_sidecar(const Context& ctx, const model::Sidecar& s, std::vector<Finding>& out) const {
    const std::string ns = namespace_of(s);
    std::string why;
    if (s.workload_selector.empty()) {
      if (namespace_is_ambient(ctx.mesh, ns)) why = "namespace " + ns + " is ambient";
    } else {
      std::vector<std::string> ambient;
      for (const mesh::Workload* w : sidecar_workloads(ctx.mesh, s)) {
        if (w->data_plane != mesh::DataPlane::Ambient) return;
        ambient.push_back(describe_workload(*w));
      }
      if (!ambient.empty()) why = "the workloads it selects are ambient (" + join(ambient) + ")";
    }
    if (why.empty()) return;
    Finding f = make(s.ref(), s.loc,
                     "Sidecar " + ns + "/" + s.meta.name + " configures sidecar proxies, but " + why +
                         ": no sidecar proxy reads it, so its egress hosts and outbound traffic policy apply to no "
                         "workload (docs/semantics.md#egress)",
                     "delete the Sidecar, or restrict ambient workloads' egress with a waypoint or an egress gateway",
                     "sidecar-ambient");
    f.properties["reason"] = "sidecar-in-ambient";
    out.push_back(std::move(f));
  }

  // AUDIT/CUSTOM selector or namespace policies whose workloads are all ambient (none with a sidecar or gateway).
  void report_ztunnel_only(const PolicyWorkloads& applying, const model::AuthorizationPolicy& p,
                           std::vector<Finding>& out) const {
    std::vector<std::string> ambient;
    for (const mesh::Workload* wp : applying.of(p)) {
      const mesh::Workload& w = *wp;
      if (w.data_plane == mesh::DataPlane::Sidecar || w.data_plane == mesh::DataPlane::Gateway) return;
      if (w.data_plane == mesh::DataPlane::Ambient && w.origin == mesh::WorkloadOrigin::Declared)
        ambient.push_back(describe_workload(w));
    }
    if (ambient.empty()) return;
    const std::string action = model::to_string(p.action);
    std::string message = action + " AuthorizationPolicy " + namespace_of(p) + "/" + p.meta.name +
                          " applies only to ambient workloads (" + join(ambient) +
                          "), and ztunnel does not support the " + action +
                          " action: istiod does not send the policy to ztunnel, so it is enforced nowhere "
                          "(docs/semantics.md#ztunnel)";
    Finding f = make(p.ref(), p.action_loc.known() ? p.action_loc : p.loc, std::move(message),
                     "attach the policy to a waypoint with targetRefs (a waypoint is an Envoy proxy and supports " +
                         action + "), or enforce the intent with ALLOW/DENY rules at ztunnel",
                     "action");
    f.properties["reason"] = "action-not-supported-by-ztunnel";
    f.properties["workloads"] = join(ambient);
    out.push_back(std::move(f));
  }
  // A selector policy that selects only waypoint pods (declared ones; a policy that also selects other
  // workloads is enforced there).
  void report_waypoint_pods_only(const PolicyWorkloads& applying, const mesh::WaypointModel& waypoints,
                                 const model::AuthorizationPolicy& p, std::vector<Finding>& out) const {
    if (p.selector.match_labels.empty()) return;
    std::vector<std::string> pods;
    for (const mesh::Workload* wp : applying.of(p)) {
      const mesh::Workload& w = *wp;
      if (!waypoints.is_waypoint_pod(w) || w.origin != mesh::WorkloadOrigin::Declared) return;
      pods.push_back(describe_workload(w));
    }
    if (pods.empty()) return;
    const std::string name = namespace_of(p) + "/" + p.meta.name;
    std::string message = "AuthorizationPolicy " + name + " selects only waypoint pods (" + join(pods) +
                          "): a waypoint applies only policies attached with targetRefs (it never uses selector), "
                          "and ztunnel does not capture waypoint pods, so the policy is enforced nowhere "
                          "(docs/semantics.md#waypoints)";
    Finding f = make(p.ref(), p.selector.loc.known() ? p.selector.loc : p.loc, std::move(message),
                     "attach the policy to the waypoint with targetRefs: [{group: gateway.networking.k8s.io, kind: "
                     "Gateway, name: <waypoint>}] (all its traffic) or to a Service bound to it, instead of selector",
                     "selector");
    f.properties["reason"] = "selector-on-waypoint";
    f.properties["workloads"] = join(pods);
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_policy_not_enforced_check() { return std::make_unique<PolicyNotEnforced>(); }

}  // namespace meshproof::checks
