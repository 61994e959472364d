// The waypoint programs of the shared symbolic pass (checks/gap_waypoints.h).
#include "checks/gap_waypoints.h"

#include <map>
#include <utility>

#include "checks/gap_pass.h"
#include "engine/evaluate_chain.h"
#include "engine/witness.h"
#include "ir/lower_chain.h"
#include "mesh/enforcement.h"

namespace meshproof::checks::gaps {

namespace {

mesh::EnforcementChain ambient_chain(const Context& ctx, const mesh::WaypointModel& wm, const mesh::Workload& dest,
                                     uint32_t port) {
  return mesh::enforcement_chain(ctx.mesh, wm, dest, port, {mesh::CallerKind::Ambient, false});
}

// The ztunnel-enforced class representative the units start from: a declared ambient workload that is not
// a waypoint's own pod.
bool unit_candidate(const mesh::WaypointModel& wm, const mesh::Workload& w) {
  return w.origin == mesh::WorkloadOrigin::Declared && w.data_plane == mesh::DataPlane::Ambient &&
         !wm.is_waypoint_pod(w);
}

}  // namespace

bool mesh_has_ambient(const mesh::Mesh& mesh) {
  for (const mesh::Workload& w : mesh.workloads)
    if (w.data_plane == mesh::DataPlane::Ambient) return true;
  return false;
}

std::shared_ptr<const WaypointUnits> waypoint_units(const Context& ctx) {
  auto out = std::make_shared<WaypointUnits>();
  if (!mesh_has_ambient(ctx.mesh)) return out;
  out->model = mesh::compute_waypoints(ctx.mesh);
  std::map<std::pair<const mesh::Waypoint*, std::string>, size_t> seen;
  for (const mesh::WorkloadClass& wc : ctx.mesh.classes) {
    if (wc.members.empty()) continue;
    const mesh::Workload& rep = ctx.mesh.workloads[wc.members.front()];
    if (!unit_candidate(out->model, rep)) continue;
    for (const mesh::WorkloadPort& p : rep.ports) {
      if (p.port == 0) continue;
      const mesh::EnforcementChain chain = ambient_chain(ctx, out->model, rep, p.port);
      if (!chain.waypoint || chain.waypoint_policies.empty()) continue;
      auto [it, fresh] = seen.emplace(std::make_pair(chain.waypoint, chain.service), out->units.size());
      if (fresh) out->units.push_back(WaypointUnit{&rep, chain.waypoint, chain.service, {}});
      WaypointUnit& u = out->units[it->second];
      if (u.dest == &rep) u.ports.push_back(p.port);
    }
  }
  return out;
}

ClassView waypoint_class_view(const Context& ctx, const Shared& shared, const WaypointUnits& units, size_t i) {
  const WaypointUnit& u = units.units[i];
  ClassView cls;
  cls.class_id = static_cast<uint32_t>(ctx.mesh.classes.size() + i);
  cls.point = "waypoint " + u.waypoint->display() + (u.service.empty() ? "" : " (Service " + u.service + ")");
  auto proxy = std::make_shared<mesh::Workload>();
  proxy->ns = u.waypoint->ns;
  proxy->name = u.waypoint->name;
  proxy->data_plane = mesh::DataPlane::Sidecar;  // an Envoy proxy (ambient.md §6)
  ir::WorkloadPrograms own = ir::build_programs(*u.dest, shared.lower);
  std::vector<uint32_t> declared;
  for (const auto& pp : own.ports)
    if (pp.port != 0) declared.push_back(pp.port);
  for (uint32_t port : u.ports) {
    const ir::PortPrograms* pp = own.find_port(port);
    if (!pp) continue;
    const mesh::EnforcementChain chain = ambient_chain(ctx, units.model, *u.dest, port);
    if (proxy->authorization_policies.empty()) {
      for (const mesh::AttachedPolicy& a : chain.waypoint_policies) proxy->authorization_policies.push_back(a.policy);
      proxy->request_authentications = chain.waypoint_request_authentications;
    }
    ir::Chain programs = ir::build_chain(chain, *pp, mesh::port_protocol_of(*u.dest, port), shared.lower);
    if (programs.hops.empty()) continue;
    for (ir::Program& prog : programs.hops.front().views) {
      prog.workload = u.dest->display();  // query --to: the request is addressed to the destination
      prog.class_id = cls.class_id;
      cls.views.emplace_back(std::move(prog), declared, ctx.options.query_timeout_ms);
      cls.views.back().set_point(cls.point);
    }
  }
  cls.rep = proxy.get();
  cls.owned_rep = std::move(proxy);
  return cls;
}

bool is_waypoint_program(const Context& ctx, const ir::Program& program) {
  return program.class_id >= ctx.mesh.classes.size();
}

Witness chain_witness(const Context& ctx, const mesh::WaypointModel& wm, const ir::LowerContext& lower,
                      const ir::Program& program, const ir::Request& request, Witness w) {
  const size_t slash = program.workload.find('/');
  if (slash == std::string::npos) return w;
  const mesh::Workload* dest = ctx.mesh.find(program.workload.substr(0, slash), program.workload.substr(slash + 1));
  if (!dest) return w;
  ir::WorkloadPrograms own = ir::build_programs(*dest, lower);
  const ir::PortPrograms* pp = own.find_port(program.port);
  if (!pp) return w;
  const ir::Chain chain = ir::build_chain(ambient_chain(ctx, wm, *dest, program.port), *pp,
                                          mesh::port_protocol_of(*dest, program.port), lower);
  const engine::ChainDecision d = engine::evaluate_chain(chain, request, program.protocol);
  if (d.hops.size() < 2) return w;  // the waypoint decided: the witness is what query answers
  const engine::HopDecision& last = d.decisive();
  const Witness at_last = engine::to_witness(*last.program, last.request, last.decision, ctx.options.input_paths);
  w.decision = at_last.decision;
  w.decided_by = at_last.decided_by;
  return w;
}

engine::EngineOptions waypoint_engine_options(const Context& ctx) {
  engine::EngineOptions o;
  o.default_timeout_ms = ctx.options.query_timeout_ms;
  return o;
}

engine::Query from_peer_query(const std::string& principal) {
  engine::Query q;
  q.mtls(!principal.empty());
  ir::Request peer;
  if (principal.empty() || !peer.set_principal(principal)) return q;
  q.atom(ir::make_atom(ir::Attribute::PeerTrustDomain, ir::Op::Exact, peer.peer_trust_domain));
  q.atom(ir::make_atom(ir::Attribute::PeerNamespace, ir::Op::Exact, peer.peer_namespace));
  q.atom(ir::make_atom(ir::Attribute::PeerServiceAccount, ir::Op::Exact, peer.peer_service_account));
  return q;
}

}  // namespace meshproof::checks::gaps
