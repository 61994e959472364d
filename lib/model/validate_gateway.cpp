// What Istio's admission rejects or warns about for networking.istio.io Gateway: validateServer,
// validateServerPort and validateTLSOptions of pkg/config/validation/validation.go, and the CRD's enums
// (docs/semantics.md#gateways lists each rule with its source).
#include <set>

#include "base/text.h"
#include "model/validate.h"
#include "model/validate_checker.h"

namespace meshproof::model {

using detail::Checker;
using detail::dns_label;
using detail::wildcard_domain_problem;

namespace {

bool in(const std::string& v, std::initializer_list<const char*> values) {
  for (const char* x : values)
    if (v == x) return true;
  return false;
}

// pkg/config/protocol/instance.go Parse: case-insensitive.
bool known_protocol(const std::string& p) {
  return in(ascii_lower(p), {"http", "https", "http2", "grpc", "grpc-web", "tcp", "tls", "mongo", "redis", "mysql",
                             "udp", "http_proxy"});
}
bool is_http_protocol(const std::string& p) {
  return in(ascii_lower(p), {"http", "http2", "http_proxy", "grpc", "grpc-web"});
}
bool is_tls_protocol(const std::string& p) { return in(ascii_lower(p), {"https", "tls"}); }

void check_hosts(const GatewayServer& s, const std::string& f, Checker& c) {
  if (s.hosts.empty()) {
    c.error(s.loc, f + ".hosts", "server config must contain at least one host",
            "list the host names this server accepts, e.g. hosts: [\"app.example.com\"]");
    return;
  }
  for (size_t i = 0; i < s.hosts.size(); ++i) {
    const std::string& h = s.hosts[i];
    const std::string hf = f + ".hosts[" + std::to_string(i) + "]";
    std::string dns = h;
    if (size_t slash = h.find('/'); slash != std::string::npos) {
      std::string ns = h.substr(0, slash);
      dns = h.substr(slash + 1);
      if (ns != "*" && ns != "." && ns != "~" && !dns_label(ns))
        c.error(s.host_locs[i], hf, "invalid namespace value \"" + ns + "\" in host \"" + h + "\"",
                "write NAMESPACE/HOST with a namespace name, \".\" (the Gateway's namespace) or \"*\"");
    }
    if (std::string p = wildcard_domain_problem(dns); !p.empty())
      c.error(s.host_locs[i], hf, p, "a wildcard may only be the whole first label, as in *.example.com");
  }
}

void check_port(const GatewayServer& s, const std::string& f, Checker& c) {
  if (!s.port_present) {
    c.error(s.loc, f + ".port", "port is required", "add port: {number: 443, name: https, protocol: HTTPS}");
    return;
  }
  if (!known_protocol(s.protocol))
    c.error(s.protocol_loc.known() ? s.protocol_loc : s.port_loc, f + ".port.protocol",
            "invalid protocol \"" + s.protocol +
                "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP",
            "use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS or MYSQL");
  if (s.port == 0) c.error(s.port_loc, f + ".port.number", "port number 0 must be in the range 1..65535");
  if (s.target_port) c.error(s.port_loc, f + ".port.targetPort", "targetPort has no impact on Gateways");
  if (s.port_name.empty()) c.error(s.port_loc, f + ".port.name", "port name must be set", "add port.name, e.g. https");
}

void check_tls_enums(const GatewayTls& t, const std::string& f, Checker& c) {
  if (!t.mode.value.empty() &&
      !in(t.mode.value, {"PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"}))
    c.error(t.mode.loc, f + ".mode", "Unsupported value: \"" + t.mode.value + "\"",
            "use SIMPLE, MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL, PASSTHROUGH or AUTO_PASSTHROUGH");
  for (const Str* v : {&t.min_protocol_version, &t.max_protocol_version})
    if (!v->value.empty() && !in(v->value, {"TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"}))
      c.error(v->loc, f + (v == &t.min_protocol_version ? ".minProtocolVersion" : ".maxProtocolVersion"),
              "Unsupported value: \"" + v->value + "\"", "use TLSV1_2 or TLSV1_3");
}

bool has_certificates(const GatewayTls& t) {
  return !t.ca_crl.value.empty() || !t.server_certificate.value.empty() || !t.private_key.value.empty() ||
         !t.ca_certificates.value.empty() || t.tls_certificates > 0 || !t.credential_name.value.empty() ||
         !t.credential_names.empty();
}

// validateTLSOptions, rule by rule.
void check_tls(const GatewayTls& t, const std::string& f, Checker& c) {
  check_tls_enums(t, f, c);
  const std::string& mode = t.mode.value.empty() ? std::string("PASSTHROUGH") : t.mode.value;
  if (in(t.min_protocol_version.value, {"TLSV1_0", "TLSV1_1"}) && t.cipher_suites.empty())
    c.warning(t.min_protocol_version.loc, f + ".minProtocolVersion",
              "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include "
              "compatible ciphers.",
              "use minProtocolVersion: TLSV1_2");
  if (mode == "ISTIO_MUTUAL") {
    const std::pair<const Str*, const char*> forbidden[] = {{&t.server_certificate, "server certificate"},
                                                            {&t.private_key, "private key"},
                                                            {&t.ca_certificates, "CA bundle"},
                                                            {&t.credential_name, "credentialName"}};
    for (const auto& [v, what] : forbidden)
      if (!v->value.empty())
        c.error(v->loc, f, std::string("ISTIO_MUTUAL TLS cannot have associated ") + what,
                "ISTIO_MUTUAL uses the gateway's own Istio certificate: remove the field");
    if (t.tls_certificates > 0) c.error(t.loc, f, "ISTIO_MUTUAL TLS cannot have associated tlsCertificates");
    if (!t.credential_names.empty()) c.error(t.loc, f, "ISTIO_MUTUAL TLS cannot have associated credentialNames");
    return;
  }
  if ((mode == "PASSTHROUGH" || mode == "AUTO_PASSTHROUGH") && has_certificates(t))
    c.warning(
        t.mode.loc.known() ? t.mode.loc : t.loc, f, mode + " mode does not use certificates, they will be ignored",
        t.mode.value.empty() ? "the tls block has no mode, and Istio's default is PASSTHROUGH: write mode: SIMPLE "
                               "(or MUTUAL) to terminate TLS with this certificate"
                             : "remove the certificate fields, or terminate TLS with mode: SIMPLE");
  int sources = (!t.server_certificate.value.empty() && !t.private_key.value.empty()) +
                !t.credential_name.value.empty() + !t.credential_names.empty() + (t.tls_certificates > 0);
  if (sources > 1)
    c.error(t.loc, f,
            "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should "
            "be specified");
  const bool terminating = mode == "SIMPLE" || mode == "MUTUAL" || mode == "OPTIONAL_MUTUAL";
  if (!terminating || !t.credential_name.value.empty() || !t.credential_names.empty()) return;
  const std::string prefix = mode == "SIMPLE" ? "SIMPLE TLS" : "MUTUAL TLS";
  if (mode != "SIMPLE" && t.ca_certificates.value.empty())
    c.error(t.loc, f + ".caCertificates", prefix + " requires a client CA bundle",
            "set credentialName (with the CA in the Secret) or caCertificates");
  if (t.tls_certificates == 0) {
    if (t.server_certificate.value.empty())
      c.error(t.loc, f + ".serverCertificate", prefix + " requires a server certificate",
              "set credentialName to the Secret that holds the certificate");
    if (t.private_key.value.empty())
      c.error(t.loc, f + ".privateKey", prefix + " requires a private key",
              "set credentialName to the Secret that holds the certificate and key");
  }
}

// validateServer: the protocol decides whether `tls` is required, allowed as a redirect stub, or forbidden.
void check_server(const GatewayServer& s, const std::string& f, Checker& c) {
  check_hosts(s, f, c);
  check_port(s, f, c);
  if (s.tls.present) check_tls(s.tls, f + ".tls", c);
  if (!s.port_present || !known_protocol(s.protocol)) return;
  if (is_tls_protocol(s.protocol) && !s.tls.present) {
    c.error(s.port_loc, f + ".tls", "server must have TLS settings for HTTPS/TLS protocols",
            "add tls: {mode: SIMPLE, credentialName: <secret>} to terminate TLS here");
  } else if (!is_tls_protocol(s.protocol) && s.tls.present) {
    if (is_http_protocol(s.protocol)) {
      const std::string& m = s.tls.mode.value;
      const bool passthrough = m.empty() || m == "PASSTHROUGH" || m == "AUTO_PASSTHROUGH";
      if (!passthrough || !s.tls.ca_certificates.value.empty() || !s.tls.private_key.value.empty() ||
          !s.tls.server_certificate.value.empty())
        c.error(s.tls.loc, f + ".tls", "server cannot have TLS settings for plain text HTTP ports",
                "on an HTTP server, tls may only hold httpsRedirect: true");
    } else {
      c.error(s.tls.loc, f + ".tls", "server cannot have TLS settings for non HTTPS/TLS ports",
              "use protocol HTTPS or TLS for a TLS server, or remove tls");
    }
  }
}

}  // namespace

void validate(const Gateway& g, std::vector<Diagnostic>& out) {
  Checker c(out, g);
  std::set<std::string> names;
  for (size_t i = 0; i < g.servers.size(); ++i) {
    const GatewayServer& s = g.servers[i];
    const std::string f = "spec.servers[" + std::to_string(i) + "]";
    check_server(s, f, c);
    if (!s.port_present) continue;
    if (!names.insert(s.port_name).second)
      c.error(s.port_loc, f + ".port.name", "port names in servers must be unique: duplicate name " + s.port_name,
              "give each server its own port name");
    if (!is_http_protocol(s.protocol) && s.tls.https_redirect)
      c.warning(s.tls.https_redirect_loc, f + ".tls.httpsRedirect",
                "tls.httpsRedirect should only be used with http servers");
  }
}

namespace detail {

// A DNS-1123 label as Istio's agent.IsDNS1123Label reads it (letters of either case, digits, inner '-').
bool dns_label(const std::string& l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

// agent.ValidateWildcardDomain: "*", "*.rest" or a domain; every label a DNS-1123 label.
std::string wildcard_domain_problem(const std::string& host) {
  if (host.size() > 255) return "domain name \"" + host + "\" too long (max 255)";
  if (host == "*") return "";
  std::string rest = host;
  if (rest.rfind("*.", 0) == 0) rest = rest.substr(2);
  if (rest.empty()) return "empty domain name not allowed";
  for (const std::string& label : split(rest, '.'))
    if (!dns_label(label)) return "domain name \"" + host + "\" invalid (label \"" + label + "\" invalid)";
  return "";
}

}  // namespace detail

}  // namespace meshproof::model
