// ztunnel lowering (docs/semantics.md#ztunnel, ambient.md A4-A8, A10): programs of ambient workloads decide
// connections as ztunnel does, and the symbolic engine agrees with the concrete evaluator on them.
#include <catch2/catch.hpp>

#include "engine/evaluate.h"
#include "engine/query.h"
#include "ir/lower.h"
#include "ir/request_text.h"
#include "test_support.h"

using namespace meshproof;
using engine::Verdict;

namespace {

const char* kAmbient = R"(
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: x, ports: [{containerPort: 8080, name: http}]}]}
---
)";

struct Fixture {
  std::unique_ptr<app::Input> input;
  ir::WorkloadPrograms programs;
  const ir::Program* prog = nullptr;

  explicit Fixture(const std::string& policies, const std::string& workload = "api") {
    input = test::load_yaml(std::string(kAmbient) + policies);
    const mesh::Workload* w = input->mesh.find("pay", workload);
    REQUIRE(w);
    programs = ir::build_programs(*w, ir::LowerContext::from(input->mesh.config));
    const ir::PortPrograms* pp = programs.find_port(8080);
    REQUIRE(pp);
    REQUIRE(pp->views.size() == 1);  // ztunnel: one L4 view whatever the port's protocol
    prog = &pp->views.front();
    CHECK(prog->protocol == ir::Protocol::Tcp);
  }

  // The concrete verdict, after checking that the symbolic engine decides the same way.
  Verdict decide(const std::string& principal, const std::string& method = "GET", uint32_t port = 8080) {
    ir::RequestFlags flags;
    flags.principal = principal;
    flags.port = port;
    flags.method = method;
    flags.path = "/";
    ir::Request req;
    REQUIRE_FALSE(ir::build_request(flags, req));
    engine::Decision want = engine::evaluate(*prog, req);
    engine::Engine eng(*prog);
    engine::SymbolicDecision got = eng.decide(req);
    REQUIRE(got.answer == engine::SatAnswer::Sat);
    CHECK(got.verdict == want.verdict);
    CHECK(got.reason == want.reason);
    return want.verdict;
  }
};

const char* kWeb = "cluster.local/ns/web/sa/web";

}  // namespace

TEST_CASE("ztunnel: an ALLOW rule with L7 parts vanishes, and its policy then denies everything (A5)", "[ztunnel]") {
  Fixture f(R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-get, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{from: [{source: {principals: ["cluster.local/ns/web/sa/web"]}}], to: [{operation: {methods: ["GET"]}}]}]
)");
  CHECK(f.prog->has_allow_policy);
  CHECK(f.prog->allow.empty());
  CHECK(f.decide(kWeb, "GET") == Verdict::Deny);  // a sidecar would allow this GET
  REQUIRE(f.prog->drops.size() == 1);
  CHECK(f.prog->drops[0].kind == ir::DropKind::RuleDropped);
  CHECK(f.prog->drops[0].reason.find("istiod omits this ALLOW rule") != std::string::npos);
}

TEST_CASE("ztunnel: a DENY rule loses its L7 parts: never fires or widens (A6)", "[ztunnel]") {
  Fixture f(R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  action: DENY
  rules:
  - from: [{source: {notRequestPrincipals: ["*"]}}]
  - from: [{source: {principals: ["cluster.local/ns/evil/sa/x"], requestPrincipals: ["iss/sub"]}}]
  - from: [{source: {namespaces: ["web"]}}]
    when: [{key: "request.headers[x-a]", values: ["1"]}]
)");
  // rules[0] never fires: plaintext without a token passes (a sidecar on a TCP port would deny everything).
  CHECK(f.decide("") == Verdict::Allow);
  CHECK(f.decide(kWeb) == Verdict::Allow);  // rules[2] never fires either: its `when` has no L4 meaning
  // rules[1] is widened: every connection from evil is denied, token or not.
  CHECK(f.decide("cluster.local/ns/evil/sa/x") == Verdict::Deny);
}

TEST_CASE("ztunnel: namespaces match literally, trust domains are ignored, no alias expansion (A7, A8)", "[ztunnel]") {
  Fixture f(R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from: [{source: {namespaces: ["team-*-prod"]}}]
  - from: [{source: {namespaces: ["web"], trustDomains: ["partner.example"]}}]
  - from: [{source: {namespaces: ["ops*"]}}]
)");
  CHECK(f.decide("cluster.local/ns/team-a-prod/sa/x") == Verdict::Deny);  // a sidecar's regex would allow it
  CHECK(f.decide("cluster.local/ns/team-*-prod/sa/x") == Verdict::Allow);
  CHECK(f.decide("cluster.local/ns/web/sa/web") == Verdict::Allow);  // any trust domain
  CHECK(f.decide("other.td/ns/web/sa/web") == Verdict::Allow);
  CHECK(f.decide("cluster.local/ns/ops-1/sa/x") == Verdict::Allow);
  CHECK(f.decide("") == Verdict::Deny);
}

TEST_CASE("ztunnel: AUDIT, CUSTOM, dry-run and targetRefs policies are not enforced (A4)", "[ztunnel]") {
  Fixture f(R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  action: CUSTOM
  provider: {name: authz}
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shadow, namespace: pay, annotations: {istio.io/dry-run: "true"}}
spec:
  selector: {matchLabels: {app: api}}
  action: DENY
  rules: [{}]
)");
  CHECK(f.prog->custom.empty());
  CHECK(f.prog->deny.empty());
  CHECK(f.decide(kWeb) == Verdict::Allow);
  int not_enforced = 0;
  for (const auto& d : f.prog->drops) not_enforced += d.kind == ir::DropKind::PolicyNotEnforced;
  CHECK(not_enforced == 2);
}

TEST_CASE("ztunnel: PeerAuthentication DISABLE reads as PERMISSIVE, STRICT rejects plaintext (A10)", "[ztunnel]") {
  Fixture disabled(R"(
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa, namespace: pay}
spec: {mtls: {mode: DISABLE}}
)");
  CHECK(disabled.prog->mtls == model::MtlsMode::Permissive);
  CHECK(disabled.decide("") == Verdict::Allow);
  CHECK(disabled.decide(kWeb) == Verdict::Allow);  // HBONE stays mTLS
  Fixture strict(R"(
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa, namespace: pay}
spec: {mtls: {mode: STRICT}}
)");
  CHECK(strict.decide("") == Verdict::Rejected);
  CHECK(strict.decide(kWeb) == Verdict::Allow);
}
