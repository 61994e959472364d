// The L3/L4 layer under the mesh (mesh/network_layer.h; docs/semantics.md#networkpolicy-layer): one test per
// rule N1–N8 and A1–A3, on minimal manifests, plus a brute-force reference compared on random policies.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <tuple>

#include "mesh/network_layer.h"
#include "network_world.h"

using namespace meshproof;

namespace {

std::unique_ptr<app::Input> world(const std::string& policies) { return test::network_world(policies); }

const model::Workload& pod(const app::Input& in, const std::string& ns, const std::string& name) {
  return test::network_pod(in, ns, name);
}

bool admitted(const app::Input& in, const std::string& from, const std::string& to, uint32_t port,
              const std::string& protocol = "TCP") {
  const mesh::NetworkLayer layer(in.network_policies.get(), in.resources);
  auto split = [&](const std::string& s) {
    return std::make_pair(s.substr(0, s.find('/')), s.substr(s.find('/') + 1));
  };
  auto [tns, tname] = split(to);
  const mesh::NetEndpoint dst = layer.pod(pod(in, tns, tname));
  const bool address = !from.empty() && from[0] >= '0' && from[0] <= '9';  // "10.0.0.1/32", else "ns/pod"
  const mesh::NetEndpoint src =
      address ? layer.outside(model::parse_net_cidr(from)) : layer.pod(pod(in, split(from).first, split(from).second));
  return layer.admit(src, dst, protocol, port).allowed;
}

}  // namespace

TEST_CASE("netlayer N1: isolation is per direction and per pod", "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: a}
spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}
)");
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));
  CHECK(admitted(*in, "a/api", "b/db", 5432));      // egress of api is not isolated
  CHECK(admitted(*in, "a/api", "a/client", 1234));  // client is not selected
}

TEST_CASE("netlayer N2: policyTypes default to Ingress, plus Egress only with egress rules", "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-to-db, namespace: a}
spec:
  podSelector: {matchLabels: {role: client}}
  egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}]}]
)");
  const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
  const auto& p = *layer.policies().at(0);
  CHECK(p.isolates_ingress);
  CHECK(p.isolates_egress);
  CHECK(admitted(*in, "a/client", "b/db", 5432));
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));  // egress isolated, not admitted
  CHECK_FALSE(admitted(*in, "a/api", "a/client", 80));    // ingress isolated with no ingress rule

  auto empty_egress = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: a}
spec: {podSelector: {}, egress: []}
)");
  const mesh::NetworkLayer empty_layer(empty_egress->network_policies.get(), empty_egress->resources);
  CHECK_FALSE(empty_layer.policies().at(0)->isolates_egress);  // `egress: []` adds nothing
}

TEST_CASE("netlayer N3: a pod-to-pod connection needs the source's egress and the destination's ingress",
          "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-a, namespace: b}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: a}
spec:
  podSelector: {matchLabels: {role: client}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 8080}]}]
)");
  CHECK(admitted(*in, "a/api", "b/db", 5432));
  CHECK_FALSE(admitted(*in, "a/client", "b/db", 5432));  // ingress allows, egress does not (port)
  CHECK(admitted(*in, "a/client", "a/api", 8080));
  const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
  auto v = layer.admit(layer.pod(pod(*in, "a", "client")), layer.pod(pod(*in, "b", "db")), "TCP", 5432);
  CHECK(v.direction == "egress");
  CHECK(v.policy->meta.name == "client-egress");
}

TEST_CASE("netlayer N4: selectors in one peer are ANDed, list items ORed", "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: b}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: x}}
      podSelector: {matchLabels: {role: client}}
    - podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
)");
  CHECK(admitted(*in, "a/client", "b/db", 5432));
  CHECK_FALSE(admitted(*in, "a/api", "b/db", 5432));  // namespace matches, pod does not
  CHECK_FALSE(admitted(*in, "10.0.0.1/32", "b/db", 5432));
}

TEST_CASE("netlayer N5: ipBlock is cidr minus except and matches outside addresses", "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: a}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}}]}]
)");
  CHECK(admitted(*in, "172.17.0.9/32", "a/api", 8080));
  CHECK_FALSE(admitted(*in, "172.17.1.9/32", "a/api", 8080));
  CHECK_FALSE(admitted(*in, "10.1.1.1/32", "a/api", 8080));
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));  // pod addresses are not in a narrow block
}

