// gateway-wildcard-host (MP3004): a Gateway server host that admits any name (`*`, `ns/*`, `*/*`) or a
// whole top-level domain (`*.com`) on a server whose routes reach a workload in a regulated namespace.
// The server then accepts requests for any Host/SNI, and every VirtualService that names the gateway (from
// any namespace, unless the host is namespace-qualified) attaches to it for any of its hosts (G6,
// docs/semantics.md#gateways). Plain TCP servers are not judged: without a Host header or SNI, their
// hosts select nothing. Gateway API listeners are judged on the hosts their attached routes serve (the
// listener hostname intersected with the routes' hostnames, docs/semantics.md#gateway-api-routes).
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_facts.h"

namespace meshproof::checks {
namespace {

// The host part of a server host is `*` or a wildcard over a single label (`*.com`).
bool over_broad(const std::string& host_part) {
  if (host_part == "*") return true;
  return host_part.rfind("*.", 0) == 0 && host_part.find('.', 2) == std::string::npos;
}

class GatewayWildcardHost final : public Check {
 public:
  GatewayWildcardHost()
      : Check(CheckInfo{"gateway-wildcard-host", "MP3004", Severity::Error,
                        "A Gateway server that reaches regulated workloads accepts any host (`*` or over-broad)",
                        "An Istio Gateway server host `*` (also `ns/*`, `*/*`) or a wildcard over a whole top-level "
                        "domain (`*.com`), on a server whose bound routes reach a workload in a regulated namespace. "
                        "The server accepts every Host and SNI, and any VirtualService that names the gateway attaches "
                        "to it for any host, so regulated backends are exposed under names nobody reviewed."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) {
      for (const mesh::GatewayListener& l : g.listeners) {
        // A plain TCP server cannot tell hosts apart (no Host header, no SNI): `*` is all it can say.
        if (l.route_kind == "tcp" && !l.terminates_tls) continue;
        const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
        if (reach.regulated.empty()) continue;
        for (size_t i = 0; i < l.server->hosts.size(); ++i) report(g, l, i, reach, out);
      }
    }
    for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(ctx.mesh))
      for (const mesh::ApiListener& l : g.listeners)
        if (l.programmed && l.protocol != "TCP") report_api(ctx, g, l, out);
  }

 private:
  void report(const mesh::GatewayInfo& g, const mesh::GatewayListener& l, size_t i, const ListenerReach& reach,
              std::vector<Finding>& out) const {
    const std::string& host = l.server->hosts[i];
    const size_t slash = host.find('/');
    const std::string ns = slash == std::string::npos ? "*" : host.substr(0, slash);
    const std::string part = slash == std::string::npos ? host : host.substr(slash + 1);
    if (!over_broad(part)) return;
    std::string message = describe_listener(g, l) + " accepts host \"" + host + "\"" +
                          (part == "*" ? " (any host name)" : " (every name under a top-level domain)") + " and " +
                          regulated_text(reach) + " through " + join(reach.routes, ", ");
    message += ns == "*" ? "; any VirtualService in any namespace that names this gateway attaches to it for any host"
                         : "; any VirtualService of namespace " + ns + " that names this gateway attaches for any host";
    message += " (docs/semantics.md#gateways)";
    std::string help =
        "list the exact host names this server serves (e.g. " +
        (reach.hosts.empty() || reach.hosts[0] == "*" ? std::string("api.example.com") : reach.hosts[0]) +
        "), qualified with the namespace of their VirtualServices (NAMESPACE/HOST)";
    Loc loc = i < l.server->host_locs.size() && l.server->host_locs[i].known() ? l.server->host_locs[i] : server_loc(l);
    Finding f = make(g.gateway->ref(), loc, std::move(message), std::move(help),
                     "server=" + std::to_string(l.index) + ";host=" + host);
    f.properties["server"] = std::to_string(l.index);
    f.properties["host"] = host;
    f.properties["regulated"] = join(reach.regulated, ", ");
    out.push_back(std::move(f));
  }

  // A Gateway API listener without hostname (or with an over-broad one) serves, for each attached route,
  // the intersection of the two; a route without hostnames on such a listener serves any host.
  void report_api(const Context& ctx, const mesh::ApiGateway& g, const mesh::ApiListener& l,
                  std::vector<Finding>& out) const {
    const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
    if (reach.regulated.empty()) return;
    std::vector<std::string> broad;
    for (const std::string& h : reach.hosts)
      if (over_broad(h)) broad.push_back(h);
    if (broad.empty()) return;
    const std::string& lh = l.listener->hostname;
    std::string message = describe_listener(g, l) + " accepts host \"" + broad[0] + "\"" +
                          (broad[0] == "*" ? " (any host name)" : " (every name under a top-level domain)") + " and " +
                          regulated_text(reach) + " through " + join(reach.routes, ", ") +
                          "; the listener's hostname " +
                          (l.listener->hostname_present ? "is " + lh : std::string("is not set")) +
                          " and the routes' hostnames do not narrow it (docs/semantics.md#gateway-api-routes)";
    std::string help =
        "set the listener's hostname (or the routes' hostnames) to the exact names served, e.g. api.example.com, and "
        "restrict allowedRoutes.namespaces to the namespaces of those routes";
    Loc loc =
        l.listener->hostname_present && l.listener->hostname_loc.known() ? l.listener->hostname_loc : listener_loc(l);
    Finding f = make(g.gateway->ref(), loc, std::move(message), std::move(help),
                     "listener=" + l.listener->name + ";host=" + broad[0]);
    f.properties["listener"] = l.listener->name;
    f.properties["host"] = broad[0];
    f.properties["regulated"] = join(reach.regulated, ", ");
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_wildcard_host_check() { return std::make_unique<GatewayWildcardHost>(); }

}  // namespace meshproof::checks
