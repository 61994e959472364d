// The decision function (IS §1 filter order, §2 decision, §11 connection, §12 JWT), through the whole
// pipeline.
#include "eval_helpers.h"

using namespace meshproof;
using engine::Reason;
using engine::Verdict;
using ir::Protocol;
using test::build_web;
using test::from_peer;
using test::plaintext;

namespace {
std::string pa(const std::string& mode) {
  return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: pa, namespace: foo}\n"
         "spec:\n  mtls: {mode: " +
         mode + "}\n";
}
std::string policy(const std::string& name, const std::string& body) {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " + name +
         ", namespace: foo}\nspec:\n" + body;
}
const char* kMeshProviders = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    extensionProviders:
    - name: grpc-authz
      envoyExtAuthzGrpc: {service: authz.foo.svc.cluster.local, port: 9000}
    - name: http-authz
      envoyExtAuthzHttp: {service: authz.foo.svc.cluster.local, port: 8000}
)";
}  // namespace

TEST_CASE("STRICT rejects plaintext before authorization (IS §11)", "[evaluate][mtls]") {
  auto b = build_web(pa("STRICT") + "---\n" + policy("all", "  rules:\n  - {}\n"));
  auto d = engine::evaluate(b.http(), plaintext());
  CHECK(d.verdict == Verdict::Rejected);
  CHECK(d.reason == Reason::PlaintextOnStrict);
  CHECK(d.explanation.find("PeerAuthentication foo/pa") != std::string::npos);
  CHECK(engine::evaluate(b.http(), from_peer("td/ns/a/sa/b")).verdict == Verdict::Allow);
}

TEST_CASE("PERMISSIVE accepts both -- DISABLE accepts plaintext only (IS §11)", "[evaluate][mtls]") {
  auto p = build_web(pa("PERMISSIVE"));
  CHECK(engine::evaluate(p.http(), plaintext()).verdict == Verdict::Allow);
  CHECK(engine::evaluate(p.http(), from_peer("td/ns/a/sa/b")).verdict == Verdict::Allow);
  auto d = build_web(pa("DISABLE"));
  CHECK(engine::evaluate(d.http(), plaintext()).verdict == Verdict::Allow);
  auto m = engine::evaluate(d.http(), from_peer("td/ns/a/sa/b"));
  CHECK(m.verdict == Verdict::Rejected);
  CHECK(m.reason == Reason::MtlsOnDisable);
}

TEST_CASE("DENY wins over ALLOW -- the deciding rule is named (IS §2)", "[evaluate]") {
  auto b = build_web(policy("allow-a", "  rules:\n  - from:\n    - source: {namespaces: [a]}\n") + "---\n" +
                     policy("deny-admin", "  action: DENY\n  rules:\n  - to:\n    - operation: {paths: [/admin*]}\n"));
  auto req = from_peer("td/ns/a/sa/x");
  auto d = engine::evaluate(b.http(), req);
  CHECK(d.verdict == Verdict::Allow);
  REQUIRE(d.decided_by);
  CHECK(d.decided_by->policy.name == "allow-a");
  req.path = "/admin/users";
  d = engine::evaluate(b.http(), req);
  CHECK(d.verdict == Verdict::Deny);
  CHECK(d.reason == Reason::DenyMatched);
  REQUIRE(d.decided_by);
  CHECK(d.decided_by->policy.display() == "foo/deny-admin");
  auto other = engine::evaluate(b.http(), from_peer("td/ns/b/sa/x"));
  CHECK(other.verdict == Verdict::Deny);
  CHECK(other.reason == Reason::NoAllowMatched);
  CHECK(other.decided_by == nullptr);
}

TEST_CASE("AUDIT never decides (IS §2)", "[evaluate]") {
  auto b = build_web(policy("audit", "  action: AUDIT\n  rules:\n  - {}\n"));
  auto d = engine::evaluate(b.http(), plaintext());
  CHECK(d.verdict == Verdict::Allow);
  CHECK(d.reason == Reason::NoAllowPolicy);
  CHECK(d.audit_matches.size() == 1);
  CHECK_FALSE(b.http().has_allow_policy);
}

