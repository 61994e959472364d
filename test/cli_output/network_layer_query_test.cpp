// Issue #15 item 2: `query` answers DENY decided by the NetworkPolicy layer when the connection is blocked
// (the source pod's egress or the destination's ingress), names the layer and the policy in text and JSON,
// and `explain` shows the layer (docs/semantics.md#networkpolicy-layer, I1–I3).
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

fs::path netpol_tree() {
  fs::path dir = temp_dir("netpol-layer-query");
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(source_dir() + "/samples/netpol-layer", dir, fs::copy_options::recursive);
  return dir;
}

}  // namespace

TEST_CASE("netpol query: a port the NetworkPolicy does not admit is DENY decided by the layer", "[cli][netpol]") {
  fs::path dir = netpol_tree();
  RunResult r = run_cli(
      {"query", dir.string(), "--to", "clinic/records", "--port", "9090", "--from", "clinic/portal", "-o", "json"});
  INFO(r.out << r.err);
  json j = json::parse(r.out);
  CHECK(j["decision"] == "DENY");
  CHECK(j["enforced_by"] == "networkpolicy");
  CHECK(j["reason_code"] == "network-policy-blocked");
  CHECK(j["network_layer"]["allowed"] == false);
  CHECK(j["network_layer"]["direction"] == "ingress");
  CHECK(j["network_layer"]["tier"] == "NetworkPolicy");
  CHECK(j["network_layer"]["policy"] == "NetworkPolicy clinic/records-api-only");
  CHECK(j["network_layer"]["port"] == 9090);

  RunResult text =
      run_cli({"query", dir.string(), "--to", "clinic/records", "--port", "9090", "--from", "clinic/portal"});
  CHECK(has(text.out, "DENY  clinic/records port 9090"));
  CHECK(has(text.out, "enforced by: networkpolicy"));
  CHECK(has(text.out, "L3/L4:      BLOCKED from pod clinic/portal on port 9090/TCP"));
}

TEST_CASE("netpol query: the admitted port is decided by Istio, with the layer's verdict beside it", "[cli][netpol]") {
  fs::path dir = netpol_tree();
  json j = json::parse(run_cli({"query", dir.string(), "--to", "clinic/records", "--port", "8080", "--from",
                                "clinic/portal", "-o", "json"})
                           .out);
  CHECK(j["decision"] == "ALLOW");
  CHECK(j["enforced_by"] == "sidecar");
  CHECK(j["network_layer"]["allowed"] == true);
  CHECK(j["network_layer"]["policy"] == "NetworkPolicy clinic/records-api-only");  // the named port http-api
  // Without --from the caller is an unknown outside address, which the podSelector peer does not admit.
  json outside = json::parse(run_cli({"query", dir.string(), "--to", "clinic/records", "--port", "8080", "--principal",
                                      "cluster.local/ns/clinic/sa/portal", "-o", "json"})
                                 .out);
  CHECK(outside["decision"] == "DENY");
  CHECK(outside["network_layer"]["source"] == "an unknown outside address");
}

TEST_CASE("netpol query: ambient mesh traffic crosses the layer on HBONE 15008", "[cli][netpol]") {
  fs::path dir = netpol_tree();
  json j = json::parse(
      run_cli({"query", dir.string(), "--to", "shop/cart", "--port", "8080", "--from", "shop/storefront", "-o", "json"})
          .out);
  CHECK(j["decision"] == "DENY");
  CHECK(j["enforced_by"] == "networkpolicy");
  CHECK(j["network_layer"]["port"] == 15008);
  RunResult explain = run_cli({"explain", dir.string(), "--workload", "shop/cart"});
  CHECK(has(explain.out, "L3/L4 layer (NetworkPolicy):"));
  CHECK(has(explain.out, "ingress: NetworkPolicy shop/cart-8080"));
  CHECK(has(explain.out, "HBONE port 15008: no NetworkPolicy rule admits it"));
}

TEST_CASE("netpol query: without any NetworkPolicy the answer has no network_layer key", "[cli][netpol]") {
  fs::path dir = temp_dir("netpol-none");
  write_file(dir / "pa.yaml",
             "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d, namespace: a}\n"
             "spec: {mtls: {mode: STRICT}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\n"
             "spec: {containers: [{name: c, image: c, ports: [{containerPort: 80}]}]}\n");
  json j = json::parse(run_cli({"query", dir.string(), "--to", "a/p", "--port", "80", "-o", "json"}).out);
  CHECK_FALSE(j.contains("network_layer"));
}

}  // namespace meshproof::test

