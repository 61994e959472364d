// client-tls-conflict end to end: pay is STRICT and web's DestinationRule has a tls block without mode
// (DISABLE, T1): web/frontend's sidecar sends plaintext, which the STRICT port rejects (T5).
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("client-tls-conflict reports its positive fixture", "[checks][client-tls-conflict]") {
  auto run = test::run_fixture("checks/client-tls-conflict/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("client-tls-conflict");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP3007");
  CHECK(f.severity == Severity::Error);
  CHECK(f.resource.kind == "DestinationRule");
  CHECK(f.resource.name == "api-sni");
  CHECK(f.message ==
        "Every connection from Deployment web/frontend to Service pay/api port 8080 (Deployment pay/api) fails: the "
        "DestinationRule's tls mode is DISABLE (mode omitted), and the server's STRICT mode rejects plaintext; "
        "DestinationRule web/api-sni (client namespace, trafficPolicy.tls) (docs/semantics.md#client-tls)");
  CHECK(f.properties.at("server_mtls") == "STRICT");
  // plaintext that the server refuses is not a plaintext hop
  CHECK(run->of("plaintext-hop").empty());
}

TEST_CASE("client-tls-conflict is quiet on its negative fixture", "[checks][client-tls-conflict]") {
  auto run = test::run_fixture("checks/client-tls-conflict/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("client-tls-conflict").empty());
}
