// gateway-tls-passthrough (MP3003): an HTTPS or TLS Gateway server that does not terminate TLS: mode
// PASSTHROUGH, written or by default (a `tls` block without `mode` is PASSTHROUGH, the enum's zero value;
// certificates are then ignored), or AUTO_PASSTHROUGH. The gateway sees only the SNI: VirtualService
// http routes do not apply (only tls routes), and its AuthorizationPolicies see a TCP connection, never an
// HTTP request; AUTO_PASSTHROUGH gets no authorization filters at all (docs/semantics.md#gateways, G1, G12).
// A written PASSTHROUGH is a deliberate choice and reported as a note.
#include <algorithm>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_facts.h"
#include "model/virtual_service_routes.h"

namespace meshproof::checks {
namespace {

// VirtualServices bound to the server that have http routes (which a passthrough server ignores).
std::vector<std::string> ignored_http_routes(const mesh::GatewayListener& l) {
  std::vector<std::string> out;
  for (const mesh::GatewayRoute& r : l.routes) {
    bool http = false;
    for (const model::RouteDestination& d : r.vs->destinations) http = http || d.kind == "http";
    for (const model::VsHttpRoute& h : r.vs->routes->http) http = http || h.delegate;  // its delegate's routes
    std::string name = "VirtualService " + namespace_of(*r.vs) + "/" + r.vs->meta.name;
    if (http && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::string certificate_named(const model::GatewayTls& t) {
  if (!t.credential_name.value.empty()) return "credentialName " + t.credential_name.value;
  if (!t.credential_names.empty()) return "credentialNames";
  if (!t.server_certificate.value.empty()) return "serverCertificate " + t.server_certificate.value;
  return "";
}

class GatewayTlsPassthrough final : public Check {
 public:
  GatewayTlsPassthrough()
      : Check(CheckInfo{
            "gateway-tls-passthrough", "MP3003", Severity::Warning,
            "A Gateway HTTPS/TLS server does not terminate TLS (PASSTHROUGH, also when `mode` is omitted)",
            "An HTTPS or TLS Istio Gateway server whose tls.mode is PASSTHROUGH (also when the tls block has no "
            "mode: Istio's default is PASSTHROUGH and any certificate is ignored) or AUTO_PASSTHROUGH. The gateway "
            "forwards the encrypted stream by SNI: VirtualService http routes do not apply, the gateway's "
            "AuthorizationPolicies see only TCP attributes, and AUTO_PASSTHROUGH servers get no authorization at "
            "all. A written PASSTHROUGH is reported as a note."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) {
      for (const mesh::GatewayListener& l : g.listeners) {
        if ((l.protocol != "https" && l.protocol != "tls") || !l.server->tls.present) continue;
        if (l.tls_mode != "PASSTHROUGH" && l.tls_mode != "AUTO_PASSTHROUGH") continue;
        report(g, l, out);
      }
    }
    for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(ctx.mesh))
      for (const mesh::ApiListener& l : g.listeners)
        if (l.programmed && l.tls_mode == "PASSTHROUGH") report_api(g, l, out);
  }

 private:
  void report(const mesh::GatewayInfo& g, const mesh::GatewayListener& l, std::vector<Finding>& out) const {
    const model::GatewayTls& t = l.server->tls;
    std::string message = describe_listener(g, l);
    std::string help;
    if (l.mode_omitted) {
      const std::string cert = certificate_named(t);
      message +=
          " has a tls block without `mode`, and Istio's default mode is PASSTHROUGH: the gateway does not "
          "terminate TLS" +
          (cert.empty() ? std::string() : " and ignores its " + cert);
      help = "write mode: SIMPLE (or MUTUAL) to terminate TLS at the gateway" +
             std::string(cert.empty() ? "" : " with that certificate") +
             "; if passthrough is intended, write mode: PASSTHROUGH and route with VirtualService tls (SNI) routes";
    } else if (l.tls_mode == "AUTO_PASSTHROUGH") {
      message +=
          " uses AUTO_PASSTHROUGH: it forwards connections by the SNI-encoded service name without any "
          "VirtualService and without running the gateway's authorization policies";
      help =
          "use AUTO_PASSTHROUGH only on an east-west gateway port (15443) between meshes; otherwise terminate TLS "
          "with mode SIMPLE or MUTUAL";
    } else {
      message += " uses PASSTHROUGH: the gateway forwards the encrypted stream by SNI without terminating TLS";
      help =
          "if the gateway must inspect requests, terminate TLS with mode SIMPLE or MUTUAL; otherwise make sure the "
          "backend terminates TLS and enforces its own policies";
    }
    message +=
        "; VirtualService http routes do not apply to it and the gateway's AuthorizationPolicies see only "
        "TCP attributes (no paths, methods, headers or JWT)";
    std::vector<std::string> ignored = ignored_http_routes(l);
    if (!ignored.empty()) message += "; the http routes of " + join(ignored, ", ") + " are not used";
    message += " (docs/semantics.md#gateways)";
    Loc loc = t.mode.loc.known() ? t.mode.loc : t.loc;
    Finding f = make(g.gateway->ref(), loc, std::move(message), std::move(help), "server=" + std::to_string(l.index));
    if (!l.mode_omitted && l.tls_mode == "PASSTHROUGH") f.severity = Severity::Note;
    f.properties["server"] = std::to_string(l.index);
    f.properties["mode"] = l.tls_mode;
    f.properties["mode_omitted"] = l.mode_omitted ? "true" : "false";
    out.push_back(std::move(f));
  }

  // A Gateway API listener with tls.mode Passthrough (always written: the CRD default is Terminate): a note,
  // as a written PASSTHROUGH is; HTTPRoutes cannot attach to it (only TLSRoutes).
  void report_api(const mesh::ApiGateway& g, const mesh::ApiListener& l, std::vector<Finding>& out) const {
    std::vector<std::string> routes;
    for (const mesh::ApiRouteBinding& r : l.routes)
      routes.push_back(r.route->kind + " " + namespace_of(*r.route) + "/" + r.route->meta.name);
    std::string message = describe_listener(g, l) +
                          " uses tls.mode Passthrough: the gateway forwards the encrypted stream by SNI without "
                          "terminating TLS; HTTPRoutes do not attach to it and the gateway's AuthorizationPolicies see "
                          "only TCP attributes (no paths, methods, headers or JWT)";
    if (!routes.empty()) message += "; " + join(routes, ", ") + " forward" + (routes.size() == 1 ? "s" : "") + " it";
    message += " (docs/semantics.md#gateway-api-routes)";
    const model::gwapi::ListenerTls& t = l.listener->tls;
    Loc loc = t.mode_loc.known() ? t.mode_loc : t.loc.known() ? t.loc : listener_loc(l);
    Finding f = make(g.gateway->ref(), loc, std::move(message),
                     "if the gateway must inspect requests, use protocol HTTPS with tls.mode Terminate; otherwise make "
                     "sure the backend terminates TLS and enforces its own policies",
                     "listener=" + l.listener->name);
    f.severity = Severity::Note;
    f.properties["listener"] = l.listener->name;
    f.properties["mode"] = "PASSTHROUGH";
    f.properties["mode_omitted"] = "false";
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_tls_passthrough_check() { return std::make_unique<GatewayTlsPassthrough>(); }

}  // namespace meshproof::checks
