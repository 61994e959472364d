// Ports and protocols per workload: Service → targetPort → workload port, appProtocol vs port name,
// container ports, Sidecar ingress.
#include <catch2/catch.hpp>

#include "mesh_builders.h"
#include "test_support.h"

using namespace meshproof;
using mesh::PortProtocol;

namespace {

// Resolves one workload behind one Service port and returns that port's resolution.
mesh::WorkloadPort one_port(const test::MeshBuilder::SvcPort& sp, uint32_t container_port = 8080) {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"", container_port}});
  b.service("foo", "svc", {{"app", "a"}}, {sp});
  mesh::Mesh m = b.resolve();
  const mesh::Workload& w = test::get_workload(m, "foo", "app");
  REQUIRE(w.ports.size() == 1);
  return w.ports[0];
}

}  // namespace

TEST_CASE("port-name prefix decides the protocol: protocol-suffix", "[mesh][ports]") {
  struct Case {
    const char* name;
    PortProtocol protocol;
    const char* protocol_name;
  };
  const Case cases[] = {
      {"http", PortProtocol::Http, "http"},
      {"http-web", PortProtocol::Http, "http"},
      {"HTTP-Web", PortProtocol::Http, "http"},
      {"httpx", PortProtocol::Sniffed, ""},
      {"http2", PortProtocol::Http, "http2"},
      {"grpc", PortProtocol::Http, "grpc"},
      {"grpc-api", PortProtocol::Http, "grpc"},
      {"grpc-web", PortProtocol::Http, "grpc-web"},
      {"grpc-web-ui", PortProtocol::Http, "grpc-web"},
      {"https", PortProtocol::Tcp, "https"},
      {"https-admin", PortProtocol::Tcp, "https"},
      {"tls", PortProtocol::Tcp, "tls"},
      {"tcp-db", PortProtocol::Tcp, "tcp"},
      {"mongo", PortProtocol::Tcp, "mongo"},
      {"mysql-primary", PortProtocol::Tcp, "mysql"},
      {"redis", PortProtocol::Tcp, "redis"},
      {"web", PortProtocol::Sniffed, ""},
      {"", PortProtocol::Sniffed, ""},
      {"foo-http", PortProtocol::Sniffed, ""},
  };
  for (const Case& c : cases) {
    INFO("port name '" << c.name << "'");
    mesh::WorkloadPort p = one_port({c.name, 80, 8080});
    CHECK(p.port == 8080);
    CHECK(p.protocol == c.protocol);
    CHECK(p.protocol_name == c.protocol_name);
    CHECK(p.protocol_source == (c.protocol_name[0] ? "port name" : ""));
  }
}

TEST_CASE("appProtocol takes precedence over the port name", "[mesh][ports]") {
  mesh::WorkloadPort tcp = one_port({"http-web", 80, 8080, "", "tcp"});
  CHECK(tcp.protocol == PortProtocol::Tcp);
  CHECK(tcp.protocol_source == "appProtocol");
  mesh::WorkloadPort http = one_port({"tcp", 80, 8080, "", "HTTP"});
  CHECK(http.protocol == PortProtocol::Http);
  // An appProtocol Istio does not know is not rescued by the port name.
  mesh::WorkloadPort unknown = one_port({"http", 80, 8080, "", "kubernetes.io/h2c"});
  CHECK(unknown.protocol == PortProtocol::Sniffed);
}

TEST_CASE("an unnamed well-known port is TCP", "[mesh][ports]") {
  mesh::WorkloadPort mysql = one_port({"", 3306, 3306}, 3306);
  CHECK(mysql.protocol == PortProtocol::Tcp);
  CHECK(mysql.protocol_source == "well-known port");
  mesh::WorkloadPort other = one_port({"", 3307, 3307}, 3307);
  CHECK(other.protocol == PortProtocol::Sniffed);
}

TEST_CASE("targetPort: number, name of a container port, or the Service port", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"web", 8080}, {"admin", 9000}});
  b.deployment("foo", "no-admin", {{"app", "a"}, {"variant", "slim"}}, {{"web", 8080}});
  b.service("foo", "svc", {{"app", "a"}},
            {{"http", 80, 0, "web"}, {"grpc-admin", 9999, 0, "admin"}, {"tcp-raw", 7000}, {"http-num", 81, 9000}});
  mesh::Mesh m = b.resolve();
  const auto& w = test::get_workload(m, "foo", "app");
  REQUIRE(w.find_port(8080));
  CHECK(w.find_port(8080)->protocol == PortProtocol::Http);
  CHECK(w.find_port(8080)->name == "web");
  CHECK(w.find_port(8080)->services == std::vector<std::string>{"foo/svc:80"});
  REQUIRE(w.find_port(9000));
  // Two Service ports reach 9000; the Service is the same, its first port decides (grpc, HTTP both).
  CHECK(w.find_port(9000)->protocol == PortProtocol::Http);
  CHECK(w.find_port(9000)->services.size() == 2);
  REQUIRE(w.find_port(7000));  // no targetPort: the Service port
  CHECK(w.find_port(7000)->protocol == PortProtocol::Tcp);
  CHECK(w.find_port(9999) == nullptr);
  // A pod without the named container port gets no endpoint for that Service port.
  const auto& slim = test::get_workload(m, "foo", "no-admin");
  CHECK(slim.find_port(9000) != nullptr);  // the numeric targetPort 9000 still routes
  CHECK(slim.find_port(9000)->protocol_source == "port name");
  CHECK(slim.find_port(9000)->services == std::vector<std::string>{"foo/svc:81"});
}

