// Linkerd's inbound policy lowered into the IR (ir/lower_linkerd.h), decided by the concrete evaluator and
// by the Z3 compiler: each rule LK10-LK20 of docs/semantics.md#linkerd-policy on a small case, and the two
// evaluators agreeing on random Linkerd policy sets and requests (DESIGN.md §5).
#include <catch2/catch.hpp>

#include <memory>

#include "engine/evaluate.h"
#include "engine/query.h"
#include "ir/lower_linkerd.h"
#include "load/loader.h"
#include "random_program.h"

using namespace meshproof;
using engine::Verdict;

namespace {

struct LinkerdWorld {
  SourceSet sources;
  model::LinkerdPolicySet set;
};

std::unique_ptr<LinkerdWorld> linkerd_world(const std::string& yaml) {
  auto w = std::make_unique<LinkerdWorld>();
  uint32_t id = w->sources.add(SourceFile{"l.yaml", "l.yaml", std::make_shared<const std::string>(yaml)});
  load::Loader loader(w->sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  loader.parse_text(
      id, yaml, [&](load::Document&& d) { model::add_linkerd_document(d, w->set, "ns"); }, errors, notes);
  REQUIRE(errors.empty());
  REQUIRE(w->set.diagnostics.empty());
  return w;
}

ir::LinkerdPod web_pod() {
  ir::LinkerdPod pod;
  pod.ns = "ns";
  pod.name = "web";
  pod.labels = {{"app", "web"}};
  pod.service_account = "web";
  pod.ports = {model::ContainerPort{"http", 8080, "TCP", Loc{}}, model::ContainerPort{"admin", 9990, "TCP", Loc{}}};
  return pod;
}

ir::Request request(uint32_t port, const std::string& ip, const std::string& principal = "") {
  ir::Request r;
  r.port = port;
  r.source_ip = ir::parse_ip(ip);
  if (!principal.empty()) REQUIRE(r.set_principal(principal));
  return r;
}

const ir::Program& program(const ir::LinkerdLowered& l, uint32_t port) {
  const ir::PortPrograms* pp = l.programs.find_port(port);
  REQUIRE(pp);
  return pp->views.front();
}

// The concrete verdict, after checking that the symbolic engine gives the same verdict and deciding rule.
Verdict decide(const ir::LinkerdLowered& l, const ir::Request& r) {
  const ir::Program& p = program(l, r.port);
  engine::Decision want = engine::evaluate(p, r);
  engine::Engine eng(p);
  engine::SymbolicDecision got = eng.decide(r);
  REQUIRE(got.answer == engine::SatAnswer::Sat);
  CHECK(got.verdict == want.verdict);
  CHECK(got.decided_by == (want.decided_by ? eng.ref_of(*want.decided_by) : std::nullopt));
  return want.verdict;
}

const std::string kMeshed = "cluster.local/ns/ns/sa/api";      // api.ns.serviceaccount.identity.linkerd.cluster.local
const std::string kOtherNs = "cluster.local/ns/other/sa/api";  // api.other....

const char* kServer = R"(apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web-http, namespace: ns}
spec: {podSelector: {matchLabels: {app: web}}, port: http, proxyProtocol: HTTP/1}
)";

}  // namespace

TEST_CASE("linkerd: a Server without authorizations denies everyone (LK13)", "[differential][linkerd]") {
  auto w = linkerd_world(kServer);
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  CHECK(program(l, 8080).mtls == model::MtlsMode::Strict);
  CHECK(program(l, 8080).mtls_decided_by == "Linkerd Server ns/web-http");
  CHECK(decide(l, request(8080, "10.1.2.3", kMeshed)) == Verdict::Deny);
  CHECK(decide(l, request(8080, "10.1.2.3")) == Verdict::Rejected);
  // The admin port has no Server: the cluster default all-unauthenticated admits plaintext (LK15).
  CHECK(program(l, 9990).mtls == model::MtlsMode::Permissive);
  CHECK(decide(l, request(9990, "8.8.8.8")) == Verdict::Allow);
  REQUIRE(l.ports.size() == 3);
  CHECK(l.ports[0].server == &w->set.servers[0]);
  CHECK(l.ports[1].default_policy == "all-unauthenticated");
}

