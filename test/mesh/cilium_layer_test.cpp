// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy in the L3/L4 layer (mesh/network_layer.h;
// docs/semantics.md#networkpolicy-layer, "Cilium"): one test per rule on minimal manifests.
#include <catch2/catch.hpp>

#include "mesh/network_layer.h"
#include "network_world.h"

using namespace meshproof;

namespace {

std::unique_ptr<app::Input> cilium_world(const std::string& policies) { return test::network_world(policies); }

const model::Workload& cilium_pod(const app::Input& in, const std::string& ns_name) {
  return test::network_pod(in, ns_name.substr(0, ns_name.find('/')), ns_name.substr(ns_name.find('/') + 1));
}

// The layer's verdict from `from` (a pod "ns/name" or an outside CIDR "10.0.0.1/32", "" for an unknown
// outside address) to the pod `to`.
mesh::NetVerdict verdict(const app::Input& in, const std::string& from, const std::string& to, uint32_t port,
                         const std::string& protocol = "TCP") {
  const mesh::NetworkLayer layer(in.network_policies.get(), in.resources);
  const bool outside = from.empty() || (from[0] >= '0' && from[0] <= '9');
  const mesh::NetEndpoint src =
      outside ? layer.outside(from.empty() ? std::nullopt : model::parse_net_cidr(from)) : layer.pod(cilium_pod(in, from));
  mesh::NetVerdict v = layer.admit(src, layer.pod(cilium_pod(in, to)), protocol, port);
  v.policy = nullptr;
  v.rule = nullptr;
  return v;
}

bool allows(const app::Input& in, const std::string& from, const std::string& to, uint32_t port,
            const std::string& protocol = "TCP") {
  return verdict(in, from, to, port, protocol).allowed;
}

}  // namespace

TEST_CASE("cilium layer: fromEndpoints selects the policy's namespace unless it names one", "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: client}}]
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: b, app: db}}]
    toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
)");
  CHECK(allows(*in, "a/client", "a/api", 8080));
  CHECK(allows(*in, "b/db", "a/api", 9090));
  CHECK_FALSE(allows(*in, "b/db", "a/api", 8080));        // the second rule's port only
  CHECK_FALSE(allows(*in, "10.0.0.1/32", "a/api", 8080));  // selected, so default deny for ingress
  CHECK(allows(*in, "a/api", "b/db", 5432));              // no egress section: egress unrestricted
}

TEST_CASE("cilium layer: namespace labels, service accounts and clusterwide subjects", "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: db}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: x, io.cilium.k8s.policy.serviceaccount: fe}}]
)");
  CHECK(allows(*in, "a/client", "b/db", 5432));  // namespace a has team=x, client runs as fe
  CHECK_FALSE(allows(*in, "a/api", "b/db", 5432));  // service account default
}

TEST_CASE("cilium layer: a deny rule wins over every allow, Kubernetes NetworkPolicy included",
          "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-all, namespace: a}
spec: {podSelector: {matchLabels: {app: api}}, ingress: [{}]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-db}
spec:
  endpointSelector: {}
  ingressDeny: [{fromEndpoints: [{matchLabels: {app: db}}], toPorts: [{ports: [{port: "9090"}]}]}]
)");
  CHECK(allows(*in, "b/db", "a/api", 8080));  // the Kubernetes NetworkPolicy allows; the deny is on 9090 only
  const mesh::NetVerdict v = verdict(*in, "b/db", "a/api", 9090);
  CHECK_FALSE(v.allowed);
  CHECK(v.policy_name == "CiliumClusterwideNetworkPolicy no-db");
  CHECK(v.reason.find("ingress[0] denies it") != std::string::npos);
  // The deny section also isolates every pod it selects (deny.rst): client has no allow rule.
  CHECK_FALSE(allows(*in, "a/api", "a/client", 80));
}

TEST_CASE("cilium layer: Kubernetes and Cilium allows are one union, and enableDefaultDeny false only adds",
          "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-8080, namespace: a}
spec: {podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: 8080}]}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-9090, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: [{toPorts: [{ports: [{port: "9000", endPort: 9100, protocol: ANY}]}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db-extra, namespace: b}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingress: [{fromEntities: [world], toPorts: [{ports: [{port: "5432"}]}]}]
)");
  CHECK(allows(*in, "a/client", "a/api", 8080));  // the NetworkPolicy's rule
  CHECK(allows(*in, "a/client", "a/api", 9090, "UDP"));  // the Cilium rule: range, any protocol
  CHECK_FALSE(allows(*in, "a/client", "a/api", 9200));
  CHECK(allows(*in, "a/client", "b/db", 5432));  // db is not in default deny
}

