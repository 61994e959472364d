// Requests as Envoy sees them (docs/semantics.md 5.1): raw paths normalized with the mesh's
// pathNormalization before `paths` match, header names case-insensitive, pseudo-headers. Both evaluators.
#include <catch2/catch.hpp>

#include "engine/query.h"
#include "eval_helpers.h"

using namespace meshproof;
using engine::Verdict;
using test::build_web;
using test::from_peer;

namespace {

const char* kDenyAdmin = R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules:
  - to: [{operation: {paths: ["/admin"]}}]
)";

std::string mesh_config(const std::string& mode) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n"
         "    pathNormalization:\n      normalization: " +
         mode + "\n";
}

Verdict decide(const ir::Program& prog, const std::string& raw_path) {
  ir::Request r = from_peer("cluster.local/ns/a/sa/b");
  r.path = raw_path;
  engine::Decision d = engine::evaluate(prog, r);
  // The symbolic engine agrees on every path it admits (requests Envoy refuses are outside its domain).
  engine::Engine eng(prog);
  engine::SymbolicDecision s = eng.decide(r);
  if (d.reason == engine::Reason::PathRejected) {
    CHECK(s.answer == engine::SatAnswer::Unsat);
  } else {
    REQUIRE(s.answer == engine::SatAnswer::Sat);
    CHECK(s.verdict == d.verdict);
  }
  return d.verdict;
}

}  // namespace

TEST_CASE("normalization: BASE (the default) denies dot segments and escapes of /admin, not // or case",
          "[evaluate][normalization]") {
  auto b = build_web(kDenyAdmin);
  const ir::Program& p = b.http();
  CHECK(p.path_normalization == ir::PathNormalization::Base);
  for (const char* denied : {"/admin", "/x/../admin", "/./admin", "/%2e%2e/admin", "/%61dmin", "/admin?x=1"}) {
    INFO(denied);
    CHECK(decide(p, denied) == Verdict::Deny);
  }
  for (const char* allowed : {"//admin", "/%2Fadmin", "/%5Cadmin", "/ADMIN"}) {
    INFO(allowed);
    CHECK(decide(p, allowed) == Verdict::Allow);
  }
  // A backslash first: Envoy answers 404 before any filter ("only relative paths").
  ir::Request r = from_peer("cluster.local/ns/a/sa/b");
  r.path = R"(\admin)";
  engine::Decision d = engine::evaluate(p, r);
  CHECK(d.verdict == Verdict::Rejected);
  CHECK(d.reason == engine::Reason::PathRejected);
  CHECK(decide(p, R"(/x\..\admin)") == Verdict::Deny);  // backslashes inside the path are slashes
}

TEST_CASE("normalization: NONE matches the raw path, MERGE_SLASHES merges, DECODE_AND_MERGE_SLASHES decodes",
          "[evaluate][normalization]") {
  {
    auto b = build_web(std::string(kDenyAdmin) + "---\n" + mesh_config("NONE"));
    CHECK(decide(b.http(), "/x/../admin") == Verdict::Allow);
    CHECK(decide(b.http(), "/admin") == Verdict::Deny);
  }
  {
    auto b = build_web(std::string(kDenyAdmin) + "---\n" + mesh_config("MERGE_SLASHES"));
    CHECK(decide(b.http(), "//admin") == Verdict::Deny);
    CHECK(decide(b.http(), "/%2Fadmin") == Verdict::Allow);
  }
  {
    auto b = build_web(std::string(kDenyAdmin) + "---\n" + mesh_config("DECODE_AND_MERGE_SLASHES"));
    CHECK(decide(b.http(), "//admin") == Verdict::Deny);
    CHECK(decide(b.http(), "/%2Fadmin") == Verdict::Deny);
    CHECK(decide(b.http(), "/%5cadmin") == Verdict::Deny);
    CHECK(decide(b.http(), "/ADMIN") == Verdict::Allow);  // no mode changes case
  }
}

TEST_CASE(
    "normalization: the solver never matches a path value normalization removes, and its witnesses are "
    "normalized paths",
    "[evaluate][normalization][symbolic]") {
  auto b = build_web(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: odd, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules:
  - to: [{operation: {paths: ["/a/../b"]}}]
  - to: [{operation: {paths: ["/api/*"]}}]
)");
  engine::Engine eng(b.http());
  // BASE resolves `/a/../b` before matching: the exact value can never match.
  CHECK(eng.find(engine::Query().rule_matches({model::Action::Deny, 0})).answer == engine::SatAnswer::Unsat);
  engine::QueryResult r = eng.find(engine::Query().rule_matches({model::Action::Deny, 1}));
  REQUIRE(r.answer == engine::SatAnswer::Sat);
  INFO(r.request->path);
  CHECK(r.request->path.rfind("/api/", 0) == 0);
  CHECK(ir::is_normalized_path(r.request->path, ir::PathNormalization::Base));
  // Any path at all: the witness starts with '/'.
  engine::QueryResult any = eng.find(engine::Query().verdict(Verdict::Allow));
  REQUIRE(any.answer == engine::SatAnswer::Sat);
  CHECK(any.request->path.front() == '/');
}

TEST_CASE("headers: names are case-insensitive, :method, :path and :authority are the pseudo-headers",
          "[evaluate][headers]") {
  auto b = build_web(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-headers, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules:
  - when: [{key: "request.headers[X-Foo]", values: ["bar"]}]
  - when: [{key: "request.headers[:method]", values: ["DELETE"]}]
  - when: [{key: "request.headers[:path]", values: ["/secret"]}]
  - when: [{key: "request.headers[:authority]", values: ["Admin.example"]}]
)");
  const ir::Program& p = b.http();
  auto verdict = [&](const ir::Request& r) {
    engine::Decision d = engine::evaluate(p, r);
    engine::Engine eng(p);
    engine::SymbolicDecision s = eng.decide(r);
    REQUIRE(s.answer == engine::SatAnswer::Sat);
    CHECK(s.verdict == d.verdict);
    return d.verdict;
  };
  ir::Request base = from_peer("cluster.local/ns/a/sa/b");
  CHECK(verdict(base) == Verdict::Allow);
  ir::Request r = base;
  r.headers["x-foo"] = "bar";  // the key is lower-cased at lowering and in requests
  CHECK(verdict(r) == Verdict::Deny);
  r = base;
  r.method = "DELETE";
  CHECK(verdict(r) == Verdict::Deny);
  r = base;
  r.path = "/x/../secret";  // `:path` is the normalized path...
  CHECK(verdict(r) == Verdict::Deny);
  r.path = "/secret?a=1";  // ...with its query string
  CHECK(verdict(r) == Verdict::Allow);
  r = base;
  r.host = "Admin.example";  // `:authority` as sent, case-sensitive
  CHECK(verdict(r) == Verdict::Deny);
  r.host = "admin.example";
  CHECK(verdict(r) == Verdict::Allow);
  // The solver finds a DELETE for the `:method` rule (lowered onto request.method).
  engine::Engine eng(p);
  engine::QueryResult m = eng.find(engine::Query().decided_by({model::Action::Deny, 1}));
  REQUIRE(m.answer == engine::SatAnswer::Sat);
  CHECK(m.request->method == "DELETE");
  // ...and a request whose `:path` header is /secret.
  engine::QueryResult q = eng.find(engine::Query().decided_by({model::Action::Deny, 2}));
  REQUIRE(q.answer == engine::SatAnswer::Sat);
  CHECK(q.request->path == "/secret");
}
