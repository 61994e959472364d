// plaintext-hop end to end: web/frontend's sidecar uses web's DestinationRule (tls DISABLE) for pay/api, which
// hides pay's own ISTIO_MUTUAL rule (client namespace first, T4); pay/api is PERMISSIVE, so the hop is plaintext.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("plaintext-hop reports its positive fixture", "[checks][plaintext-hop]") {
  auto run = test::run_fixture("checks/plaintext-hop/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("plaintext-hop");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP3006");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.resource.kind == "DestinationRule");
  CHECK(f.resource.ns == "web");
  CHECK(f.resource.name == "api-plain");
  CHECK(f.message ==
        "The hop from Deployment web/frontend to Service pay/api port 8080 (Deployment pay/api) carries plaintext: "
        "the DestinationRule's tls mode is DISABLE; DestinationRule web/api-plain (client namespace, "
        "trafficPolicy.tls). The server accepts it, so the hop is unencrypted and carries no peer identity "
        "(docs/semantics.md#client-tls)");
  CHECK(f.properties.at("client") == "web/frontend");
  CHECK(f.properties.at("server") == "pay/api");
  CHECK(f.properties.at("client_tls") == "DISABLE");
  CHECK(f.properties.at("server_mtls") == "PERMISSIVE");
  CHECK(f.properties.at("destination_rule") == "web/api-plain");
}

TEST_CASE("plaintext-hop is quiet on its negative fixture", "[checks][plaintext-hop]") {
  auto run = test::run_fixture("checks/plaintext-hop/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("plaintext-hop").empty());
}
