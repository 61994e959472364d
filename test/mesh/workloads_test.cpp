// The workload universe: declared, synthetic and "other" workloads; sidecar injection; namespaces.
#include <catch2/catch.hpp>

#include "mesh_builders.h"

using namespace meshproof;
using mesh::WorkloadOrigin;

namespace {

size_t count_origin(const mesh::Mesh& m, WorkloadOrigin o) {
  size_t n = 0;
  for (const auto& w : m.workloads) n += w.origin == o;
  return n;
}

}  // namespace

TEST_CASE("a selector no declared workload satisfies gets a synthetic workload", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.deployment("foo", "web", {{"app", "web"}});
  b.authz("foo", "db-policy", {{"version", "v1"}, {"app", "db"}});
  b.authz("foo", "web-policy", {{"app", "web"}});
  mesh::Mesh m = b.resolve();
  CHECK(count_origin(m, WorkloadOrigin::Synthetic) == 1);
  const auto& s = test::get_workload(m, "foo", "selector:app=db,version=v1");  // keys sorted
  CHECK(s.origin == WorkloadOrigin::Synthetic);
  CHECK(s.labels == model::Labels{{"app", "db"}, {"version", "v1"}});
  CHECK(s.decl == nullptr);
  CHECK(s.service_account.empty());
  CHECK(s.created_by.name == "db-policy");
  ResourceRef r = s.ref();
  CHECK(r.kind == "Workload");
  CHECK(r.ns == "foo");
  CHECK(r.name == "selector:app=db,version=v1");
  CHECK(r.loc == b.rs.authorization_policies[0].selector.loc);
  // The synthetic workload gets its policy, not the one for app=web.
  REQUIRE(s.authorization_policies.size() == 1);
  CHECK(s.authorization_policies[0]->meta.name == "db-policy");
}

TEST_CASE("one synthetic workload per distinct selector across policy kinds", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.authz("foo", "p2", {{"app", "x"}});
  b.peer_authn("foo", "pa", {{"app", "x"}}, model::MtlsMode::Strict);
  b.request_authn("foo", "ra", {{"app", "x"}});
  b.authz("bar", "p3", {{"app", "x"}});  // same selector, other namespace: another representative
  mesh::Mesh m = b.resolve();
  CHECK(count_origin(m, WorkloadOrigin::Synthetic) == 2);
  const auto& s = test::get_workload(m, "foo", "selector:app=x");
  CHECK(s.created_by.name == "p2");  // the selector that comes first in the input
  CHECK(s.authorization_policies.size() == 1);
  CHECK(s.request_authentications.size() == 1);
  CHECK(s.default_mtls.mode == model::MtlsMode::Strict);
  CHECK(m.find("bar", "selector:app=x") != nullptr);
}

TEST_CASE("root-namespace selectors: synthetic in the root namespace only when nothing matches anywhere",
          "[mesh][workloads]") {
  test::MeshBuilder b;
  b.deployment("foo", "gw", {{"istio", "ingressgateway"}});
  b.authz("istio-system", "gw-policy", {{"istio", "ingressgateway"}});
  b.authz("istio-system", "ghost-policy", {{"app", "ghost"}});
  b.peer_authn("istio-system", "ignored-pa", {{"app", "phantom"}}, model::MtlsMode::Strict);
  mesh::Mesh m = b.resolve();
  CHECK(m.find("istio-system", "selector:istio=ingressgateway") == nullptr);
  const auto& ghost = test::get_workload(m, "istio-system", "selector:app=ghost");
  CHECK(ghost.authorization_policies.size() == 1);
  // A root-namespace PeerAuthentication selector is ignored by Istio: it stands for nothing.
  CHECK(m.find("istio-system", "selector:app=phantom") == nullptr);
  CHECK(count_origin(m, WorkloadOrigin::Synthetic) == 1);
}

TEST_CASE("other workloads: one per namespace - matched only by selector-less policies", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.namespace_("empty-ns");
  b.deployment("foo", "app", {{"app", "a"}});
  b.authz("foo", "ns-wide", {}, "", {"8080"});
  b.authz("foo", "app-only", {{"app", "a"}}, "", {"9090"});
  b.authz("istio-system", "mesh-wide", {});
  mesh::Mesh m = b.resolve();
  const auto& other = test::get_workload(m, "foo", "*");
  CHECK(other.origin == WorkloadOrigin::OtherWorkloads);
  CHECK(other.labels.empty());
  REQUIRE(other.authorization_policies.size() == 2);
  CHECK(other.authorization_policies[0]->meta.name == "mesh-wide");
  CHECK(other.authorization_policies[1]->meta.name == "ns-wide");
  // Ports named by the policies that apply to it, not by those that do not.
  REQUIRE(other.ports.size() == 1);
  CHECK(other.ports[0].port == 8080);
  CHECK(other.ports[0].protocol_source == "policy");
  CHECK(other.ref().name == "*");
  CHECK(other.ref().kind == "Workload");
  // Declared namespaces and the root namespace (it holds a policy) get one too.
  CHECK(m.find("empty-ns", "*") != nullptr);
  CHECK(m.find("istio-system", "*") != nullptr);
}

TEST_CASE("workloads are sorted by namespace, origin, name", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.deployment("b", "z", {{"app", "z"}});
  b.deployment("a", "y", {{"app", "y"}});
  b.authz("a", "p", {{"app", "q"}});
  b.deployment("a", "x", {{"app", "x"}});
  mesh::Mesh m = b.resolve();
  std::vector<std::string> order;
  for (const auto& w : m.workloads) order.push_back(w.display());
  CHECK(order == std::vector<std::string>{"a/x", "a/y", "a/selector:app=q", "a/*", "b/z", "b/*"});
  CHECK(m.in_namespace("a").size() == 4);
  CHECK(m.in_namespace("c").empty());
}

