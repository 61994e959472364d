// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as the layer reads them (model/network_policy.h;
// docs/semantics.md#networkpolicy-layer, "Cilium"): the namespace match Cilium adds, default deny per section,
// what the CRD rejects (with field and file:line:col), and the parts listed as not analyzed.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/network_policy.h"
#include "model_test_util.h"

using namespace meshproof;

namespace {

std::string cnp(const std::string& spec, const std::string& kind = "CiliumNetworkPolicy") {
  return "apiVersion: cilium.io/v2\nkind: " + kind + "\nmetadata: {name: c, namespace: a}\nspec:\n" + spec;
}

std::vector<std::string> cilium_errors(const std::string& yaml) {
  const auto run = test::model_from(yaml);
  std::vector<std::string> out;
  for (const auto& d : run->network_policies.diagnostics)
    if (d.severity == Severity::Error) out.push_back(d.field + ": " + d.message);
  return out;
}

bool has(const std::vector<std::string>& items, const std::string& part) {
  return std::any_of(items.begin(), items.end(), [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("cilium policy: selectors get Cilium's namespace match, sections put the pod in default deny",
          "[model][netpol][cilium]") {
  auto r = test::model_from(cnp(R"(  endpointSelector: {matchLabels: {"k8s:app": api}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: client}}, {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}]
    toPorts: [{ports: [{port: "8080", protocol: TCP}, {port: http}]}]
  egressDeny:
  - toEntities: [world]
)"));
  const model::NetworkPolicySet& set = r->network_policies;
  REQUIRE(set.policies.size() == 1);
  const model::NetworkPolicyObject& p = set.policies[0];
  CHECK(set.diagnostics.empty());
  CHECK(p.valid);
  CHECK(p.cilium);
  CHECK_FALSE(p.clusterwide);
  CHECK(p.meta.ns == "a");
  CHECK(p.pod_selector.match_labels.at("app") == "api");  // the k8s: source is the plain key
  CHECK(p.isolates_ingress);
  CHECK(p.isolates_egress);  // a deny section also puts the pod in default deny
  REQUIRE(p.ingress.size() == 1);
  const model::NetRule& in = p.ingress[0];
  CHECK(in.action == model::NetAction::Allow);
  REQUIRE(in.peers.size() == 2);
  // No namespace in the selector: the policy's own; a selector naming one keeps it (getEndpointSelector).
  CHECK(in.peers[0].pods->match_labels.at("io.kubernetes.pod.namespace") == "a");
  CHECK(in.peers[1].pods->match_labels.at("io.kubernetes.pod.namespace") == "b");
  REQUIRE(in.ports.size() == 2);
  CHECK(in.ports[0].port == 8080);
  CHECK(in.ports[1].name == "http");
  CHECK(in.ports[1].protocol == "ANY");  // protocol omitted: any
  REQUIRE(p.egress.size() == 1);
  CHECK(p.egress[0].action == model::NetAction::Deny);
  CHECK(p.egress[0].peers[0].entity == "world");
}

TEST_CASE("cilium policy: clusterwide selectors span namespaces, enableDefaultDeny and specs",
          "[model][netpol][cilium]") {
  auto r = test::model_from(R"(apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: cw}
specs:
- endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingress: [{fromEndpoints: [{matchLabels: {role: client}}]}]
- endpointSelector: {matchLabels: {app: db}}
  egress: []
)");
  const model::NetworkPolicySet& set = r->network_policies;
  CHECK(set.diagnostics.empty());
  REQUIRE(set.policies.size() == 2);
  CHECK(set.policies[0].clusterwide);
  CHECK(set.policies[0].meta.ns.empty());
  CHECK_FALSE(set.policies[0].isolates_ingress);  // enableDefaultDeny.ingress false
  CHECK(set.policies[0].ingress[0].peers[0].pods->match_labels.count("io.kubernetes.pod.namespace") == 0);
  CHECK_FALSE(set.policies[1].isolates_egress);  // an empty section isolates nothing (len(rule.Egress) > 0)
}

TEST_CASE("cilium policy: what the CRD and Cilium reject is an error with its field", "[model][netpol][cilium]") {
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{fromEntities: [everyone]}]\n")),
            "spec.ingress[0].fromEntities[0]: entity \"everyone\""));
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: \"99999\"}]}]}]\n")),
            "greater than 65535"));
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: 80}]}]}]\n")),
            "spec.ingress[0].toPorts[0].ports[0].port"));  // the CRD's port is a string
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: \"80\", protocol: "
                              "tcp}]}]}]\n")),
            "protocol \"tcp\""));
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{fromCIDR: [10.0.0.0/33]}]\n")),
            "not a valid IP address or CIDR"));
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}], fromCIDR: [10.0.0.0/8]}]\n")),
            "combines several kinds of peers"));
  CHECK(has(cilium_errors(cnp("  endpointSelector: {}\n  ingress: [{fromPods: [{}]}]\n")), "unknown field \"fromPods\""));
  CHECK(has(cilium_errors(cnp("  ingress: [{}]\n")), "exactly one of endpointSelector and nodeSelector"));
  CHECK(has(cilium_errors("apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: c}\nspec: "
                          "{endpointSelector: {}}\n"),
            "no matches for kind"));
  // A rejected object is in the set, not valid: the layer leaves it out.
  auto r = test::model_from(cnp("  endpointSelector: {}\n  ingress: [{fromEntities: [everyone]}]\n"));
  REQUIRE(r->network_policies.policies.size() == 1);
  CHECK_FALSE(r->network_policies.policies[0].valid);
  REQUIRE(!r->network_policies.diagnostics.empty());
  CHECK(r->network_policies.diagnostics[0].loc.line == 6);
}

TEST_CASE("cilium policy: L7 rules, toFQDNs and host policies are listed as not analyzed, the L3/L4 part kept",
          "[model][netpol][cilium][not-analyzed]") {
  auto r = test::model_from(cnp(R"(  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: client}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: /public}]}}]
  egress:
  - toFQDNs: [{matchName: api.example.com}]
    toPorts: [{ports: [{port: "443"}]}]
)") + R"(---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: host}
spec: {nodeSelector: {}, ingress: [{fromEntities: [cluster]}]}
)");
  const model::NetworkPolicySet& set = r->network_policies;
  CHECK(set.diagnostics.empty());
  REQUIRE(set.policies.size() == 1);  // the host policy is not a layer object
  const model::NetworkPolicyObject& p = set.policies[0];
  CHECK(p.ingress[0].unmodelled_restriction == "L7 rules (http)");
  CHECK(p.ingress[0].ports[0].port == 80);
  CHECK(p.egress[0].peers[0].unmodelled == "toFQDNs");
  REQUIRE(set.not_analyzed.size() == 3);
  CHECK(set.not_analyzed[0].part.rfind("spec.ingress[0].toPorts[0].rules: L7 rules (http) not modelled", 0) == 0);
  CHECK(set.not_analyzed[0].loc.line == 8);  // the `rules` key
  CHECK(set.not_analyzed[0].system == "Cilium");
  CHECK(set.not_analyzed[1].part.rfind("spec.egress[0].toFQDNs:", 0) == 0);
  CHECK(set.not_analyzed[2].part == "spec.nodeSelector: host policies are not modelled");
  CHECK(model::describe(set.not_analyzed[0]).rfind("cilium.io/v2 CiliumNetworkPolicy a/c (Cilium): spec.ingress", 0) ==
        0);
}