TEST_CASE("linkerd: refs of one AuthorizationPolicy AND, policies OR (LK10, LK11)", "[differential][linkerd]") {
  auto w = linkerd_world(std::string(kServer) + R"(---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: from-ns, namespace: ns}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: web-http}
  requiredAuthenticationRefs:
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: ns-clients}
  - {group: policy.linkerd.io, kind: NetworkAuthentication, name: pods}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: other-api, namespace: ns}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: web-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: api, namespace: other}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: ns-clients, namespace: ns}
spec: {identities: ["*.ns.serviceaccount.identity.linkerd.cluster.local"]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: pods, namespace: ns}
spec: {networks: [{cidr: 10.0.0.0/8, except: [10.0.66.0/24]}]}
)");
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  CHECK(decide(l, request(8080, "10.1.2.3", kMeshed)) == Verdict::Allow);
  CHECK(decide(l, request(8080, "10.0.66.7", kMeshed)) == Verdict::Deny);      // except (LK20)
  CHECK(decide(l, request(8080, "192.168.0.1", kMeshed)) == Verdict::Deny);    // outside the network
  CHECK(decide(l, request(8080, "192.168.0.1", kOtherNs)) == Verdict::Allow);  // the second policy
  CHECK(decide(l, request(8080, "10.1.2.3", "cluster.local/ns/other/sa/db")) == Verdict::Deny);
  CHECK(decide(l, request(8080, "10.1.2.3")) == Verdict::Rejected);
}

TEST_CASE("linkerd: empty requiredAuthenticationRefs admits plaintext, an unresolvable policy nothing (LK12, LK19)",
          "[differential][linkerd]") {
  auto w = linkerd_world(std::string(kServer) + R"(---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: missing, namespace: ns}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: web-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: does-not-exist}]
)");
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  CHECK(decide(l, request(8080, "10.1.2.3", kMeshed)) == Verdict::Deny);
  REQUIRE(l.ports[0].notes.size() == 1);
  CHECK(l.ports[0].notes[0] ==
        "AuthorizationPolicy ns/missing is ignored: MeshTLSAuthentication ns/does-not-exist does not exist");
  auto open = linkerd_world(std::string(kServer) + R"(---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: everyone, namespace: ns}
spec: {targetRef: {kind: Namespace, name: ns}, requiredAuthenticationRefs: []}
)");
  l = ir::lower_linkerd_pod(web_pod(), open->set, ir::LinkerdCluster{});
  CHECK(program(l, 8080).mtls == model::MtlsMode::Permissive);
  CHECK(decide(l, request(8080, "8.8.8.8")) == Verdict::Allow);
}

TEST_CASE("linkerd: default policies, annotations, require-identity and skip ports (LK14-LK18)",
          "[differential][linkerd]") {
  model::LinkerdPolicySet none;
  ir::LinkerdPod pod = web_pod();
  pod.default_inbound_policy = "cluster-authenticated";
  pod.skip_inbound_ports = "9990";
  ir::LinkerdLowered l = ir::lower_linkerd_pod(pod, none, ir::LinkerdCluster{});
  CHECK(decide(l, request(8080, "10.1.2.3", kMeshed)) == Verdict::Allow);
  CHECK(decide(l, request(8080, "8.8.8.8", kMeshed)) == Verdict::Deny);
  CHECK(decide(l, request(8080, "10.1.2.3")) == Verdict::Rejected);
  CHECK_FALSE(program(l, 9990).enforced);
  CHECK(decide(l, request(9990, "8.8.8.8")) == Verdict::Allow);
  pod.default_inbound_policy = "no-such-policy";  // ignored: the install value applies
  ir::LinkerdCluster deny;
  deny.default_policy = "deny";
  l = ir::lower_linkerd_pod(pod, none, deny);
  CHECK(decide(l, request(8080, "10.1.2.3", kMeshed)) == Verdict::Deny);
  CHECK(decide(l, request(12345, "10.1.2.3", kMeshed)) == Verdict::Deny);
  pod.default_inbound_policy = "all-unauthenticated";
  pod.require_identity_ports = "8000-8090";
  l = ir::lower_linkerd_pod(pod, none, ir::LinkerdCluster{});
  CHECK(decide(l, request(8080, "8.8.8.8")) == Verdict::Rejected);
  CHECK(decide(l, request(8080, "8.8.8.8", kOtherNs)) == Verdict::Allow);
  CHECK(decide(l, request(12345, "8.8.8.8")) == Verdict::Allow);
}

