// gateway-duplicate-certificate (MP3009): two Istio Gateways that apply to the same gateway pods serve TLS
// with the same certificate (the same credentialName, or the same serverCertificate and privateKey files).
// A client that holds an HTTP/2 connection for one host reuses it for another host the certificate covers
// (RFC 7540 §9.1.1 connection coalescing), and the gateway answers it from the other server's routes, or 404
// (docs/semantics.md#gateways, G13; istioctl analyze IST0138, gateway.CertificateAnalyzer). As Istio's
// analyzer does, the pairs are a Gateway and each other Gateway whose selector contains its selector (so
// that every pod of the other one is also selected by it), in any namespace.
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_facts.h"

namespace meshproof::checks {
namespace {

bool same_certificate(const model::GatewayTls& a, const model::GatewayTls& b) {
  const std::string& ca = a.credential_name.value;
  const std::string& cb = b.credential_name.value;
  if (!ca.empty() || !cb.empty()) return !ca.empty() && ca == cb;
  return !a.server_certificate.value.empty() && a.server_certificate.value == b.server_certificate.value &&
         !a.private_key.value.empty() && a.private_key.value == b.private_key.value;
}

std::string certificate_text(const model::GatewayTls& t) {
  if (!t.credential_name.value.empty()) return "credentialName " + t.credential_name.value;
  return "serverCertificate " + t.server_certificate.value;
}

class GatewayDuplicateCertificate final : public Check {
 public:
  GatewayDuplicateCertificate()
      : Check(CheckInfo{
            "gateway-duplicate-certificate", "MP3009", Severity::Warning,
            "Two Gateways on the same gateway pods serve the same TLS certificate",
            "Two Istio Gateways that apply to the same gateway pods use the same certificate (credentialName, or "
            "serverCertificate and privateKey). HTTP/2 clients reuse one connection for every host the certificate "
            "covers, so requests for one Gateway's hosts arrive on the other's server and get its routes or a 404. "
            "istioctl analyze reports this as IST0138."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const auto& gateways = ctx.resources.gateways;
    for (const model::Gateway& g : gateways)
      for (const model::Gateway& other : gateways)
        if (&g != &other && mesh::labels_subset(g.selector, other.selector)) report_pair(g, other, out);
  }

 private:
  void report_pair(const model::Gateway& g, const model::Gateway& other, std::vector<Finding>& out) const {
    for (const model::GatewayServer& s : g.servers) {
      if (!s.tls_present) continue;
      for (const model::GatewayServer& o : other.servers) {
        if (!o.tls_present || !same_certificate(s.tls, o.tls)) continue;
        std::string name = namespace_of(g) + "/" + g.meta.name;
        std::string other_name = namespace_of(other) + "/" + other.meta.name;
        Loc loc = s.tls.credential_name.loc.known() ? s.tls.credential_name.loc : s.tls.loc;
        Finding f = make(g.ref(), loc.known() ? loc : g.loc,
                         "Gateway " + name + " serves " + certificate_text(s.tls) + " on port " +
                             std::to_string(s.port) + ", as Gateway " + other_name +
                             " does on the same gateway pods: HTTP/2 clients reuse one connection for the hosts of "
                             "both, so requests meant for one Gateway reach the other's server and get its routes "
                             "or a 404 (docs/semantics.md#gateways)",
                         "give each Gateway its own certificate, or serve the hosts from one Gateway server",
                         "with=" + other_name);
        f.properties["other"] = "Gateway " + other_name;
        f.properties["certificate"] = certificate_text(s.tls);
        out.push_back(std::move(f));
        return;  // one finding per pair of Gateways
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_duplicate_certificate_check() {
  return std::make_unique<GatewayDuplicateCertificate>();
}

}  // namespace meshproof::checks
