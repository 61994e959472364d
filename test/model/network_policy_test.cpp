// NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy as the API server reads them
// (model/network_policy.h; docs/semantics.md#networkpolicy-layer): defaults, and what it rejects, with the
// field and the file:line:col of each error.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/network_policy.h"
#include "model_test_util.h"

using namespace meshproof;

namespace {

std::string np(const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n" + spec;
}

// "field: message" of every error the API server would report for the layer's objects of `yaml`.
std::vector<std::string> netpol_errors(const std::string& yaml) {
  const auto run = test::model_from(yaml);
  std::vector<std::string> out;
  for (const auto& d : run->network_policies.diagnostics)
    if (d.severity == Severity::Error) out.push_back(d.field + ": " + d.message);
  return out;
}

bool has_error(const std::vector<std::string>& errors, const std::string& part) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("network policy: defaults as the API server applies them", "[model][netpol]") {
  auto r = test::model_from(np("  podSelector: {}\n  ingress: [{ports: [{port: 80}, {protocol: UDP}]}]\n"));
  const model::NetworkPolicySet& set = r->network_policies;
  REQUIRE(set.policies.size() == 1);
  const model::NetworkPolicyObject& p = set.policies[0];
  CHECK(set.diagnostics.empty());
  CHECK(p.valid);
  CHECK(p.isolates_ingress);
  CHECK_FALSE(p.isolates_egress);
  REQUIRE(p.ingress.size() == 1);
  CHECK(p.ingress[0].all_peers);
  CHECK(p.ingress[0].ports[0].protocol == "TCP");
  CHECK(p.ingress[0].ports[1].any_port);
  CHECK(p.ingress[0].ports[1].protocol == "UDP");
}

TEST_CASE("network policy: what the API server rejects is an error with its field", "[model][netpol]") {
  CHECK(has_error(netpol_errors(np("  ingress: []\n")), "spec.podSelector is required"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  policyTypes: [ingress]\n")),
                  "policy type \"ingress\" is not Ingress or Egress"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{ports: [{port: 80, protocol: tcp}]}]\n")),
                  "spec.ingress[0].ports[0].protocol: protocol \"tcp\" is not one of TCP, UDP, SCTP"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{ports: [{port: http, endPort: 90}]}]\n")),
                  "endPort needs a numeric port"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{ports: [{port: 90, endPort: 80}]}]\n")),
                  "endPort 80 is less than port 90"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{ports: [{port: Web_Port}]}]\n")),
                  "neither a number in 1-65535 nor a valid port name"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: "
                                   "[11.0.0.0/16]}}]}]\n")),
                  "except 11.0.0.0/16 is not strictly within cidr 10.0.0.0/8"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, "
                                   "podSelector: {}}]}]\n")),
                  "may not specify both ipBlock and a pod or namespace selector"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingress: [{from: [{}]}]\n")),
                  "a peer must specify at least one of podSelector, namespaceSelector, ipBlock"));
  CHECK(has_error(netpol_errors(np("  podSelector: {matchExpressions: [{key: a, operator: In}]}\n")),
                  "operator In needs at least one value"));
  CHECK(has_error(netpol_errors(np("  podSelector: {}\n  ingres: []\n")), "ingres"));  // strict fields
}

TEST_CASE("network policy: a rejected policy is not valid and its error has a location", "[model][netpol]") {
  auto r = test::model_from(np("  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.300/8}}]}]\n"));
  const model::NetworkPolicySet& set = r->network_policies;
  REQUIRE(set.policies.size() == 1);
  CHECK_FALSE(set.policies[0].valid);
  REQUIRE(set.diagnostics.size() == 1);
  CHECK(set.diagnostics[0].loc.line == 6);
  CHECK(set.diagnostics[0].resource.display() == "NetworkPolicy a/p");
}

TEST_CASE("admin network policy: subject, priority, actions and the baseline singleton", "[model][netpol]") {
  const std::string anp = R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-sensitive}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: sensitive-ns}}}
  ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]
  egress: [{name: out, action: Pass, to: [{networks: [10.0.0.0/8, 192.168.0.0/16]}], ports: [{portRange: {start: 80, end: 90}}]}]
)";
  auto r = test::model_from(anp);
  const model::NetworkPolicySet& set = r->network_policies;
  REQUIRE(set.policies.size() == 1);
  const auto& p = set.policies[0];
  CHECK(set.diagnostics.empty());
  CHECK(p.tier == model::NetTier::Admin);
  CHECK(p.priority == 10);
  CHECK(p.meta.ns.empty());
  REQUIRE(p.egress.size() == 1);
  CHECK(p.egress[0].peers.size() == 2);
  CHECK(p.egress[0].action == model::NetAction::Pass);
  CHECK(p.egress[0].ports[0].end_port == 90);

  CHECK(has_error(netpol_errors(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: x}
spec:
  priority: 1001
  subject: {namespaces: {}}
)"),
                  "spec.priority"));
  CHECK(has_error(netpol_errors(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: mine}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Pass, from: [{namespaces: {}}]}]
)"),
                  "must be named \"default\""));
  CHECK(has_error(netpol_errors(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Pass, from: [{namespaces: {}}]}]
)"),
                  "action \"Pass\" is not one of Allow, Deny"));
}

