// Policy-level lowering rules, each through the whole pipeline (YAML → model → mesh → IR) and checked
// by evaluating requests, with the Istio section that states the rule.
#include "eval_helpers.h"

using namespace meshproof;
using engine::Verdict;
using ir::Protocol;
using test::build_web;
using test::from_peer;
using test::plaintext;
using test::verdict;

namespace {
std::string allow(const std::string& name, const std::string& spec) {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " + name +
         ", namespace: foo}\nspec:\n  selector: {matchLabels: {app: web}}\n" + spec;
}
}  // namespace

TEST_CASE("ALLOW `spec: {}` (rules absent) denies everything (IS §3)", "[ir][empty]") {
  auto b = build_web(allow("deny-all", "  action: ALLOW\n"));
  const auto& p = b.http();
  CHECK(p.has_allow_policy);
  REQUIRE(p.allow.size() == 1);
  CHECK(p.allow[0].from_empty_spec);
  CHECK(verdict(p, from_peer("cluster.local/ns/a/sa/b")) == Verdict::Deny);
  CHECK(verdict(b.tcp(), plaintext(9000)) == Verdict::Deny);
}

TEST_CASE("`rules: [{}]` matches everything: ALLOW allows all, DENY denies all (IS §3)", "[ir][empty]") {
  auto b = build_web(allow("allow-all", "  rules:\n  - {}\n"));
  CHECK(verdict(b.http(), plaintext()) == Verdict::Allow);
  CHECK(engine::evaluate(b.http(), plaintext()).reason == engine::Reason::AllowMatched);
  auto d = build_web(allow("deny-all", "  action: DENY\n  rules:\n  - {}\n"));
  CHECK(verdict(d.http(), from_peer("cluster.local/ns/a/sa/b")) == Verdict::Deny);
  CHECK(verdict(d.tcp(), plaintext(9000)) == Verdict::Deny);
}

TEST_CASE("no policy: everything is allowed (IS §2 step 3)", "[ir][empty]") {
  auto b = build_web("");
  CHECK_FALSE(b.http().has_allow_policy);
  auto d = engine::evaluate(b.http(), plaintext());
  CHECK(d.verdict == Verdict::Allow);
  CHECK(d.reason == engine::Reason::NoAllowPolicy);
  CHECK(d.decided_by == nullptr);
}

