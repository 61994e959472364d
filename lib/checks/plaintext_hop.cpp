// plaintext-hop (MP3006): a hop inside the mesh, from a client's sidecar or an Istio gateway to a Service's
// endpoint, that carries plaintext: no encryption and no peer identity, so identity-based AuthorizationPolicy
// rules on the server do not match (docs/semantics.md#client-tls, T3, T6, T7). The finding names what causes
// it: the DestinationRule whose tls turns auto mTLS off (DISABLE, a mode left out, credentialName without
// workloadSelector), the PeerAuthentication DISABLE that makes auto mTLS send plaintext, the endpoint without
// a proxy, or meshConfig.enableAutoMtls: false. Error when the server is in a regulated namespace. Gateway
// API gateways are clients too, toward the backends of their attached routes.
#include <set>
#include <tuple>

#include "base/text.h"
#include "checks/check.h"
#include "checks/hop_findings.h"
#include "checks/system_namespaces.h"
#include "mesh/gateway_routes.h"
#include "mesh/linkerd.h"

namespace meshproof::checks {
namespace {

std::string help_for(mesh::HopCause c) {
  switch (c) {
    case mesh::HopCause::DestinationRule:
      return "set the DestinationRule's tls.mode to ISTIO_MUTUAL for hosts inside the mesh, or remove its tls block "
             "so that auto mTLS applies";
    case mesh::HopCause::CredentialNoSelector:
      return "add a workloadSelector to the DestinationRule (sidecars honor credentialName only then), or point "
             "caCertificates/clientCertificate at files mounted in the proxy";
    case mesh::HopCause::ServicePaDisable:
    case mesh::HopCause::ServerPaDisable:
      return "set the PeerAuthentication's mode to STRICT (or PERMISSIVE while clients migrate) so that auto mTLS "
             "sends Istio mTLS";
    case mesh::HopCause::ServerNoProxy:
      return "inject the Istio sidecar into the workload (or enrol its namespace in ambient mode)";
    case mesh::HopCause::AutoMtlsDisabled:
      return "set meshConfig.enableAutoMtls: true, or give the Service a DestinationRule with tls.mode ISTIO_MUTUAL";
    default:
      return "make the client send Istio mTLS";
  }
}

// Gateway API gateway → backend hops (docs/semantics.md#gateway-api-routes): the gateway's proxy is a
// client like an Istio gateway's (G11), for every usable backendRef of its attached routes.
void append_gateway_api_hops(const mesh::Mesh& mesh, std::vector<mesh::Hop>& hops) {
  std::set<std::tuple<std::string, const model::Service*, uint32_t>> seen;
  for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(mesh)) {
    model::Labels labels{{"gateway.networking.k8s.io/gateway-name", g.gateway->meta.name}};
    if (!g.pods.empty()) labels = mesh.workloads[g.pods.front()].labels;
    for (const mesh::ApiListener& l : g.listeners)
      for (const mesh::ApiRouteBinding& r : l.routes)
        for (const mesh::ApiBackend& b : r.backends) {
          if (!b.problem.empty() || !b.service || !seen.insert({g.display(), b.service, b.port}).second) continue;
          for (mesh::Hop& h : mesh::proxy_hops_to_service(mesh, g.ns, labels, g.pods, *b.service, b.port)) {
            h.client_name = g.display();
            hops.push_back(std::move(h));
          }
        }
  }
}

class PlaintextHop final : public Check {
 public:
  PlaintextHop()
      : Check(CheckInfo{
            "plaintext-hop", "MP3006", Severity::Warning, "A hop inside the mesh carries plaintext",
            "A client's sidecar or an Istio gateway sends plaintext to a Service endpoint inside the mesh, and the "
            "endpoint accepts it: the traffic is unencrypted and carries no peer identity, so principal and namespace "
            "rules of AuthorizationPolicies do not match it. The cause is named: a DestinationRule whose tls turns "
            "auto mTLS off (mode DISABLE or omitted, credentialName without workloadSelector), a PeerAuthentication "
            "DISABLE, an endpoint without a proxy, or meshConfig.enableAutoMtls: false. Reported as an error when the "
            "server is in a regulated namespace, else as a warning."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return hop_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::vector<mesh::Hop> hops = mesh::client_tls_hops(ctx.mesh);
    append_gateway_api_hops(ctx.mesh, hops);
    ClientListTexts clients;
    for (const HopGroup& g : group_hops(ctx.mesh, hops, mesh::HopTransport::Plaintext)) {
      // The control plane and DNS run without a proxy by design (workload-outside-mesh skips them too); what a
      // Linkerd-injected endpoint accepts is Linkerd's policy, not analyzed (docs/semantics.md#linkerd, LK2).
      const mesh::Hop& h = g.first();
      const mesh::Workload& server = ctx.mesh.workloads[h.server];
      if (h.cause == mesh::HopCause::ServerNoProxy &&
          (system_namespace(ctx, server.ns) || mesh::served_by_linkerd(server, ctx.mesh)))
        continue;
      report(ctx, g, clients, out);
    }
  }

 private:
  void report(const Context& ctx, const HopGroup& g, ClientListTexts& clients, std::vector<Finding>& out) const {
    const mesh::Hop& h = g.first();
    std::vector<std::string> regulated;
    for (const std::string& ns : server_namespaces(ctx.mesh, g))
      if (ctx.is_regulated(ns)) regulated.push_back(ns);
    std::string message = "The hop from " + clients_text(ctx.mesh, g, clients) + " to " + service_text(h) + " (" +
                          servers_text(ctx.mesh, g) + ") carries plaintext: " + h.reason + "; " + rule_text(h) +
                          ". The server accepts it, so the hop is unencrypted and carries no peer identity";
    if (!regulated.empty()) message += ", into the regulated namespace " + join(regulated, ", ");
    message += " (docs/semantics.md#client-tls)";
    Finding f = make(g.responsible, g.loc, std::move(message), help_for(h.cause),
                     "plaintext|" + std::to_string(static_cast<int>(h.cause)) + "|" + service_text(h));
    f.severity = regulated.empty() ? Severity::Warning : Severity::Error;
    hop_properties(ctx.mesh, g, f);
    f.properties["regulated"] = join(regulated, ", ");
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_plaintext_hop_check() { return std::make_unique<PlaintextHop>(); }

}  // namespace meshproof::checks
