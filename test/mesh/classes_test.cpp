// Workload classes, Istio's policy order, determinism and the cost of resolving a large mesh.
#include <algorithm>
#include <chrono>
#include <random>

#include <catch2/catch.hpp>

#include "mesh_builders.h"
#include "timing.h"

using namespace meshproof;

namespace {

// Everything observable about a resolved mesh, as text, to compare two resolutions.
std::string summary(const mesh::Mesh& m) {
  std::string s;
  for (const auto& w : m.workloads) {
    s += w.display() + " class=" + std::to_string(w.class_id) + " mode=" + model::to_string(w.default_mtls.mode) +
         " ap=";
    for (const auto* p : w.authorization_policies) s += p->meta.name + ",";
    s += " ports=";
    for (const auto& p : w.ports)
      s += std::to_string(p.port) + "/" + mesh::to_string(p.protocol) + "/" + model::to_string(p.mtls.mode) + ",";
    s += "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("workloads with the same policies, ports and modes share a class", "[mesh][classes]") {
  test::MeshBuilder b;
  b.deployment("foo", "a1", {{"app", "a"}, {"pod", "1"}}, {{"http", 8080}});
  b.deployment("foo", "a2", {{"app", "a"}, {"pod", "2"}}, {{"http", 8080}});
  b.deployment("foo", "a3-other-port", {{"app", "a"}, {"pod", "3"}}, {{"http", 9090}});
  b.deployment("foo", "a4-strict", {{"app", "a"}, {"pod", "4"}}, {{"http", 8080}});
  b.deployment("foo", "b", {{"app", "b"}}, {{"http", 8080}});
  b.deployment("bar", "a5", {{"app", "a"}}, {{"http", 8080}});
  b.authz("foo", "for-a", {{"app", "a"}});
  b.peer_authn("foo", "pod4", {{"pod", "4"}}, model::MtlsMode::Strict);
  mesh::Mesh m = b.resolve();
  const auto& a1 = test::get_workload(m, "foo", "a1");
  CHECK(a1.class_id == test::get_workload(m, "foo", "a2").class_id);
  CHECK(a1.class_id != test::get_workload(m, "foo", "a3-other-port").class_id);
  CHECK(a1.class_id != test::get_workload(m, "foo", "a4-strict").class_id);
  CHECK(a1.class_id != test::get_workload(m, "foo", "b").class_id);  // no policy applies to b
  // Same (empty) policy set, ports and modes across namespaces: one class.
  CHECK(test::get_workload(m, "foo", "b").class_id == test::get_workload(m, "bar", "a5").class_id);
  // Classes cover every workload once, and ids are positions in Mesh::classes.
  size_t members = 0;
  for (size_t i = 0; i < m.classes.size(); ++i) {
    CHECK(m.classes[i].id == i);
    for (size_t w : m.classes[i].members) CHECK(m.workloads[w].class_id == i);
    members += m.classes[i].members.size();
  }
  CHECK(members == m.workloads.size());
  // Ids follow the sorted workload order: the first workload is in class 0.
  CHECK(m.workloads[0].class_id == 0);
}

TEST_CASE("a workload without sidecar never shares a class with an injected one", "[mesh][classes]") {
  test::MeshBuilder b;
  b.deployment("foo", "in", {{"app", "a"}});
  b.deployment("foo", "out", {{"app", "a"}, {"sidecar.istio.io/inject", "false"}});
  b.peer_authn("foo", "ns", {}, model::MtlsMode::Disable);  // same mode as "no sidecar"
  mesh::Mesh m = b.resolve();
  CHECK(test::get_workload(m, "foo", "in").class_id != test::get_workload(m, "foo", "out").class_id);
}

TEST_CASE("istio_older: creationTimestamp then name then namespace - absent is oldest", "[mesh][order]") {
  auto obj = [](const std::string& ns, const std::string& name, const std::string& ts) {
    model::ResourceBase r;
    r.meta.ns = ns;
    r.meta.name = name;
    r.meta.creation_timestamp = ts;
    return r;
  };
  CHECK(mesh::istio_older(obj("a", "z", "2024-01-01T00:00:00Z"), obj("a", "a", "2024-01-02T00:00:00Z")));
  CHECK(mesh::istio_older(obj("z", "a", "2024-01-01T00:00:00Z"), obj("a", "b", "2024-01-01T00:00:00Z")));
  CHECK(mesh::istio_older(obj("a", "x", "2024-01-01T00:00:00Z"), obj("b", "x", "2024-01-01T00:00:00Z")));
  CHECK(mesh::istio_older(obj("", "x", ""), obj("other", "x", "")));  // "" is "default"
  CHECK(mesh::istio_older(obj("a", "z", ""), obj("a", "a", "1970-01-01T00:00:00Z")));
  CHECK_FALSE(mesh::istio_older(obj("a", "a", "2024-01-01T00:00:00Z"), obj("a", "z", "")));
  // Offsets and fractions compare as instants.
  CHECK(mesh::istio_older(obj("a", "z", "2024-01-01T01:00:00+02:00"), obj("a", "a", "2024-01-01T00:00:00Z")));
  CHECK(mesh::istio_older(obj("a", "z", "2024-01-01T00:00:00.5Z"), obj("a", "a", "2024-01-01T00:00:00.6Z")));
  CHECK_FALSE(mesh::istio_older(obj("a", "a", "2024-01-01T00:00:00Z"), obj("a", "a", "2024-01-01T00:00:00Z")));
  // An unreadable timestamp (Kubernetes would reject it) counts as the zero time.
  CHECK(mesh::istio_older(obj("a", "z", "yesterday"), obj("a", "a", "2024-01-01T00:00:00Z")));
}

TEST_CASE("resolution does not depend on input order", "[mesh][order]") {
  test::MeshBuilder b;
  for (int i = 0; i < 30; ++i) {
    std::string ns = "ns" + std::to_string(i % 4);
    b.deployment(ns, "w" + std::to_string(i), {{"app", "a" + std::to_string(i % 5)}}, {{"http", 8000u + i % 3}});
    b.authz(ns, "p" + std::to_string(i), {{"app", "a" + std::to_string(i % 7)}});
    b.peer_authn(ns, "pa" + std::to_string(i), {{"app", "a" + std::to_string(i % 6)}},
                 i % 2 ? model::MtlsMode::Strict : model::MtlsMode::Disable, "", {{8000, model::MtlsMode::Permissive}});
  }
  b.peer_authn("istio-system", "mesh", {}, model::MtlsMode::Strict);
  const std::string expected = summary(b.resolve());
  std::mt19937 rng(42);
  for (int round = 0; round < 3; ++round) {
    test::MeshBuilder shuffled = b;
    std::shuffle(shuffled.rs.workloads.begin(), shuffled.rs.workloads.end(), rng);
    std::shuffle(shuffled.rs.authorization_policies.begin(), shuffled.rs.authorization_policies.end(), rng);
    std::shuffle(shuffled.rs.peer_authentications.begin(), shuffled.rs.peer_authentications.end(), rng);
    CHECK(summary(shuffled.resolve()) == expected);
  }
}

TEST_CASE("10,000 policies and 2,000 workloads resolve in well under a second", "[mesh][perf]") {
  test::MeshBuilder b;
  const int namespaces = 50, workloads = 2000, policies = 10000;
  for (int i = 0; i < workloads; ++i) {
    std::string ns = "ns" + std::to_string(i % namespaces);
    b.deployment(ns, "w" + std::to_string(i),
                 {{"app", "app" + std::to_string(i % 400)}, {"version", "v" + std::to_string(i % 3)}},
                 {{"http", 8080}, {"grpc", 9090}});
    if (i % 4 == 0)
      b.service(ns, "s" + std::to_string(i), {{"app", "app" + std::to_string(i % 400)}}, {{"http", 80, 8080}});
  }
  for (int i = 0; i < policies; ++i) {
    std::string ns = i % 100 == 0 ? "istio-system" : "ns" + std::to_string(i % namespaces);
    model::Labels sel;
    if (i % 10 != 0) sel = {{"app", "app" + std::to_string(i % 450)}};
    if (i % 3 == 0)
      b.peer_authn(ns, "pa" + std::to_string(i), sel, model::MtlsMode::Strict, "", {});
    else if (i % 3 == 1)
      b.authz(ns, "ap" + std::to_string(i), sel, "", {"8080"});
    else
      b.request_authn(ns, "ra" + std::to_string(i), sel);
  }
  auto t0 = std::chrono::steady_clock::now();
  mesh::Mesh m = b.resolve();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  WARN("resolve: " << ms << " ms, " << m.workloads.size() << " workloads, " << m.classes.size() << " classes");
  CHECK(m.workloads.size() >= static_cast<size_t>(workloads));
  CHECK(ms < 1000.0 * test::kTimeScale);
}
