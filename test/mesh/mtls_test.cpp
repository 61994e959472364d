// Effective mTLS per workload and port: every rule of istio-semantics.md §11.
#include <catch2/catch.hpp>

#include "mesh_builders.h"

using namespace meshproof;
using mesh::MtlsLevel;
using model::MtlsMode;

TEST_CASE("no PeerAuthentication at all: PERMISSIVE at the default level", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"http", 8080}});
  mesh::Mesh m = b.resolve();
  const auto& w = test::get_workload(m, "foo", "app");
  CHECK(w.default_mtls.mode == MtlsMode::Permissive);
  CHECK(w.default_mtls.level == MtlsLevel::Default);
  CHECK(w.default_mtls.decided_by == nullptr);
  CHECK_FALSE(w.default_mtls.no_sidecar);
  REQUIRE(w.ports.size() == 1);
  CHECK(w.ports[0].mtls.mode == MtlsMode::Permissive);
  CHECK(w.ports[0].mtls.level == MtlsLevel::Default);
}

TEST_CASE("mesh-level policy applies to every namespace", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.deployment("bar", "app", {{"app", "b"}});
  b.peer_authn("istio-system", "default", {}, MtlsMode::Strict);
  mesh::Mesh m = b.resolve();
  for (const char* ns : {"foo", "bar"}) {
    const auto& w = test::get_workload(m, ns, "app");
    CHECK(w.default_mtls.mode == MtlsMode::Strict);
    CHECK(w.default_mtls.level == MtlsLevel::Mesh);
    REQUIRE(w.default_mtls.decided_by != nullptr);
    CHECK(w.default_mtls.decided_by->meta.name == "default");
  }
}

TEST_CASE("the root namespace can be overridden by the mesh config and by options", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.peer_authn("mesh-root", "default", {}, MtlsMode::Strict);
  CHECK(test::get_workload(b.resolve(), "foo", "app").default_mtls.mode ==
        MtlsMode::Permissive);  // istio-system is root
  mesh::ResolveOptions o;
  o.root_namespace = "mesh-root";
  CHECK(test::get_workload(b.resolve(o), "foo", "app").default_mtls.level == MtlsLevel::Mesh);
  b.rs.mesh.root_namespace = "mesh-root";
  mesh::Mesh m = b.resolve();
  CHECK(m.root_namespace() == "mesh-root");
  CHECK(test::get_workload(m, "foo", "app").default_mtls.mode == MtlsMode::Strict);
}

TEST_CASE("namespace level overrides mesh level", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.deployment("bar", "app", {{"app", "a"}});
  b.peer_authn("istio-system", "mesh", {}, MtlsMode::Strict);
  b.peer_authn("foo", "ns", {}, MtlsMode::Permissive);
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "foo", "app").default_mtls.mode == MtlsMode::Permissive);
  CHECK(test::get_workload(m, "foo", "app").default_mtls.level == MtlsLevel::Namespace);
  CHECK(test::get_workload(m, "bar", "app").default_mtls.mode ==
        MtlsMode::Strict);  // other namespaces keep the mesh mode
  CHECK(test::get_workload(m, "foo", "app").pa_mesh->meta.name == "mesh");
  CHECK(test::get_workload(m, "foo", "app").pa_namespace->meta.name == "ns");
}

TEST_CASE("workload level overrides namespace level", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "db", {{"app", "db"}});
  b.deployment("foo", "web", {{"app", "web"}});
  b.peer_authn("foo", "ns", {}, MtlsMode::Strict);
  b.peer_authn("foo", "db-off", {{"app", "db"}}, MtlsMode::Disable);
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "foo", "db").default_mtls.mode == MtlsMode::Disable);
  CHECK(test::get_workload(m, "foo", "db").default_mtls.level == MtlsLevel::Workload);
  CHECK(test::get_workload(m, "foo", "web").default_mtls.mode == MtlsMode::Strict);
  CHECK(test::get_workload(m, "foo", "web").default_mtls.level == MtlsLevel::Namespace);
}