TEST_CASE("netlayer N6 N7: ports default to TCP, endPort ranges, named ports on the destination pod",
          "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: a}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: http}, {port: 9000, endPort: 9095}, {port: metrics}]}]
)");
  CHECK(admitted(*in, "a/client", "a/api", 8080));  // named port http = 8080
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080, "UDP"));
  CHECK(admitted(*in, "a/client", "a/api", 9090));  // in the range
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 9096));
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 15008));  // `metrics` names no port of the pod
}

TEST_CASE("netlayer N8: a pod's connection to itself is always allowed", "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
)");
  CHECK(admitted(*in, "a/api", "a/api", 8080));
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));
}

TEST_CASE("netlayer A1 A2 A3: admin Allow and Deny are final, Pass defers, baseline decides last", "[mesh][netlayer]") {
  const std::string np = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-nobody, namespace: a}
spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]
---
)";
  auto in = world(np + R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: admin}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: x}}}
  ingress:
  - {name: pass-client, action: Pass, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}}]}
  - {name: allow-b, action: Allow, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}]}
)");
  CHECK(admitted(*in, "b/db", "a/api", 8080));            // A1: admin Allow beats the isolating NetworkPolicy
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));  // A2: Pass, then the NetworkPolicy denies
  CHECK_FALSE(admitted(*in, "a/api", "a/client", 80));    // A3: no NetworkPolicy selects client: BANP denies
  CHECK(admitted(*in, "10.0.0.1/32", "b/db", 5432));      // the baseline rule's peers are pods, not outside addresses
  const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
  auto v = layer.admit(layer.pod(pod(*in, "a", "api")), layer.pod(pod(*in, "a", "client")), "TCP", 80);
  CHECK(v.tier == model::NetTier::Baseline);
}

// A brute-force reference: the allowed set of each direction materialized as (peer pod, port) tuples from the
// policies' rules, compared with NetworkLayer::admit on random NetworkPolicies over the world's pods.
TEST_CASE("netlayer differential: admit agrees with a materialized reference on random policies",
          "[mesh][netlayer][differential]") {
  std::mt19937 rng(7);
  const char* pods[] = {"a/client", "a/api", "b/db"};
  const uint32_t ports[] = {80, 5432, 8080, 9090, 15008};
  const char* selectors[] = {"{}", "{matchLabels: {app: api}}", "{matchLabels: {role: client}}",
                             "{matchExpressions: [{key: app, operator: NotIn, values: [db]}]}"};
  const char* peers[] = {"[{podSelector: {}}]", "[{namespaceSelector: {}}]",
                         "[{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: api}}}]",
                         "[]"};
  const char* portsets[] = {"[]", "[{port: 8080}]", "[{port: http}, {port: 15008}]", "[{port: 5000, endPort: 9000}]"};
  for (int round = 0; round < 60; ++round) {
    std::string yaml;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      const bool egress = rng() % 2;
      yaml += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p" + std::to_string(i) +
              ", namespace: " + (rng() % 2 ? "a" : "b") + "}\nspec:\n  podSelector: " + selectors[rng() % 4] +
              "\n  policyTypes: [" + (egress ? "Egress" : "Ingress") + "]\n  " + (egress ? "egress" : "ingress") +
              ": [{" + (egress ? "to" : "from") + ": " + peers[rng() % 4] + ", ports: " + portsets[rng() % 4] +
              "}]\n---\n";
    }
    auto in = world(yaml);
    const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
    // Reference: per direction, isolated? and the set of (subject, peer, port) each rule admits.
    std::set<std::tuple<const model::Workload*, const model::Workload*, uint32_t, bool>> admits;
    std::set<std::pair<const model::Workload*, bool>> isolated;
    for (const model::NetworkPolicyObject* p : layer.policies())
      for (const char* s : pods) {
        const auto& subj = pod(*in, std::string(s).substr(0, 1), std::string(s).substr(2));
        if (subj.meta.ns != p->meta.ns || !p->pod_selector.matches(subj.pod_labels)) continue;
        for (const bool ing : {true, false}) {
          if (!(ing ? p->isolates_ingress : p->isolates_egress)) continue;
          isolated.insert({&subj, ing});
          for (const auto& rule : ing ? p->ingress : p->egress)
            for (const char* o : pods) {
              const auto& other = pod(*in, std::string(o).substr(0, 1), std::string(o).substr(2));
              bool peer_ok = rule.all_peers;
              for (const auto& peer : rule.peers) {
                const bool ns_ok = peer.own_namespace ? other.meta.ns == p->meta.ns
                                                      : peer.namespaces->matches(layer.pod(other).ns_labels);
                peer_ok |= ns_ok && (!peer.pods || peer.pods->matches(other.pod_labels));
              }
              if (!peer_ok) continue;
              const auto& dst = ing ? subj : other;
              for (uint32_t port : ports) {
                bool port_ok = rule.all_ports;
                for (const auto& np : rule.ports) {
                  if (!np.name.empty())
                    for (const auto& cp : dst.ports) port_ok |= cp.name == np.name && cp.port == port;
                  else
                    port_ok |= np.end_port ? port >= np.port && port <= np.end_port : port == np.port;
                }
                if (port_ok) admits.insert({&subj, &other, port, ing});
              }
            }
        }
      }
    for (const char* s : pods)
      for (const char* d : pods) {
        if (std::string(s) == d) continue;
        const auto& src = pod(*in, std::string(s).substr(0, 1), std::string(s).substr(2));
        const auto& dst = pod(*in, std::string(d).substr(0, 1), std::string(d).substr(2));
        for (uint32_t port : ports) {
          const bool eg = !isolated.count({&src, false}) || admits.count({&src, &dst, port, false});
          const bool in_ok = !isolated.count({&dst, true}) || admits.count({&dst, &src, port, true});
          INFO(yaml << s << " -> " << d << ":" << port);
          CHECK(layer.admit(layer.pod(src), layer.pod(dst), "TCP", port).allowed == (eg && in_ok));
        }
      }
  }
}

