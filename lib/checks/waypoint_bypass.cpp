// waypoint-bypass (MP1010): AuthorizationPolicies attached to a waypoint (targetRefs) that a caller can go
// around, because its traffic never passes the waypoint (ambient.md §8, A11; docs/semantics.md#waypoints):
// a workload outside the mesh (plaintext), a sidecar workload, an ambient workload that dials a pod IP when the
// waypoint carries only service traffic, and an Istio ingress gateway when the Service lacks
// istio.io/ingress-use-waypoint. Such a caller meets only the destination ztunnel, with its own identity (or
// none); the finding is reported only when that ztunnel's program allows it (Sat, with the replayed request
// as witness, reproducible with `meshproof query`), never when ztunnel closes the path (Unsat). Unknown is an
// inconclusive note, never "safe".
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_findings.h"
#include "checks/gap_waypoints.h"
#include "checks/service_backends.h"
#include "engine/query.h"
#include "engine/solver_free.h"
#include "engine/witness.h"
#include "ir/lower.h"
#include "ir/lower_chain.h"
#include "mesh/enforcement.h"
#include "mesh/identity.h"
#include "mesh/waypoints.h"

namespace meshproof::checks {
namespace {

// A caller that goes around the waypoint: plaintext, or mTLS with a principal of the input.
struct Caller {
  std::string what;       // "a workload outside the mesh", "sidecar workload Deployment shop/web", ...
  std::string principal;  // "" for plaintext
  std::string ns, sa;
  std::string from;     // the caller workload NS/NAME for `meshproof query --from` ("" for plaintext)
  bool pod_ip = false;  // it dials the pod IP (`meshproof query --pod-ip`)
};

// The targetRefs policies the waypoint applies on the Service's chain (A9), ALLOW, DENY and CUSTOM.
std::vector<const model::AuthorizationPolicy*> waypoint_policies(const Context& ctx, const mesh::WaypointModel& wm,
                                                                 const model::Service& s, const mesh::Waypoint& w) {
  std::vector<const model::AuthorizationPolicy*> out;
  for (const mesh::AttachedPolicy& a : mesh::waypoint_policies(ctx.mesh, wm, w, s.meta.ns, s.meta.name))
    if (a.policy->action != model::Action::Audit && !a.policy->dry_run) out.push_back(a.policy);
  return out;
}

const mesh::Workload* first_with(const Context& ctx, const mesh::WaypointModel& wm, mesh::DataPlane plane,
                                 const mesh::Workload* except, bool istio_gateway_only) {
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (w.origin != mesh::WorkloadOrigin::Declared || w.data_plane != plane || w.service_account.empty()) continue;
    if (&w == except || wm.is_waypoint_pod(w)) continue;
    if (istio_gateway_only && !w.gateway_name.empty()) continue;
    return &w;
  }
  return nullptr;
}

Caller caller_of(const Context& ctx, const mesh::Workload& w, const std::string& what, bool pod_ip = false) {
  return Caller{what + " " + describe_workload(w),
                mesh::principal_of(ctx.mesh, w.ns, w.service_account),
                w.ns,
                w.service_account,
                w.display(),
                pod_ip};
}

// The callers that bypass the waypoint of `s` (A11), in a fixed order.
std::vector<Caller> bypassing_callers(const Context& ctx, const mesh::WaypointModel& wm, const model::Service& s,
                                      const mesh::Waypoint& w, const mesh::Workload& dest) {
  std::vector<Caller> out{Caller{"a workload outside the mesh (plaintext)", "", "", "", "", false}};
  if (const mesh::Workload* c = first_with(ctx, wm, mesh::DataPlane::Sidecar, &dest, false))
    out.push_back(caller_of(ctx, *c, "sidecar workload"));
  if (!w.carries_workload_traffic())
    if (const mesh::Workload* c = first_with(ctx, wm, mesh::DataPlane::Ambient, &dest, false))
      out.push_back(caller_of(ctx, *c, "ambient workload (calling the pod IP)", true));
  auto ingress = wm.ingress_use_waypoint.find({s.meta.ns, s.meta.name});
  if (ingress == wm.ingress_use_waypoint.end() || !ingress->second)
    if (const mesh::Workload* c = first_with(ctx, wm, mesh::DataPlane::Gateway, &dest, true))
      out.push_back(caller_of(ctx, *c, "ingress gateway"));
  return out;
}

engine::Query allowed_from(const Caller& c) {
  return gaps::from_peer_query(c.principal).verdict(engine::Verdict::Allow);
}

// Whether some request from `principal` (any request at all when "") is not allowed by the program.
engine::SatAnswer refuses_some(engine::LazyEngine& e, const std::string& principal) {
  engine::Query q = principal.empty() ? engine::Query() : gaps::from_peer_query(principal);
  return e.find(q.verdict(engine::Verdict::Allow, false).existence_only()).answer;
}

// Whether the chain through the waypoint adds no restriction for a caller (proven, both Unsat): the waypoint
// allows every request from it (every request at all for a plaintext caller, which cannot pass the waypoint)
// and the destination's ztunnel every connection from the waypoint's identity (A12). Going around the waypoint
// then gains nothing. Sat or Unknown: not proven, the finding stands. The waypoint's engines serve every
// caller; the ztunnel half does not depend on the caller and is asked once per chain.
class ChainAdmits {
 public:
  ChainAdmits(const ir::Chain& chain, engine::EngineOptions options) : chain_(chain), options_(std::move(options)) {
    if (chain_.hops.size() == 2)
      for (const ir::Program& w : chain_.hops[0].views)
        waypoint_.push_back(std::make_unique<engine::LazyEngine>(w, options_));
  }
  bool everything_from(const Caller& c) {
    if (chain_.hops.size() != 2) return false;
    for (auto& w : waypoint_)
      if (refuses_some(*w, c.principal) != engine::SatAnswer::Unsat) return false;
    if (ztunnel_ == Proof::NotAsked) {
      ztunnel_ = Proof::Admits;
      for (const ir::Program& z : chain_.hops[1].views) {
        engine::LazyEngine e(z, options_);
        if (refuses_some(e, chain_.hops[1].rewrite_principal) != engine::SatAnswer::Unsat) ztunnel_ = Proof::NotProven;
      }
    }
    return ztunnel_ == Proof::Admits;
  }

