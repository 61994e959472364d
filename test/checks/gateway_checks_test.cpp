// The gateway-* checks end to end on their fixtures: exact messages, severities, locations and properties;
// and D6: an Istio gateway pod's listener ports are not judged by mtls-not-strict (PeerAuthentication does
// not govern them), while sidecar ports still are.
#include <catch2/catch.hpp>

#include <map>

#include "harness.h"

using namespace meshproof;

namespace {
const std::string kDir = "checks/";
std::string fixture(const std::string& check, const std::string& kind) {
  return test::fixture(kDir + check + "/" + kind + ".yaml");
}
}  // namespace

TEST_CASE("gateway-plaintext-listener: error toward a regulated backend, warning otherwise", "[checks][gateway]") {
  auto run = test::run_fixture(kDir + "gateway-plaintext-listener/positive.yaml", {{}, {"gateway-plaintext-listener"}});
  INFO("findings:" << run->dump());
  auto all = run->of("gateway-plaintext-listener");
  REQUIRE(all.size() == 2);
  const Finding& regulated = *all[0];
  CHECK(regulated.severity == Severity::Error);
  CHECK(regulated.id == "MP3001");
  CHECK(regulated.message ==
        "Gateway istio-system/public server 0 (port 80, HTTP) serves api.example.com in plaintext: VirtualService "
        "payments/api routes requests for it through this server, and it reaches Deployment payments/api in a "
        "regulated namespace; without tls.httpsRedirect the requests and responses cross the network unencrypted "
        "(docs/semantics.md#gateways)");
  const std::string file = fixture("gateway-plaintext-listener", "positive");
  CHECK(regulated.loc.line == test::line_of(file, "number: 80, name: http,"));
  CHECK(all[1]->severity == Severity::Warning);
  CHECK(all[1]->properties.at("hosts") == "shop.example.com");
}

TEST_CASE("gateway-weak-tls: the version field and the weak suites", "[checks][gateway]") {
  auto run = test::run_fixture(kDir + "gateway-weak-tls/positive.yaml", {{}, {"gateway-weak-tls"}});
  INFO("findings:" << run->dump());
  auto min = run->where("gateway-weak-tls", "weakness", "min");
  REQUIRE(min.size() == 1);
  CHECK(min[0]->severity == Severity::Error);
  CHECK(min[0]->loc.line == test::line_of(fixture("gateway-weak-tls", "positive"), "minProtocolVersion: TLSV1_0"));
  auto ciphers = run->where("gateway-weak-tls", "weakness", "ciphers");
  REQUIRE(ciphers.size() == 1);
  CHECK(ciphers[0]->properties.at("value") ==
        "AES128-SHA (CBC mode and static RSA key exchange), ECDHE-RSA-AES256-SHA (CBC mode)");
}

TEST_CASE("gateway-tls-passthrough says plainly that an omitted mode is PASSTHROUGH", "[checks][gateway]") {
  auto run = test::run_fixture(kDir + "gateway-tls-passthrough/positive.yaml", {{}, {"gateway-tls-passthrough"}});
  INFO("findings:" << run->dump());
  auto all = run->of("gateway-tls-passthrough");
  REQUIRE(all.size() == 1);
  CHECK(all[0]->severity == Severity::Warning);
  CHECK(all[0]->properties.at("mode_omitted") == "true");
  CHECK(all[0]->message.find("has a tls block without `mode`, and Istio's default mode is PASSTHROUGH: the gateway "
                             "does not terminate TLS and ignores its credentialName api-cert") != std::string::npos);
  CHECK(all[0]->message.find("the http routes of VirtualService payments/api are not used") != std::string::npos);
}

TEST_CASE("gateway-wildcard-host points at the host", "[checks][gateway]") {
  auto run = test::run_fixture(kDir + "gateway-wildcard-host/positive.yaml", {{}, {"gateway-wildcard-host"}});
  INFO("findings:" << run->dump());
  auto all = run->of("gateway-wildcard-host");
  REQUIRE(all.size() == 1);
  CHECK(all[0]->properties.at("host") == "*");
  CHECK(all[0]->loc.line == test::line_of(fixture("gateway-wildcard-host", "positive"), "hosts: [\"*\"]"));
}

TEST_CASE("gateway-credential-missing reads the Secret from the gateway pods' namespace (G5)", "[checks][gateway]") {
  auto run = test::run_fixture(kDir + "gateway-credential-missing/positive.yaml", {{}, {"gateway-credential-missing"}});
  INFO("findings:" << run->dump());
  auto wrong = run->where("gateway-credential-missing", "reason", "wrong-namespace");
  REQUIRE(wrong.size() == 1);
  CHECK(wrong[0]->message.find("which Istio reads from namespace istio-system (where its gateway pods run), but the "
                               "input declares that Secret only in payments") != std::string::npos);
  CHECK(run->where("gateway-credential-missing", "reason", "no-ca").size() == 1);
}

TEST_CASE("D6: gateway listener ports are not judged by PeerAuthentication", "[checks][gateway][mtls-not-strict]") {
  const std::string yaml = R"(apiVersion: v1
kind: Namespace
metadata: {name: edge, labels: {compliance.meshproof.dev/regulated: "true"}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: edge}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: edge}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: edge}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["a.example.com"],
             tls: {mode: SIMPLE, credentialName: c}}]
)";
  const std::string path = test::write_temp(yaml, "d6.yaml");
  auto run = test::run_checks_on({path}, {{}, {"mtls-not-strict"}});
  INFO("findings:" << run->dump());
  CHECK(run->where("mtls-not-strict", "workload", "edge/ingress").empty());
  CHECK(run->where("mtls-not-strict", "workload", "edge/api").size() == 1);
  const mesh::Workload* gw = run->input->mesh.find("edge", "ingress");
  REQUIRE(gw);
  REQUIRE(gw->ports.size() == 1);
  CHECK(gw->ports[0].mtls.gateway_listener);
  CHECK(gw->ports[0].mtls.decided_by == nullptr);
}

// IST0161: Istio's credential reader takes cert/key or tls.crt/tls.key and needs a valid X.509 PEM
// certificate on the day of the analysis (docs/semantics.md#gateway-credential, G14).
TEST_CASE("gateway-credential-missing reports a Secret Istio rejects as a server credential", "[checks][gateway]") {
  auto invalid = [](const std::string& today) {
    test::RunOptions o({}, {"gateway-credential-missing"});
    o.today = today;
    auto run = test::run_fixture(kDir + "gateway-credential-missing/invalid-credentials.yaml", o);
    INFO("findings:" << run->dump());
    std::map<std::string, std::string> by_credential;
    for (const Finding* f : run->where("gateway-credential-missing", "reason", "invalid"))
      by_credential[f->properties.at("credential")] = f->message;
    return by_credential;
  };
  auto within = invalid("2026-12-20");
  CHECK(within.count("shop-cert") == 0);
  REQUIRE(within.count("wrong-keys") == 1);
  CHECK(within["wrong-keys"].find(
            "neither the keys tls.crt and tls.key nor cert and key (it has: tls.cert, tls.key)") != std::string::npos);
  REQUIRE(within.count("garbage") == 1);
  CHECK(within["garbage"].find("its certificate is not PEM") != std::string::npos);
  auto later = invalid("2027-06-01");
  REQUIRE(later.count("shop-cert") == 1);
  CHECK(later["shop-cert"].find("its certificate expired on 2027-01-05") != std::string::npos);
  auto earlier = invalid("2026-06-01");
  REQUIRE(earlier.count("shop-cert") == 1);
  CHECK(earlier["shop-cert"].find("not valid before 2026-12-06") != std::string::npos);
}