TEST_CASE("container ports not behind a Service are sniffed by the passthrough chains", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"http-metrics", 9090}});
  b.rs.workloads.back().ports.push_back(model::ContainerPort{"dns", 53, "UDP", Loc{}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  REQUIRE(w.ports.size() == 1);  // UDP is not redirected to the sidecar
  CHECK(w.ports[0].port == 9090);
  CHECK(w.ports[0].protocol == PortProtocol::Sniffed);  // the container port name does not count
  CHECK(w.ports[0].protocol_source == "container port");
}

TEST_CASE("UDP Service ports are not proxied", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.service("foo", "svc", {{"app", "a"}}, {{"dns", 53, 53, "", "", "UDP"}, {"http", 80, 8080}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  REQUIRE(w.ports.size() == 1);
  CHECK(w.ports[0].port == 8080);
}

TEST_CASE("several Services on one target port: the oldest decides the protocol", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"", 8080}});
  b.service("foo", "a-newer", {{"app", "a"}}, {{"tcp", 80, 8080}}, "2024-02-01T00:00:00Z");
  b.service("foo", "z-older", {{"app", "a"}}, {{"http", 80, 8080}}, "2024-01-01T00:00:00Z");
  b.service("foo", "unrelated", {{"app", "b"}}, {{"tcp", 80, 8080}});
  const mesh::Mesh resolved = b.resolve();
  const auto& w = test::get_workload(resolved, "foo", "app");
  REQUIRE(w.ports.size() == 1);
  CHECK(w.ports[0].protocol == PortProtocol::Http);
  CHECK(w.ports[0].protocol_conflict);
  CHECK(w.ports[0].services == std::vector<std::string>{"foo/z-older:80", "foo/a-newer:80"});
}

TEST_CASE("a Service without selector routes to no pod", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}});
  b.service("foo", "manual", {}, {{"http", 80, 8080}});
  CHECK(test::get_workload(b.resolve(), "foo", "app").ports.empty());
}

TEST_CASE("Sidecar ingress listeners replace the Service ports", "[mesh][ports]") {
  test::MeshBuilder b;
  b.deployment("foo", "app", {{"app", "a"}}, {{"", 8080}});
  b.deployment("foo", "other", {{"app", "o"}});
  b.deployment("bar", "app", {{"app", "a"}});
  b.service("foo", "svc", {{"app", "a"}}, {{"http", 80, 8080}});
  b.service("foo", "svc-o", {{"app", "o"}}, {{"http", 80, 8080}});
  b.service("bar", "svc", {{"app", "a"}}, {{"http", 80, 8080}});
  b.sidecar("foo", "for-app", {{"app", "a"}}, {{9080, "HTTP"}, {9443, "TLS"}, {9999, "http-x"}});
  b.sidecar("istio-system", "default", {}, {{7000, "TCP"}});
  mesh::Mesh m = b.resolve();
  const auto& w = test::get_workload(m, "foo", "app");
  REQUIRE(w.sidecar != nullptr);
  CHECK(w.find_port(9080)->protocol == PortProtocol::Http);
  CHECK(w.find_port(9443)->protocol == PortProtocol::Tcp);
  CHECK(w.find_port(9999)->protocol == PortProtocol::Sniffed);  // a name, not a prefix, is parsed here
  CHECK(w.find_port(9080)->protocol_source == "Sidecar ingress");
  // The container port remains reachable through the passthrough chain.
  CHECK(w.find_port(8080)->protocol == PortProtocol::Sniffed);
  CHECK(w.find_port(8080)->services.empty());
  // The workload-selecting Sidecar does not select app=o; the root namespace default Sidecar applies.
  const auto& o = test::get_workload(m, "foo", "other");
  CHECK(o.sidecar != nullptr);
  CHECK(o.find_port(7000) != nullptr);
  CHECK(o.find_port(8080) == nullptr);
  CHECK(test::get_workload(m, "bar", "app").find_port(7000) != nullptr);
}

