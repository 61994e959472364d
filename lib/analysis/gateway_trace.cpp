// `query --gateway` (analysis/gateway_trace.h): listener, route, hop TLS and
// the decision at each enforcement point, for an Istio Gateway or a Gateway API
// Gateway (docs/query.md#gateway).
#include "analysis/gateway_trace.h"

#include <algorithm>

#include "analysis/query.h"
#include "base/text.h"
#include "checks/describe.h"
#include "mesh/client_tls.h"
#include "mesh/gateway_routes.h"
#include "mesh/gateway_vs_match.h"
#include "mesh/identity.h"
#include "mesh/virtual_service_delegates.h"
#include "model/regex.h"
#include "model/virtual_service_routes.h"

namespace meshproof::analysis {

namespace {

// Where the request goes after the listener and route: the Services (port,
// weight) it may reach.
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
  std::string answered_at_gateway;   // the route answers itself (redirect, direct
                                     // response): what it answers
  GatewayTraceSpec backend_request;  // the request the backends see (a route's
                                     // rewrites applied)
};

// One enforcement point: the query a user would run (`query --to ... --port
// ...`).
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
  q.request.headers = spec.headers;
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

// The request as the Istio gateway matches it against VirtualService routes.
mesh::VsRequest vs_request(const Analysis& a, const mesh::GatewayInfo& g, const mesh::GatewayListener& l,
                           const GatewayTraceSpec& spec, const Path& p) {
  mesh::VsRequest req;
  req.host = spec.host;
  req.path = spec.path;
  req.method = spec.method;
  req.scheme = l.terminates_tls ? "https" : "http";
  req.port = l.server->port;
  req.gateway = mesh::effective_namespace(*g.gateway) + "/" + g.gateway->meta.name;
  for (const std::string& h : spec.headers) {
    const size_t eq = h.find('=');
    req.headers[ascii_lower(h.substr(0, eq))] = eq == std::string::npos ? "" : h.substr(eq + 1);
  }
  if (!g.pods.empty()) {
    req.gateway_pod_ns = a.input->mesh.workloads[g.pods.front()].ns;
    req.gateway_pod_labels = p.client_labels;
  }
  return req;
}

// The chosen route's destinations (weight as written; one destination takes
// everything, istio.io VirtualService reference, HTTPRouteDestination.weight),
// or what the route answers itself. What the backends see (istio.io
// VirtualService reference, HTTPRewrite; Envoy's RouteAction as Istio programs
// it, route.go applyHTTPRouteDestination; Envoy config_impl.cc
// currentUrlPathAfterRewriteWithMatchedPath): rewrite.uri replaces the matched
// prefix (Envoy prefix_rewrite; a match without uri is Istio's prefix "/") or,
// after an exact or regex uri match, the whole path; uriRegexRewrite replaces
// every RE2 match in the path; both keep the query string. rewrite.authority
// replaces the Host.
std::string rewritten_path(const model::VsHttpRoute& h, int match, const std::string& path, std::string& problem) {
  const size_t q = path.find('?');
  const std::string just_path = path.substr(0, q), query = q == std::string::npos ? "" : path.substr(q);
  if (h.rewrite_regex) {
    auto out = model::regex_replace_all(h.rewrite_regex_match, just_path, h.rewrite_regex_rewrite);
    if (!out) {
      problem = "uriRegexRewrite " + h.rewrite_regex_match + " -> " + h.rewrite_regex_rewrite +
                " is not valid RE2 (Istio's validation rejects it); the path is left unchanged";
      return path;
    }
    return *out + query;
  }
  const model::VsHttpMatch* m = match >= 0 ? &h.matches[match] : nullptr;
  const model::VsStringMatch* uri = m && m->uri ? &*m->uri : nullptr;
  if (uri && uri->type != "prefix") return h.rewrite_uri + query;
  const std::string prefix = uri ? uri->value : "/";
  return h.rewrite_uri + path.substr(std::min(prefix.size(), path.size()));
}

void apply_vs_rewrite(const model::VsHttpRoute& h, int match, GatewayTraceSpec& req, std::string& note) {
  auto add = [&](const std::string& text) { note += (note.empty() ? "" : "; ") + text; };
  std::string problem;
  if (h.rewrite_regex || h.rewrite_uri_present) req.path = rewritten_path(h, match, req.path, problem);
  if (!h.rewrite_authority.empty()) req.host = h.rewrite_authority;
  if (h.rewrite_uri_present || h.rewrite_regex || !h.rewrite_authority.empty())
    add("the backends see Host " + req.host + " and path " + req.path + " (the route's rewrite applied)");
  if (!problem.empty()) add(problem);
}

void add_vs_targets(const mesh::GatewayRoute& r, const model::VirtualServiceRoutes& routes, const std::string& kind,
                    const mesh::VsRouteChoice& c, GatewayTrace& out, Path& p) {
  const size_t index = static_cast<size_t>(c.route);
  // A delegate's route resolves short host names in the delegate's namespace.
  const std::string& via = kind == "http" ? routes.http[index].delegated_from : std::string();
  const std::string names_ns = via.empty() ? mesh::effective_namespace(*r.vs) : via.substr(0, via.find('/'));
  const std::vector<model::VsDestination>& dests = kind == "http"  ? routes.http[index].route
                                                   : kind == "tls" ? routes.tls[index].route
                                                                   : routes.tcp[index].route;
  if (kind == "http") {
    const model::VsHttpRoute& h = routes.http[index];
    if (h.redirect)
      p.answered_at_gateway = "a redirect" + (h.redirect_scheme.empty() ? "" : " to " + h.redirect_scheme);
    if (h.direct_response) p.answered_at_gateway = "a direct response";
    apply_vs_rewrite(h, c.match, p.backend_request, out.route_note);
  }
  bool any_weight = false;
  for (const model::VsDestination& d : dests) any_weight = any_weight || d.weight_present;
  for (const model::VsDestination& d : dests) {
    if (!d.host_read) continue;
    auto b = std::find_if(r.backends.begin(), r.backends.end(),
                          [&](const mesh::GatewayBackend& gb) {
                            return gb.host == d.host.value && gb.ns == mesh::destination_namespace(gb.host, names_ns);
                          });
    if (b == r.backends.end()) continue;
    Target t;
    t.service = b->service;
    t.name = b->service ? "Service " + b->ns + "/" + b->service->meta.name : "host " + b->host;
    if (!b->service) t.problem = b->ns.empty() ? "not a Service of the cluster" : "the input declares no such Service";
    t.port = d.port;
    t.weight = dests.size() == 1 || !any_weight ? 1 : d.weight;
    p.targets.push_back(std::move(t));
  }
}

// Istio Gateway: the server that accepts the host on the port, its bound
// VirtualServices' destinations.
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
  // An HTTP server's `tls` holds only httpsRedirect (its mode, PASSTHROUGH when omitted, means nothing there):
  // with it, every plaintext request gets a 301 to HTTPS before any route (istio.io Gateway reference,
  // ServerTLSSettings.httpsRedirect; Envoy's require_tls ALL).
  const bool http_server = !chosen->terminates_tls && chosen->route_kind == "http";
  out.listener_tls = chosen->tls_mode.empty() || http_server
                         ? (chosen->server->tls.https_redirect ? "plaintext, httpsRedirect" : "plaintext")
                     : chosen->terminates_tls ? chosen->tls_mode + ": TLS terminated at the gateway"
                                              : chosen->tls_mode + ": TLS passed through (the gateway sees only SNI)";
  if (http_server && chosen->server->tls.https_redirect) {
    p.answered_at_gateway = "a 301 redirect to HTTPS (tls.httpsRedirect)";
    return true;
  }
  const mesh::GatewayRoute* domain = nullptr;
  for (const mesh::GatewayRoute& r : chosen->routes)
    if (!domain && mesh::hostname_matches(r.host, spec.host)) domain = &r;
  if (!domain) return true;
  const mesh::VsRequest req = vs_request(a, g, *chosen, spec, p);
  // The VirtualServices bound for the same domain form one route table, in
  // input order (G8).
  for (const mesh::GatewayRoute& r : chosen->routes) {
    if (r.host != domain->host) continue;
    const mesh::MergedRoutes table = mesh::merge_delegates(*r.vs, *a.input->mesh.resources);
    const mesh::VsRouteChoice c = mesh::choose_vs_route(*r.vs, *table.routes, chosen->route_kind, req);
    for (const std::string& n : table.notes) out.route_note += (out.route_note.empty() ? "" : "; ") + n;
    for (const std::string& n : c.notes) out.route_note += (out.route_note.empty() ? "" : "; ") + n;
    if (c.route < 0) continue;
    out.route = "VirtualService " + mesh::effective_namespace(*r.vs) + "/" + r.vs->meta.name + " " +
                mesh::describe_vs_choice(*table.routes, chosen->route_kind, c);
    add_vs_targets(r, *table.routes, chosen->route_kind, c, out, p);
    return true;
  }
  out.route_note = (out.route_note.empty() ? "" : out.route_note + "; ") + "no " + chosen->route_kind +
                   " route of the VirtualServices for " + domain->host + " matches the request";
  return true;
}