TEST_CASE("UNSET or absent mtls inherits from the level above", "[mesh][mtls]") {
  SECTION("workload UNSET inherits the namespace mode") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("foo", "ns", {}, MtlsMode::Strict);
    b.peer_authn("foo", "wl", {{"app", "a"}}, MtlsMode::Unset);
    mesh::Mesh m = b.resolve();
    const auto& w = test::get_workload(m, "foo", "app");
    CHECK(w.pa_workload != nullptr);
    CHECK(w.default_mtls.mode == MtlsMode::Strict);
    CHECK(w.default_mtls.level == MtlsLevel::Namespace);
  }
  SECTION("namespace UNSET inherits the mesh mode") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("istio-system", "mesh", {}, MtlsMode::Disable);
    b.peer_authn("foo", "ns", {}, MtlsMode::Unset);
    const mesh::Mesh resolved = b.resolve();
    const auto& w = test::get_workload(resolved, "foo", "app");
    CHECK(w.default_mtls.mode == MtlsMode::Disable);
    CHECK(w.default_mtls.level == MtlsLevel::Mesh);
  }
  SECTION("UNSET everywhere is PERMISSIVE by default") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("istio-system", "mesh", {}, MtlsMode::Unset);
    b.peer_authn("foo", "wl", {{"app", "a"}}, MtlsMode::Unset);
    const mesh::Mesh resolved = b.resolve();
    const auto& w = test::get_workload(resolved, "foo", "app");
    CHECK(w.default_mtls.mode == MtlsMode::Permissive);
    CHECK(w.default_mtls.level == MtlsLevel::Default);
    CHECK(w.default_mtls.decided_by == nullptr);
  }
}

TEST_CASE("oldest wins at the mesh level", "[mesh][mtls]") {
  SECTION("by creationTimestamp") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("istio-system", "a-newer", {}, MtlsMode::Disable, "2024-05-01T00:00:00Z");
    b.peer_authn("istio-system", "z-older", {}, MtlsMode::Strict, "2024-01-01T00:00:00Z");
    const mesh::Mesh resolved = b.resolve();
    const auto& w = test::get_workload(resolved, "foo", "app");
    CHECK(w.default_mtls.mode == MtlsMode::Strict);
    CHECK(w.default_mtls.decided_by->meta.name == "z-older");
  }
  SECTION("equal timestamps: by name") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("istio-system", "beta", {}, MtlsMode::Disable, "2024-01-01T00:00:00Z");
    b.peer_authn("istio-system", "alpha", {}, MtlsMode::Strict, "2024-01-01T00:00:00Z");
    CHECK(test::get_workload(b.resolve(), "foo", "app").default_mtls.decided_by->meta.name == "alpha");
  }
  SECTION("a missing timestamp is Go's zero time: older than any real one") {
    test::MeshBuilder b;
    b.deployment("foo", "app", {{"app", "a"}});
    b.peer_authn("istio-system", "a-dated", {}, MtlsMode::Disable, "1999-01-01T00:00:00Z");
    b.peer_authn("istio-system", "z-undated", {}, MtlsMode::Strict, "");
    CHECK(test::get_workload(b.resolve(), "foo", "app").default_mtls.decided_by->meta.name == "z-undated");
  }
}

TEST_CASE("oldest wins at the namespace level", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.peer_authn("foo", "second", {}, MtlsMode::Disable, "2024-02-01T00:00:00Z");
  b.peer_authn("foo", "first", {}, MtlsMode::Strict, "2024-01-31T23:59:59+00:00");
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  CHECK(w.default_mtls.mode == MtlsMode::Strict);
  CHECK(w.default_mtls.level == MtlsLevel::Namespace);
  CHECK(w.pa_namespace->meta.name == "first");
}

