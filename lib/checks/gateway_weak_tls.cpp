// gateway-weak-tls (MP3002): a TLS-terminating Gateway server (SIMPLE, MUTUAL, OPTIONAL_MUTUAL; the only
// modes whose versions and ciphers Istio applies, G4) that accepts TLS below 1.2 (minProtocolVersion
// TLSV1_0/TLSV1_1, or maxProtocolVersion below TLSV1_2), or lists cipher suites without forward secrecy or
// AEAD (static RSA key exchange, CBC mode, 3DES: the suites RFC 7540 Appendix A prohibits for HTTP/2 and
// NIST SP 800-52 Rev. 2 does not recommend; docs/semantics.md#gateway-tls). Error when a regulated workload
// is reachable through the server, else a warning.
#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_facts.h"

namespace meshproof::checks {
namespace {

bool below_1_2(const std::string& v) { return v == "TLSV1_0" || v == "TLSV1_1"; }

std::string version_text(const std::string& v) {
  if (v == "TLSV1_0") return "TLS 1.0";
  if (v == "TLSV1_1") return "TLS 1.1";
  return v;
}

// Why a cipher suite is weak ("" when it is ECDHE with an AEAD cipher). Names as Envoy (BoringSSL) spells
// them, the list in Istio's ServerTLSSettings.cipherSuites.
std::string weakness(const std::string& cipher) {
  const bool ecdhe = cipher.rfind("ECDHE-", 0) == 0;
  const bool aead = cipher.find("GCM") != std::string::npos || cipher.find("CHACHA20-POLY1305") != std::string::npos;
  if (cipher.find("DES-CBC3") != std::string::npos) return "3DES";
  if (!aead && !ecdhe) return "CBC mode and static RSA key exchange";
  if (!aead) return "CBC mode";
  if (!ecdhe) return "static RSA key exchange, no forward secrecy";
  return "";
}

class GatewayWeakTls final : public Check {
 public:
  GatewayWeakTls()
      : Check(CheckInfo{"gateway-weak-tls", "MP3002", Severity::Warning,
                        "A Gateway server accepts TLS below 1.2 or weak cipher suites",
                        "A TLS-terminating Istio Gateway server (SIMPLE, MUTUAL, OPTIONAL_MUTUAL) whose "
                        "minProtocolVersion is TLSV1_0 or TLSV1_1 (or whose maxProtocolVersion is below TLSV1_2), or "
                        "whose cipherSuites list suites without forward secrecy or AEAD (static RSA key exchange, CBC "
                        "mode, 3DES). Clients can then negotiate protocol versions and ciphers with known attacks. "
                        "Reported as an error when the routes reach a workload in a regulated namespace."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) {
      for (const mesh::GatewayListener& l : g.listeners) {
        const std::string& m = l.tls_mode;
        if (!l.terminates_tls || (m != "SIMPLE" && m != "MUTUAL" && m != "OPTIONAL_MUTUAL")) continue;
        check_versions(ctx, g, l, out);
        check_ciphers(ctx, g, l, out);
      }
    }
    for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(ctx.mesh))
      for (const mesh::ApiListener& l : g.listeners)
        if (l.programmed && (l.tls_mode == "SIMPLE" || l.tls_mode == "MUTUAL" || l.tls_mode == "OPTIONAL_MUTUAL"))
          check_api_ciphers(ctx, g, l, out);
  }

 private:
  // A Gateway API listener cannot set TLS versions (Envoy's defaults, TLS 1.2-1.3, apply); its cipher suites
  // come from the option gateway.istio.io/tls-cipher-suites, a comma-separated list (G9).
  void check_api_ciphers(const Context& ctx, const mesh::ApiGateway& g, const mesh::ApiListener& l,
                         std::vector<Finding>& out) const {
    auto opt = l.listener->tls.options.find("gateway.istio.io/tls-cipher-suites");
    if (opt == l.listener->tls.options.end()) return;
    std::vector<std::string> weak;
    for (const std::string& raw : split(opt->second, ',')) {
      const std::string c = trim(raw);
      if (std::string why = weakness(c); !c.empty() && !why.empty()) weak.push_back(c + " (" + why + ")");
    }
    if (weak.empty()) return;
    std::string message = describe_listener(g, l) + " offers weak cipher suites: " + join(weak, ", ") +
                          " (tls.options gateway.istio.io/tls-cipher-suites); suites without ECDHE key exchange and an "
                          "AEAD cipher lack forward secrecy or use CBC constructions with known attacks "
                          "(docs/semantics.md#gateway-tls)";
    const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
    if (!reach.regulated.empty()) message += "; the listener " + regulated_text(reach);
    Finding f =
        make(g.gateway->ref(), l.listener->tls.loc.known() ? l.listener->tls.loc : listener_loc(l), std::move(message),
             "list only ECDHE suites with GCM or ChaCha20-Poly1305 in the option, or remove it to use Envoy's "
             "defaults",
             "listener=" + l.listener->name + ";ciphers");
    f.severity = reach.regulated.empty() ? Severity::Warning : Severity::Error;
    f.properties["listener"] = l.listener->name;
    f.properties["weakness"] = "ciphers";
    f.properties["value"] = join(weak, ", ");
    out.push_back(std::move(f));
  }