TEST_CASE("linkerd: ServerAuthorization networks default to the cluster networks (LK21), the oldest Server wins (LK22)",
          "[differential][linkerd]") {
  auto w = linkerd_world(R"(apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: b-newer, namespace: ns, creationTimestamp: "2024-02-01T00:00:00Z"}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080, accessPolicy: all-unauthenticated}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: a-older, namespace: ns, creationTimestamp: "2024-01-01T00:00:00Z", labels: {public: "yes"}}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: public, namespace: ns}
spec: {server: {selector: {matchLabels: {public: "yes"}}}, client: {unauthenticated: true}}
)");
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  CHECK(l.ports[0].server == &w->set.servers[1]);
  CHECK(decide(l, request(8080, "10.1.2.3")) == Verdict::Allow);
  CHECK(decide(l, request(8080, "8.8.8.8")) == Verdict::Deny);
}

TEST_CASE("linkerd: identities as Linkerd writes them (LK9)", "[differential][linkerd]") {
  ir::LinkerdCluster c;
  CHECK(ir::linkerd_identity("web", "emojivoto", c) == "web.emojivoto.serviceaccount.identity.linkerd.cluster.local");
  std::string td, ns, sa;
  REQUIRE(ir::parse_linkerd_identity("web.emojivoto.serviceaccount.identity.linkerd.cluster.local", c, td, ns, sa));
  CHECK((td == "cluster.local" && ns == "emojivoto" && sa == "web"));
  CHECK_FALSE(ir::parse_linkerd_identity("web.emojivoto.svc.cluster.local", c, td, ns, sa));
  auto w = linkerd_world(std::string(kServer) + R"(---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: ids, namespace: ns}
spec:
  server: {name: web-http}
  client:
    networks: [{cidr: 0.0.0.0/0}]
    meshTLS: {identities: ["*.local", "db.other.serviceaccount.identity.linkerd.cluster.local", "*.example.com"]}
)");
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, c);
  CHECK(decide(l, request(8080, "8.8.8.8", kMeshed)) == Verdict::Allow);  // *.local: every identity in cluster.local
  CHECK(decide(l, request(8080, "8.8.8.8", "example.com/ns/a/sa/b")) == Verdict::Deny);
  CHECK(decide(l, request(8080, "8.8.8.8", "prod.local/ns/a/sa/b")) == Verdict::Allow);
}

TEST_CASE("differential: symbolic == concrete on Linkerd-lowered programs", "[differential][linkerd]") {
  test::RandomPrograms gen(23);
  const char* policies[] = {
      "deny", "all-unauthenticated", "all-authenticated", "cluster-unauthenticated", "cluster-authenticated", "audit"};
  const char* ids[] = {"*", "*.ns.serviceaccount.identity.linkerd.cluster.local",
                       "api.ns.serviceaccount.identity.linkerd.cluster.local", "*.cluster.local", "*.local"};
  const char* cidrs[] = {"10.0.0.0/8", "10.0.0.0/16", "192.168.0.0/16", "0.0.0.0/0"};
  uint64_t done = 0, allow = 0, deny = 0, rejected = 0;
  for (int n = 0; n < 200; ++n) {
    std::string yaml = std::string(kServer);
    yaml.replace(yaml.find("proxyProtocol: HTTP/1"), 21, std::string("accessPolicy: ") + policies[gen.pick(6)]);
    for (int k = gen.pick(3); k > 0; --k) {
      yaml += "---\napiVersion: policy.linkerd.io/v1beta1\nkind: ServerAuthorization\nmetadata: {name: s" +
              std::to_string(k) + ", namespace: ns}\nspec:\n  server: {name: web-http}\n  client:\n";
      if (gen.chance(50)) yaml += std::string("    networks: [{cidr: ") + cidrs[gen.pick(4)] + "}]\n";
      if (gen.chance(30))
        yaml += "    unauthenticated: true\n";
      else
        yaml += std::string("    meshTLS: {identities: [\"") + ids[gen.pick(5)] + "\"]}\n";
    }
    auto w = linkerd_world(yaml);
    ir::LinkerdPod pod = web_pod();
    pod.default_inbound_policy = policies[gen.pick(6)];
    ir::LinkerdLowered l = ir::lower_linkerd_pod(pod, w->set, ir::LinkerdCluster{});
    for (int k = 0; k < 20; ++k, ++done) {
      const ir::Program& p = l.programs.ports[gen.pick(l.programs.ports.size())].views.front();
      ir::Request r = gen.request(p);
      if (gen.chance(50)) r.source_ip = ir::parse_ip(gen.chance(50) ? "10.0.3.4" : "192.168.1.1");
      if (gen.chance(30)) r.set_principal(gen.chance(50) ? kMeshed : "prod.local/ns/a/sa/b");
      const Verdict v = decide(l, r);
      allow += v == Verdict::Allow;
      deny += v == Verdict::Deny;
      rejected += v == Verdict::Rejected;
    }
  }
  WARN("differential (linkerd): " << done << " pairs; ALLOW " << allow << ", DENY " << deny << ", REJECTED "
                                  << rejected);
  CHECK(allow > done / 20);
  CHECK(deny > done / 20);
  CHECK(rejected > done / 50);
}

