// client-tls-trust end to end: SIMPLE without caCertificates is verified against the system CAs (a note per
// tls block, trafficPolicy and port level apart, as istioctl's IST0128/IST0129), insecureSkipVerify is a
// warning, a pinned CA or a credentialName read with a workloadSelector is quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("client-tls-trust reports its positive fixture", "[checks][client-tls-trust]") {
  auto run = test::run_fixture("checks/client-tls-trust/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("client-tls-trust");
  REQUIRE(found.size() == 3);
  auto system = run->where("client-tls-trust", "reason", "system-ca");
  REQUIRE(system.size() == 2);
  CHECK(system[0]->severity == Severity::Note);
  CHECK(system[0]->properties.at("level") == "destination");
  CHECK(system[0]->message.find("system CA bundle") != std::string::npos);
  auto skip = run->where("client-tls-trust", "reason", "skip-verify");
  REQUIRE(skip.size() == 1);
  CHECK(skip[0]->severity == Severity::Warning);
  CHECK(skip[0]->properties.at("level") == "port");
  CHECK(skip[0]->properties.at("port") == "5432");
}

TEST_CASE("client-tls-trust is quiet on its negative fixture", "[checks][client-tls-trust]") {
  auto run = test::run_fixture("checks/client-tls-trust/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("client-tls-trust").empty());
}
