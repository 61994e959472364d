// plaintext-egress end to end: HTTP ServiceEntry ports a regulated workload has in scope, without a
// DestinationRule that originates TLS (none, or DISABLE), are errors at the port; TLS origination (E2), HTTPS
// ports, exportTo, Sidecar egress hosts and unregulated callers keep it quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("plaintext-egress reports its positive fixture", "[checks][plaintext-egress]") {
  auto run = test::run_fixture("checks/plaintext-egress/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("plaintext-egress");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP4002");
  const std::string file = test::fixture("checks/plaintext-egress/positive.yaml");

  auto partner = run->where("plaintext-egress", "host", "api.partner.com");
  REQUIRE(partner.size() == 1);
  CHECK(partner[0]->severity == Severity::Error);
  CHECK(partner[0]->message ==
        "ServiceEntry payments/partner lets regulated workloads (payments/api) call api.partner.com:80 in plaintext: "
        "port 80 is HTTP and no DestinationRule originates TLS for it; Istio adds no mTLS toward MESH_EXTERNAL "
        "hosts, so the sidecar sends the application's plaintext request out of the mesh "
        "(docs/semantics.md#egress)");
  CHECK(partner[0]->loc.line == test::line_of(file, "    - number: 80"));
  CHECK(partner[0]->properties.at("workloads") == "payments/api");

  auto rates = run->where("plaintext-egress", "host", "rates.example.com");
  REQUIRE(rates.size() == 1);
  CHECK(rates[0]->properties.at("destination_rule") == "payments/rates");
  CHECK(rates[0]->message.find("DestinationRule payments/rates sets tls.mode DISABLE") != std::string::npos);
}

TEST_CASE("plaintext-egress is quiet on its negative fixture", "[checks][plaintext-egress]") {
  auto run = test::run_fixture("checks/plaintext-egress/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("plaintext-egress").empty());
}