// --- HTTPRoutes (docs/semantics.md#linkerd-routes, LK30-LK35) -----------------------------------------------

namespace {

ir::Request http_request(const std::string& method, const std::string& path, const std::string& principal = "",
                         const std::string& ip = "10.1.2.3") {
  ir::Request r = request(8080, ip, principal);
  r.method = method;
  r.path = path;
  return r;
}

const char* kRoutes = R"(---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: api, namespace: ns, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /api/}, method: GET}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin, namespace: ns, creationTimestamp: "2024-01-02T00:00:00Z"}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web-http}]
  rules: [{matches: [{path: {type: RegularExpression, value: "/api/admin/[0-9]+"}}]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-from-meshed, namespace: ns}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: api}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: api}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: admin-from-other, namespace: ns}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: admin}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: api, namespace: other}]
)";

}  // namespace

TEST_CASE("linkerd: a route-targeted policy authorizes its route only, no route is 404 (LK30-LK32)",
          "[differential][linkerd]") {
  auto w = linkerd_world(std::string(kServer) + kRoutes);
  REQUIRE(w->set.http_routes.size() == 2);
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  const ir::Program& p = program(l, 8080);
  CHECK(p.protocol == ir::Protocol::Http);
  REQUIRE(l.ports[0].routes.size() == 2);
  CHECK(l.ports[0].routes[0]->meta.name == "api");
  CHECK(l.ports[0].http_authorizations.size() == 2);  // one per route; the Server has none of its own
  CHECK(decide(l, http_request("GET", "/api/users", kMeshed)) == Verdict::Allow);
  CHECK(decide(l, http_request("GET", "/api", kMeshed)) == Verdict::Allow);        // the prefix's own path (LK33)
  CHECK(decide(l, http_request("GET", "/apix", kMeshed)) == Verdict::Deny);        // not a whole segment: 404
  CHECK(decide(l, http_request("POST", "/api/users", kMeshed)) == Verdict::Deny);  // no route matches: 404
  engine::Decision d404 = engine::evaluate(p, http_request("POST", "/api/users", kMeshed));
  REQUIRE(d404.decided_by);
  CHECK(ir::is_linkerd_no_route_rule(*d404.decided_by));
  CHECK(decide(l, http_request("GET", "/api/users", kOtherNs)) == Verdict::Deny);  // the route's, not this caller: 403
  CHECK_FALSE(engine::evaluate(p, http_request("GET", "/api/users", kOtherNs)).decided_by);
  // The regex is longer than the prefix on /api/admin/7, so the admin route decides it (LK33).
  CHECK(decide(l, http_request("GET", "/api/admin/7", kMeshed)) == Verdict::Deny);
  CHECK(decide(l, http_request("GET", "/api/admin/7", kOtherNs)) == Verdict::Allow);
  CHECK(decide(l, http_request("DELETE", "/api/admin/7", kOtherNs)) == Verdict::Allow);
  CHECK(decide(l, http_request("GET", "/api/admin/x", kMeshed)) == Verdict::Allow);
}