TEST_CASE("oldest matching workload-level policy wins, including its portLevelMtls", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}, {"tier", "back"}}, {{"http", 8080}, {"grpc", 9090}});
  // Newer: matches too, but neither its mode nor its port 9090 override may count.
  b.peer_authn("foo", "newer", {{"tier", "back"}}, MtlsMode::Disable, "2024-03-01T00:00:00Z",
               {{9090, MtlsMode::Disable}});
  b.peer_authn("foo", "older", {{"app", "a"}}, MtlsMode::Strict, "2024-01-01T00:00:00Z",
               {{8080, MtlsMode::Permissive}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  REQUIRE(w.pa_workload != nullptr);
  CHECK(w.pa_workload->meta.name == "older");
  CHECK(w.default_mtls.mode == MtlsMode::Strict);
  REQUIRE(w.find_port(8080));
  CHECK(w.find_port(8080)->mtls.mode == MtlsMode::Permissive);
  CHECK(w.find_port(8080)->mtls.level == MtlsLevel::WorkloadPort);
  REQUIRE(w.find_port(9090));
  CHECK(w.find_port(9090)->mtls.mode == MtlsMode::Strict);
  CHECK(w.find_port(9090)->mtls.level == MtlsLevel::Workload);
}

TEST_CASE("port level: explicit modes, UNSET inherits, undeclared ports are added", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"http", 8080}, {"metrics", 15090}});
  b.peer_authn("istio-system", "mesh", {}, MtlsMode::Permissive);
  b.peer_authn("foo", "wl", {{"app", "a"}}, MtlsMode::Strict, "",
               {{8080, MtlsMode::Disable}, {15090, MtlsMode::Unset}, {7070, MtlsMode::Permissive}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  CHECK(w.find_port(8080)->mtls.mode == MtlsMode::Disable);
  CHECK(w.find_port(8080)->mtls.level == MtlsLevel::WorkloadPort);
  // UNSET at port level inherits the workload's resolved mode.
  CHECK(w.find_port(15090)->mtls.mode == MtlsMode::Strict);
  CHECK(w.find_port(15090)->mtls.level == MtlsLevel::Workload);
  // A portLevelMtls port that nothing declares still gets a (passthrough) chain.
  const mesh::WorkloadPort* p = w.find_port(7070);
  REQUIRE(p != nullptr);
  CHECK(p->from_port_level_only);
  CHECK(p->protocol == mesh::PortProtocol::Sniffed);
  CHECK(p->mtls.mode == MtlsMode::Permissive);
  CHECK_FALSE(w.find_port(8080)->from_port_level_only);
  // Ports nobody mentions fall back to the workload-level decision.
  CHECK(w.mtls_for(1234).mode == MtlsMode::Strict);
  CHECK(w.mtls_for(8080).mode == MtlsMode::Disable);
}

TEST_CASE("portLevelMtls is keyed by the workload target port not the Service port", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"web", 8080}});
  b.service("foo", "app", {{"app", "a"}}, {{"http", 80, 8080}});
  b.peer_authn("foo", "wl", {{"app", "a"}}, MtlsMode::Strict, "", {{80, MtlsMode::Disable}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  REQUIRE(w.find_port(8080));
  CHECK(w.find_port(8080)->mtls.mode == MtlsMode::Strict);
  // 80 is a port of the workload only through the portLevelMtls key.
  REQUIRE(w.find_port(80));
  CHECK(w.find_port(80)->from_port_level_only);
  CHECK(w.find_port(80)->mtls.mode == MtlsMode::Disable);
}

TEST_CASE("a root-namespace PeerAuthentication with a selector is ignored", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.deployment("istio-system", "gw", {{"app", "a"}});
  b.peer_authn("istio-system", "selective", {{"app", "a"}}, MtlsMode::Strict, "", {{8080, MtlsMode::Disable}});
  mesh::Mesh m = b.resolve();
  for (const auto* w : {&test::get_workload(m, "foo", "app"), &test::get_workload(m, "istio-system", "gw")}) {
    CHECK(w->pa_workload == nullptr);
    CHECK(w->pa_mesh == nullptr);
    CHECK(w->default_mtls.mode == MtlsMode::Permissive);
    CHECK(w->default_mtls.level == MtlsLevel::Default);
    CHECK(w->find_port(8080) == nullptr);
  }
}

TEST_CASE("in the root namespace the selector-less policy is the mesh level", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("istio-system", "istiod", {{"app", "istiod"}});
  b.peer_authn("istio-system", "default", {}, MtlsMode::Strict);
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "istio-system", "istiod");
  CHECK(w.default_mtls.level == MtlsLevel::Mesh);
  CHECK(w.pa_namespace == nullptr);
}

TEST_CASE("a workload without a sidecar accepts plaintext whatever the policy says", "[mesh][mtls]") {
  test::MeshBuilder b;
  b.deployment("foo", "legacy", {{"app", "legacy"}}, {{"http", 8080}}).pod_annotations["sidecar.istio.io/inject"] =
      "false";
  b.peer_authn("istio-system", "default", {}, MtlsMode::Strict);
  b.peer_authn("foo", "wl", {{"app", "legacy"}}, MtlsMode::Strict, "", {{9000, MtlsMode::Strict}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "legacy");
  CHECK_FALSE(w.has_proxy());
  CHECK(w.default_mtls.no_sidecar);
  CHECK(w.default_mtls.mode == MtlsMode::Disable);
  CHECK(w.default_mtls.level == MtlsLevel::Default);
  CHECK(w.default_mtls.decided_by == nullptr);
  REQUIRE(w.find_port(8080));
  CHECK(w.find_port(8080)->mtls.no_sidecar);
  CHECK(w.find_port(8080)->mtls.mode == MtlsMode::Disable);
  // No proxy: no passthrough chain for a portLevelMtls port either.
  CHECK(w.find_port(9000) == nullptr);
  // The policies that would apply are still known (a check can say they have no effect).
  CHECK(w.pa_workload != nullptr);
}
