// serviceentry-protocol-conflict end to end: HTTP and TLS for one host:port in entries both exported
// everywhere; the same protocol twice, or entries no namespace sees together, are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("serviceentry-protocol-conflict reports its positive fixture", "[checks][serviceentry-protocol-conflict]") {
  auto run = test::run_fixture("checks/serviceentry-protocol-conflict/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("serviceentry-protocol-conflict");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP4006");
  CHECK(found[0]->properties.at("host") == "api.example.com:8443");
  CHECK(found[0]->properties.at("protocols") == "HTTP, TLS");
}

TEST_CASE("serviceentry-protocol-conflict is quiet on its negative fixture",
          "[checks][serviceentry-protocol-conflict]") {
  auto run = test::run_fixture("checks/serviceentry-protocol-conflict/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("serviceentry-protocol-conflict").empty());
}