TEST_CASE("linkerd: the Server's authorizations join every route's, opaque ports ignore routes (LK32, LK34)",
          "[differential][linkerd]") {
  std::string server = std::string(kServer);
  server.replace(server.find("proxyProtocol: HTTP/1"), 21, "proxyProtocol: unknown");
  auto w = linkerd_world(server + kRoutes + R"(---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: probes, namespace: ns}
spec: {server: {name: web-http}, client: {unauthenticated: true, networks: [{cidr: 10.0.0.0/8}]}}
)");
  ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
  const ir::PortPrograms* pp = l.programs.find_port(8080);
  REQUIRE(pp);
  REQUIRE(pp->views.size() == 2);  // detected protocol: HTTP by route, the rest per connection
  CHECK(pp->sniffed);
  CHECK(l.ports[0].http_authorizations.size() == 4);
  CHECK(decide(l, http_request("GET", "/api/users")) == Verdict::Allow);  // plaintext from 10/8: the Server's
  CHECK(decide(l, http_request("GET", "/api/users", "", "8.8.8.8")) == Verdict::Deny);
  CHECK(decide(l, http_request("PUT", "/other")) == Verdict::Deny);       // still 404: no route
  ir::Request tcp = request(8080, "8.8.8.8", kOtherNs);                   // the admin route's caller, not HTTP
  CHECK(engine::evaluate(pp->views[1], tcp).verdict == Verdict::Deny);
  CHECK(engine::evaluate(pp->views[1], request(8080, "10.1.2.3")).verdict == Verdict::Allow);

  std::string opaque = std::string(kServer);
  opaque.replace(opaque.find("proxyProtocol: HTTP/1"), 21, "proxyProtocol: opaque");
  auto o = linkerd_world(opaque + kRoutes);
  l = ir::lower_linkerd_pod(web_pod(), o->set, ir::LinkerdCluster{});
  CHECK(program(l, 8080).protocol == ir::Protocol::Tcp);
  CHECK(l.ports[0].routes.empty());
  CHECK(decide(l, request(8080, "10.1.2.3", kOtherNs)) == Verdict::Deny);
  REQUIRE_FALSE(l.ports[0].notes.empty());
  CHECK(l.ports[0].notes.back() == "its HTTPRoutes do not apply: proxyProtocol opaque is not HTTP");
}

TEST_CASE("differential: symbolic == concrete on Linkerd HTTPRoutes", "[differential][linkerd]") {
  test::RandomPrograms gen(29);
  const char* types[] = {"Exact", "PathPrefix", "RegularExpression"};
  const char* values[] = {"/", "/a", "/a/", "/a/b", "/b"};
  const char* regexes[] = {"/a/[a-z]+", "/a.*", "/b/?"};
  const char* methods[] = {"", "GET", "POST"};
  const char* paths[] = {"/", "/a", "/a/", "/ab", "/a/b", "/a/b/c", "/b", "/b/", "/c"};
  const char* principals[] = {"", "cluster.local/ns/ns/sa/api", "cluster.local/ns/other/sa/api"};
  uint64_t done = 0, allow = 0, deny = 0, no_route = 0;
  for (int n = 0; n < 60; ++n) {
    std::string yaml = kServer;
    const int routes = 1 + gen.pick(3);
    for (int k = 0; k < routes; ++k) {
      const std::string name = "r" + std::to_string(k);
      yaml += "---\napiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata: {name: " + name +
              ", namespace: ns}\nspec:\n  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web-http}]\n"
              "  rules:\n  - matches:\n";
      for (int m = 1 + gen.pick(2); m > 0; --m) {
        const int t = gen.pick(3);
        yaml += std::string("    - path: {type: ") + types[t] + ", value: \"" +
                (t == 2 ? regexes[gen.pick(3)] : values[gen.pick(5)]) + "\"}\n";
        if (const char* method = methods[gen.pick(3)]; *method) yaml += std::string("      method: ") + method + "\n";
      }
      yaml += "---\napiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: a" + name +
              ", namespace: ns}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: " + name +
              "}\n  requiredAuthenticationRefs: [{kind: ServiceAccount, name: api" +
              (gen.chance(50) ? std::string(", namespace: other") : std::string()) + "}]\n";
    }
    auto w = linkerd_world(yaml);
    ir::LinkerdLowered l = ir::lower_linkerd_pod(web_pod(), w->set, ir::LinkerdCluster{});
    for (int k = 0; k < 15; ++k, ++done) {
      ir::Request r = http_request(gen.chance(50) ? "GET" : "POST", paths[gen.pick(9)], principals[1 + gen.pick(2)]);
      const Verdict v = decide(l, r);
      allow += v == Verdict::Allow;
      deny += v == Verdict::Deny;
      const engine::Decision d = engine::evaluate(program(l, 8080), r);
      no_route += d.decided_by && ir::is_linkerd_no_route_rule(*d.decided_by);
    }
  }
  WARN("differential (linkerd routes): " << done << " pairs; ALLOW " << allow << ", DENY " << deny << " (404 "
                                         << no_route << ")");
  CHECK(allow > done / 20);
  CHECK(deny > done / 20);
  CHECK(no_route > done / 50);
}
