// Gateway validation as Istio's webhook (validateServer, validateServerPort, validateTLSOptions;
// docs/semantics.md §8): each rule from a minimal Gateway.
#include <catch2/catch.hpp>

#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_from;

namespace {

std::string gateway(const std::string& servers) {
  return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: edge}\nspec:\n"
         "  selector: {istio: ingressgateway}\n  servers:\n" +
         servers;
}

std::vector<std::string> messages(const std::string& yaml, Severity s) {
  auto r = model_from(yaml);
  REQUIRE(r);
  std::vector<std::string> out;
  for (const Diagnostic& d : r->set.diagnostics)
    if (d.severity == s) out.push_back(d.field + ": " + d.message);
  return out;
}

}  // namespace

TEST_CASE("Gateway: a valid HTTPS server and a redirect stub have no diagnostics", "[model][validate][gateway]") {
  auto r = model_from(gateway(R"(  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["payments/api.example.com"]
    tls: {mode: SIMPLE, credentialName: api-cert, minProtocolVersion: TLSV1_2}
  - port: {number: 80, name: http, protocol: http}
    hosts: ["*"]
    tls: {httpsRedirect: true}
)"));
  INFO(dump(r->set));
  CHECK(r->set.diagnostics.empty());
}

TEST_CASE("Gateway: what Istio's webhook rejects", "[model][validate][gateway]") {
  CHECK(messages(gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [a.example.com]\n"),
                 Severity::Error) ==
        std::vector<std::string>{"spec.servers[0].tls: server must have TLS settings for HTTPS/TLS protocols"});
  CHECK(messages(gateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [a.example.com]\n"
                         "    tls: {mode: SIMPLE, credentialName: c}\n"),
                 Severity::Error) ==
        std::vector<std::string>{"spec.servers[0].tls: server cannot have TLS settings for plain text HTTP ports"});
  CHECK(messages(gateway("  - port: {number: 80, name: http, protocol: HTTPX}\n    hosts: [a.example.com]\n"),
                 Severity::Error)
            .at(0)
            .find("invalid protocol \"HTTPX\"") != std::string::npos);
  CHECK(messages(gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [a.example.com]\n"
                         "    tls: {mode: MUTUAL, serverCertificate: /c, privateKey: /k}\n"),
                 Severity::Error) ==
        std::vector<std::string>{"spec.servers[0].tls.caCertificates: MUTUAL TLS requires a client CA bundle"});
  CHECK(messages(gateway("  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [a.example.com]\n"
                         "    tls: {mode: ISTIO_MUTUAL, credentialName: c}\n"),
                 Severity::Error) ==
        std::vector<std::string>{"spec.servers[0].tls: ISTIO_MUTUAL TLS cannot have associated credentialName"});
  CHECK(messages(gateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: []\n"
                         "  - port: {number: 81, name: http, protocol: HTTP}\n    hosts: [a.example.com]\n"),
                 Severity::Error) ==
        std::vector<std::string>{"spec.servers[0].hosts: server config must contain at least one host",
                                 "spec.servers[1].port.name: port names in servers must be unique: duplicate name "
                                 "http"});
}

TEST_CASE("Gateway: a tls block without mode is PASSTHROUGH and its certificate is ignored (warning)",
          "[model][validate][gateway]") {
  const std::string yaml = gateway(
      "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [a.example.com]\n"
      "    tls: {credentialName: c, minProtocolVersion: TLSV1_0}\n");
  CHECK(messages(yaml, Severity::Error).empty());
  CHECK(messages(yaml, Severity::Warning) ==
        std::vector<std::string>{"spec.servers[0].tls.minProtocolVersion: TLS version below TLSV1_2 require setting "
                                 "compatible ciphers as by default they no longer include compatible ciphers.",
                                 "spec.servers[0].tls: PASSTHROUGH mode does not use certificates, they will be "
                                 "ignored"});
}
