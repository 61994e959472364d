// Data-plane membership (docs/semantics.md#data-plane-membership): injection webhooks' selectors on declared
// namespaces, pod-level labels, ambient enrollment (sidecar wins), and the assumption for undeclared namespaces.
#include <catch2/catch.hpp>

#include "mesh_builders.h"

using namespace meshproof;
using mesh::DataPlane;

TEST_CASE("data plane: a declared namespace decides by the webhooks' selectors", "[mesh][data-plane]") {
  test::MeshBuilder b;
  b.namespace_("injected", {{"istio-injection", "enabled"}});
  b.namespace_("revision", {{"istio.io/rev", "canary"}});
  b.namespace_("bare", {});
  b.namespace_("amb", {{"istio.io/dataplane-mode", "ambient"}});
  b.namespace_("both", {{"istio.io/dataplane-mode", "ambient"}, {"istio-injection", "enabled"}});
  b.deployment("injected", "a", {{"app", "a"}});
  b.deployment("revision", "a", {{"app", "a"}});
  b.deployment("bare", "plain", {{"app", "plain"}});
  b.deployment("bare", "opt-in", {{"sidecar.istio.io/inject", "true"}});
  b.deployment("bare", "annotated-in", {{"app", "x"}}).pod_annotations["sidecar.istio.io/inject"] = "true";
  b.deployment("bare", "pod-ambient", {{"istio.io/dataplane-mode", "ambient"}});
  b.deployment("bare", "injected-already", {{"app", "y"}}).pod_annotations["sidecar.istio.io/status"] = "{}";
  b.deployment("amb", "a", {{"app", "a"}});
  b.deployment("amb", "out", {{"istio.io/dataplane-mode", "none"}});
  b.deployment("both", "a", {{"app", "a"}});
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "injected", "a").data_plane == DataPlane::Sidecar);
  CHECK(test::get_workload(m, "revision", "a").data_plane == DataPlane::Sidecar);
  const auto& plain = test::get_workload(m, "bare", "plain");
  CHECK(plain.data_plane == DataPlane::None);
  CHECK_FALSE(plain.data_plane_assumed);
  CHECK_FALSE(plain.data_plane_opted_out);
  CHECK(plain.data_plane_loc.known());
  CHECK_FALSE(plain.has_proxy());
  CHECK(plain.default_mtls.no_sidecar);
  CHECK(test::get_workload(m, "bare", "*").data_plane == DataPlane::None);
  CHECK(test::get_workload(m, "bare", "opt-in").data_plane == DataPlane::Sidecar);  // object webhook
  CHECK(test::get_workload(m, "bare", "annotated-in").data_plane ==
        DataPlane::None);  // an annotation is no objectSelector
  CHECK(test::get_workload(m, "bare", "pod-ambient").data_plane == DataPlane::Ambient);
  CHECK(test::get_workload(m, "bare", "injected-already").data_plane == DataPlane::Sidecar);
  CHECK(test::get_workload(m, "amb", "a").data_plane == DataPlane::Ambient);
  CHECK(test::get_workload(m, "amb", "a").has_proxy());
  CHECK(test::get_workload(m, "amb", "out").data_plane == DataPlane::None);
  CHECK(test::get_workload(m, "amb", "out").data_plane_opted_out);
  CHECK(test::get_workload(m, "both", "a").data_plane == DataPlane::Sidecar);  // sidecar wins (ambient.md A2)
}

TEST_CASE("data plane: an undeclared namespace is an assumption, --data-plane changes it", "[mesh][data-plane]") {
  test::MeshBuilder b;
  b.deployment("shop", "cart", {{"app", "cart"}});
  b.deployment("shop", "opt-in", {{"sidecar.istio.io/inject", "true"}});
  b.deployment("shop", "amb", {{"istio.io/dataplane-mode", "ambient"}});
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "shop", "cart").data_plane == DataPlane::Sidecar);
  CHECK(test::get_workload(m, "shop", "cart").data_plane_assumed);
  CHECK_FALSE(test::get_workload(m, "shop", "opt-in").data_plane_assumed);
  CHECK(test::get_workload(m, "shop", "amb").data_plane == DataPlane::Ambient);

  mesh::ResolveOptions none;
  none.assumed_data_plane = DataPlane::None;
  mesh::Mesh n = b.resolve(none);
  CHECK(test::get_workload(n, "shop", "cart").data_plane == DataPlane::None);
  CHECK(test::get_workload(n, "shop", "cart").data_plane_assumed);
  CHECK(test::get_workload(n, "shop", "opt-in").data_plane == DataPlane::Sidecar);

  mesh::ResolveOptions ambient;
  ambient.assumed_data_plane = DataPlane::Ambient;
  CHECK(test::get_workload(b.resolve(ambient), "shop", "cart").data_plane == DataPlane::Ambient);
}