namespace meshproof::test {

// A NetworkPolicy without metadata.namespace is in -n/--namespace's namespace, as every other object of the
// input (kubectl's rule, docs/semantics.md#networkpolicy-layer): read with the rest by the input stage.
TEST_CASE("netpol query: a NetworkPolicy without a namespace is in the namespace of -n", "[cli][netpol]") {
  fs::path dir = temp_dir("netpol-default-namespace");
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file(dir / "app.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: api
  labels: {app: api, sidecar.istio.io/inject: "true"}
spec:
  serviceAccountName: api
  containers:
  - name: api
    image: api:1
    ports: [{containerPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
spec:
  podSelector: {}
  policyTypes: [Ingress]
)");
  json j = json::parse(
      run_cli({"query", dir.string(), "-n", "prod", "--to", "prod/api", "--port", "8080", "-o", "json"}).out);
  CHECK(j["decision"] == "DENY");
  CHECK(j["enforced_by"] == "networkpolicy");
  CHECK(j["network_layer"]["policy"] == "NetworkPolicy prod/deny-all");
}

}  // namespace meshproof::test

namespace meshproof::test {
namespace {

fs::path cilium_tree() {
  fs::path dir = temp_dir("cilium-layer-query");
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(source_dir() + "/samples/cilium-layer", dir, fs::copy_options::recursive);
  return dir;
}

}  // namespace

TEST_CASE("cilium query: a deny rule of a clusterwide policy wins over the allow, decided by the layer",
          "[cli][netpol][cilium]") {
  fs::path dir = cilium_tree();
  json j = json::parse(
      run_cli({"query", dir.string(), "--to", "bank/vault", "--port", "8443", "--from", "bank/batch", "-o", "json"})
          .out);
  CHECK(j["decision"] == "DENY");
  CHECK(j["enforced_by"] == "networkpolicy");
  CHECK(j["network_layer"]["policy"] == "CiliumClusterwideNetworkPolicy no-legacy");
  CHECK(j["network_layer"]["direction"] == "ingress");
  CHECK(j["network_layer"]["location"].get<std::string>().find("policies.yaml:") != std::string::npos);
}

TEST_CASE("cilium query: an L7 rule's port is admitted and the answer says the ALLOW is not a proof",
          "[cli][netpol][cilium]") {
  fs::path dir = cilium_tree();
  const std::vector<std::string> args = {"query", dir.string(), "--to", "bank/vault", "--port", "8443", "--from",
                                         "bank/teller"};
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.end(), {"-o", "json"});
  json j = json::parse(run_cli(json_args).out);
  CHECK(j["decision"] == "ALLOW");
  CHECK(j["network_layer"]["allowed"] == true);
  CHECK(j["network_layer"]["policy"] == "CiliumNetworkPolicy bank/vault-api");
  CHECK(j["network_layer"]["not_modelled"].get<std::string>().find("L7 rules (http)") != std::string::npos);
  RunResult text = run_cli(args);
  CHECK(has(text.out, "L3/L4 note: not a proof: CiliumNetworkPolicy bank/vault-api ingress[0] further restricts it "
                      "by L7 rules (http)"));
  // The L7 rule itself is listed as not analyzed, at its own line; the run still analyzes the rest.
  RunResult check = run_cli({"check", dir.string()});
  CHECK(has(check.out, "cilium.io/v2 CiliumNetworkPolicy bank/vault-api (Cilium): spec.ingress[0].toPorts[0].rules: "
                       "L7 rules (http) not modelled"));
  CHECK(check.exit_code == 1);
}

TEST_CASE("cilium query: a Cilium policy without the L7 part gives a plain verdict, and explain lists it",
          "[cli][netpol][cilium]") {
  fs::path dir = cilium_tree();
  json j = json::parse(
      run_cli({"query", dir.string(), "--to", "bank/vault", "--port", "9443", "--from", "bank/teller", "-o", "json"})
          .out);
  CHECK(j["decision"] == "DENY");
  CHECK(j["network_layer"]["reason"].get<std::string>().find("CiliumNetworkPolicy bank/vault-api") !=
        std::string::npos);
  CHECK_FALSE(j["network_layer"].contains("not_modelled"));
  RunResult explain = run_cli({"explain", dir.string(), "--workload", "feed/news"});
  CHECK(has(explain.out, "CiliumNetworkPolicy feed/news-8080"));
  CHECK(has(explain.out, "HBONE port 15008: no NetworkPolicy rule admits it"));
}

}  // namespace meshproof::test
