// Issue #15 item 3: a document of a known policy kind meshproof does not model is listed as "not analyzed"
// with its location in every output, and a run whose only policies are such documents exits with 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Linkerd's ServiceProfile (per-route policy) is not modelled; its Server and the other policy.linkerd.io
// authorization kinds are (docs/semantics.md#linkerd-checks).
const std::string kLinkerdServer = R"(apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata:
  name: web
  namespace: emojivoto
spec:
  routes: [{name: GET /, condition: {method: GET, pathRegex: /}}]
)";

// A List item, a Cilium policy and a Consul intention: one per kind family the list covers. (NetworkPolicy and
// Cilium's L3/L4 rules are modelled, mesh/network_layer.h: the Cilium policy is listed for its toFQDNs part.)
const std::string kOtherPolicies = R"(apiVersion: v1
kind: List
items:
- apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: l3, namespace: emojivoto}
  spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: example.com}]}]}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: web, namespace: emojivoto}
spec: {destination: {name: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: emojivoto}
spec: {podSelector: {}}
)";

fs::path linkerd_only_tree() {
  fs::path dir = temp_dir("not-analyzed-linkerd-only");
  write_file(dir / "server.yaml", kLinkerdServer);
  write_file(dir / "other.yaml", kOtherPolicies);
  return dir;
}

TEST_CASE("not analyzed: a tree whose only policies meshproof does not model exits 2 and says what and why",
          "[cli][not-analyzed]") {
  fs::path dir = linkerd_only_tree();
  RunResult r = run_cli({"check", dir.string()});
  CHECK(r.exit_code == 2);
  CHECK(has(r.out,
            "not analyzed: 3 objects whose policy meshproof does not model (Cilium 1, Consul 1, "
            "Linkerd 1)"));
  CHECK(has(r.out, "server.yaml:1:1: linkerd.io/v1alpha2 ServiceProfile emojivoto/web (Linkerd)"));
  CHECK(has(r.out, "other.yaml:7:42: cilium.io/v2 CiliumNetworkPolicy emojivoto/l3 (Cilium): spec.egress[0].toFQDNs: "
                   "toFQDNs is not modelled"));
  CHECK(has(r.err, "meshproof: error: nothing was analyzed"));

  json j = json::parse(run_cli({"check", dir.string(), "-o", "json"}).out);
  REQUIRE(j["not_analyzed"].size() == 3);
  CHECK(j["not_analyzed"][0]["system"] == "Cilium");  // other.yaml sorts first
  CHECK(j["not_analyzed"][0]["part"].get<std::string>().rfind("spec.egress[0].toFQDNs:", 0) == 0);
  CHECK_FALSE(j["not_analyzed"][2].contains("part"));  // a whole object has none
  CHECK(j["not_analyzed"][2]["kind"] == "ServiceProfile");
  CHECK(j["not_analyzed"][2]["location"]["line"] == 1);
  CHECK(j["summary"].contains("nothing_analyzed"));

  json sarif = json::parse(run_cli({"check", dir.string(), "-o", "sarif"}).out);
  const json& inv = sarif["runs"][0]["invocations"][0];
  CHECK(inv["executionSuccessful"] == false);
  REQUIRE(inv["toolExecutionNotifications"].size() == 3);
  CHECK(inv["toolExecutionNotifications"][0]["level"] == "warning");
  CHECK(inv["toolExecutionNotifications"][2]["locations"][0]["logicalLocations"][0]["name"] == "web");

  RunResult md = run_cli({"check", dir.string(), "-o", "md"});
  CHECK(has(md.out, "## meshproof: nothing analyzed"));
  CHECK(has(md.out, "**3 not analyzed**"));

  RunResult report = run_cli({"report", dir.string(), "-o", "json"});
  CHECK(report.exit_code == 2);
  json rep = json::parse(report.out);
  CHECK(rep["result"] == "not analyzed");
  CHECK(rep["not_analyzed"].size() == 3);
}

TEST_CASE("not analyzed: beside Istio policies the objects are listed and the exit code is the findings'",
          "[cli][not-analyzed]") {
  fs::path dir = temp_dir("not-analyzed-with-istio");
  write_file(dir / "pa.yaml", kPermissivePatients);
  write_file(dir / "filter.yaml",
             "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: f, namespace: "
             "patients}\nspec: {}\n");
  RunResult r = run_cli({"check", dir.string(), "-o", "json"});
  CHECK(r.exit_code == 0);
  json j = json::parse(r.out);
  REQUIRE(j["not_analyzed"].size() == 1);
  CHECK(j["not_analyzed"][0]["system"] == "Istio");
  CHECK_FALSE(j["summary"].contains("nothing_analyzed"));
  json sarif = json::parse(run_cli({"check", dir.string(), "-o", "sarif"}).out);
  CHECK(sarif["runs"][0]["invocations"][0]["executionSuccessful"] == true);
  CHECK(sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"] == "note");
  CHECK(run_cli({"check", dir.string(), "--regulated", "patients"}).exit_code == 1);
}

TEST_CASE("not analyzed: a tree without any such object has no not_analyzed key", "[cli][not-analyzed]") {
  fs::path dir = temp_dir("not-analyzed-none");
  write_file(dir / "pa.yaml", kPermissivePatients);
  json j = json::parse(run_cli({"check", dir.string(), "-o", "json"}).out);
  CHECK_FALSE(j.contains("not_analyzed"));
}

}  // namespace
}  // namespace meshproof::test