TEST_CASE("cluster network policy: tier, priority, Accept/Deny/Pass, peers and protocols (v1alpha2)", "[model][netpol]") {
  const std::string cnp = R"(apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-dns}
spec:
  tier: Baseline
  priority: 20
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}}
  ingress:
    - {name: from-a, action: Accept, from: [{namespaces: {matchLabels: {team: x}}}], protocols: [{tcp: {destinationPort: {number: 8080}}}, {destinationNamedPort: http}]}
  egress:
    - {name: out, action: Pass, to: [{networks: [10.0.0.0/8, 192.168.0.0/16]}], protocols: [{udp: {destinationPort: {range: {start: 50, end: 60}}}}]}
    - {name: names, action: Accept, to: [{domainNames: ["*.example.com"]}]}
)";
  auto r = test::model_from(cnp);
  const model::NetworkPolicySet& set = r->network_policies;
  REQUIRE(set.policies.size() == 1);
  const auto& p = set.policies[0];
  INFO((set.diagnostics.empty() ? "" : set.diagnostics[0].message));
  CHECK(set.diagnostics.empty());
  CHECK(p.valid);
  CHECK(p.tier == model::NetTier::Baseline);
  CHECK(p.priority == 20);
  CHECK(p.priority_loc.line == 6);
  REQUIRE(p.ingress.size() == 1);
  CHECK(p.ingress[0].action == model::NetAction::Allow);  // Accept
  REQUIRE(p.ingress[0].ports.size() == 2);
  CHECK(p.ingress[0].ports[0].protocol == "TCP");
  CHECK(p.ingress[0].ports[0].port == 8080);
  CHECK(p.ingress[0].ports[1].name == "http");
  REQUIRE(p.egress.size() == 2);
  CHECK(p.egress[0].action == model::NetAction::Pass);
  CHECK(p.egress[0].peers.size() == 2);  // one per CIDR
  CHECK(p.egress[0].ports[0].protocol == "UDP");
  CHECK(p.egress[0].ports[0].end_port == 60);
  REQUIRE(p.egress[1].peers.size() == 1);
  CHECK(p.egress[1].peers[0].unmodelled == "domainNames");
  REQUIRE(set.not_analyzed.size() == 1);  // the domainNames peer, named with its path
  CHECK(set.not_analyzed[0].part.rfind("spec.egress[1].to[0].domainNames: ", 0) == 0);
  CHECK(set.not_analyzed[0].loc.line == 12);
}

TEST_CASE("cluster network policy: what its CRD rejects is an error with its field", "[model][netpol]") {
  const std::string head = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: x}\n";
  CHECK(has_error(netpol_errors(head + "spec: {priority: 1, subject: {namespaces: {}}}\n"), "spec.tier is required"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Developer, priority: 1, subject: {namespaces: {}}}\n"),
                  "tier \"Developer\" is not one of Admin, Baseline"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Admin, subject: {namespaces: {}}}\n"), "spec.priority is required"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: "
                                       "[{action: Allow, from: [{namespaces: {}}]}]}\n"),
                  "action \"Allow\" is not one of Accept, Deny, Pass"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: "
                                       "Deny, to: [{networks: [10.0.0.0/8]}], protocols: [{destinationNamedPort: "
                                       "http}]}]}\n"),
                  "networks/nodes/domainNames peer cannot be set with namedPorts"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: "
                                       "[{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: "
                                       "{range: {start: 90, end: 80}}}}]}]}\n"),
                  "Start port must be less than End port"));
  CHECK(has_error(netpol_errors(head + "spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: "
                                       "[{action: Deny, from: [{networks: [10.0.0.0/8]}]}]}\n"),
                  "networks"));  // ingress peers are namespaces or pods only
  CHECK(has_error(netpol_errors("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: ClusterNetworkPolicy\n"
                                "metadata: {name: x}\nspec: {tier: Admin, priority: 1, subject: {namespaces: {}}}\n"),
                  "no matches for kind"));
}
