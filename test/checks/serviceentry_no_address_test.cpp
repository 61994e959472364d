// serviceentry-no-address end to end: one finding per TCP or protocol-less port of an entry without
// addresses; addresses, HTTP/TLS ports and the mesh's DNS auto-allocation are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("serviceentry-no-address reports its positive fixture", "[checks][serviceentry-no-address]") {
  auto run = test::run_fixture("checks/serviceentry-no-address/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("serviceentry-no-address");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP4005");
  CHECK(found[0]->properties.at("port") == "5432");
  CHECK(found[1]->properties.at("port") == "6379");
  CHECK(found[0]->message.find("by the destination port alone") != std::string::npos);
}

TEST_CASE("serviceentry-no-address is quiet on its negative fixture", "[checks][serviceentry-no-address]") {
  auto run = test::run_fixture("checks/serviceentry-no-address/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("serviceentry-no-address").empty());
}

TEST_CASE("serviceentry-no-address: the mesh's DNS auto-allocation gives every entry an address",
          "[checks][serviceentry-no-address]") {
  std::string mesh = test::write_temp(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n"
      "    defaultConfig:\n      proxyMetadata:\n        ISTIO_META_DNS_CAPTURE: \"true\"\n"
      "        ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"\n",
      "mesh-auto-allocate.yaml");
  auto run = test::run_checks_on({test::fixture("checks/serviceentry-no-address/positive.yaml"), mesh});
  INFO("findings:" << run->dump());
  CHECK(run->of("serviceentry-no-address").empty());
}
