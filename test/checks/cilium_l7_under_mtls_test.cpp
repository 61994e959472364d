// cilium-l7-under-mtls end to end: Cilium HTTP rules on a STRICT port (by number) and on a PERMISSIVE port (by
// name, a clusterwide policy) of sidecar pods are reported at their `rules` key, with the mode, its source and the
// deciding PeerAuthentication as a related location; a DISABLE port, a port the pod does not declare, an L4-only
// rule and pods without a sidecar are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("cilium-l7-under-mtls reports its positive fixture", "[checks][cilium-l7-under-mtls]") {
  auto run = test::run_fixture("checks/cilium-l7-under-mtls/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("cilium-l7-under-mtls");
  REQUIRE(found.size() == 2);
  const Finding& strict = *found[0];
  CHECK(strict.id == "MP5003");
  CHECK(strict.loc.line == 62);  // the `rules` key of api-http
  CHECK(strict.properties.at("pods") == "shop/api port 8080 (STRICT by PeerAuthentication shop/default)");
  CHECK(strict.properties.at("l7") == "L7 rules (http)");
  CHECK(strict.message.find("CiliumNetworkPolicy shop/api-http puts L7 rules (http) on ports where the sidecar "
                            "accepts mTLS: shop/api port 8080") == 0);
  REQUIRE(strict.related.size() == 1);
  CHECK(strict.related[0].resource.name == "default");
  CHECK(strict.related[0].loc.line == 25);  // its mode
  const Finding& permissive = *found[1];
  CHECK(permissive.properties.at("pods") == "web/web port 9090 (PERMISSIVE by Istio's default)");
  CHECK(permissive.related.empty());
}

TEST_CASE("cilium-l7-under-mtls is quiet on its negative fixture", "[checks][cilium-l7-under-mtls]") {
  auto run = test::run_fixture("checks/cilium-l7-under-mtls/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("cilium-l7-under-mtls").empty());
}