TEST_CASE("JWT: no token passes, invalid token and unknown issuer are rejected (IS §12)", "[evaluate][jwt]") {
  auto b = build_web(R"(apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  jwtRules:
  - issuer: https://idp.example.com
---
)" + policy("need-jwt", "  rules:\n  - from:\n    - source: {requestPrincipals: [\"https://idp.example.com/*\"]}\n"));
  const auto& p = b.http();
  CHECK(p.has_request_authentication);
  auto none = engine::evaluate(p, plaintext());
  CHECK(none.verdict == Verdict::Deny);  // passes authentication, then no ALLOW rule matches
  CHECK(none.reason == Reason::NoAllowMatched);
  auto ok = plaintext();
  ok.set_request_principal("https://idp.example.com/alice");
  CHECK(engine::evaluate(p, ok).verdict == Verdict::Allow);
  auto bad = plaintext();
  bad.token = ir::TokenState::Invalid;
  CHECK(engine::evaluate(p, bad).reason == Reason::InvalidToken);
  auto other = plaintext();
  other.set_request_principal("https://evil.example.com/alice");
  auto o = engine::evaluate(p, other);
  CHECK(o.verdict == Verdict::Rejected);
  CHECK(o.reason == Reason::IssuerNotAccepted);
  // TCP: there is no jwt_authn; tokens are irrelevant, requestPrincipals rule dropped → deny.
  CHECK_FALSE(b.tcp().has_request_authentication);
  auto tcp_bad = plaintext(9000);
  tcp_bad.token = ir::TokenState::Invalid;
  CHECK(engine::evaluate(b.tcp(), tcp_bad).reason == Reason::NoAllowMatched);
}

TEST_CASE("JWT: without a RequestAuthentication a token is ignored (IS §12)", "[evaluate][jwt]") {
  auto b = build_web(policy("need-jwt", "  rules:\n  - from:\n    - source: {requestPrincipals: [\"*\"]}\n"));
  auto req = plaintext();
  req.set_request_principal("https://idp.example.com/alice");
  CHECK(engine::evaluate(b.http(), req).verdict == Verdict::Deny);
  req.token = ir::TokenState::Invalid;
  CHECK(engine::evaluate(b.http(), req).reason == Reason::NoAllowMatched);
}

TEST_CASE("CUSTOM: a match is delegated, with what follows if the authorizer allows (IS §1, §2)",
          "[evaluate][custom]") {
  auto b =
      build_web(std::string(kMeshProviders) + "---\n" +
                policy("ext",
                       "  action: CUSTOM\n  provider: {name: grpc-authz}\n  rules:\n  - to:\n    - operation: {paths: "
                       "[/secure*]}\n") +
                "---\n" + policy("deny-b", "  action: DENY\n  rules:\n  - from:\n    - source: {namespaces: [b]}\n"));
  const auto& p = b.http();
  CHECK(p.custom_mode == ir::CustomMode::Delegate);
  auto req = from_peer("td/ns/b/sa/x");
  req.path = "/secure/1";
  auto d = engine::evaluate(p, req);
  CHECK(d.verdict == Verdict::Delegated);
  REQUIRE(d.if_authorizer_allows);
  CHECK(*d.if_authorizer_allows == Verdict::Deny);
  req.path = "/open";
  CHECK(engine::evaluate(p, req).verdict == Verdict::Deny);
  // gRPC provider: enforced on TCP too, with the HTTP-only path dropped → every TCP connection delegated.
  CHECK(engine::evaluate(b.tcp(), from_peer("td/ns/a/sa/x", 9000)).verdict == Verdict::Delegated);
}