TEST_CASE("sidecar injection: workloads are injected unless they opt out", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.namespace_("off", {{"istio-injection", "disabled"}});
  b.namespace_("on", {{"istio-injection", "enabled"}});
  b.deployment("on", "plain", {{"app", "plain"}});
  b.deployment("undeclared-ns", "plain", {{"app", "plain"}});
  b.deployment("on", "annotated", {{"app", "annotated"}}).pod_annotations["sidecar.istio.io/inject"] = "false";
  b.deployment("on", "labelled", {{"app", "labelled"}, {"sidecar.istio.io/inject", "false"}});
  b.deployment("on", "no", {{"app", "no"}}).pod_annotations["sidecar.istio.io/inject"] = "no";
  b.deployment("on", "yes", {{"app", "yes"}}).pod_annotations["sidecar.istio.io/inject"] = "true";
  b.deployment("on", "capital-false", {{"app", "cf"}}).pod_annotations["sidecar.istio.io/inject"] = "False";
  // The label wins over the annotation.
  b.deployment("on", "label-wins", {{"sidecar.istio.io/inject", "true"}}).pod_annotations["sidecar.istio.io/inject"] =
      "false";
  b.deployment("off", "opt-in", {{"sidecar.istio.io/inject", "true"}});
  b.deployment("kube-system", "dns", {{"k8s-app", "kube-dns"}});
  b.deployment("istio-system", "ingress", {{"istio", "ingressgateway"}}).pod_annotations["sidecar.istio.io/inject"] =
      "false";
  b.deployment("gw-ns", "custom-gw", {{"app", "gw"}}).runs_proxy_as_gateway = true;
  b.rs.workloads.back().pod_annotations["sidecar.istio.io/inject"] = "false";
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "on", "plain").has_proxy());
  CHECK(test::get_workload(m, "undeclared-ns", "plain").has_proxy());
  CHECK_FALSE(test::get_workload(m, "on", "annotated").has_proxy());
  CHECK_FALSE(test::get_workload(m, "on", "labelled").has_proxy());
  // Only "true" and "false" count; Istio ignores other values and falls back to the default.
  CHECK(test::get_workload(m, "on", "no").has_proxy());
  CHECK(test::get_workload(m, "on", "no").injection_reason.find("neither") != std::string::npos);
  CHECK(test::get_workload(m, "on", "yes").has_proxy());
  CHECK(test::get_workload(m, "on", "capital-false").has_proxy());  // not exactly "false"
  CHECK(test::get_workload(m, "on", "label-wins").has_proxy());
  CHECK_FALSE(test::get_workload(m, "off", "opt-in").has_proxy());  // the webhook never sees the namespace
  CHECK_FALSE(test::get_workload(m, "off", "*").has_proxy());
  CHECK_FALSE(test::get_workload(m, "kube-system", "dns").has_proxy());
  CHECK(test::get_workload(m, "istio-system", "ingress").has_proxy());
  CHECK(test::get_workload(m, "gw-ns", "custom-gw").has_proxy());
  CHECK(test::get_workload(m, "on", "annotated").injection_reason.find("annotation") != std::string::npos);
  CHECK(test::get_workload(m, "off", "opt-in").injection_reason.find("istio-injection=disabled") != std::string::npos);
}

TEST_CASE("namespaces: declared, holding objects, and named as policy sources", "[mesh][workloads]") {
  test::MeshBuilder b;
  b.namespace_("declared", {{"team", "x"}});
  b.deployment("", "app", {{"app", "a"}});
  model::AuthorizationPolicy& p = b.authz("foo", "p", {});
  model::Source src;
  src.present = true;
  src.namespaces.items = {{"caller", Loc{}}, {"pre*", Loc{}}};
  src.principals.items = {{"cluster.local/ns/peer/sa/client", Loc{}}, {"spiffe-ish", Loc{}}};
  src.service_accounts.items = {{"sa-ns/sa", Loc{}}, {"local-sa", Loc{}}};
  p.rules[0].from.push_back(src);
  model::Condition when;
  when.key.value = "source.namespace";
  when.values.items = {{"cond-ns", Loc{}}};
  p.rules[0].when.push_back(when);
  mesh::Mesh m = b.resolve();
  CHECK(m.namespaces_declared);
  REQUIRE(m.namespaces.count("declared"));
  CHECK(m.namespaces.at("declared").decl != nullptr);
  CHECK(m.namespaces.at("declared").labels.at("team") == "x");
  CHECK(m.namespaces.at("default").has_objects);
  CHECK(m.namespaces.at("default").decl == nullptr);
  CHECK(m.namespaces.at("foo").has_objects);
  for (const char* ns : {"caller", "peer", "sa-ns", "cond-ns"}) {
    INFO(ns);
    REQUIRE(m.namespaces.count(ns));
    CHECK(m.namespaces.at(ns).referenced_as_source);
    CHECK_FALSE(m.namespaces.at(ns).has_objects);
    CHECK(m.find(ns, "*") == nullptr);  // only referenced: no workload stands there
  }
  CHECK(m.namespaces.count("pre*") == 0);
  CHECK(m.namespaces.size() == 7);  // declared, default, foo and the four sources

  test::MeshBuilder none;
  none.deployment("x", "app", {});
  CHECK_FALSE(none.resolve().namespaces_declared);
}