 private:
  enum class Proof : uint8_t { NotAsked, Admits, NotProven };
  const ir::Chain& chain_;
  engine::EngineOptions options_;
  std::vector<std::unique_ptr<engine::LazyEngine>> waypoint_;
  Proof ztunnel_ = Proof::NotAsked;
};

// The first ambient workload behind the Service and the port its first Service port routes to.
std::optional<std::pair<const mesh::Workload*, uint32_t>> destination(const ServiceBackends& backends,
                                                                      const model::Service& s) {
  for (const ServiceBackends::Backend& b : backends.of(s.meta.ns, s.meta.name))
    if (b.workload->data_plane == mesh::DataPlane::Ambient) return std::make_pair(b.workload, b.port->port);
  return std::nullopt;
}

// `meshproof query` follows the enforcement chain: the caller workload (--from, and --pod-ip) decides that the
// waypoint is bypassed, as it is here, and fixes the principal.
std::string reproduce_as(std::string cmd, const Caller& c) {
  if (c.from.empty()) return cmd;  // plaintext: a caller outside the mesh, which query assumes
  const std::string principal = " --principal " + engine::shell_quote(c.principal);
  size_t at = cmd.find(principal);
  if (at == std::string::npos) return cmd;
  return cmd.replace(at, principal.size(),
                     " --from " + engine::shell_quote(c.from) + (c.pod_ip ? std::string(" --pod-ip") : ""));
}

std::string policy_names(const std::vector<const model::AuthorizationPolicy*>& ps) {
  std::vector<std::string> names;
  for (const auto* p : ps) names.push_back(namespace_of(*p) + "/" + p->meta.name);
  return join(names);
}

class WaypointBypass final : public Check {
 public:
  WaypointBypass()
      : Check(CheckInfo{"waypoint-bypass", "MP1010", Severity::Warning, "Waypoint policies that a caller can go around",
                        "Policies attached to a waypoint with targetRefs are enforced only on traffic that passes the "
                        "waypoint. Workloads outside the mesh, sidecar workloads, ambient workloads calling a pod IP "
                        "(service-only waypoint) and ingress gateways without istio.io/ingress-use-waypoint reach the "
                        "destination's ztunnel directly; when ztunnel's own policy lets them in, the waypoint's rules "
                        "are bypassed."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies)
      if (!p.target_refs.empty()) out.push_back(p.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const mesh::WaypointModel wm = mesh::compute_waypoints(ctx.mesh);
    const ir::LowerContext lower = ir::LowerContext::from(ctx.mesh.config);
    const ServiceBackends backends(ctx.mesh);
    for (const model::Service& s : ctx.resources.services) {
      const mesh::WaypointBinding* b = wm.service(s.meta.ns, s.meta.name);
      if (!b || !b->bound()) continue;
      std::vector<const model::AuthorizationPolicy*> policies = waypoint_policies(ctx, wm, s, *b->waypoint);
      if (policies.empty()) continue;
      auto dest = destination(backends, s);
      if (!dest) continue;
      check_service(ctx, wm, lower, s, *b->waypoint, policies, *dest->first, dest->second, out);
    }
  }

 private:
  void check_service(const Context& ctx, const mesh::WaypointModel& wm, const ir::LowerContext& lower,
                     const model::Service& s, const mesh::Waypoint& w,
                     const std::vector<const model::AuthorizationPolicy*>& policies, const mesh::Workload& dest,
                     uint32_t port, std::vector<Finding>& out) const {
    ir::WorkloadPrograms programs = ir::build_programs(dest, lower);
    const ir::PortPrograms* pp = programs.find_port(port);
    if (!pp || pp->views.empty()) return;
    const ir::Program& prog = pp->views.front();
    engine::LazyEngine engine(prog, gaps::waypoint_engine_options(ctx));  // most callers: refused without a solver
    const mesh::EnforcementChain through =
        mesh::enforcement_chain(ctx.mesh, wm, dest, port, {mesh::CallerKind::Ambient, false});
    const ir::Chain chain = ir::build_chain(through, *pp, mesh::port_protocol_of(dest, port), lower);
    const model::AuthorizationPolicy& first = *policies.front();
    const std::string svc = s.meta.ns + "/" + s.meta.name;
    ChainAdmits admits(chain, gaps::waypoint_engine_options(ctx));
    for (const Caller& c : bypassing_callers(ctx, wm, s, w, dest)) {
      // Whether ztunnel lets the caller in at all first (an existence question, often answered without a
      // solver); the canonical witness only for the finding.
      engine::QueryResult r = engine.find(allowed_from(c).existence_only());
      if (r.answer == engine::SatAnswer::Unsat) continue;
      if (r.answer == engine::SatAnswer::Sat && admits.everything_from(c)) continue;
      if (r.answer == engine::SatAnswer::Sat) {
        r = engine.find(allowed_from(c));
        if (r.answer == engine::SatAnswer::Unsat) {  // cannot be after a replayed Sat; never read it as safe
          r.answer = engine::SatAnswer::Unknown;
          r.reason = "the solver found no request where the fast path had replayed one";
        }
      }
      if (r.answer == engine::SatAnswer::Unknown) {
        out.push_back(gaps::inconclusive_finding(info(), first.ref(), first.loc, "Service " + svc,
                                                 "whether " + c.what + " can bypass waypoint " + w.display(), r.reason,
                                                 "service:" + svc));
        return;
      }
      out.push_back(finding(ctx, s, w, policies, c, prog, r));
      return;  // one finding per Service: the first bypassing caller is the witness
    }
  }

  Finding finding(const Context& ctx, const model::Service& s, const mesh::Waypoint& w,
                  const std::vector<const model::AuthorizationPolicy*>& policies, const Caller& c,
                  const ir::Program& prog, const engine::QueryResult& r) const {
    const std::string svc = s.meta.ns + "/" + s.meta.name;
    Witness wit = engine::to_witness(prog, *r.request, *r.decision, ctx.options.input_paths);
    wit.reproduce = reproduce_as(wit.reproduce, c);
    std::string message =
        "Service " + svc + " is served by waypoint " + w.display() + ", which enforces " + policy_names(policies) +
        ", but " + c.what + " does not pass the waypoint and the destination's ztunnel allows it (" +
        gaps::witness_summary(wit) + "): the waypoint's rules are bypassed (docs/semantics.md#waypoints)";
    const model::AuthorizationPolicy& first = *policies.front();
    Finding f = make(first.ref(), first.loc, std::move(message),
                     "close the path at ztunnel: add an ALLOW AuthorizationPolicy with a selector for the workloads "
                     "behind Service " +
                         svc + " that admits only the waypoint's identity (principals: [\"" +
                         mesh::waypoint_principal(ctx.mesh, w) +
                         "\"]), and label the Service istio.io/ingress-use-waypoint=true if ingress must pass it",
                     "service:" + svc);
    f.witness = std::move(wit);
    f.properties["service"] = svc;
    f.properties["waypoint"] = w.display();
    f.properties["caller"] = c.what;
    f.properties["policies"] = policy_names(policies);
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_waypoint_bypass_check() { return std::make_unique<WaypointBypass>(); }

}  // namespace meshproof::checks
