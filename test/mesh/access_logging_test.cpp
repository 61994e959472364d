// mesh::access_logging against the cases of Istio's telemetry_logging_test.go that docs/semantics.md §10 cites
// (telemetry.md §2): providers replace rather than add, entries without providers inherit, disabled wins, CLIENT
// entries leave inbound traffic to meshConfig.accessLogFile, unknown providers fall back, and without the mesh
// configuration the answer is unknown.
#include <catch2/catch.hpp>

#include "mesh/access_logging.h"
#include "test_support.h"

using namespace meshproof;

namespace {

const std::string kWorkload = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
)";

std::string mesh_config(const std::string& body) {
  return "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n" +
         body;
}

std::string telemetry(const std::string& ns, const std::string& name, const std::string& spec,
                      const std::string& created = "") {
  return "---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: " + name + ", namespace: " + ns +
         (created.empty() ? "" : ", creationTimestamp: \"" + created + "\"") + "}\nspec: " + spec + "\n";
}

mesh::AccessLogDecision decide(const std::string& yaml) {
  auto input = test::load_yaml(kWorkload + yaml);
  REQUIRE(input);
  const mesh::Workload* w = input->mesh.find("pay", "api");
  REQUIRE(w);
  return mesh::access_logging(input->mesh, *w, mesh::AccessLogMode::Server);
}

const std::string kEnvoyRoot = telemetry("istio-system", "root", "{accessLogging: [{providers: [{name: envoy}]}]}");

}  // namespace

TEST_CASE("access logging: Telemetry levels merge as istiod merges them", "[mesh][access-logging]") {
  SECTION("root envoy: logged, without the mesh configuration (envoy is built in)") {
    auto d = decide(kEnvoyRoot);
    CHECK(d.state == mesh::AccessLogState::Logged);
    CHECK(d.providers == std::vector<std::string>{"envoy"});
  }
  SECTION("root envoy, namespace [{}]: the empty entry inherits envoy") {
    CHECK(decide(kEnvoyRoot + telemetry("pay", "ns", "{accessLogging: [{}]}")).state == mesh::AccessLogState::Logged);
  }
  SECTION("root envoy, namespace names another provider: it replaces envoy") {
    auto d = decide(mesh_config("    extensionProviders: [{name: audit, envoyFileAccessLog: {path: /a.log}}]\n") +
                    kEnvoyRoot + telemetry("pay", "ns", "{accessLogging: [{providers: [{name: audit}]}]}"));
    CHECK(d.providers == std::vector<std::string>{"audit"});
  }
  SECTION("root envoy, namespace disabled: not logged, because of the namespace Telemetry") {
    auto d = decide(kEnvoyRoot + telemetry("pay", "quiet", "{accessLogging: [{disabled: true}]}"));
    CHECK(d.state == mesh::AccessLogState::NotLogged);
    CHECK(d.cause.name == "quiet");
  }
  SECTION("a workload Telemetry re-enables what the namespace disabled") {
    auto d = decide(kEnvoyRoot + telemetry("pay", "quiet", "{accessLogging: [{disabled: true}]}") +
                    telemetry("pay", "api",
                              "{selector: {matchLabels: {app: api}}, accessLogging: [{providers: [{name: envoy}]}]}"));
    CHECK(d.state == mesh::AccessLogState::Logged);
  }
  SECTION("a root-namespace selector Telemetry does not reach other namespaces") {
    auto d = decide(mesh_config("    accessLogFile: \"\"\n") +
                    telemetry("istio-system", "sel",
                              "{selector: {matchLabels: {app: api}}, accessLogging: [{providers: [{name: envoy}]}]}"));
    CHECK(d.state == mesh::AccessLogState::NotLogged);
  }
  SECTION("CLIENT-only entries leave inbound traffic to meshConfig.accessLogFile") {
    auto client =
        telemetry("istio-system", "root", "{accessLogging: [{match: {mode: CLIENT}, providers: [{name: envoy}]}]}");
    CHECK(decide(mesh_config("    accessLogFile: /dev/stdout\n") + client).state == mesh::AccessLogState::Logged);
    CHECK(decide(mesh_config("    rootNamespace: istio-system\n") + client).state == mesh::AccessLogState::NotLogged);
    auto unknown = decide(client);
    CHECK(unknown.state == mesh::AccessLogState::Unknown);
    CHECK(unknown.missing_mesh_config);
  }
  SECTION("an undefined provider falls back to accessLogFile; stackdriver logs nothing") {
    auto typo = telemetry("istio-system", "root", "{accessLogging: [{providers: [{name: typo}]}]}");
    CHECK(decide(mesh_config("    accessLogFile: /dev/stdout\n") + typo).state == mesh::AccessLogState::Logged);
    CHECK(decide(typo).state == mesh::AccessLogState::Unknown);  // the mesh configuration could define `typo`
    auto sd = telemetry("istio-system", "root", "{accessLogging: [{providers: [{name: stackdriver}]}]}");
    CHECK(decide(mesh_config("    rootNamespace: istio-system\n") + sd).state == mesh::AccessLogState::NotLogged);
  }
  SECTION("defaultProviders apply without Telemetry; a filter on every provider is partial logging") {
    CHECK(decide(mesh_config("    defaultProviders: {accessLogging: [envoy]}\n")).state ==
          mesh::AccessLogState::Logged);
    auto f = decide(
        telemetry("istio-system", "root",
                  "{accessLogging: [{providers: [{name: envoy}], filter: {expression: \"response.code >= 400\"}}]}"));
    CHECK(f.state == mesh::AccessLogState::Filtered);
    CHECK(f.filters == std::vector<std::string>{"response.code >= 400"});
  }
  SECTION("the oldest namespace-wide Telemetry of a namespace is the one that counts") {
    auto d =
        decide(kEnvoyRoot + telemetry("pay", "b-new", "{accessLogging: [{disabled: true}]}", "2026-01-02T00:00:00Z") +
               telemetry("pay", "a-old", "{accessLogging: [{providers: [{name: envoy}]}]}", "2026-01-01T00:00:00Z"));
    CHECK(d.state == mesh::AccessLogState::Logged);
  }
}
