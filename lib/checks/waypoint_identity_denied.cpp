// waypoint-identity-denied (MP1011): a Service bound to a waypoint whose destination ztunnel admits no connection
// from the waypoint's own identity (ambient.md A12; istio/istio#44671; docs/semantics.md#enforcement-chain). A
// waypoint forwards what it allows to the destination's ztunnel over HBONE with its own identity, not the
// caller's; a ztunnel-enforced ALLOW policy that names only the callers therefore refuses every request that
// passes the waypoint, however the waypoint's own policies read. Reported when ztunnel's program for the port
// allows no connection from the waypoint's principal (Unsat: a proof) and the waypoint allows some request
// (Sat), which is the witness: `meshproof query` sends it as an ambient caller through the waypoint and ztunnel
// refuses it. Unknown is an inconclusive note, never "safe". A waypoint that allows nothing is left to the
// checks of its own rules.
#include <set>
#include <utility>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_findings.h"
#include "checks/gap_waypoints.h"
#include "engine/query.h"
#include "engine/solver_free.h"
#include "engine/witness.h"
#include "ir/lower.h"
#include "ir/lower_chain.h"
#include "mesh/enforcement.h"

namespace meshproof::checks {
namespace {

// The ztunnel-enforced ALLOW policies of the destination (no targetRefs, not dry-run; ambient.md A4).
std::vector<const model::AuthorizationPolicy*> ztunnel_allow_policies(const mesh::Workload& dest) {
  std::vector<const model::AuthorizationPolicy*> out;
  for (const model::AuthorizationPolicy* p : dest.authorization_policies)
    if (p->action == model::Action::Allow && !p->dry_run && p->target_refs.empty()) out.push_back(p);
  return out;
}

std::string identity_policy_names(const std::vector<const model::AuthorizationPolicy*>& ps) {
  std::vector<std::string> names;
  for (const auto* p : ps) names.push_back(namespace_of(*p) + "/" + p->meta.name);
  return join(names, ", ");
}

// One port of one destination whose chain crosses a waypoint, with its programs.
struct WaypointHop {
  const mesh::Workload* dest = nullptr;
  mesh::EnforcementChain points;
  ir::Chain programs;
};

class WaypointIdentityDenied final : public Check {
 public:
  WaypointIdentityDenied()
      : Check(CheckInfo{"waypoint-identity-denied", "MP1011", Severity::Error,
                        "ztunnel refuses the waypoint that serves the workload",
                        "A waypoint forwards requests to the destination's ztunnel with the waypoint's own identity. "
                        "When the ALLOW policies ztunnel enforces on the destination do not admit that identity, "
                        "every request through the waypoint is refused, whatever the waypoint allows."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Allow});
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    if (!gaps::mesh_has_ambient(ctx.mesh)) return;
    const mesh::WaypointModel wm = mesh::compute_waypoints(ctx.mesh);
    const ir::LowerContext lower = ir::LowerContext::from(ctx.mesh.config);
    for (const mesh::WorkloadClass& wc : ctx.mesh.classes) {
      if (wc.members.empty()) continue;
      const mesh::Workload& dest = ctx.mesh.workloads[wc.members.front()];
      if (dest.origin != mesh::WorkloadOrigin::Declared || dest.data_plane != mesh::DataPlane::Ambient) continue;
      if (wm.is_waypoint_pod(dest) || ztunnel_allow_policies(dest).empty()) continue;
      const ir::WorkloadPrograms own = ir::build_programs(dest, lower);
      for (const mesh::WorkloadPort& p : dest.ports) {
        const ir::PortPrograms* pp = p.port == 0 ? nullptr : own.find_port(p.port);
        if (!pp) continue;
        WaypointHop hop{
            &dest, mesh::enforcement_chain(ctx.mesh, wm, dest, p.port, {mesh::CallerKind::Ambient, false}), {}};
        if (!hop.points.waypoint) continue;
        hop.programs = ir::build_chain(hop.points, *pp, mesh::port_protocol_of(dest, p.port), lower);
        if (check_port(ctx, wm, lower, hop, out)) break;  // one finding per workload class: its first refused port
      }
    }
  }

