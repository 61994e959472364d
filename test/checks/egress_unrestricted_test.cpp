// egress-unrestricted end to end: ALLOW_ANY from the mesh configuration's default and from a Sidecar are
// warnings naming their source; REGISTRY_ONLY (written, or a Sidecar's `outboundTrafficPolicy: {}`) and
// unregulated namespaces are quiet; without the mesh configuration the note says the evidence is missing.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("egress-unrestricted reports its positive fixture", "[checks][egress-unrestricted]") {
  auto run = test::run_fixture("checks/egress-unrestricted/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("egress-unrestricted");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP4003");
  const std::string file = test::fixture("checks/egress-unrestricted/positive.yaml");

  auto cards = run->where("egress-unrestricted", "namespace", "cards");
  REQUIRE(cards.size() == 1);
  CHECK(cards[0]->severity == Severity::Warning);
  CHECK(cards[0]->resource.kind == "Namespace");
  CHECK(cards[0]->properties.at("decided_by") == "ConfigMap istio-system/istio");
  CHECK(cards[0]->message ==
        "outboundTrafficPolicy ALLOW_ANY is in force for regulated namespace cards (cards/tokenizer), Istio's "
        "default: the mesh configuration ConfigMap istio-system/istio sets no outboundTrafficPolicy: calls to hosts "
        "outside the service registry leave the mesh through the PassthroughCluster, without TLS unless the "
        "application adds it; REGISTRY_ONLY blocks them (best effort, not a firewall) (docs/semantics.md#egress)");

  auto vault = run->where("egress-unrestricted", "namespace", "vault");
  REQUIRE(vault.size() == 1);
  CHECK(vault[0]->properties.at("decided_by") == "Sidecar vault/default");
  CHECK(vault[0]->loc.line == test::line_of(file, "    mode: ALLOW_ANY"));
}

TEST_CASE("egress-unrestricted is quiet on its negative fixture", "[checks][egress-unrestricted]") {
  auto run = test::run_fixture("checks/egress-unrestricted/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("egress-unrestricted").empty());
}

TEST_CASE("egress-unrestricted says the evidence is missing without the mesh configuration",
          "[checks][egress-unrestricted]") {
  auto run = test::run_fixture("checks/plaintext-egress/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("egress-unrestricted");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->severity == Severity::Note);
  CHECK(found[0]->properties.at("evidence") == "missing");
  CHECK(found[0]->message.rfind("No evidence whether egress is restricted for regulated namespace payments", 0) == 0);
}