TEST_CASE("synthetic workloads get the ports of Services that select them and of their policies", "[mesh][ports]") {
  test::MeshBuilder b;
  b.service("foo", "svc", {{"app", "x"}}, {{"grpc", 80, 8080}, {"named", 81, 0, "web"}});
  b.authz("foo", "p", {{"app", "x"}}, "", {"9000", "8080", "not-a-port", "70000"});
  const mesh::Mesh resolved = b.resolve();
  const auto& s = test::get_workload(resolved, "foo", "selector:app=x");
  REQUIRE(s.ports.size() == 2);
  CHECK(s.ports[0].port == 8080);
  CHECK(s.ports[0].protocol == PortProtocol::Http);
  CHECK(s.ports[1].port == 9000);
  CHECK(s.ports[1].protocol_source == "policy");
}

// An Istio gateway pod listens on the ports its Gateway servers define, not on its Service or container
// ports (pilot/pkg/networking/core/gateway.go; realworld corpus: kubeflow's istio-ingressgateway, whose
// Service exposes 443 → 8443 but whose only Gateway server is HTTP on 80 → 8080).
TEST_CASE("an Istio gateway pod's ports come from the Gateway servers that select it", "[mesh][ports]") {
  const std::string gateway_pod = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istio-ingressgateway}}
  template:
    metadata:
      labels: {app: istio-ingressgateway, istio: ingressgateway}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - name: istio-proxy
        image: proxyv2
        ports: [{containerPort: 8080}, {containerPort: 8443}, {containerPort: 15021}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {app: istio-ingressgateway, istio: ingressgateway}
  ports:
  - {name: status-port, port: 15021, targetPort: 15021}
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
)";
  SECTION("an HTTP server on the Service port 80 listens on its targetPort 8080, and nothing else listens") {
    auto input = test::load_yaml(gateway_pod + R"(---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kubeflow-gateway, namespace: kubeflow}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
)");
    REQUIRE(input);
    const mesh::Workload& w = test::get_workload(input->mesh, "istio-system", "istio-ingressgateway");
    REQUIRE(w.ports.size() == 1);
    CHECK(w.ports[0].port == 8080);
    CHECK(w.ports[0].protocol == PortProtocol::Http);
    CHECK(w.ports[0].protocol_source == "Gateway kubeflow/kubeflow-gateway");
    CHECK(w.ports[0].services == std::vector<std::string>{"istio-system/istio-ingressgateway:80"});
  }
  SECTION("HTTPS that terminates TLS is HTTP, passthrough and TCP are TCP, a mix on one port is both") {
    auto input = test::load_yaml(gateway_pod + R"(---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    tls: {mode: SIMPLE, credentialName: cert}
    hosts: ["app.example.com"]
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9443, name: tls, protocol: TLS}
    tls: {mode: PASSTHROUGH}
    hosts: ["db.example.com"]
  - port: {number: 9444, name: https-default-mode, protocol: HTTPS}
    tls: {credentialName: cert}
    hosts: ["x.example.com"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: passthrough, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    tls: {mode: PASSTHROUGH}
    hosts: ["legacy.example.com"]
)");
    REQUIRE(input);
    const mesh::Workload& w = test::get_workload(input->mesh, "istio-system", "istio-ingressgateway");
    REQUIRE(w.ports.size() == 4);
    CHECK(w.ports[0].port == 8443);  // 443 → targetPort 8443: SIMPLE (HTTP) and PASSTHROUGH (TCP) servers
    CHECK(w.ports[0].protocol == PortProtocol::Sniffed);
    CHECK(w.ports[0].protocol_conflict);
    CHECK(w.ports[1].port == 9000);  // no Service port 9000: the server port is the listener port
    CHECK(w.ports[1].protocol == PortProtocol::Tcp);
    CHECK(w.ports[2].port == 9443);
    CHECK(w.ports[2].protocol == PortProtocol::Tcp);
    CHECK(w.ports[3].port == 9444);  // `tls` without a mode is PASSTHROUGH (the enum's zero value)
    CHECK(w.ports[3].protocol == PortProtocol::Tcp);
  }
  SECTION("without a Gateway that selects it, its Services and container ports stand in") {
    auto input = test::load_yaml(gateway_pod + R"(---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: other, namespace: istio-system}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
)");
    REQUIRE(input);
    const mesh::Workload& w = test::get_workload(input->mesh, "istio-system", "istio-ingressgateway");
    REQUIRE(w.ports.size() == 3);
    CHECK(w.ports[0].port == 8080);
    CHECK(w.ports[1].port == 8443);
    CHECK(w.ports[1].protocol == PortProtocol::Tcp);  // Service port name "https": TCP, as at a sidecar
    CHECK(w.ports[2].port == 15021);
  }
}

TEST_CASE("a Gateway that selects an ordinary sidecar workload does not change its ports", "[mesh][ports]") {
  auto input = test::load_yaml(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: odd, namespace: shop}
spec:
  selector: {app: web}
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
)");
  REQUIRE(input);
  const mesh::Workload& w = test::get_workload(input->mesh, "shop", "web");
  REQUIRE(w.ports.size() == 1);
  CHECK(w.ports[0].port == 8080);
  CHECK(w.ports[0].protocol_source == "container port");
}