TEST_CASE("from × to: a rule is (OR of from) AND (OR of to) (IS §4)", "[ir][combine]") {
  auto b = build_web(allow("p", R"(  rules:
  - from:
    - source: {namespaces: [a]}
    - source: {namespaces: [b]}
    to:
    - operation: {methods: [GET]}
    - operation: {paths: [/public/*]}
)"));
  const auto& p = b.http();
  REQUIRE(p.allow.size() == 1);
  CHECK(p.allow[0].principals.size() == 2);
  CHECK(p.allow[0].permissions.size() == 2);
  auto req = from_peer("td/ns/a/sa/x");
  CHECK(verdict(p, req) == Verdict::Allow);  // GET
  req.method = "POST";
  CHECK(verdict(p, req) == Verdict::Deny);
  req.path = "/public/doc";
  CHECK(verdict(p, req) == Verdict::Allow);  // second `to`
  auto other = from_peer("td/ns/c/sa/x");
  CHECK(verdict(p, other) == Verdict::Deny);
}

TEST_CASE("fields of one source are AND-ed -- values OR-ed -- notValues NOT-ed (IS §4)", "[ir][combine]") {
  auto b = build_web(allow("p", R"(  rules:
  - from:
    - source:
        namespaces: [a, b]
        notPrincipals: [td/ns/a/sa/blocked]
)"));
  const auto& p = b.http();
  CHECK(verdict(p, from_peer("td/ns/a/sa/ok")) == Verdict::Allow);
  CHECK(verdict(p, from_peer("td/ns/b/sa/ok")) == Verdict::Allow);
  CHECK(verdict(p, from_peer("td/ns/a/sa/blocked")) == Verdict::Deny);
}

TEST_CASE("`when` conditions are copied into every clause of their type (IS §4)", "[ir][combine]") {
  auto b = build_web(allow("p", R"(  rules:
  - from:
    - source: {namespaces: [a]}
    - source: {namespaces: [b]}
    to:
    - operation: {methods: [GET]}
    when:
    - key: request.headers[X-Env]
      values: [prod]
    - key: destination.port
      values: ["8080"]
)"));
  const auto& rule = b.http().allow.at(0);
  for (const auto& c : rule.principals) {
    bool has_header = false;
    for (const auto& m : c.matches) has_header |= m.field == "when[request.headers[X-Env]]";
    CHECK(has_header);
  }
  bool port_in_permission = false;
  for (const auto& m : rule.permissions.at(0).matches) port_in_permission |= m.field == "when[destination.port]";
  CHECK(port_in_permission);
  auto req = from_peer("td/ns/b/sa/x");
  CHECK(verdict(b.http(), req) == Verdict::Deny);
  req.headers["x-env"] = "prod";  // header names are case-insensitive
  CHECK(verdict(b.http(), req) == Verdict::Allow);
}

TEST_CASE("serviceAccounts without namespace use the policy's namespace (IS §5)", "[ir][sa]") {
  auto b = build_web(allow("p", "  rules:\n  - from:\n    - source: {serviceAccounts: [reader, other/writer]}\n"));
  CHECK(verdict(b.http(), from_peer("cluster.local/ns/foo/sa/reader")) == Verdict::Allow);
  CHECK(verdict(b.http(), from_peer("cluster.local/ns/bar/sa/reader")) == Verdict::Deny);
  CHECK(verdict(b.http(), from_peer("cluster.local/ns/other/sa/writer")) == Verdict::Allow);
}

TEST_CASE("trust-domain aliasing comes from the mesh config (IS §5)", "[ir][td]") {
  const std::string mesh = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    trustDomain: td1
    trustDomainAliases: [old-td]
---
)";
  auto b = build_web(mesh + allow("p", "  rules:\n  - from:\n    - source: {principals: [cluster.local/ns/a/sa/b]}\n"));
  // cluster.local is replaced by td1 and old-td (not kept).
  CHECK(verdict(b.http(), from_peer("td1/ns/a/sa/b")) == Verdict::Allow);
  CHECK(verdict(b.http(), from_peer("old-td/ns/a/sa/b")) == Verdict::Allow);
  CHECK(verdict(b.http(), from_peer("cluster.local/ns/a/sa/b")) == Verdict::Deny);
}

TEST_CASE("TCP: an ALLOW rule with any HTTP-only item is dropped whole (IS §7)", "[ir][tcp]") {
  auto b = build_web(allow("p", R"(  rules:
  - from:
    - source: {namespaces: [a]}
    to:
    - operation: {ports: ["9000"]}
    - operation: {methods: [GET]}
  - from:
    - source: {namespaces: [b]}
)"));
  const auto& tcp = b.tcp();
  // rule[0] has `methods` in its second `to` entry only, yet the whole rule disappears.
  REQUIRE(tcp.allow.size() == 1);
  CHECK(tcp.allow[0].index == 1);
  bool recorded = false;
  for (const auto& d : tcp.drops) recorded |= d.kind == ir::DropKind::RuleDropped && d.item.find("rules[0]") == 0;
  CHECK(recorded);
  CHECK(verdict(tcp, from_peer("td/ns/a/sa/x", 9000)) == Verdict::Deny);
  CHECK(verdict(tcp, from_peer("td/ns/b/sa/x", 9000)) == Verdict::Allow);
  // On HTTP the same rule works.
  CHECK(verdict(b.http(), from_peer("td/ns/a/sa/x")) == Verdict::Allow);
}

TEST_CASE("TCP: ALLOW policies whose rules are all dropped deny every connection (IS §7)", "[ir][tcp]") {
  auto b = build_web(allow("p", "  rules:\n  - to:\n    - operation: {methods: [GET]}\n"));
  CHECK(b.tcp().allow.empty());
  CHECK(b.tcp().has_allow_policy);
  CHECK(verdict(b.tcp(), from_peer("td/ns/a/sa/x", 9000)) == Verdict::Deny);
}

TEST_CASE("TCP: a DENY item that is HTTP-only is dropped and widens the clause (IS §7)", "[ir][tcp]") {
  auto b = build_web(allow("p", R"(  action: DENY
  rules:
  - to:
    - operation: {methods: [GET]}
  - from:
    - source: {namespaces: [ns-1]}
    to:
    - operation: {ports: ["9000"], methods: [GET]}
)"));
  const auto& tcp = b.tcp();
  REQUIRE(tcp.deny.size() == 2);
  // rule[0]: `to: methods` alone → any → denies every TCP connection.
  CHECK(tcp.deny[0].permissions.at(0).widened_to_any);
  CHECK(verdict(tcp, from_peer("td/ns/x/sa/y", 9000)) == Verdict::Deny);
  CHECK(engine::evaluate(tcp, plaintext(9000)).decided_by == &tcp.deny[0]);
  // HTTP: only GET is denied.
  auto post = from_peer("td/ns/x/sa/y");
  post.method = "POST";
  CHECK(verdict(b.http(), post) == Verdict::Allow);
  // rule[1] keeps its port, loses its method.
  const auto& m = tcp.deny[1].permissions.at(0).matches;
  REQUIRE(m.size() == 1);
  CHECK(m[0].field == "ports");
}

TEST_CASE("TCP: a DENY rule with only an HTTP `when` denies all TCP traffic (IS §7)", "[ir][tcp]") {
  auto b = build_web(allow("p", R"(  action: DENY
  rules:
  - when:
    - key: request.headers[x-debug]
      values: ["1"]
)"));
  CHECK(verdict(b.tcp(), from_peer("td/ns/x/sa/y", 9000)) == Verdict::Deny);
  CHECK(verdict(b.http(), from_peer("td/ns/x/sa/y")) == Verdict::Allow);
  bool widened = false;
  for (const auto& d : b.tcp().deny.at(0).drops) widened |= d.kind == ir::DropKind::ClauseWidened;
  CHECK(widened);
}

TEST_CASE("AUDIT and CUSTOM drop HTTP-only items like DENY on TCP (IS §7)", "[ir][tcp]") {
  auto b = build_web(allow("p", "  action: AUDIT\n  rules:\n  - to:\n    - operation: {methods: [GET]}\n"));
  REQUIRE(b.tcp().audit.size() == 1);
  auto d = engine::evaluate(b.tcp(), plaintext(9000));
  CHECK(d.verdict == Verdict::Allow);  // AUDIT never decides
  CHECK(d.audit_matches.size() == 1);
}

TEST_CASE("DENY: an ungeneratable value is ignored, the rest of the field stays (IS §6, §7)", "[ir][tcp]") {
  auto b =
      build_web(allow("p", "  action: DENY\n  rules:\n  - from:\n    - source: {ipBlocks: [10.0.0.0/8, not-an-ip]}\n"));
  auto req = from_peer("td/ns/a/sa/b");
  req.source_ip = ir::parse_ip("10.1.1.1");
  CHECK(verdict(b.http(), req) == Verdict::Deny);
  req.source_ip = ir::parse_ip("192.168.0.1");
  CHECK(verdict(b.http(), req) == Verdict::Allow);
  auto a = build_web(allow("p", "  rules:\n  - from:\n    - source: {ipBlocks: [10.0.0.0/8, not-an-ip]}\n"));
  CHECK(a.http().allow.empty());  // ALLOW: the whole rule is skipped
}

TEST_CASE("plaintext has no identity: ALLOW principals denies it, DENY namespaces lets it through (IS §8)",
          "[ir][plaintext]") {
  auto a = build_web(allow("p", "  rules:\n  - from:\n    - source: {principals: [\"*\"]}\n"));
  CHECK(verdict(a.http(), plaintext()) == Verdict::Deny);
  CHECK(verdict(a.http(), from_peer("td/ns/x/sa/y")) == Verdict::Allow);
  auto d = build_web(allow("p", "  action: DENY\n  rules:\n  - from:\n    - source: {namespaces: [bad]}\n"));
  CHECK(verdict(d.http(), plaintext()) == Verdict::Allow);
  CHECK(verdict(d.http(), from_peer("td/ns/bad/sa/y")) == Verdict::Deny);
}

TEST_CASE("`notPrincipals: [\"*\"]` matches exactly the connections without identity (IS §8)", "[ir][plaintext]") {
  auto d = build_web(allow("p", "  action: DENY\n  rules:\n  - from:\n    - source: {notPrincipals: [\"*\"]}\n"));
  CHECK(verdict(d.http(), plaintext()) == Verdict::Deny);
  CHECK(verdict(d.http(), from_peer("td/ns/x/sa/y")) == Verdict::Allow);
  auto a = build_web(allow("p", "  rules:\n  - from:\n    - source: {notNamespaces: [\"*\"]}\n"));
  CHECK(verdict(a.http(), plaintext()) == Verdict::Allow);  // ALLOW notNamespaces * allows only plaintext
  CHECK(verdict(a.http(), from_peer("td/ns/x/sa/y")) == Verdict::Deny);
}

TEST_CASE("`source.principal` when-key behaves as principals, including notValues (IS §6, §8)", "[ir][plaintext]") {
  auto d = build_web(allow("p", R"(  action: DENY
  rules:
  - when:
    - key: source.principal
      notValues: [cluster.local/ns/ok/sa/ok]
)"));
  CHECK(verdict(d.http(), plaintext()) == Verdict::Deny);
  CHECK(verdict(d.http(), from_peer("cluster.local/ns/ok/sa/ok")) == Verdict::Allow);
  CHECK(verdict(d.http(), from_peer("cluster.local/ns/no/sa/ok")) == Verdict::Deny);
}

TEST_CASE("unknown `when` key: Istio skips the rule for every action (IS §6)", "[ir][when]") {
  auto d = build_web(
      allow("p", "  action: DENY\n  rules:\n  - when:\n    - key: destination.labels[app]\n      values: [x]\n"));
  CHECK(d.http().deny.empty());
  CHECK(verdict(d.http(), plaintext()) == Verdict::Allow);
}

TEST_CASE("dry-run ALLOW is not enforced -- dry-run matches are reported (IS §2)", "[ir][dryrun]") {
  auto b = build_web(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: dry
  namespace: foo
  annotations: {istio.io/dry-run: "true"}
spec:
  action: DENY
  rules:
  - from:
    - source: {namespaces: [a]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: dry-allow
  namespace: foo
  annotations: {istio.io/dry-run: "true"}
spec:
  rules:
  - from:
    - source: {namespaces: [b]}
)");
  const auto& p = b.http();
  CHECK_FALSE(p.has_allow_policy);  // every ALLOW policy is dry-run: no enforcement
  auto d = engine::evaluate(p, from_peer("td/ns/a/sa/x"));
  CHECK(d.verdict == Verdict::Allow);
  REQUIRE(d.dry_run_matches.size() == 1);
  CHECK(d.dry_run_matches[0]->policy.name == "dry");
}

TEST_CASE("explicitly empty lists are no condition at all (IS §3, model.go insertFront)", "[ir][empty]") {
  auto b = build_web(allow("p", "  rules:\n  - from:\n    - source: {principals: []}\n"));
  CHECK(verdict(b.http(), plaintext()) == Verdict::Allow);
}

TEST_CASE("AUDIT or DENY without rules never matches (IS §3)", "[ir][empty]") {
  auto a = build_web(allow("audit", "  action: AUDIT\n"));
  auto d = engine::evaluate(a.http(), plaintext());
  CHECK(d.verdict == Verdict::Allow);
  CHECK(d.audit_matches.empty());
  auto deny = build_web(allow("deny", "  action: DENY\n"));  // rejected by validation; Istio never matches it
  CHECK(verdict(deny.http(), plaintext()) == Verdict::Allow);
}

TEST_CASE("paths with {*} / {**} are URI templates (IS §5)", "[ir][paths]") {
  auto b =
      build_web(allow("p", "  rules:\n  - to:\n    - operation: {paths: [\"/api/{*}/items\", \"/files/{**}\"]}\n"));
  auto req = plaintext();
  req.path = "/api/v1/items";
  CHECK(verdict(b.http(), req) == Verdict::Allow);
  req.path = "/api/v1/x/items";
  CHECK(verdict(b.http(), req) == Verdict::Deny);
  req.path = "/files/a/b/c.txt";
  CHECK(verdict(b.http(), req) == Verdict::Allow);
  req.path = "/files";
  CHECK(verdict(b.http(), req) == Verdict::Deny);
}
