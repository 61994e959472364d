// `explain --gateway` (analysis/gateway_trace.h): a gateway's listeners, the routes bound to each and the
// backends they name, for an Istio Gateway or a Gateway API Gateway.
#include "analysis/gateway_trace.h"

#include "base/text.h"
#include "checks/describe.h"
#include "mesh/gateway_routes.h"
#include "mesh/identity.h"

namespace meshproof::analysis {

namespace {

void explain_istio(const mesh::Mesh& mesh, const mesh::GatewayInfo& g, GatewayExplanation& out) {
  out.gateway =
      "Gateway " + mesh::effective_namespace(*g.gateway) + "/" + g.gateway->meta.name + " (networking.istio.io)";
  for (size_t i : g.pods) out.pods.push_back(checks::describe_workload(mesh.workloads[i]));
  for (const mesh::GatewayListener& l : g.listeners) {
    GatewayExplanation::Listener el;
    el.listener = "server " + std::to_string(l.index) + " (port " + std::to_string(l.server->port) + ", " +
                  l.server->protocol + ")";
    el.tls =
        l.tls_mode.empty() ? (l.server->tls.https_redirect ? "plaintext, httpsRedirect" : "plaintext") : l.tls_mode;
    el.hosts = l.server->hosts;
    for (const mesh::GatewayRoute& r : l.routes) {
      GatewayExplanation::Route er;
      er.route = "VirtualService " + mesh::effective_namespace(*r.vs) + "/" + r.vs->meta.name;
      er.hosts.push_back(r.host);
      for (const mesh::GatewayBackend& b : r.backends)
        er.backends.push_back(b.service ? "Service " + b.ns + "/" + b.service->meta.name : "host " + b.host);
      el.routes.push_back(std::move(er));
    }
    out.listeners.push_back(std::move(el));
  }
}

std::string backend_text(const mesh::ApiBackend& b) {
  std::string s = "Service " + b.ns + "/" + b.name + " port " + std::to_string(b.port);
  if (b.ref->weight != 1) s += " weight " + std::to_string(b.ref->weight);
  if (!b.problem.empty()) s += " (" + b.problem + ")";
  return s;
}

void explain_api(const mesh::Mesh& mesh, const mesh::ApiGateway& g, GatewayExplanation& out) {
  out.gateway = g.display() + " (gateway.networking.k8s.io)";
  out.principal = g.principal;
  out.principal_assumed = g.service_account_assumed;
  for (size_t i : g.pods) out.pods.push_back(checks::describe_workload(mesh.workloads[i]));
  for (const mesh::ApiListener& l : g.listeners) {
    GatewayExplanation::Listener el;
    el.listener =
        "listener " + l.listener->name + " (port " + std::to_string(l.listener->port) + ", " + l.protocol + ")";
    el.tls = l.tls_mode.empty() ? "plaintext" : l.tls_mode;
    el.hosts.push_back(l.listener->hostname_present ? l.listener->hostname : "*");
    el.problem = l.not_programmed;
    for (const mesh::ApiRouteBinding& r : l.routes) {
      GatewayExplanation::Route er;
      er.route = r.route->kind + " " + mesh::effective_namespace(*r.route) + "/" + r.route->meta.name;
      er.hosts = r.hosts;
      for (const mesh::ApiBackend& b : r.backends) er.backends.push_back(backend_text(b));
      el.routes.push_back(std::move(er));
    }
    out.listeners.push_back(std::move(el));
  }
  for (const mesh::ApiRejectedRoute& r : g.rejected)
    out.rejected_routes.push_back(r.route->kind + " " + mesh::effective_namespace(*r.route) + "/" + r.route->meta.name +
                                  ": " + r.reason);
}

}  // namespace

std::optional<std::string> explain_gateway(const Analysis& a, const std::string& gateway, GatewayExplanation& out) {
  const size_t slash = gateway.find('/');
  if (slash == std::string::npos) return "--gateway must be NAMESPACE/NAME, got \"" + gateway + "\"";
  const std::string ns = gateway.substr(0, slash), name = gateway.substr(slash + 1);
  const mesh::Mesh& mesh = a.input->mesh;
  for (const mesh::GatewayInfo& g : mesh.gateways)
    if (mesh::effective_namespace(*g.gateway) == ns && g.gateway->meta.name == name) {
      explain_istio(mesh, g, out);
      if (!g.pods.empty()) {
        const mesh::Workload& w = mesh.workloads[g.pods.front()];
        out.principal = mesh::pod_principal(mesh, w);
      }
      return std::nullopt;
    }
  for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(mesh))
    if (g.ns == ns && g.gateway->meta.name == name) {
      explain_api(mesh, g, out);
      return std::nullopt;
    }
  return "--gateway " + gateway +
         ": the input has no Gateway of that name (networking.istio.io or gateway.networking.k8s.io)";
}

}  // namespace meshproof::analysis
