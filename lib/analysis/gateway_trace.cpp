// `query --gateway` (analysis/gateway_trace.h): listener, route, hop TLS and the decision at each
// enforcement point, for an Istio Gateway or a Gateway API Gateway (docs/query.md#gateway).
#include "analysis/gateway_trace.h"

#include <algorithm>

#include "analysis/query.h"
#include "checks/describe.h"
#include "mesh/client_tls.h"
#include "mesh/gateway_routes.h"
#include "mesh/identity.h"

namespace meshproof::analysis {

namespace {

// Where the request goes after the listener and route: the Services (port, weight) it may reach.
struct Target {
  const model::Service* service = nullptr;
  std::string name;  // "Service ns/name" even when undeclared
  uint32_t port = 0;
  uint32_t weight = 1;
  std::string problem;
};

struct Path {
  std::string gateway_ns;
  model::Labels client_labels;
  std::vector<size_t> pods;
  uint32_t listener_port = 0;
  std::vector<Target> targets;
};

// One enforcement point: the query a user would run (`query --to ... --port ...`).
TraceDecision decide_at(const Analysis& a, const mesh::Workload& w, uint32_t port, const std::string& principal,
                        const GatewayTraceSpec& spec) {
  TraceDecision d;
  d.workload = checks::describe_workload(w);
  d.port = port;
  QuerySpec q;
  q.to = w.ns + "/" + w.name;
  q.port = port;
  q.plaintext = principal.empty();
  q.request.principal = principal;
  q.request.method = spec.method;
  q.request.path = spec.path;
  q.request.host = spec.host;
  d.source = principal.empty() ? "plaintext" : "principal " + principal;
  QueryAnswer ans;
  if (auto err = answer_query(a, q, ans)) {
    d.verdict = "NOT-EVALUATED";
    d.reason = *err;
    return d;
  }
  d.verdict = engine::to_string(ans.decision.verdict);
  d.reason = ans.decision.explanation;
  if (const ir::Rule* r = ans.decision.decided_by) {
    d.decided_by = "AuthorizationPolicy " + r->policy.display() + " rule " + std::to_string(r->index);
    d.decided_at = r->loc;
  }
  return d;
}

TraceDecision not_evaluated(const std::string& why) {
  TraceDecision d;
  d.verdict = "NOT-EVALUATED";
  d.reason = why;
  return d;
}

void add_hops(const Analysis& a, const Path& p, const std::string& principal, const std::string& gateway_name,
              const GatewayTraceSpec& spec, TraceBackend& tb, const Target& t) {
  const mesh::Mesh& mesh = a.input->mesh;
  for (const mesh::Hop& h :
       mesh::proxy_hops_to_service(mesh, p.gateway_ns, p.client_labels, p.pods, *t.service, t.port)) {
    TraceHop th;
    const mesh::Workload& w = mesh.workloads[h.server];
    th.server = checks::describe_workload(w);
    th.target_port = h.target_port;
    th.transport = mesh::to_string(h.transport);
    th.client_tls = h.client_mode;
    th.reason = h.reason;
    const bool identity = h.transport == mesh::HopTransport::Mtls || h.transport == mesh::HopTransport::Hbone;
    if (h.transport == mesh::HopTransport::Broken)
      th.decision = not_evaluated("the connection from " + gateway_name + " fails: " + h.reason);
    else
      th.decision = decide_at(a, w, h.target_port, identity ? principal : "", spec);
    tb.hops.push_back(std::move(th));
  }
  if (tb.hops.empty() && tb.problem.empty()) tb.problem = "the input declares no workload behind this Service port";
}

// Istio Gateway: the server that accepts the host on the port, its bound VirtualServices' destinations.
bool follow_istio(const Analysis& a, const mesh::GatewayInfo& g, const GatewayTraceSpec& spec, GatewayTrace& out,
                  Path& p) {
  const mesh::Mesh& mesh = a.input->mesh;
  out.gateway =
      "Gateway " + mesh::effective_namespace(*g.gateway) + "/" + g.gateway->meta.name + " (networking.istio.io)";
  p.pods = g.pods;
  p.gateway_ns = mesh::effective_namespace(*g.gateway);
  if (!g.pods.empty()) {
    p.gateway_ns = mesh.workloads[g.pods.front()].ns;
    p.client_labels = mesh.workloads[g.pods.front()].labels;
  }
  const mesh::GatewayListener* chosen = nullptr;
  for (int pass = 0; pass < 2 && !chosen; ++pass)
    for (const mesh::GatewayListener& l : g.listeners) {
      if (spec.port ? l.server->port != spec.port : (pass == 0) != l.terminates_tls) continue;
      bool host_ok = false;
      for (const std::string& sh : l.server->hosts) {
        const size_t slash = sh.find('/');
        host_ok = host_ok || mesh::hostname_matches(slash == std::string::npos ? sh : sh.substr(slash + 1), spec.host);
      }
      if (host_ok && !chosen) chosen = &l;
    }
  if (!chosen) return false;
  p.listener_port = chosen->server->port;
  out.listener = "server " + std::to_string(chosen->index) + " (port " + std::to_string(chosen->server->port) + ", " +
                 chosen->server->protocol + ")";
  out.listener_tls = chosen->tls_mode.empty()
                         ? (chosen->server->tls.https_redirect ? "plaintext, httpsRedirect" : "plaintext")
                     : chosen->terminates_tls ? chosen->tls_mode + ": TLS terminated at the gateway"
                                              : chosen->tls_mode + ": TLS passed through (the gateway sees only SNI)";
  const mesh::GatewayRoute* route = nullptr;
  for (const mesh::GatewayRoute& r : chosen->routes)
    if (!route && mesh::hostname_matches(r.host, spec.host)) route = &r;
  if (!route) return true;
  out.route = "VirtualService " + mesh::effective_namespace(*route->vs) + "/" + route->vs->meta.name;
  out.route_note =
      "VirtualService match conditions are not modelled: every " + chosen->route_kind + " destination is a candidate";
  for (const mesh::GatewayBackend& b : route->backends) {
    Target t;
    t.service = b.service;
    t.name = b.service ? "Service " + b.ns + "/" + b.service->meta.name : "host " + b.host;
    if (!b.service) t.problem = b.ns.empty() ? "not a Service of the cluster" : "the input declares no such Service";
    p.targets.push_back(std::move(t));
  }
  return true;
}

// Gateway API: the listener that accepts the host, the route rule by precedence, its backendRefs.
bool follow_api(const Analysis& a, const mesh::ApiGateway& g, const GatewayTraceSpec& spec, GatewayTrace& out,
                Path& p) {
  out.gateway = g.display() + " (gateway.networking.k8s.io)";
  p.pods = g.pods;
  p.gateway_ns = g.ns;
  p.client_labels = {{"gateway.networking.k8s.io/gateway-name", g.gateway->meta.name}};
  if (!g.pods.empty()) p.client_labels = a.input->mesh.workloads[g.pods.front()].labels;
  const mesh::ApiListener* chosen = nullptr;
  for (int pass = 0; pass < 2 && !chosen; ++pass)
    for (const mesh::ApiListener& l : g.listeners) {
      if (!l.programmed || !l.http()) continue;
      if (spec.port ? l.listener->port != spec.port : (pass == 0) != l.terminates_tls) continue;
      const std::string lh = l.listener->hostname_present ? l.listener->hostname : "";
      if (!chosen && mesh::hostname_matches(lh, spec.host)) chosen = &l;
    }
  if (!chosen) return false;
  p.listener_port = chosen->listener->port;
  out.listener = "listener " + chosen->listener->name + " (port " + std::to_string(chosen->listener->port) + ", " +
                 chosen->protocol + ")";
  out.listener_tls = chosen->terminates_tls ? chosen->tls_mode + ": TLS terminated at the gateway" : "plaintext";
  const mesh::ApiRouteChoice c = mesh::choose_route(*chosen, spec.host, spec.path, spec.method);
  if (!c.binding) return true;
  const model::gwapi::Route& r = *c.binding->route;
  out.route = r.kind + " " + mesh::effective_namespace(r) + "/" + r.meta.name + " rule " + std::to_string(c.rule) +
              (c.implicit ? " (no matches: every request)" : " match " + std::to_string(c.match));
  if (r.rules[c.rule].has_filters)
    out.route_note = "the rule's filters (redirects, rewrites, mirrors) are not modelled";
  for (const mesh::ApiBackend& b : c.binding->backends) {
    if (b.rule != c.rule) continue;
    Target t;
    t.service = b.service;
    t.name = "Service " + b.ns + "/" + b.name;
    t.port = b.port;
    t.weight = b.ref->weight;
    t.problem = b.problem;
    p.targets.push_back(std::move(t));
  }
  return true;
}

std::string outcome_of(const GatewayTrace& t) {
  if (t.gateway_decision.verdict == "DENY" || t.gateway_decision.verdict == "REJECTED")
    return t.gateway_decision.verdict + " at the gateway";
  if (t.route.empty()) return "no route takes the request: the gateway answers 404";
  std::vector<std::string> verdicts;
  for (const TraceBackend& b : t.backends)
    for (const TraceHop& h : b.hops)
      if (std::find(verdicts.begin(), verdicts.end(), h.decision.verdict) == verdicts.end())
        verdicts.push_back(h.decision.verdict);
  if (verdicts.empty()) return "no backend endpoint in the input: the gateway answers 503";
  std::string s = verdicts.size() == 1 ? verdicts[0] + " at every backend endpoint" : "depends on the endpoint: ";
  if (verdicts.size() > 1)
    for (size_t i = 0; i < verdicts.size(); ++i) s += (i ? ", " : "") + verdicts[i];
  if (t.gateway_decision.verdict == "NOT-EVALUATED") s += " (the gateway's own policies were not evaluated)";
  return s;
}

}  // namespace

std::optional<std::string> trace_gateway(const Analysis& a, const GatewayTraceSpec& spec, GatewayTrace& out) {
  const size_t slash = spec.gateway.find('/');
  if (slash == std::string::npos) return "--gateway must be NAMESPACE/NAME, got \"" + spec.gateway + "\"";
  if (spec.host.empty()) return std::string("--host is required with --gateway");
  const std::string ns = spec.gateway.substr(0, slash), name = spec.gateway.substr(slash + 1);
  const mesh::Mesh& mesh = a.input->mesh;
  Path p;
  bool found = false, accepted = false;
  for (const mesh::GatewayInfo& g : mesh.gateways)
    if (!found && mesh::effective_namespace(*g.gateway) == ns && g.gateway->meta.name == name) {
      found = true;
      accepted = follow_istio(a, g, spec, out, p);
    }
  const std::vector<mesh::ApiGateway> api = mesh::gateway_api_ingress(mesh);
  for (const mesh::ApiGateway& g : api)
    if (!found && g.ns == ns && g.gateway->meta.name == name) {
      found = true;
      accepted = follow_api(a, g, spec, out, p);
      out.principal = g.principal;
      out.principal_assumed = g.service_account_assumed;
    }
  if (!found)
    return "--gateway " + spec.gateway +
           ": the input has no Gateway of that name (networking.istio.io or gateway.networking.k8s.io)";
  if (!accepted)
    return out.gateway + " has no listener" + (spec.port ? " on port " + std::to_string(spec.port) : std::string()) +
           " that accepts host " + spec.host;
  if (out.principal.empty() && !p.pods.empty()) {
    const mesh::Workload& w = mesh.workloads[p.pods.front()];
    out.principal = mesh::pod_principal(mesh, w);
  }
  out.gateway_decision = p.pods.empty() ? not_evaluated("the input has no pod of this gateway")
                                        : decide_at(a, mesh.workloads[p.pods.front()], p.listener_port, "", spec);
  out.gateway_decision.source = "plaintext (external client)";
  for (const Target& t : p.targets) {
    TraceBackend tb;
    tb.service = t.name;
    tb.port = t.port;
    tb.weight = t.weight;
    tb.problem = t.problem;
    if (t.service && t.problem.empty() && t.weight > 0) add_hops(a, p, out.principal, out.gateway, spec, tb, t);
    out.backends.push_back(std::move(tb));
  }
  out.outcome = outcome_of(out);
  return std::nullopt;
}

}  // namespace meshproof::analysis
