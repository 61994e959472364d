// Which AuthorizationPolicies and RequestAuthentications apply to which workload (istio-semantics.md §10).
#include <algorithm>

#include <catch2/catch.hpp>

#include "mesh_builders.h"

using namespace meshproof;

namespace {

template <class P>
std::vector<std::string> names(const std::vector<const P*>& ps) {
  std::vector<std::string> out;
  for (const P* p : ps) out.push_back(mesh::effective_namespace(*p) + "/" + p->meta.name);
  return out;
}

}  // namespace

TEST_CASE("root-namespace AuthorizationPolicy applies mesh-wide, listed before the own namespace's",
          "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.deployment("bar", "app", {{"app", "a"}});
  b.deployment("istio-system", "gw", {{"istio", "ingressgateway"}});
  b.authz("foo", "aaa-local", {});
  b.authz("istio-system", "zzz-global", {});
  mesh::Mesh m = b.resolve();
  CHECK(names(test::get_workload(m, "foo", "app").authorization_policies) ==
        std::vector<std::string>{"istio-system/zzz-global", "foo/aaa-local"});
  CHECK(names(test::get_workload(m, "bar", "app").authorization_policies) ==
        std::vector<std::string>{"istio-system/zzz-global"});
  // Including the root namespace itself, without listing its policies twice.
  CHECK(names(test::get_workload(m, "istio-system", "gw").authorization_policies) ==
        std::vector<std::string>{"istio-system/zzz-global"});
}

TEST_CASE("policies of one namespace are in creationTimestamp, name order", "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.authz("foo", "c", {}, "2024-01-03T00:00:00Z");
  b.authz("foo", "b", {{"app", "a"}}, "2024-01-01T00:00:00Z");
  b.authz("foo", "a", {}, "2024-01-03T00:00:00Z");
  b.authz("foo", "undated", {{"app", "a"}});
  CHECK(names(test::get_workload(b.resolve(), "foo", "app").authorization_policies) ==
        std::vector<std::string>{"foo/undated", "foo/b", "foo/a", "foo/c"});
}

TEST_CASE("selector semantics: subset of the pod labels - empty or absent selects all", "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "v1", {{"app", "a"}, {"version", "v1"}});
  b.authz("foo", "subset", {{"app", "a"}});
  b.authz("foo", "exact", {{"app", "a"}, {"version", "v1"}});
  b.authz("foo", "other-value", {{"app", "a"}, {"version", "v2"}});
  b.authz("foo", "extra-key", {{"app", "a"}, {"team", "x"}});
  b.authz("foo", "empty", {});
  b.authz("foo", "absent", {}).selector.present = false;
  b.authz("bar", "elsewhere", {});
  auto got = names(test::get_workload(b.resolve(), "foo", "v1").authorization_policies);
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"foo/absent", "foo/empty", "foo/exact", "foo/subset"});
}

TEST_CASE("targetRef policies are ignored for sidecar workloads, not treated as namespace-wide",
          "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.authz_target("foo", "svc-policy", "", "Service", "app");
  b.authz_target("istio-system", "class-policy", "gateway.networking.k8s.io", "GatewayClass", "istio-waypoint");
  b.authz("foo", "plain", {});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  CHECK(names(w.authorization_policies) == std::vector<std::string>{"foo/plain"});
  auto ignored = names(w.ignored_target_ref_authorization_policies);
  std::sort(ignored.begin(), ignored.end());
  CHECK(ignored == std::vector<std::string>{"foo/svc-policy", "istio-system/class-policy"});
}

TEST_CASE("Gateway API gateway pods: targetRef to their Gateway applies, selectors still apply",
          "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "gw-istio", {{"gateway.networking.k8s.io/gateway-name", "gw"}});
  b.deployment("bar", "gw-istio", {{"gateway.networking.k8s.io/gateway-name", "gw"}});
  b.authz_target("foo", "to-gw", "gateway.networking.k8s.io", "Gateway", "gw");
  b.authz_target("foo", "to-other-gw", "gateway.networking.k8s.io", "Gateway", "other");
  b.authz_target("foo", "wrong-group", "networking.istio.io", "Gateway", "gw");
  b.authz("foo", "by-label", {{"gateway.networking.k8s.io/gateway-name", "gw"}});
  mesh::Mesh m = b.resolve();
  const auto& gw = test::get_workload(m, "foo", "gw-istio");
  CHECK(gw.gateway_name == "gw");
  CHECK(gw.has_proxy());
  auto got = names(gw.authorization_policies);
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"foo/by-label", "foo/to-gw"});
  CHECK(gw.ignored_target_ref_authorization_policies.size() == 2);
  // A policy attaches only to the gateway of its own namespace.
  CHECK(test::get_workload(m, "bar", "gw-istio").authorization_policies.empty());
}

TEST_CASE("RequestAuthentication follows the same attachment rules", "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.request_authn("istio-system", "global", {});
  b.request_authn("foo", "mine", {{"app", "a"}});
  b.request_authn("foo", "not-mine", {{"app", "b"}});
  model::RequestAuthentication& targeted = b.request_authn("foo", "targeted", {});
  targeted.selector.present = false;
  targeted.target_refs.push_back(model::TargetRef{"", "Service", "app", "", Loc{}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  CHECK(names(w.request_authentications) == std::vector<std::string>{"istio-system/global", "foo/mine"});
  REQUIRE(w.ignored_target_ref_request_authentications.size() == 1);
  CHECK(w.ignored_target_ref_request_authentications[0]->meta.name == "targeted");
}

TEST_CASE("objects without metadata.namespace belong to default", "[mesh][applicability]") {
  test::MeshBuilder b;
  b.deployment("", "app", {{"app", "a"}});
  b.authz("", "p", {{"app", "a"}});
  b.peer_authn("default", "strict", {}, model::MtlsMode::Strict);
  mesh::Mesh m = b.resolve();
  const auto& w = test::get_workload(m, "default", "app");
  CHECK(w.authorization_policies.size() == 1);
  CHECK(w.default_mtls.mode == model::MtlsMode::Strict);
  CHECK(w.ref().ns == "default");
}