  void check_versions(const Context& ctx, const mesh::GatewayInfo& g, const mesh::GatewayListener& l,
                      std::vector<Finding>& out) const {
    const model::GatewayTls& t = l.server->tls;
    const model::Str* field = below_1_2(t.min_protocol_version.value)   ? &t.min_protocol_version
                              : below_1_2(t.max_protocol_version.value) ? &t.max_protocol_version
                                                                        : nullptr;
    if (!field) return;
    const bool is_min = field == &t.min_protocol_version;
    std::string message = describe_listener(g, l) + " accepts " + version_text(field->value) + " (" +
                          (is_min ? "minProtocolVersion: " : "maxProtocolVersion: ") + field->value +
                          (is_min ? ")" : "): no client can use TLS 1.2 or 1.3 with it)");
    message +=
        "; TLS versions below 1.2 are deprecated and below Envoy's default minimum, TLS 1.2 "
        "(docs/semantics.md#gateway-tls)";
    emit(ctx, g, l, field->loc, std::move(message),
         is_min ? "set minProtocolVersion: TLSV1_2 (or remove it: Envoy's default minimum is TLS 1.2)"
                : "set maxProtocolVersion: TLSV1_3 (or remove it)",
         is_min ? "min" : "max", field->value, out);
  }

  void check_ciphers(const Context& ctx, const mesh::GatewayInfo& g, const mesh::GatewayListener& l,
                     std::vector<Finding>& out) const {
    const model::GatewayTls& t = l.server->tls;
    if (t.min_protocol_version.value == "TLSV1_3") return;  // cipherSuites do not apply to TLS 1.3
    std::vector<std::string> weak;
    Loc first;
    for (const model::Str& c : t.cipher_suites) {
      std::string why = weakness(c.value);
      if (why.empty()) continue;
      if (!first.known()) first = c.loc;
      weak.push_back(c.value + " (" + why + ")");
    }
    if (weak.empty()) return;
    std::string message = describe_listener(g, l) + " offers weak cipher suites: " + join(weak, ", ") +
                          "; suites without ECDHE key exchange and an AEAD cipher (GCM, ChaCha20-Poly1305) lack "
                          "forward secrecy or use CBC constructions with known attacks (docs/semantics.md#gateway-tls)";
    emit(ctx, g, l, first, std::move(message),
         "list only ECDHE suites with GCM or ChaCha20-Poly1305 (e.g. ECDHE-ECDSA-AES256-GCM-SHA384, "
         "ECDHE-RSA-AES128-GCM-SHA256), or remove cipherSuites to use Envoy's defaults",
         "ciphers", join(weak, ", "), out);
  }

  void emit(const Context& ctx, const mesh::GatewayInfo& g, const mesh::GatewayListener& l, Loc loc,
            std::string message, std::string help, const std::string& what, const std::string& value,
            std::vector<Finding>& out) const {
    const ListenerReach reach = reach_of(ctx, ctx.mesh, l);
    if (!reach.regulated.empty()) message += "; the server " + regulated_text(reach);
    Finding f = make(g.gateway->ref(), loc.known() ? loc : server_loc(l), std::move(message), std::move(help),
                     "server=" + std::to_string(l.index) + ";" + what);
    f.severity = reach.regulated.empty() ? Severity::Warning : Severity::Error;
    f.properties["server"] = std::to_string(l.index);
    f.properties["weakness"] = what;
    f.properties["value"] = value;
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_weak_tls_check() { return std::make_unique<GatewayWeakTls>(); }

}  // namespace meshproof::checks
