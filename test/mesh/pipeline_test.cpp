// The mesh layer end to end: YAML through load → model → mesh, and Istio's own PeerAuthentication
// goldens (ambient conversion) as an independent oracle for mode precedence and portLevelMtls.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "load/loader.h"
#include "test_support.h"

using namespace meshproof;
using model::MtlsMode;

namespace {

const mesh::Workload& get(const mesh::Mesh& m, const std::string& ns, const std::string& name) {
  const mesh::Workload* w = m.find(ns, name);
  INFO("workload " << ns << "/" << name);
  REQUIRE(w != nullptr);
  return *w;
}

const char* kShop = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled,
    team: a}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
        version: v1
    spec:
      serviceAccountName: cart-sa
      containers:
      - name: cart
        image: cart:1
        ports:
        - name: web
          containerPort: 8080
        - name: admin
          containerPort: 9000
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app: cart
  ports:
  - name: http
    port: 80
    targetPort: web
  - name: http-admin
    port: 9000
    appProtocol: tcp
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: cart-admin
  namespace: shop
spec:
  selector:
    matchLabels:
      app: cart
  portLevelMtls:
    9000:
      mode: PERMISSIVE
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-by-default
  namespace: istio-system
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: via-service
  namespace: shop
spec:
  targetRefs:
  - kind: Service
    group: ""
    name: cart
  rules:
  - {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ghost
  namespace: shop
spec:
  selector:
    matchLabels:
      app: ghost
  rules:
  - to:
    - operation:
        ports: ["7070"]
)";

}  // namespace

TEST_CASE("YAML end to end: workloads, ports, modes and policies", "[mesh][pipeline]") {
  auto input = test::load_yaml(kShop, "shop.yaml");
  REQUIRE(input->errors.empty());
  const mesh::Mesh& m = input->mesh;
  CHECK(m.namespaces_declared);
  CHECK(m.namespaces.at("shop").labels.at("team") == "a");

  const auto& cart = get(m, "shop", "cart");
  CHECK(cart.origin == mesh::WorkloadOrigin::Declared);
  CHECK(cart.service_account == "cart-sa");
  CHECK(cart.has_proxy());
  REQUIRE(cart.ports.size() == 2);
  // Named targetPort "web" → 8080, protocol from the Service port name "http".
  CHECK(cart.ports[0].port == 8080);
  CHECK(cart.ports[0].protocol == mesh::PortProtocol::Http);
  CHECK(cart.ports[0].services == std::vector<std::string>{"shop/cart:80"});
  // appProtocol "tcp" wins over the name "http-admin".
  CHECK(cart.ports[1].port == 9000);
  CHECK(cart.ports[1].protocol == mesh::PortProtocol::Tcp);
  CHECK(cart.ports[1].protocol_source == "appProtocol");
  // The workload policy has no mtls: UNSET inherits the mesh STRICT; its port 9000 says PERMISSIVE.
  CHECK(cart.default_mtls.mode == MtlsMode::Strict);
  CHECK(cart.default_mtls.level == mesh::MtlsLevel::Mesh);
  CHECK(cart.ports[0].mtls.mode == MtlsMode::Strict);
  CHECK(cart.ports[1].mtls.mode == MtlsMode::Permissive);
  CHECK(cart.ports[1].mtls.level == mesh::MtlsLevel::WorkloadPort);
  REQUIRE(cart.ports[1].mtls.decided_by);
  CHECK(cart.ports[1].mtls.decided_by->meta.name == "cart-admin");

  // The root-namespace policy applies; the targetRef one is ignored for a sidecar.
  REQUIRE(cart.authorization_policies.size() == 1);
  CHECK(cart.authorization_policies[0]->meta.name == "deny-by-default");
  REQUIRE(cart.ignored_target_ref_authorization_policies.size() == 1);
  CHECK(cart.ignored_target_ref_authorization_policies[0]->meta.name == "via-service");

  // The selector nobody satisfies: a synthetic workload at the selector's position, with the policy's port.
  const auto& ghost = get(m, "shop", "selector:app=ghost");
  CHECK(ghost.origin == mesh::WorkloadOrigin::Synthetic);
  ResourceRef ref = ghost.ref();
  CHECK(ref.kind == "Workload");
  CHECK(ref.loc.known());
  CHECK(input->sources.file(ref.loc.file).path.find("shop.yaml") != std::string::npos);
  CHECK(ghost.find_port(7070) != nullptr);
  CHECK(ghost.authorization_policies.size() == 2);  // the root policy and its own

  const auto& other = get(m, "shop", "*");
  CHECK(other.authorization_policies.size() == 1);
  CHECK(other.pa_workload == nullptr);
  CHECK(other.default_mtls.mode == MtlsMode::Strict);
  CHECK(input->stats.workloads == m.workloads.size());
}

TEST_CASE("YAML end to end: opt-outs and missing namespaces", "[mesh][pipeline]") {
  auto input = test::load_yaml(R"(apiVersion: v1
kind: Pod
metadata:
  name: legacy
  labels:
    app: legacy
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  containers:
  - name: c
    image: legacy
    ports:
    - containerPort: 8080
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: strict
spec:
  mtls:
    mode: STRICT
)");
  REQUIRE(input->errors.empty());
  const auto& legacy = get(input->mesh, "default", "legacy");
  CHECK_FALSE(legacy.has_proxy());
  CHECK(legacy.default_mtls.no_sidecar);
  CHECK(legacy.mtls_for(8080).mode == MtlsMode::Disable);
  REQUIRE(legacy.pa_namespace != nullptr);  // what would apply, for a check to report
  CHECK(get(input->mesh, "default", "*").default_mtls.mode == MtlsMode::Strict);
}

