// workload-outside-mesh end to end: a regulated namespace declared without an injection or ambient label is an
// error at its labels line and names the policies nothing enforces; an unlabelled namespace without declared
// workloads is a warning for its pods; injected, revision-labelled, ambient, deliberately disabled,
// opted-in and undeclared (assumed sidecar) namespaces are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("workload-outside-mesh reports its positive fixture", "[checks][workload-outside-mesh]") {
  auto run = test::run_fixture("checks/workload-outside-mesh/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("workload-outside-mesh");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP1007");
  const std::string file = test::fixture("checks/workload-outside-mesh/positive.yaml");

  auto apis = run->where("workload-outside-mesh", "workload", "records/records-api");
  REQUIRE(apis.size() == 1);
  const Finding* api = apis[0];
  CHECK(api->severity == Severity::Error);
  CHECK(api->message ==
        "Deployment records/records-api runs outside the mesh: namespace records is declared without an "
        "istio-injection, istio.io/rev or istio.io/dataplane-mode label, so Istio injects no sidecar and ztunnel "
        "does not capture it; plaintext is accepted on every port and no AuthorizationPolicy or "
        "PeerAuthentication is enforced; not enforced on it: AuthorizationPolicy records/records-api-allow");
  CHECK(api->loc.line == test::line_of(file, "  labels:"));  // the Namespace's labels
  CHECK(api->properties.at("assumed") == "false");
  CHECK(api->properties.at("regulated") == "true");

  auto batches = run->where("workload-outside-mesh", "workload", "batch/*");
  REQUIRE(batches.size() == 1);
  const Finding* batch = batches[0];
  CHECK(batch->severity == Severity::Warning);
  CHECK(batch->resource.ns == "batch");
  CHECK(batch->message.rfind("the pods of namespace batch run outside the mesh", 0) == 0);
  CHECK(batch->message.find("PeerAuthentication batch/default") != std::string::npos);
}

TEST_CASE("workload-outside-mesh is quiet on its negative fixture", "[checks][workload-outside-mesh]") {
  auto run = test::run_fixture("checks/workload-outside-mesh/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("workload-outside-mesh").empty());
}
