// client-tls-trust (MP3008): what a DestinationRule's SIMPLE or MUTUAL TLS origination trusts when it
// checks the server certificate (docs/semantics.md#client-tls, T8).
//
//  - `insecureSkipVerify: true`: the proxy accepts any server certificate (warning).
//  - no `caCertificates` (and no credentialName whose Secret the proxy reads, i.e. with a workloadSelector):
//    the proxy verifies the server against its system CA bundle (cluster_tls.go defaults the CA path to
//    "system"), so any public CA can vouch for the host (note). istioctl analyze reports the same settings
//    as IST0128 (trafficPolicy) / IST0129 (portLevelSettings) with the older claim "no verification";
//    docs/istioctl-parity.md explains the difference.
//
// One finding per tls block: trafficPolicy, each portLevelSettings entry, each subset's (and its ports').
#include "checks/check.h"
#include "checks/describe.h"

namespace meshproof::checks {
namespace {

struct TlsBlock {
  const model::TlsSettings* tls;
  std::string where;  // "trafficPolicy.tls", "portLevelSettings[port 5432].tls", "subset v1 trafficPolicy.tls"
  std::string level;  // destination, port, subset
  uint32_t port = 0;
};

std::vector<TlsBlock> tls_blocks(const model::DestinationRule& d) {
  std::vector<TlsBlock> out;
  auto add_policy = [&out](const model::TrafficPolicy& tp, const std::vector<model::TrafficPolicy>& ports,
                           const std::string& prefix, const std::string& level) {
    if (tp.tls.present) out.push_back({&tp.tls, prefix + "trafficPolicy.tls", level, 0});
    for (const model::TrafficPolicy& p : ports)
      if (p.tls.present)
        out.push_back({&p.tls, prefix + "trafficPolicy.portLevelSettings[port " + std::to_string(p.port) + "].tls",
                       level == "destination" ? "port" : level, p.port});
  };
  add_policy(d.traffic_policy, d.port_level, "", "destination");
  for (const model::DestinationRuleSubset& s : d.subsets)
    add_policy(s.traffic_policy, s.port_level, "subset " + s.name + " ", "subset");
  return out;
}

class ClientTlsTrust final : public Check {
 public:
  ClientTlsTrust()
      : Check(CheckInfo{
            "client-tls-trust", "MP3008", Severity::Note,
            "A DestinationRule's TLS origination does not verify the server, or trusts any public CA for it",
            "A SIMPLE or MUTUAL DestinationRule tls block with insecureSkipVerify: true accepts any server "
            "certificate (warning): a man in the middle between the proxy and the server reads the traffic. "
            "Without caCertificates (and without a credentialName Secret the proxy reads) the proxy verifies the "
            "server against its system CA bundle, so a certificate for the host from any public CA is accepted "
            "(note). istioctl analyze reports both as IST0128/IST0129."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::DestinationRule& d : ctx.resources.destination_rules) out.push_back(d.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::DestinationRule& d : ctx.resources.destination_rules)
      for (const TlsBlock& b : tls_blocks(d)) judge(d, b, out);
  }

 private:
  void judge(const model::DestinationRule& d, const TlsBlock& b, std::vector<Finding>& out) const {
    const model::TlsSettings& t = *b.tls;
    if (t.mode != "SIMPLE" && t.mode != "MUTUAL") return;
    std::string subject = "DestinationRule " + namespace_of(d) + "/" + d.meta.name + " " + b.where + " (" + t.mode +
                          " toward " + d.host + ")";
    if (t.insecure_skip_verify) {
      Finding f =
          make(d.ref(), t.loc,
               subject +
                   " sets insecureSkipVerify: true, so the proxy accepts any server "
                   "certificate: whoever answers for " +
                   d.host + " on the path receives the traffic decrypted (docs/semantics.md#client-tls)",
               "remove insecureSkipVerify and set caCertificates to the CA that issues the server's certificate",
               b.where + ";skip-verify");
      f.severity = Severity::Warning;
      out.push_back(finish(std::move(f), b, "skip-verify"));
      return;
    }
    if (!t.ca_certificates.empty()) return;
    if (!t.credential_name.empty() && d.has_workload_selector) return;  // the CA comes from the Secret
    Finding f = make(d.ref(), t.loc,
                     subject +
                         " sets no caCertificates, so the proxy verifies the server certificate against its system "
                         "CA bundle: a certificate for the host from any public CA is accepted, not only one from "
                         "the CA you run (docs/semantics.md#client-tls)",
                     "set caCertificates (or a credentialName Secret with ca.crt, with a workloadSelector) to the CA "
                     "that issues the server's certificate, and subjectAltNames to its identities",
                     b.where + ";system-ca");
    out.push_back(finish(std::move(f), b, "system-ca"));
  }

  static Finding finish(Finding f, const TlsBlock& b, const std::string& reason) {
    f.properties["level"] = b.level;
    f.properties["reason"] = reason;
    f.properties["mode"] = b.tls->mode;
    if (b.port != 0) f.properties["port"] = std::to_string(b.port);
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_client_tls_trust_check() { return std::make_unique<ClientTlsTrust>(); }

}  // namespace meshproof::checks