namespace {

// Reads a ztunnel Authorization golden (YAML) into a predicate: is a plaintext connection (no peer
// principal) to `port` denied? Groups are OR-ed, rules in a group AND-ed, matches in a rule OR-ed, the
// fields of a match AND-ed. Only the fields PeerAuthentication conversion emits are understood.
struct ZtunnelDeny {
  const load::Node* groups = nullptr;
  std::string unknown_field;

  bool match_plaintext(const load::Node& match, uint32_t port) {
    bool ok = true;
    for (const load::MapEntry& e : match.entries) {
      auto contains = [&] {
        for (const load::Node& p : e.value.items)
          if (p.scalar == std::to_string(port)) return true;
        return false;
      };
      if (e.key == "destinationPorts")
        ok = ok && contains();
      else if (e.key == "notDestinationPorts")
        ok = ok && !contains();
      else if (e.key == "notPrincipals")
        ok = ok && true;  // `presence` is false for plaintext: not-presence holds
      else if (e.key == "principals")
        ok = false;
      else
        unknown_field = e.key;
    }
    return ok;
  }

  bool denies_plaintext(uint32_t port) {
    if (!groups) return false;
    for (const load::Node& group : groups->items) {
      const load::Node* rules = group.find("rules");
      if (!rules) continue;
      bool all = true;
      for (const load::Node& rule : rules->items) {
        const load::Node* matches = rule.find("matches");
        bool any = false;
        if (matches)
          for (const load::Node& mt : matches->items) any = any || match_plaintext(mt, port);
        all = all && any;
      }
      if (all) return true;
    }
    return false;
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

}  // namespace

TEST_CASE("PeerAuthentication precedence agrees with Istio's ambient conversion goldens", "[mesh][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  namespace fs = std::filesystem;
  const std::string dir = test::shared_path("corpus/istio/pilot/pkg/serviceregistry/ambient/testdata");
  std::vector<std::string> inputs;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("peer-authn-", 0) == 0 && name.size() > 8 && name.substr(name.size() - 8) == "-in.yaml")
      inputs.push_back(e.path().string());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= 15);
  size_t compared = 0;
  for (const std::string& in_path : inputs) {
    const std::string golden_path = in_path.substr(0, in_path.size() - 8) + ".yaml";
    const std::string golden = read_file(golden_path);
    INFO(in_path);
    if (golden.find_first_not_of(" \n\r\t") == std::string::npos) continue;  // no ztunnel policy emitted

    SourceSet sources;
    load::Loader loader(sources);
    std::vector<load::LoadError> errors;
    std::vector<load::LoadNote> notes;
    load::Node root;
    loader.parse_text(
        sources.add(SourceFile{golden_path, golden_path, nullptr}), golden,
        [&](load::Document&& d) { root = std::move(d.root); }, errors, notes);
    REQUIRE(errors.empty());
    ZtunnelDeny deny;
    deny.groups = root.find("groups");
    REQUIRE(deny.groups != nullptr);

    auto input = test::load_paths({in_path});
    REQUIRE(input->errors.empty());
    // Conversion covers the workload-level policy: its synthetic workload is the one to compare.
    const model::PeerAuthentication* wl = nullptr;
    for (const auto& pa : input->resources.peer_authentications)
      if (!pa.selector.empty()) wl = &pa;
    REQUIRE(wl != nullptr);
    const mesh::Workload* w = input->mesh.find(mesh::effective_namespace(*wl), "selector:app=a");
    REQUIRE(w != nullptr);
    REQUIRE(w->pa_workload == wl);
    std::set<uint32_t> ports = {1};  // a port no policy names: the workload-level mode
    for (const auto& pm : wl->port_level) ports.insert(pm.port);
    for (uint32_t port : ports) {
      INFO("port " << port);
      CHECK((w->mtls_for(port).mode == MtlsMode::Strict) == deny.denies_plaintext(port));
    }
    CHECK(deny.unknown_field.empty());
    ++compared;
  }
  CHECK(compared >= 10);
}

TEST_CASE("bookinfo from Istio's samples resolves to its workloads and HTTP ports", "[mesh][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  auto input = test::load_paths(
      {test::shared_path("corpus/realworld/istio__istio/samples/bookinfo/platform/kube/bookinfo.yaml")});
  REQUIRE(input->errors.empty());
  const mesh::Mesh& m = input->mesh;
  for (const char* name : {"productpage-v1", "details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"}) {
    const auto& w = get(m, "default", name);
    INFO(name);
    REQUIRE(w.find_port(9080) != nullptr);
    CHECK(w.find_port(9080)->protocol == mesh::PortProtocol::Http);
    CHECK(w.default_mtls.mode == MtlsMode::Permissive);
  }
  // The three reviews versions share everything that matters for analysis.
  CHECK(get(m, "default", "reviews-v1").class_id == get(m, "default", "reviews-v2").class_id);
  CHECK(get(m, "default", "reviews-v1").class_id == get(m, "default", "reviews-v3").class_id);
}