TEST_CASE("cilium layer: entities and CIDRs, and CIDRs never select pods", "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]
    toPorts: [{ports: [{port: "8080"}]}]
  - fromEntities: [cluster]
    toPorts: [{ports: [{port: http}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{fromEntities: [world]}]
  egress: [{toCIDR: [192.0.2.0/24]}]
)");
  CHECK(allows(*in, "203.0.113.5/32", "a/api", 8080));
  CHECK_FALSE(allows(*in, "10.1.2.3/32", "a/api", 8080));  // except
  CHECK(allows(*in, "b/db", "a/api", 8080) == false);      // db's egress: only 192.0.2.0/24, and a pod is no CIDR
  CHECK(allows(*in, "a/client", "a/api", 8080));           // cluster, on the named port http
  CHECK_FALSE(allows(*in, "a/client", "b/db", 5432));      // world is outside the cluster only
  CHECK(allows(*in, "198.51.100.1/32", "b/db", 5432));
}

TEST_CASE("cilium layer: a rule without peers is every peer, an explicit empty list is none, ICMP-only admits no TCP",
          "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
  - fromEndpoints: []
  - icmps: [{fields: [{type: 8}]}]
)");
  CHECK(allows(*in, "b/db", "a/api", 8080));
  CHECK(allows(*in, "198.51.100.1/32", "a/api", 8080));
  CHECK_FALSE(allows(*in, "a/client", "a/api", 9090));
}

TEST_CASE("cilium layer: an L7 rule admits its port at L3/L4 and the verdict says it is not a proof",
          "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: client}}]
    toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /public}]}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-out, namespace: a}
spec:
  endpointSelector: {matchLabels: {role: client}}
  egress:
  - toFQDNs: [{matchName: api.example.com}]
  - toEndpoints: [{}]
  egressDeny:
  - toServices: [{k8sService: {serviceName: legacy, namespace: a}}]
)");
  const mesh::NetVerdict v = verdict(*in, "a/client", "a/api", 8080);
  CHECK(v.allowed);
  CHECK(v.unmodelled.find("further restricts it by L7 rules (http)") != std::string::npos);
  CHECK_FALSE(allows(*in, "a/client", "a/api", 9090));  // the L3/L4 part still decides exactly
  // A toFQDNs peer never matches a pod; for an unknown outside address it may: admitted, named, never denied.
  const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
  const mesh::NetVerdict out = layer.egress(layer.pod(cilium_pod(*in, "a/client")), layer.outside(std::nullopt), "TCP", 443);
  CHECK(out.allowed);
  CHECK(out.unmodelled.find("may deny it") != std::string::npos);  // the toServices deny
  CHECK(out.unmodelled.find("may allow it") != std::string::npos);  // the toFQDNs allow
}

TEST_CASE("cilium layer: a policy the CRD rejects does not exist for the layer", "[mesh][netlayer][cilium]") {
  auto in = cilium_world(R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEntities: [nobody]}]
)");
  CHECK(allows(*in, "a/client", "a/api", 8080));
}

TEST_CASE("netlayer A4: admin policies of equal priority that disagree admit when either order admits",
          "[mesh][netlayer]") {
  const std::string deny = R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-b}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: x}}}
  ingress: [{name: deny-b, action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}]}]
---
)";
  auto allow = [](int priority, const std::string& action) {
    return "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: other}\nspec:\n"
           "  priority: " +
           std::to_string(priority) + "\n  subject: {namespaces: {}}\n  ingress: [{name: r, action: " + action +
           ", from: [{namespaces: {}}]}]\n";
  };
  auto tie = cilium_world(deny + allow(10, "Allow"));
  const mesh::NetVerdict v = verdict(*tie, "b/db", "a/api", 8080);
  CHECK(v.allowed);  // either order: one of them admits
  CHECK(v.unmodelled.find("have the same priority 10") != std::string::npos);
  CHECK_FALSE(allows(*cilium_world(deny + allow(11, "Allow")), "b/db", "a/api", 8080));  // 10 first: Deny
  CHECK(allows(*cilium_world(deny + allow(9, "Allow")), "b/db", "a/api", 8080));
  // A tie with Pass: the lower tiers decide that order; no NetworkPolicy, so allowed, and the tie is named.
  const mesh::NetVerdict pass = verdict(*cilium_world(deny + allow(10, "Pass")), "b/db", "a/api", 8080);
  CHECK(pass.allowed);
  CHECK_FALSE(pass.unmodelled.empty());
  // Both deny: no tie that matters.
  const mesh::NetVerdict both = verdict(*cilium_world(deny + allow(10, "Deny")), "b/db", "a/api", 8080);
  CHECK_FALSE(both.allowed);
  CHECK(both.unmodelled.empty());
}