// ReplacePrefixMatch: the matched PathPrefix (whole path elements) replaced,
// "/foo" → "/xyz" turning
// "/foo/bar" into "/xyz/bar" and "/foo" into "/xyz" (gateway-api.sigs.k8s.io
// HTTPPathModifier).
std::string replace_prefix(const std::string& path, std::string prefix, const std::string& replacement) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  std::string rest = prefix == "/" ? path.substr(1) : path.substr(std::min(prefix.size(), path.size()));
  if (!rest.empty() && rest[0] == '/') rest = rest.substr(1);
  std::string out = replacement;
  if (!rest.empty()) out += (out.empty() || out.back() != '/' ? "/" : "") + rest;
  return out.empty() ? "/" : out;
}

// URLRewrite and RequestHeaderModifier: what the backends see instead of the
// client's Host, path and headers. Mirrors and response filters do not change
// the traced request; they are named in the note.
void apply_api_filters(const model::gwapi::RouteRule& rule, const mesh::ApiRouteChoice& c, GatewayTraceSpec& req,
                       std::string& note) {
  std::vector<std::string> other;
  bool changed = false;
  for (const model::gwapi::RouteFilter& f : rule.filters) {
    changed = changed || f.type == "URLRewrite" || (f.type == "RequestHeaderModifier" && !f.header_set.empty());
    if (f.type == "URLRewrite") {
      if (!f.rewrite_hostname.empty()) req.host = f.rewrite_hostname;
      if (f.rewrite_path_type == "ReplaceFullPath") req.path = f.rewrite_path_value;
      if (f.rewrite_path_type == "ReplacePrefixMatch") {
        const bool prefix = !c.implicit && rule.matches[c.match].path_type == "PathPrefix";
        req.path = replace_prefix(req.path, prefix ? rule.matches[c.match].path_value : "/", f.rewrite_path_value);
      }
    } else if (f.type == "RequestHeaderModifier") {
      for (const auto& [name, value] : f.header_set) req.headers.push_back(name + "=" + value);
    } else if (f.type != "RequestRedirect") {
      other.push_back(f.type);
    }
  }
  if (changed) note = "the backends see Host " + req.host + " and path " + req.path + " (the rule's filters applied)";
  if (!other.empty()) note += std::string(note.empty() ? "" : "; ") + "filters not modelled: " + join(other, ", ");
}

// Gateway API: the listener that accepts the host, the route rule by
// precedence, its backendRefs.
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
  const model::gwapi::RouteRule& rule = r.rules[c.rule];
  if (mesh::redirects(rule)) {
    const std::string scheme = mesh::redirect_scheme(rule);
    p.answered_at_gateway = "a redirect" + (scheme.empty() ? "" : " to " + scheme);
  }
  apply_api_filters(rule, c, p.backend_request, out.route_note);
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
  p.backend_request = spec;
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
           ": the input has no Gateway of that name (networking.istio.io or "
           "gateway.networking.k8s.io)";
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
    if (t.service && t.problem.empty() && t.weight > 0)
      add_hops(a, p, out.principal, out.gateway, p.backend_request, tb, t);
    out.backends.push_back(std::move(tb));
  }
  out.outcome = outcome_of(out);
  if (!p.answered_at_gateway.empty() && out.outcome.find(" at the gateway") == std::string::npos)
    out.outcome = "the gateway answers with " + p.answered_at_gateway + " (the route forwards nothing)";
  return std::nullopt;
}

}  // namespace meshproof::analysis
