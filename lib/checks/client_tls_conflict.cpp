// client-tls-conflict (MP3007): client TLS settings that the server refuses, so every connection of the hop
// fails (docs/semantics.md#client-tls, T5): plaintext (DestinationRule DISABLE, auto mTLS turned off by the
// Service namespace's PeerAuthentication DISABLE) to a STRICT port; SIMPLE/MUTUAL TLS to a STRICT port or a
// PERMISSIVE HTTP port; ISTIO_MUTUAL to an endpoint without a proxy or with PeerAuthentication DISABLE.
#include "checks/check.h"
#include "checks/hop_findings.h"

namespace meshproof::checks {
namespace {

std::string help_for(const mesh::Hop& h) {
  if (h.cause == mesh::HopCause::ServicePaDisable)
    return "remove the namespace-wide DISABLE (auto mTLS infers the Service's mode from it) or give the Service a "
           "DestinationRule with tls.mode ISTIO_MUTUAL";
  if (h.client_mode == "ISTIO_MUTUAL")
    return "remove the DestinationRule's tls block so that auto mTLS sends plaintext only where the endpoint accepts "
           "it, or inject a sidecar / set the endpoint's PeerAuthentication to PERMISSIVE or STRICT";
  return "set the DestinationRule's tls.mode to ISTIO_MUTUAL (or remove its tls block so that auto mTLS applies) for "
         "hosts inside the mesh";
}

class ClientTlsConflict final : public Check {
 public:
  ClientTlsConflict()
      : Check(CheckInfo{
            "client-tls-conflict", "MP3007", Severity::Error,
            "Client TLS settings that break the connection to the server",
            "The TLS a client's sidecar or an Istio gateway sends to a Service endpoint is refused by the server, so "
            "every connection of that hop fails: plaintext (DestinationRule tls DISABLE or omitted mode, or auto mTLS "
            "turned off by a namespace-wide PeerAuthentication DISABLE) to a STRICT port; SIMPLE or MUTUAL TLS to a "
            "STRICT port or a PERMISSIVE HTTP port; ISTIO_MUTUAL to an endpoint without a proxy or whose "
            "PeerAuthentication is DISABLE."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return hop_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const std::vector<mesh::Hop> hops = mesh::client_tls_hops(ctx.mesh);
    ClientListTexts clients;
    for (const HopGroup& g : group_hops(ctx.mesh, hops, mesh::HopTransport::Broken)) {
      const mesh::Hop& h = g.first();
      std::string message = "Every connection from " + clients_text(ctx.mesh, g, clients) + " to " + service_text(h) +
                            " (" + servers_text(ctx.mesh, g) + ") fails: " + h.reason + "; " + rule_text(h) +
                            " (docs/semantics.md#client-tls)";
      Finding f = make(g.responsible, g.loc, std::move(message), help_for(h),
                       "broken|" + std::to_string(static_cast<int>(h.cause)) + "|" + service_text(h));
      hop_properties(ctx.mesh, g, f);
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_client_tls_conflict_check() { return std::make_unique<ClientTlsConflict>(); }

}  // namespace meshproof::checks
