#include "analysis/query.h"

#include "base/text.h"
#include "checks/describe.h"
#include "checks/namespace_refs.h"
#include "ir/lower_ztunnel.h"

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

}  // namespace

std::optional<std::string> build_query_request(const QuerySpec& spec, ir::Request& out) {
  ir::RequestFlags flags = spec.request;
  if (spec.plaintext) flags.principal.clear();
  return ir::build_request(flags, out);
}

std::optional<std::string> answer_query(const Analysis& a, const QuerySpec& spec, QueryAnswer& out) {
  if (auto err = build_query_request(spec, out.request)) return *err;
  if (auto err = mesh::find_target(spec.to, a.input->resources, a.input->mesh, resolve_options(a), out.target))
    return "--to: " + *err;
  const mesh::Workload& w = *out.target.workload;
  out.programs = ir::build_programs(w, ir::LowerContext::from(out.target.mesh->config));
  out.port = spec.port ? out.programs.find_port(spec.port) : default_port(out.programs);
  if (!out.port) return w.display() + " declares no port (no container port and no Service selects it); give --port N";
  out.request.port = spec.port ? spec.port : out.port->port;
  if (auto err = choose_view(spec, out)) return err;
  fill_http_defaults(w, out.request);
  out.decision = engine::evaluate(*out.primary, out.request);
  for (const auto& v : out.port->views)
    if (&v != out.primary) out.other_views.emplace_back(&v, engine::evaluate(v, out.request));
  return std::nullopt;
}

std::optional<std::string> explain_workload(const Analysis& a, const std::string& spec, Explanation& out) {
  if (auto err = mesh::find_target(spec, a.input->resources, a.input->mesh, resolve_options(a), out.target))
    return "--workload: " + *err;
  const mesh::Workload& w = *out.target.workload;
  ir::LowerContext ctx = ir::LowerContext::from(out.target.mesh->config);
  out.programs = ir::build_programs(w, ctx);
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
  return std::nullopt;
}

}  // namespace meshproof::analysis