 private:
  // Whether a finding (or an inconclusive note) was reported for this port.
  bool check_port(const Context& ctx, const mesh::WaypointModel& wm, const ir::LowerContext& lower,
                  const WaypointHop& hop, std::vector<Finding>& out) const {
    if (hop.programs.hops.size() != 2 || hop.programs.hops[1].views.empty()) return false;
    const ir::Program& ztunnel = hop.programs.hops[1].views.front();
    const std::string& principal = hop.points.waypoint_principal;
    // Only the answer is used: an existence question, which the fast path often answers without a solver.
    engine::QueryResult admitted =
        engine::LazyEngine(ztunnel, gaps::waypoint_engine_options(ctx))
            .find(gaps::from_peer_query(principal).verdict(engine::Verdict::Allow).existence_only());
    const auto policies = ztunnel_allow_policies(*hop.dest);
    const model::AuthorizationPolicy& first = *policies.front();
    const std::string subject = "Service " + hop.points.service + " (waypoint " + hop.points.waypoint->display() + ")";
    if (admitted.answer == engine::SatAnswer::Sat) return false;
    if (admitted.answer == engine::SatAnswer::Unknown) {
      out.push_back(gaps::inconclusive_finding(info(), first.ref(), first.loc, subject,
                                               "ztunnel admits the waypoint's identity " + principal, admitted.reason,
                                               "waypoint-identity:" + hop.dest->display()));
      return true;
    }
    for (const ir::Program& view : hop.programs.hops[0].views) {
      ir::Program at_waypoint = view;
      at_waypoint.workload = hop.dest->display();  // query --to: the request is addressed to the destination
      engine::QueryResult passes = engine::LazyEngine(at_waypoint, gaps::waypoint_engine_options(ctx))
                                       .find(engine::Query().mtls(true).verdict(engine::Verdict::Allow));
      if (passes.answer != engine::SatAnswer::Sat) continue;
      Witness w = engine::to_witness(at_waypoint, *passes.request, *passes.decision, ctx.options.input_paths);
      w = gaps::chain_witness(ctx, wm, lower, at_waypoint, *passes.request, std::move(w));
      out.push_back(finding(hop, policies, std::move(w)));
      return true;
    }
    return false;
  }

  Finding finding(const WaypointHop& hop, const std::vector<const model::AuthorizationPolicy*>& ps, Witness w) const {
    const std::string& principal = hop.points.waypoint_principal;
    const std::string wp = hop.points.waypoint->display();
    std::string message = "Service " + hop.points.service + " is served by waypoint " + wp + ", which forwards to " +
                          describe_workload(*hop.dest) + " with its own identity " + principal +
                          ", but the ALLOW policies ztunnel enforces there (" + identity_policy_names(ps) +
                          ") admit no connection from it: every request through the waypoint is refused (e.g. " +
                          gaps::witness_summary(w) +
                          ", which the waypoint allows) (docs/semantics.md#enforcement-chain)";
    const model::AuthorizationPolicy& first = *ps.front();
    Finding f = make(first.ref(), first.loc, std::move(message),
                     "admit the waypoint at ztunnel: add principals: [\"" + principal + "\"] to an ALLOW rule of " +
                         namespace_of(first) + "/" + first.meta.name +
                         " (and move the caller rules to a targetRefs policy on the waypoint), see "
                         "https://istio.io/latest/docs/ambient/usage/l4-policy/",
                     "waypoint-identity:" + hop.dest->display());
    f.witness = std::move(w);
    f.properties["service"] = hop.points.service;
    f.properties["waypoint"] = wp;
    f.properties["waypoint_principal"] = principal;
    f.properties["workload"] = hop.dest->display();
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_waypoint_identity_denied_check() { return std::make_unique<WaypointIdentityDenied>(); }

}  // namespace meshproof::checks
