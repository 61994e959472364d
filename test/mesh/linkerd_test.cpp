// Linkerd membership (docs/semantics.md#linkerd, LK1, LK2, LK4): the proxy injector's annotation truth table
// at namespace and pod level, already-injected pods, and that a Linkerd member is not an Istio workload.
#include <catch2/catch.hpp>

#include "mesh/linkerd.h"
#include "mesh_builders.h"

using namespace meshproof;
using mesh::DataPlane;

TEST_CASE("linkerd: the injector's truth table decides membership", "[mesh][linkerd]") {
  test::MeshBuilder b;
  b.namespace_("ns-on").meta.annotations["linkerd.io/inject"] = "enabled";
  b.namespace_("ns-bad").meta.annotations["linkerd.io/inject"] = "yes";
  b.namespace_("plain");
  b.deployment("ns-on", "inherits", {{"app", "a"}});
  b.deployment("ns-on", "pod-off", {{"app", "b"}}).pod_annotations["linkerd.io/inject"] = "disabled";
  b.deployment("ns-bad", "pod-on", {{"app", "c"}}).pod_annotations["linkerd.io/inject"] = "enabled";
  b.deployment("plain", "pod-on", {{"app", "d"}}).pod_annotations["linkerd.io/inject"] = "enabled";
  b.deployment("plain", "ingress", {{"app", "e"}}).pod_annotations["linkerd.io/inject"] = "ingress";
  b.deployment("plain", "pod-bad", {{"app", "f"}}).pod_annotations["linkerd.io/inject"] = "true";
  b.deployment("plain", "injected", {{"app", "g"}}).pod_annotations["linkerd.io/proxy-version"] = "edge-25.8.3";
  b.deployment("plain", "none", {{"app", "h"}});
  mesh::Mesh m = b.resolve();
  auto member = [&](const char* ns, const char* name) {
    return mesh::linkerd_membership(test::get_workload(m, ns, name), m).member;
  };
  CHECK(member("ns-on", "inherits"));
  CHECK_FALSE(member("ns-on", "pod-off"));
  CHECK_FALSE(member("ns-bad", "pod-on"));  // an invalid namespace value disables injection
  CHECK(member("plain", "pod-on"));
  CHECK(member("plain", "ingress"));
  CHECK_FALSE(member("plain", "pod-bad"));
  CHECK(member("plain", "injected"));
  CHECK_FALSE(member("plain", "none"));
  CHECK_FALSE(member("plain", "*"));  // "any other workload": its namespace does not inject
  CHECK(member("ns-on", "*"));        // its namespace injects every pod that does not opt out
  CHECK(mesh::linkerd_membership(test::get_workload(m, "ns-on", "inherits"), m).reason ==
        "namespace ns-on annotation linkerd.io/inject: enabled");
}

TEST_CASE("linkerd: a member has no Istio proxy unless Istio injects it too", "[mesh][linkerd]") {
  test::MeshBuilder b;
  b.namespace_("both", {{"istio-injection", "enabled"}}).meta.annotations["linkerd.io/inject"] = "enabled";
  b.deployment("both", "a", {{"app", "a"}});
  b.deployment("undeclared", "l", {{"app", "l"}}).pod_annotations["linkerd.io/inject"] = "enabled";
  b.deployment("undeclared", "istio", {{"app", "i"}});
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "both", "a").data_plane == DataPlane::Sidecar);
  CHECK_FALSE(mesh::served_by_linkerd(test::get_workload(m, "both", "a"), m));
  const mesh::Workload& l = test::get_workload(m, "undeclared", "l");
  CHECK(l.data_plane == DataPlane::None);  // not the sidecar assumption
  CHECK_FALSE(l.data_plane_assumed);
  CHECK(l.data_plane_opted_out);
  CHECK(l.injection_reason.find("injected by Linkerd (pod annotation linkerd.io/inject: enabled)") == 0);
  CHECK(mesh::served_by_linkerd(l, m));
  CHECK(test::get_workload(m, "undeclared", "istio").data_plane == DataPlane::Sidecar);
}

TEST_CASE("linkerd: the pod gets the namespace's config annotations unless it sets its own", "[mesh][linkerd]") {
  test::MeshBuilder b;
  model::Namespace& ns = b.namespace_("emojivoto");
  ns.meta.annotations["linkerd.io/inject"] = "enabled";
  ns.meta.annotations["config.linkerd.io/default-inbound-policy"] = "cluster-authenticated";
  b.deployment("emojivoto", "web", {{"app", "web"}});
  model::Workload& voting = b.deployment("emojivoto", "voting", {{"app", "voting"}});
  voting.pod_annotations["config.linkerd.io/default-inbound-policy"] = "deny";
  voting.pod_annotations["config.linkerd.io/skip-inbound-ports"] = "9090";
  mesh::Mesh m = b.resolve();
  const mesh::LinkerdMembership web = mesh::linkerd_membership(test::get_workload(m, "emojivoto", "web"), m);
  CHECK(web.default_inbound_policy == "cluster-authenticated");
  CHECK(web.skip_inbound_ports.empty());
  const mesh::LinkerdMembership v = mesh::linkerd_membership(test::get_workload(m, "emojivoto", "voting"), m);
  CHECK(v.default_inbound_policy == "deny");
  CHECK(v.skip_inbound_ports == "9090");
}
