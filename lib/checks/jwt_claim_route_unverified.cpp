// jwt-claim-route-unverified (MP3012): a VirtualService routes on JWT claims (`@request.auth.claims.NAME` header
// matches) through an Istio Gateway whose pods no RequestAuthentication applies to. Istio fills the claims only
// from a token that a RequestAuthentication validated, so without one the claim match never holds and requests
// the route was meant to separate fall to the next route (istio.io "JWT claim based routing";
// docs/semantics.md#gateway-trace; istioctl's IST0149).
#include "checks/check.h"
#include "checks/describe.h"
#include "model/virtual_service_routes.h"

namespace meshproof::checks {
namespace {

constexpr std::string_view kClaimPrefix = "@request.auth.claims.";

// The first claim condition of the VirtualService: "http[0].match[1] @request.auth.claims.group", or "".
std::string first_claim_match(const model::VirtualService& vs) {
  if (!vs.routes) return "";
  for (size_t ri = 0; ri < vs.routes->http.size(); ++ri)
    for (size_t mi = 0; mi < vs.routes->http[ri].matches.size(); ++mi) {
      const model::VsHttpMatch& m = vs.routes->http[ri].matches[mi];
      for (const auto* list : {&m.headers, &m.without_headers})
        for (const model::VsNamedMatch& h : *list)
          if (h.name.rfind(kClaimPrefix, 0) == 0)
            return "http[" + std::to_string(ri) + "].match[" + std::to_string(mi) + "] " + h.name;
    }
  return "";
}

// The Istio Gateway a `gateways` entry names ("ns/name", or "name" in the VirtualService's namespace).
const mesh::GatewayInfo* named_gateway(const mesh::Mesh& mesh, const model::VirtualService& vs,
                                       const std::string& entry) {
  const size_t slash = entry.find('/');
  const std::string ns = slash == std::string::npos ? mesh::effective_namespace(vs) : entry.substr(0, slash);
  const std::string name = slash == std::string::npos ? entry : entry.substr(slash + 1);
  for (const mesh::GatewayInfo& g : mesh.gateways)
    if (g.gateway->meta.name == name && mesh::effective_namespace(*g.gateway) == ns) return &g;
  return nullptr;
}

class JwtClaimRouteUnverified final : public Check {
 public:
  JwtClaimRouteUnverified()
      : Check(CheckInfo{
            "jwt-claim-route-unverified", "MP3012", Severity::Warning,
            "A VirtualService routes on JWT claims at a gateway that validates no token",
            "A VirtualService matches `@request.auth.claims.*` headers on an Istio Gateway, but no "
            "RequestAuthentication applies to the gateway's pods. Istio takes the claims only from a token a "
            "RequestAuthentication validated, so the claim-based route never matches and its requests go to the "
            "next route: routing that looks identity-based is not (istioctl's IST0149)."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::VirtualService& vs : ctx.resources.virtual_services)
      if (!first_claim_match(vs).empty()) out.push_back(vs.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::VirtualService& vs : ctx.resources.virtual_services) {
      const std::string claim = first_claim_match(vs);
      if (claim.empty()) continue;
      for (size_t i = 0; i < vs.gateways.size(); ++i) {
        const mesh::GatewayInfo* g = named_gateway(ctx.mesh, vs, vs.gateways[i]);
        if (!g) continue;
        std::vector<std::string> unprotected;
        for (size_t pod : g->pods)
          if (ctx.mesh.workloads[pod].request_authentications.empty())
            unprotected.push_back(describe_workload(ctx.mesh.workloads[pod]));
        if (unprotected.empty()) continue;
        const std::string gw = mesh::effective_namespace(*g->gateway) + "/" + g->gateway->meta.name;
        std::string message = "VirtualService " + mesh::effective_namespace(vs) + "/" + vs.meta.name +
                              " routes on a JWT claim (" + claim + ") through Gateway " + gw +
                              ", but no RequestAuthentication applies to " + join(unprotected, ", ") +
                              ": the claim is never set, so the route never matches and its requests take the next "
                              "route (docs/semantics.md#gateway-trace)";
        Finding f = make(vs.ref(), vs.gateway_locs[i], std::move(message),
                         "add a RequestAuthentication that selects the gateway pods (in their namespace or the root "
                         "namespace) with the issuer of the tokens whose claims the route reads",
                         "gateway=" + gw);
        f.properties["gateway"] = gw;
        f.properties["claim"] = claim;
        out.push_back(std::move(f));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_jwt_claim_route_unverified_check() { return std::make_unique<JwtClaimRouteUnverified>(); }

}  // namespace meshproof::checks
