#include "analysis/query.h"

#include "analysis/network_query.h"

#include <algorithm>

#include "analysis/linkerd_query.h"
#include "base/text.h"
#include "checks/describe.h"
#include "checks/namespace_refs.h"
#include "ir/lower_chain.h"
#include "ir/lower_ztunnel.h"
#include "mesh/enforcement.h"
#include "mesh/identity.h"

namespace meshproof::analysis {

namespace {

mesh::ResolveOptions resolve_options(const Analysis& a) {
  mesh::ResolveOptions ro;
  ro.root_namespace = a.input->mesh.config.root_namespace;
  ro.assumed_data_plane = a.input->mesh.assumed_data_plane;
  return ro;
}

// The port a query without --port is about: the first HTTP-only port, else the first sniffed, else the
// first declared.
const ir::PortPrograms* default_port(const ir::WorkloadPrograms& progs) {
  for (int pass = 0; pass < 3; ++pass)
    for (const auto& p : progs.ports) {
      if (p.port == 0) continue;
      bool http_only = !p.sniffed && p.view(ir::Protocol::Http);
      if ((pass == 0 && http_only) || (pass == 1 && p.sniffed) || pass == 2) return &p;
    }
  return nullptr;
}

std::string port_protocol_name(const ir::PortPrograms& pp) {
  if (pp.sniffed) return "SNIFFED";
  return pp.views.empty() ? "" : ir::to_string(pp.views.front().protocol);
}

// Which view answers: the port's protocol; on a sniffed port HTTP unless --protocol tcp.
std::optional<std::string> choose_view(const QuerySpec& spec, QueryAnswer& out) {
  ir::Protocol want = ir::Protocol::Http;
  const std::string protocol = ascii_lower(spec.protocol);  // HTTP and http alike
  if (protocol == "tcp")
    want = ir::Protocol::Tcp;
  else if (!protocol.empty() && protocol != "http")
    return std::string("--protocol must be http or tcp");
  out.primary = out.port->view(want);
  if (out.primary) return std::nullopt;
  const bool ztunnel = out.target.workload->data_plane == mesh::DataPlane::Ambient;  // one L4 view for any protocol
  if (!spec.protocol.empty() && !ztunnel)
    return "--protocol " + spec.protocol + ": port " + std::to_string(out.request.port) + " is " +
           port_protocol_name(*out.port);
  out.primary = &out.port->views.front();
  return std::nullopt;
}

// HTTP defaults: Envoy always has a method, a path and an authority (the Service's cluster-local name).
void fill_http_defaults(const mesh::Workload& w, ir::Request& req) {
  if (req.method.empty()) req.method = "GET";
  if (req.path.empty()) req.path = "/";
  if (!req.host.empty()) return;
  for (const auto& wp : w.ports)
    if (wp.port == req.port && !wp.services.empty()) {
      const std::string& s = wp.services.front();  // "ns/name:port" → "name.ns.svc.cluster.local"
      size_t sl = s.find('/'), colon = s.rfind(':');
      req.host = s.substr(sl + 1, colon - sl - 1) + "." + s.substr(0, sl) + ".svc.cluster.local";
      return;
    }
}

std::string defaulted_namespace(const model::ResourceBase& r) {
  return checks::resource_text(r) + " has no metadata.namespace; it is taken to be in namespace " + r.meta.ns +
         " (--namespace)";
}

// The assumptions behind an explanation of `w` (docs/semantics.md §2.1 and §3, namespace completeness).
std::vector<std::string> assumptions_for(const Analysis& a, const mesh::Workload& w) {
  std::vector<std::string> out;
  if (w.decl && w.decl->meta.ns_defaulted) out.push_back(defaulted_namespace(*w.decl));
  if (w.data_plane_assumed)
    out.push_back(std::string("the workload's data plane is ") + mesh::to_string(w.data_plane) + " (" +
                  w.injection_reason + "; --data-plane sidecar|ambient|none changes the assumption)");
  for (const auto* p : w.authorization_policies)
    if (p->meta.ns_defaulted) out.push_back(defaulted_namespace(*p));
  for (const auto* ra : w.request_authentications)
    if (ra->meta.ns_defaulted) out.push_back(defaulted_namespace(*ra));
  if (a.profile.namespaces_complete) return out;  // then selector-matches-nothing reports them
  const checks::KnownNamespaces known(a.input->mesh, a.input->resources);
  for (const auto* p : w.authorization_policies)
    for (const checks::NamespaceRef& ref : checks::namespace_refs(*p)) {
      if (known.covers(ref)) continue;
      out.push_back("namespace \"" + ref.ns + "\" " +
                    (ref.ns.find('*') != std::string::npos ? "matches an existing namespace" : "exists") + " (" +
                    checks::resource_text(*p) + " names it in " + ref.field +
                    "; the input declares no such Namespace, and the profile does not say `namespaces: complete`)");
    }
  return out;
}

// --caller (or, without it, what the request implies): the caller's data plane when --from does not name it.
std::optional<std::string> apply_caller_kind(const std::string& caller, QueryAnswer& out, mesh::CallerKind& kind) {
  if (caller.empty()) {
    kind = out.request.mtls ? mesh::CallerKind::Ambient : mesh::CallerKind::NonMesh;
    out.caller = out.request.mtls ? "an ambient workload (assumed: --from names the client workload)"
                                  : "a workload outside the mesh (plaintext)";
    return std::nullopt;
  }
  const std::pair<const char*, mesh::CallerKind> kinds[] = {{"ambient", mesh::CallerKind::Ambient},
                                                            {"sidecar", mesh::CallerKind::Sidecar},
                                                            {"ingress", mesh::CallerKind::Ingress},
                                                            {"none", mesh::CallerKind::NonMesh}};
  for (const auto& [name, k] : kinds) {
    if (caller != name) continue;
    if ((k == mesh::CallerKind::NonMesh) == out.request.mtls)
      return k == mesh::CallerKind::NonMesh
                 ? std::string("--caller none: a workload outside the mesh has no mTLS identity; drop --principal")
                 : "--caller " + caller + ": a mesh caller sends mTLS; give --principal instead of --plaintext";
    kind = k;
    const char* who = k == mesh::CallerKind::Ambient   ? "an ambient workload"
                      : k == mesh::CallerKind::Sidecar ? "a sidecar workload"
                      : k == mesh::CallerKind::Ingress ? "an ingress gateway"
                                                       : "a workload outside the mesh";
    out.caller = std::string(who) + " (--caller " + caller + ")";
    return std::nullopt;
  }
  return "--caller: '" + caller + "' is not a data plane; use ambient, sidecar, ingress or none";
}

// --from: the client workload's identity and data plane (or, without it, what the request implies).
std::optional<std::string> apply_from(const Analysis& a, const QuerySpec& spec, QueryAnswer& out,
                                      mesh::CallerKind& kind) {
  if (spec.from.empty()) return apply_caller_kind(spec.caller, out, kind);
  if (!spec.request.principal.empty() || spec.plaintext)
    return std::string("--from fixes the caller's identity: give --from or --principal/--plaintext, not both");
  out.from_given = true;
  mesh::Target from;
  if (auto err = mesh::find_target(spec.from, a.input->resources, a.input->mesh, resolve_options(a), from))
    return "--from: " + *err;
  const mesh::Workload& c = *from.workload;
  if (apply_linkerd_caller(c, *a.input, out)) return std::nullopt;
  kind = mesh::caller_kind(c.data_plane);
  out.caller = std::string(mesh::to_string(c.data_plane)) + " workload " + c.display();
  if (kind == mesh::CallerKind::NonMesh) {
    out.request.mtls = false;
    out.request.peer_trust_domain.clear();
    out.request.peer_namespace.clear();
    out.request.peer_service_account.clear();
    return std::nullopt;
  }
  if (c.service_account.empty())
    return "--from: the service account of " + c.display() + " is not known; give --principal instead";
  out.request.set_principal(mesh::principal_of(a.input->mesh, c.ns, c.service_account));
  return std::nullopt;
}

// An ambient destination: the request crosses the waypoint (when bound and not bypassed) and then the
// destination's ztunnel (docs/semantics.md#enforcement-chain); the point that decides answers.
void decide_through_chain(const QuerySpec& spec, mesh::CallerKind kind, QueryAnswer& out) {
  const mesh::Mesh& mesh = *out.target.mesh;
  const mesh::Workload& w = *out.target.workload;
  out.ambient = true;
  out.waypoints = std::make_unique<mesh::WaypointModel>(mesh::compute_waypoints(mesh));
  out.chain_points = mesh::enforcement_chain(mesh, *out.waypoints, w, out.port->port, {kind, spec.pod_ip});
  out.chain = ir::build_chain(out.chain_points, *out.port, mesh::port_protocol_of(w, out.port->port),
                              ir::LowerContext::from(mesh.config));
  const ir::Protocol want = ascii_lower(spec.protocol) == "tcp" ? ir::Protocol::Tcp : ir::Protocol::Http;
  out.chain_decision = engine::evaluate_chain(out.chain, out.request, want);
  const engine::HopDecision& d = out.chain_decision.decisive();
  out.primary = d.program;
  out.decision = d.decision;
  out.enforced_by = d.hop->point;
  out.other_views.clear();
  for (const auto& v : d.hop->views)
    if (&v != d.program) out.other_views.emplace_back(&v, engine::evaluate(v, d.request));
}

// The chain of requests to `port` (one of a Service's ports): for an ambient caller, the callers that skip
// the waypoint, and the waypoint's policies lowered for the port's protocol.
ChainExplanation explain_chain(const mesh::Mesh& mesh, const mesh::WaypointModel& wm, const mesh::Workload& w,
                               uint32_t port, const ir::LowerContext& ctx) {
  ChainExplanation ce;
  ce.chain = mesh::enforcement_chain(mesh, wm, w, port, {mesh::CallerKind::Ambient, false});
  ce.service = ce.chain.service;
  const std::pair<mesh::CallerKind, bool> others[] = {{mesh::CallerKind::Ambient, true},
                                                      {mesh::CallerKind::Sidecar, false},
                                                      {mesh::CallerKind::Ingress, false},
                                                      {mesh::CallerKind::NonMesh, false}};
  for (const auto& [kind, pod_ip] : others) {
    mesh::EnforcementChain c = mesh::enforcement_chain(mesh, wm, w, port, {kind, pod_ip});
    if (c.bypassed)
      ce.bypassed_by.push_back(std::string(mesh::to_string(kind)) + (pod_ip ? " (pod IP)" : "") + ": " + c.why);
  }
  const mesh::PortProtocol proto = mesh::port_protocol_of(w, port);
  for (const mesh::AttachedPolicy& ap : ce.chain.waypoint_policies) {
    WaypointPolicyLowering l{ap, std::nullopt, std::nullopt};
    if (proto != mesh::PortProtocol::Tcp) l.http = ir::lower_policy(*ap.policy, ir::Protocol::Http, ctx);
    if (proto != mesh::PortProtocol::Http) l.tcp = ir::lower_policy(*ap.policy, ir::Protocol::Tcp, ctx);
    ce.waypoint_policies.push_back(std::move(l));
  }
  return ce;
}

// One chain per Service that routes to the ambient workload (ports in ascending order).
void explain_chains(const mesh::Mesh& mesh, const mesh::Workload& w, const ir::LowerContext& ctx, Explanation& out) {
  out.waypoints = std::make_unique<mesh::WaypointModel>(mesh::compute_waypoints(mesh));
  for (const auto& pp : out.programs.ports) {
    if (pp.port == 0) continue;
    ChainExplanation ce = explain_chain(mesh, *out.waypoints, w, pp.port, ctx);
    if (ce.service.empty() && !ce.chain.waypoint) continue;  // no Service, no workload waypoint: ztunnel alone
    auto same = std::find_if(out.chains.begin(), out.chains.end(),
                             [&](const ChainExplanation& c) { return c.service == ce.service; });
    if (same != out.chains.end()) {
      same->ports.push_back(pp.port);
      continue;
    }
    ce.ports.push_back(pp.port);
    out.chains.push_back(std::move(ce));
  }
}

}  // namespace

std::optional<std::string> build_query_request(const QuerySpec& spec, ir::Request& out) {
  ir::RequestFlags flags = spec.request;
  if (spec.plaintext) flags.principal.clear();
  flags.principal = linkerd_principal_as_spiffe(flags.principal);
  return ir::build_request(flags, out);
}

std::optional<std::string> answer_query(const Analysis& a, const QuerySpec& spec, QueryAnswer& out) {
  if (auto err = build_query_request(spec, out.request)) return *err;
  mesh::CallerKind caller = mesh::CallerKind::Ambient;
  if (auto err = apply_from(a, spec, out, caller)) return err;
  if (auto err = mesh::find_target(spec.to, a.input->resources, a.input->mesh, resolve_options(a), out.target))
    return "--to: " + *err;
  const mesh::Workload& w = *out.target.workload;
  out.programs = ir::build_programs(w, ir::LowerContext::from(out.target.mesh->config));
  const bool linkerd = linkerd_programs(w, *a.input, out.programs);
  out.port = spec.port ? out.programs.find_port(spec.port) : default_port(out.programs);
  if (!out.port) return w.display() + " declares no port (no container port and no Service selects it); give --port N";
  out.request.port = spec.port ? spec.port : out.port->port;
  if (auto err = choose_view(spec, out)) return err;
  fill_http_defaults(w, out.request);
  out.enforced_by = linkerd ? "Linkerd proxy" : mesh::enforcement_point(w.data_plane);
  if (w.data_plane == mesh::DataPlane::Ambient) {
    decide_through_chain(spec, caller, out);
  } else {
    out.decision = engine::evaluate(*out.primary, out.request);
    for (const auto& v : out.port->views)
      if (&v != out.primary) out.other_views.emplace_back(&v, engine::evaluate(v, out.request));
    if (linkerd) explain_linkerd_route_decision(out);
  }
  apply_network_layer(a, spec, caller, out);
  return std::nullopt;
}

std::optional<std::string> explain_workload(const Analysis& a, const std::string& spec, Explanation& out) {
  if (auto err = mesh::find_target(spec, a.input->resources, a.input->mesh, resolve_options(a), out.target))
    return "--workload: " + *err;
  const mesh::Workload& w = *out.target.workload;
  ir::LowerContext ctx = ir::LowerContext::from(out.target.mesh->config);
  out.programs = ir::build_programs(w, ctx);
  linkerd_programs(w, *a.input, out.programs);
  for (const auto& pp : out.programs.ports)
    for (const auto& v : pp.views) {
      out.ports_by_protocol[v.protocol].push_back(pp.port);
      out.per_protocol.emplace(v.protocol, &v);
    }
  for (const auto* p : w.authorization_policies) {
    PolicyLowering pl{p, std::nullopt, std::nullopt};
    if (w.data_plane == mesh::DataPlane::Ambient) {  // ztunnel's lowering, on every port
      if (ir::ztunnel_skip_reason(*p).empty()) pl.tcp = ir::lower_policy_ztunnel(*p, ctx);
      out.policies.push_back(std::move(pl));
      continue;
    }
    if (out.ports_by_protocol.count(ir::Protocol::Http)) pl.http = ir::lower_policy(*p, ir::Protocol::Http, ctx);
    if (out.ports_by_protocol.count(ir::Protocol::Tcp)) pl.tcp = ir::lower_policy(*p, ir::Protocol::Tcp, ctx);
    out.policies.push_back(std::move(pl));
  }
  out.assumptions = assumptions_for(a, w);
  if (w.data_plane == mesh::DataPlane::Ambient) explain_chains(*out.target.mesh, w, ctx, out);
  out.network_layer = explain_network_layer(a, w);
  out.linkerd = explain_linkerd(w, *a.input, out.assumptions);
  return std::nullopt;
}

}  // namespace meshproof::analysis