TEST_CASE("CUSTOM with an HTTP provider is not enforced on TCP (IS §2, §7)", "[evaluate][custom]") {
  auto b = build_web(std::string(kMeshProviders) + "---\n" +
                     policy("ext", "  action: CUSTOM\n  provider: {name: http-authz}\n  rules:\n  - {}\n"));
  CHECK(engine::evaluate(b.http(), plaintext()).verdict == Verdict::Delegated);
  CHECK(b.tcp().custom.empty());
  bool recorded = false;
  for (const auto& d : b.tcp().drops) recorded |= d.kind == ir::DropKind::PolicyNotEnforced;
  CHECK(recorded);
  CHECK(engine::evaluate(b.tcp(), plaintext(9000)).verdict == Verdict::Allow);
}

TEST_CASE("CUSTOM fails closed: unknown provider, several providers (IS §2)", "[evaluate][custom]") {
  auto unknown = build_web(
      std::string(kMeshProviders) + "---\n" +
      policy("ext", "  action: CUSTOM\n  provider: {name: nope}\n  rules:\n  - to:\n    - operation: {paths: [/x]}\n"));
  CHECK(unknown.http().custom_mode == ir::CustomMode::FailClosed);
  auto req = plaintext();
  req.path = "/x";
  auto d = engine::evaluate(unknown.http(), req);
  CHECK(d.verdict == Verdict::Deny);
  CHECK(d.reason == Reason::CustomFailClosed);
  req.path = "/y";
  CHECK(engine::evaluate(unknown.http(), req).verdict == Verdict::Allow);
  auto two = build_web(std::string(kMeshProviders) + "---\n" +
                       policy("e1", "  action: CUSTOM\n  provider: {name: grpc-authz}\n  rules:\n  - {}\n") + "---\n" +
                       policy("e2", "  action: CUSTOM\n  provider: {name: http-authz}\n  rules:\n  - {}\n"));
  CHECK(two.http().custom_mode == ir::CustomMode::FailClosed);
  CHECK(engine::evaluate(two.http(), plaintext()).verdict == Verdict::Deny);
  // Without a mesh config the provider is assumed to exist.
  auto no_mesh = build_web(policy("ext", "  action: CUSTOM\n  provider: {name: nope}\n  rules:\n  - {}\n"));
  CHECK(no_mesh.http().custom_mode == ir::CustomMode::Delegate);
  CHECK_FALSE(no_mesh.http().custom_reason.empty());
}

TEST_CASE("sniffed ports get an HTTP and a TCP view (IS §1)", "[evaluate][protocol]") {
  // Port 7000 is declared by the container only, with no Service: its protocol is sniffed.
  auto b = test::build_web(policy("m", "  rules:\n  - to:\n    - operation: {methods: [GET]}\n"));
  const auto* rest = b.programs.find_port(12345);
  REQUIRE(rest);
  CHECK(rest->port == 0);
  REQUIRE(rest->views.size() == 2);
  CHECK(rest->views[0].protocol == Protocol::Http);
  CHECK(rest->views[1].protocol == Protocol::Tcp);
  auto req = plaintext(12345);
  CHECK(engine::evaluate(rest->views[0], req).verdict == Verdict::Allow);
  CHECK(engine::evaluate(rest->views[1], req).verdict == Verdict::Deny);
}

TEST_CASE("a workload without sidecar enforces nothing", "[evaluate]") {
  std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: nosidecar, namespace: foo}
spec:
  selector: {matchLabels: {app: ns}}
  template:
    metadata:
      labels: {app: ns}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]
---
)" + pa("STRICT") + "---\n" +
                     policy("deny-all", "  action: ALLOW\n");
  auto b = test::build_web(yaml, "nosidecar");
  const auto* pp = b.programs.find_port(8080);
  REQUIRE(pp);
  auto d = engine::evaluate(pp->views.front(), plaintext());
  CHECK(d.verdict == Verdict::Allow);
  CHECK(d.reason == Reason::NoSidecar);
}
