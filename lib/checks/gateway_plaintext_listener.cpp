// gateway-plaintext-listener (MP3001): a Gateway server speaking plain HTTP (HTTP, HTTP2, GRPC, ...)
// without `tls.httpsRedirect`, for hosts that bound VirtualServices route to workloads. Envoy serves
// those requests unencrypted; with httpsRedirect every virtual host gets `require_tls: ALL` and plaintext
// requests are answered with a redirect to https instead (docs/semantics.md#gateways). Error when a
// regulated workload is reachable through the server, else a warning. Gateway API HTTP listeners whose
// attached routes forward to backends are judged the same way (docs/semantics.md#gateway-api-routes).
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_facts.h"

namespace meshproof::checks {
namespace {

bool plain_http(const std::string& p) {
  return p == "http" || p == "http2" || p == "http_proxy" || p == "grpc" || p == "grpc-web";
}

class GatewayPlaintextListener final : public Check {
 public:
  GatewayPlaintextListener()
      : Check(CheckInfo{
            "gateway-plaintext-listener", "MP3001", Severity::Warning,
            "A Gateway server serves routed hosts over plain HTTP without httpsRedirect",
            "An Istio Gateway server with an HTTP-class protocol (HTTP, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY) and no "
            "tls.httpsRedirect, to which VirtualServices bind routes: requests and responses, including credentials "
            "and regulated data, cross the network unencrypted between the client and the gateway. Reported as an "
            "error when the routes reach a workload in a regulated namespace, else as a warning."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) {
      for (const mesh::GatewayListener& l : g.listeners) {
        if (!plain_http(l.protocol) || l.server->tls.https_redirect || l.routes.empty()) continue;
        report(ctx, g, l, out);
      }
    }
    for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(ctx.mesh))
      for (const mesh::ApiListener& l : g.listeners)
        if (l.programmed && l.protocol == "HTTP") report_api(ctx, g, l, out);
  }

 private:
  void report(const Context& ctx, const mesh::GatewayInfo& g, const mesh::GatewayListener& l,
              std::vector<Finding>& out) const {
    const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
    std::string message = describe_listener(g, l) + " serves " + join(reach.hosts, ", ") +
                          " in plaintext: " + join(reach.routes, ", ") + " route" +
                          (reach.routes.size() == 1 ? "s" : "") + " requests for " +
                          (reach.hosts.size() == 1 ? "it" : "them") + " through this server";
    if (!reach.regulated.empty()) message += ", and it " + regulated_text(reach);
    message +=
        "; without tls.httpsRedirect the requests and responses cross the network unencrypted "
        "(docs/semantics.md#gateways)";
    std::string help =
        "add `tls: {httpsRedirect: true}` to this server so that plaintext requests get a redirect to https, and serve "
        "the hosts on an HTTPS server with tls.mode SIMPLE or MUTUAL; or remove the server";
    Finding f =
        make(g.gateway->ref(), server_loc(l), std::move(message), std::move(help), "server=" + std::to_string(l.index));
    f.severity = reach.regulated.empty() ? Severity::Warning : Severity::Error;
    f.properties["server"] = std::to_string(l.index);
    f.properties["port"] = std::to_string(l.server->port);
    f.properties["hosts"] = join(reach.hosts, ",");
    f.properties["regulated"] = join(reach.regulated, ", ");
    out.push_back(std::move(f));
  }

  // A Gateway API HTTP listener has no httpsRedirect: a route whose rules only redirect (filters, no
  // backendRefs) sends nothing to a workload, so only listeners whose routes reach a backend are reported.
  void report_api(const Context& ctx, const mesh::ApiGateway& g, const mesh::ApiListener& l,
                  std::vector<Finding>& out) const {
    const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
    if (!reach.routed) return;
    std::string message =
        describe_listener(g, l) + " serves " + join(reach.hosts, ", ") + " in plaintext: " + join(reach.routes, ", ") +
        (reach.routes.size() == 1 ? " forwards" : " forward") + " requests to backends through this listener";
    if (!reach.regulated.empty()) message += ", and it " + regulated_text(reach);
    message += "; requests and responses cross the network unencrypted (docs/semantics.md#gateway-api-routes)";
    std::string help =
        "serve the hosts on an HTTPS listener (tls.mode Terminate with certificateRefs), and make the HTTP listener's "
        "routes only redirect to https (a RequestRedirect filter with scheme: https and no backendRefs)";
    Finding f =
        make(g.gateway->ref(), listener_loc(l), std::move(message), std::move(help), "listener=" + l.listener->name);
    f.severity = reach.regulated.empty() ? Severity::Warning : Severity::Error;
    f.properties["listener"] = l.listener->name;
    f.properties["port"] = std::to_string(l.listener->port);
    f.properties["hosts"] = join(reach.hosts, ",");
    f.properties["regulated"] = join(reach.regulated, ", ");
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_plaintext_listener_check() { return std::make_unique<GatewayPlaintextListener>(); }

}  // namespace meshproof::checks
