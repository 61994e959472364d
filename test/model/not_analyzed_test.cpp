// model/not_analyzed.h (issue #15 item 3, docs/output.md#not-analyzed): which documents are known policy kinds
// meshproof does not model, found one by one (List items too, CloudFormation resources), with their location.
#include <catch2/catch.hpp>

#include "load/loader.h"
#include "model/not_analyzed.h"

namespace meshproof::test {
namespace {

std::vector<model::NotAnalyzed> not_analyzed(const std::string& yaml) {
  SourceSet sources;
  const uint32_t id = sources.add(SourceFile{"t.yaml", "t.yaml", std::make_shared<const std::string>(yaml)});
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  std::vector<model::NotAnalyzed> out;
  loader.parse_text(
      id, yaml, [&](load::Document&& d) { model::find_not_analyzed(d, out); }, errors, notes);
  REQUIRE(errors.empty());
  return out;
}

TEST_CASE("not analyzed: the known kinds of other meshes and layers, and only those", "[model][not-analyzed]") {
  // Linkerd's authorization kinds are modelled (model/linkerd_policy.h); its routes and ServiceProfile are not.
  CHECK(model::unmodelled_policy_system("policy.linkerd.io", "Server") == nullptr);
  CHECK(model::unmodelled_policy_system("policy.linkerd.io", "MeshTLSAuthentication") == nullptr);
  CHECK(model::unmodelled_policy_system("policy.linkerd.io", "HTTPRoute") == nullptr);  // modelled (LK30)
  CHECK(std::string(model::unmodelled_policy_system("linkerd.io", "ServiceProfile")) == "Linkerd");
  CHECK(std::string(model::unmodelled_policy_system("consul.hashicorp.com", "ServiceIntentions")) == "Consul");
  CHECK(std::string(model::unmodelled_policy_system("appmesh.k8s.aws", "VirtualNode")) == "AWS App Mesh");
  // The L3/L4 layer is modelled (model/network_policy.h), Cilium's policies included; the parts of them it does
  // not model are listed by their reader (test/model/cilium_network_policy_test.cpp).
  CHECK(model::unmodelled_policy_system("cilium.io", "CiliumClusterwideNetworkPolicy") == nullptr);
  CHECK(model::unmodelled_policy_system("cilium.io", "CiliumNetworkPolicy") == nullptr);
  CHECK(model::unmodelled_policy_system("networking.k8s.io", "NetworkPolicy") == nullptr);
  CHECK(model::unmodelled_policy_system("policy.networking.k8s.io", "AdminNetworkPolicy") == nullptr);
  CHECK(model::unmodelled_policy_system("policy.networking.k8s.io", "ClusterNetworkPolicy") == nullptr);  // modelled
  CHECK(std::string(model::unmodelled_policy_system("networking.istio.io", "EnvoyFilter")) == "Istio");
  CHECK(model::unmodelled_policy_system("security.istio.io", "AuthorizationPolicy") == nullptr);  // modelled
  CHECK(model::unmodelled_policy_system("networking.k8s.io", "Ingress") == nullptr);
  CHECK(model::unmodelled_policy_system("cilium.io", "CiliumEndpoint") == nullptr);  // not a policy
  CHECK(model::unmodelled_policy_system("consul.hashicorp.com", "IngressGateway") == nullptr);
  // A ListenerSet's listeners join a Gateway's, but they are not read: never skipped in silence.
  CHECK(std::string(model::unmodelled_policy_system("gateway.networking.k8s.io", "ListenerSet")) == "Gateway API");
  CHECK(std::string(model::unmodelled_policy_system("gateway.networking.x-k8s.io", "XListenerSet")) == "Gateway API");
  CHECK(model::unmodelled_policy_system("gateway.networking.k8s.io", "HTTPRoute") == nullptr);  // modelled
}

TEST_CASE("not analyzed: List items and CloudFormation resources, each at its own line", "[model][not-analyzed]") {
  auto found = not_analyzed(R"(apiVersion: v1
kind: List
items:
- apiVersion: consul.hashicorp.com/v1alpha1
  kind: ServiceIntentions
  metadata: {name: web, namespace: shop}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
---
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Node:
    Type: AWS::AppMesh::VirtualNode
  Svc:
    Type: AWS::ECS::Service
    Properties: {ServiceConnectConfiguration: {Enabled: true}}
  Plain:
    Type: AWS::ECS::Service
    Properties: {}
)");
  REQUIRE(found.size() == 3);
  CHECK(model::describe(found[0]) == "consul.hashicorp.com/v1alpha1 ServiceIntentions shop/web (Consul)");
  CHECK(found[0].loc.line == 4);
  CHECK(model::describe(found[1]) == "CloudFormation AWS::AppMesh::VirtualNode Node (AWS App Mesh)");
  CHECK(found[1].loc.line == 13);
  CHECK(found[2].system == "ECS Service Connect");
  CHECK(found[2].name == "Svc");
}

}  // namespace
}  // namespace meshproof::test
