// The gateway-* checks and plaintext-hop on Gateway API ingress (docs/semantics.md#gateway-api-routes): one
// Gateway whose listeners each show one problem, and a negative input on which none of them reports.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

namespace {

const std::vector<std::string> kChecks = {"gateway-plaintext-listener", "gateway-wildcard-host",
                                          "gateway-tls-passthrough",    "gateway-weak-tls",
                                          "gateway-credential-missing", "plaintext-hop"};

std::unique_ptr<test::CheckRun> run(const std::string& kind) {
  return test::run_fixture("checks/gateway-api/" + kind + ".yaml", {{}, kChecks});
}

const std::string kFile = "checks/gateway-api/positive.yaml";

}  // namespace

TEST_CASE("Gateway API: an HTTP listener whose route reaches a regulated workload is a plaintext listener",
          "[checks][gateway][gateway-api]") {
  auto r = run("positive");
  INFO("findings:" << r->dump());
  auto all = r->of("gateway-plaintext-listener");
  REQUIRE(all.size() == 1);
  CHECK(all[0]->severity == Severity::Error);
  CHECK(all[0]->message ==
        "Gateway edge/public listener http (port 80, HTTP) serves * in plaintext: HTTPRoute payments/api forwards "
        "requests to backends through this listener, and it reaches Deployment payments/api in a regulated "
        "namespace; requests and responses cross the network unencrypted (docs/semantics.md#gateway-api-routes)");
  CHECK(all[0]->loc.line == test::line_of(test::fixture(kFile), "port: 80", 2));  // the first is port: 8080
}

TEST_CASE("Gateway API: a listener without hostname serving a route without hostnames accepts any host",
          "[checks][gateway][gateway-api]") {
  auto r = run("positive");
  INFO("findings:" << r->dump());
  auto all = r->of("gateway-wildcard-host");
  REQUIRE(all.size() == 1);
  CHECK(all[0]->properties.at("listener") == "http");
  CHECK(all[0]->properties.at("host") == "*");
}

TEST_CASE("Gateway API: Passthrough, weak cipher option, certificate without ReferenceGrant",
          "[checks][gateway][gateway-api]") {
  auto r = run("positive");
  INFO("findings:" << r->dump());
  auto pass = r->of("gateway-tls-passthrough");
  REQUIRE(pass.size() == 1);
  CHECK(pass[0]->severity == Severity::Note);
  CHECK(pass[0]->properties.at("listener") == "tls");
  auto weak = r->of("gateway-weak-tls");
  REQUIRE(weak.size() == 1);
  CHECK(weak[0]->severity == Severity::Error);
  CHECK(weak[0]->properties.at("value") == "AES128-SHA (CBC mode and static RSA key exchange)");
  auto cred = r->of("gateway-credential-missing");
  REQUIRE(cred.size() == 1);
  CHECK(cred[0]->properties.at("reason") == "not-permitted");
  CHECK(cred[0]->properties.at("credential") == "certs/partner-cert");
  CHECK(cred[0]->loc.line == test::line_of(test::fixture(kFile), "name: partner-cert"));
}

TEST_CASE("Gateway API: the gateway's hop to a backend without a proxy is plaintext",
          "[checks][gateway][gateway-api][plaintext-hop]") {
  auto r = run("positive");
  INFO("findings:" << r->dump());
  auto hops = r->where("plaintext-hop", "client", "Gateway edge/public");
  REQUIRE(hops.size() == 1);
  CHECK(hops[0]->severity == Severity::Error);
  CHECK(hops[0]->properties.at("server") == "payments/api");
  CHECK(
      hops[0]->message.find("The hop from the gateway pods of Gateway edge/public to Service payments/api port 8080") !=
      std::string::npos);
}

TEST_CASE("Gateway API: HTTPS with its own certificate, a redirect-only HTTP listener, mTLS backends: quiet",
          "[checks][gateway][gateway-api]") {
  auto r = run("negative");
  INFO("findings:" << r->dump());
  for (const std::string& check : kChecks) CHECK(r->of(check).empty());
}