TEST_CASE("netlayer ClusterNetworkPolicy: Admin Accept is final, Baseline tiers by priority, Pass ends the tier",
          "[mesh][netlayer]") {
  const std::string np = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-api, namespace: a}
spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: admin-accept}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {team: x}}}
  ingress: [{action: Accept, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-later}
spec:
  tier: Baseline
  priority: 50
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-first}
spec:
  tier: Baseline
  priority: 5
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}
  ingress: [{action: Pass, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}}]}]
)";
  auto in = world(np);
  CHECK(admitted(*in, "b/db", "a/api", 8080));            // the admin Accept beats the isolating NetworkPolicy
  CHECK_FALSE(admitted(*in, "a/client", "a/api", 8080));  // no admin match: the NetworkPolicy decides
  CHECK(admitted(*in, "a/client", "b/db", 5432));         // baseline priority 5 passes: the default allows
  CHECK_FALSE(admitted(*in, "a/api", "b/db", 5432));      // not passed: the baseline Deny of priority 50
  CHECK_FALSE(admitted(*in, "a/api", "a/client", 80));    // no NetworkPolicy selects client: the baseline denies
}

TEST_CASE("netlayer ClusterNetworkPolicy: a domainNames Accept may admit an outside address, never a pod",
          "[mesh][netlayer]") {
  auto in = world(R"(apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: egress-allowlist}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
    - {name: names, action: Accept, to: [{domainNames: ["*.example.com"]}]}
    - {name: rest, action: Deny, to: [{networks: [0.0.0.0/0]}]}
)");
  const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
  const mesh::NetEndpoint client = layer.pod(pod(*in, "a", "client"));
  const auto outside = layer.egress(client, layer.outside(model::parse_net_cidr("93.184.216.34/32")), "TCP", 443);
  CHECK(outside.allowed);  // maybe a name of the allowlist: admitted, and said to be no proof
  CHECK(outside.unmodelled.find("may allow it") != std::string::npos);
  // A pod is never a domainNames peer; 0.0.0.0/0 covers every address, pods' too (the API's networks text).
  CHECK_FALSE(layer.admit(client, layer.pod(pod(*in, "b", "db")), "TCP", 5432).allowed);
}
