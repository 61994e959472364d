// plaintext-egress end to end: HTTP ServiceEntry ports a regulated workload has in scope, without a
// DestinationRule that originates TLS (none, or DISABLE), are errors at the port; TLS origination (E2), HTTPS
// ports, exportTo, Sidecar egress hosts and unregulated callers keep it quiet.
#include <catch2/catch.hpp>

#include <set>

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

// E12 (docs/realworld.md L7): a STATIC ServiceEntry whose only endpoint is 127.0.0.1 (a local ext-authz
// container) keeps its traffic in the pod; one with a remote endpoint among loopback ones is egress. (With
// resolution NONE, endpoints are rejected by Istio's validation, so that case never reaches the check.)
TEST_CASE("plaintext-egress: loopback endpoints are not egress", "[checks][plaintext-egress]") {
  const std::string yaml =
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels: {istio-injection: enabled, "
      "compliance.meshproof.dev/regulated: \"true\"}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: payments}\nspec:\n"
      "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
      "    spec: {containers: [{name: api, image: api}]}\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext-authz-local, namespace: payments}\n"
      "spec:\n  hosts: [ext-authz.local]\n  endpoints: [{address: 127.0.0.1}]\n  ports: [{number: 9191, name: http, "
      "protocol: HTTP}]\n  resolution: STATIC\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: mixed, namespace: payments}\n"
      "spec:\n  hosts: [mixed.local]\n  endpoints: [{address: 127.0.0.1}, {address: 10.0.0.7}]\n"
      "  ports: [{number: 9192, name: http, protocol: HTTP}]\n  resolution: STATIC\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: passthrough, namespace: payments}\n"
      "spec:\n  hosts: [api.partner.com]\n  endpoints: [{address: 127.0.0.1}]\n  ports: [{number: 80, name: http, "
      "protocol: HTTP}]\n  resolution: NONE\n";
  auto run =
      test::run_checks_on({test::write_temp(yaml, "loopback-egress.yaml")}, test::RunOptions({}, {"plaintext-egress"}));
  INFO("findings:" << run->dump());
  std::set<std::string> hosts;
  for (const Finding* f : run->of("plaintext-egress")) hosts.insert(f->resource.name);
  CHECK(hosts == std::set<std::string>{"mixed"});
}
