// IR unit tests that need no evaluator: value types, trust-domain aliasing, lowering structure,
// request text, descriptions.
#include <catch2/catch.hpp>

#include "ir/describe.h"
#include "ir/ip.h"
#include "ir/lower.h"
#include "ir/request.h"
#include "ir/request_text.h"
#include "test_support.h"

using namespace meshproof;

TEST_CASE("trust-domain aliasing of principals (docs/semantics.md#value-matching, trustdomain/bundle.go)", "[ir][td]") {
  using V = std::vector<std::string>;
  // trustDomain td1, no aliases: cluster.local is replaced, not kept.
  CHECK(ir::alias_principals({"cluster.local/ns/a/sa/b"}, {"td1"}) == V{"td1/ns/a/sa/b"});
  // Aliases: one copy per trust domain.
  CHECK(ir::alias_principals({"td1/ns/a/sa/b"}, {"td1", "cluster.local", "some-td"}) ==
        V{"td1/ns/a/sa/b", "cluster.local/ns/a/sa/b", "some-td/ns/a/sa/b"});
  // A trust domain outside the bundle is kept as written.
  CHECK(ir::alias_principals({"other/ns/a/sa/b"}, {"td1"}) == V{"other/ns/a/sa/b"});
  // Not 5 segments, or a `*` trust domain: not aliased.
  CHECK(ir::alias_principals({"cluster.local/ns/a/*"}, {"td1"}) == V{"cluster.local/ns/a/*"});
  CHECK(ir::alias_principals({"*/ns/a/sa/b"}, {"td1"}) == V{"*/ns/a/sa/b"});
  // `*bar` suffix-matches alias foobar: kept as is for foobar, replaced for td1 (the wildcard golden).
  CHECK(ir::alias_principals({"*bar/ns/foo/sa/x"}, {"td1", "foobar"}) == V{"td1/ns/foo/sa/x", "*bar/ns/foo/sa/x"});
  // trustDomains values equal to a known trust domain expand to all of them.
  CHECK(ir::alias_trust_domains({"td1", "x"}, {"td1", "old"}) == V{"td1", "old", "x"});
}

TEST_CASE("IP addresses and CIDR ranges, IPv4 and IPv6", "[ir][ip]") {
  auto c = ir::parse_cidr("10.1.0.0/16");
  REQUIRE(c);
  CHECK(c->contains(*ir::parse_ip("10.1.200.3")));
  CHECK_FALSE(c->contains(*ir::parse_ip("10.2.0.1")));
  CHECK_FALSE(c->contains(*ir::parse_ip("::ffff:10.1.0.1")));  // families never mix
  auto bare = ir::parse_cidr("1.2.3.4");
  REQUIRE(bare);
  CHECK(bare->prefix_len == 32);
  auto v6 = ir::parse_cidr("2001:db8::/32");
  REQUIRE(v6);
  CHECK(v6->contains(*ir::parse_ip("2001:db8:ffff::1")));
  CHECK_FALSE(v6->contains(*ir::parse_ip("2001:db9::1")));
  CHECK(ir::parse_ip("2001:db8:0:0:1:0:0:1")->to_string() == "2001:db8::1:0:0:1");
  CHECK(ir::parse_cidr("10.0.0.7/8")->to_string() == "10.0.0.0/8");
  CHECK_FALSE(ir::parse_cidr("10.0.0.0/33"));
  CHECK_FALSE(ir::parse_ip("1.2.3"));
  CHECK_FALSE(ir::parse_ip("1:2:3"));
  CHECK_FALSE(ir::parse_ip("01.2.3.4"));
}
TEST_CASE("request text: flags build requests and round-trip to query arguments", "[ir][request]") {
  ir::RequestFlags f;
  f.principal = "spiffe://cluster.local/ns/web/sa/frontend";
  f.source_ip = "10.0.0.1";
  f.method = "POST";
  f.path = "/accounts?x=1";
  f.headers = {"X-Trace=abc"};
  f.request_principal = "https://idp.example.com/alice";
  f.claims = {"role=teller", "role=auditor"};
  ir::Request r;
  REQUIRE_FALSE(ir::build_request(f, r));
  CHECK(r.principal() == "cluster.local/ns/web/sa/frontend");
  CHECK(r.path == "/accounts?x=1");         // raw: the program normalizes it (docs/semantics.md 5.1)
  CHECK(r.headers.at("x-trace") == "abc");  // header names are case-insensitive
  CHECK(r.claims.at("role").size() == 2);
  CHECK(ir::to_query_args(r) ==
        "--principal cluster.local/ns/web/sa/frontend --source-ip 10.0.0.1 --method POST --path '/accounts?x=1' "
        "--header x-trace=abc --request-principal https://idp.example.com/alice --claim role=teller "
        "--claim role=auditor");
  // Pseudo-headers are the request's own fields.
  ir::RequestFlags pseudo;
  pseudo.headers = {":method=DELETE", ":Path=/a", ":authority=Example.com"};
  REQUIRE_FALSE(ir::build_request(pseudo, r));
  CHECK(r.method == "DELETE");
  CHECK(r.path == "/a");
  CHECK(r.host == "Example.com");
  CHECK(r.headers.empty());
  ir::RequestFlags bad;
  bad.principal = "frontend";
  CHECK(ir::build_request(bad, r).value().find("--principal") == 0);
  bad = {};
  bad.source_ip = "10.0.0.300";
  CHECK(ir::build_request(bad, r).value().find("--source-ip") == 0);
  bad = {};
  bad.claims = {"role=x"};
  CHECK(ir::build_request(bad, r).has_value());
}

TEST_CASE("common values stay inside the exact/prefix/suffix/presence fragment (DESIGN.md §6)", "[ir]") {
  auto ns = ir::lower_namespace("foo");
  REQUIRE(ns.size() == 1);
  REQUIRE(ns[0].atoms.size() == 1);
  CHECK(ns[0].atoms[0].op == ir::Op::Exact);
  CHECK(ns[0].atoms[0].attr == ir::Attribute::PeerNamespace);
  auto pre = ir::lower_namespace("team-*");
  REQUIRE(pre.size() == 1);
  CHECK(pre[0].atoms.at(0).op == ir::Op::Prefix);
  auto glob = ir::lower_namespace("a*z");
  REQUIRE(glob.size() == 1);
  CHECK(glob[0].atoms.at(0).op == ir::Op::Glob);
  auto p = ir::lower_principal("cluster.local/ns/foo/sa/bar");
  CHECK(p.atoms.size() == 3);
  for (const auto& a : p.atoms) CHECK(a.value.find('/') == std::string::npos);
  // Hosts are stored lower case.
  auto h = ir::lower_string(ir::Attribute::Host, "", "API.Example.com");
  CHECK(h.atoms.at(0).value == "api.example.com");
}

TEST_CASE("claims iss/sub/aud/azp lower onto the token's own attributes", "[ir][jwt]") {
  auto in = test::load_yaml(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec:
  rules:
  - when:
    - key: request.auth.claims[iss]
      values: [https://idp]
    - key: request.auth.claims[groups]
      values: [admin]
)");
  REQUIRE(in->resources.authorization_policies.size() == 1);
  auto lp = ir::lower_policy(in->resources.authorization_policies[0], ir::Protocol::Http, ir::LowerContext{});
  REQUIRE(lp.rules.size() == 1);
  const auto& matches = lp.rules[0].principals.at(0).matches;
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].terms.at(0).atoms.at(0).attr == ir::Attribute::AuthIssuer);
  CHECK(matches[1].terms.at(0).atoms.at(0).attr == ir::Attribute::AuthClaim);
  CHECK(matches[1].terms.at(0).atoms.at(0).key == "groups");
}

TEST_CASE("lowering keeps source positions and records TCP drops with reasons (docs/semantics.md#http-only-on-tcp)",
          "[ir][tcp]") {
  auto in = test::load_yaml(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec:
  action: DENY
  rules:
  - from:
    - source: {namespaces: [a], requestPrincipals: ["*"]}
)");
  REQUIRE(in->resources.authorization_policies.size() == 1);
  const auto& pol = in->resources.authorization_policies[0];
  auto http = ir::lower_policy(pol, ir::Protocol::Http, ir::LowerContext{});
  auto tcp = ir::lower_policy(pol, ir::Protocol::Tcp, ir::LowerContext{});
  REQUIRE(http.rules.size() == 1);
  REQUIRE(tcp.rules.size() == 1);
  CHECK(http.rules[0].principals.at(0).matches.size() == 2);
  const auto& m = tcp.rules[0].principals.at(0).matches;
  REQUIRE(m.size() == 1);
  CHECK(m[0].field == "namespaces");
  CHECK(m[0].terms.at(0).loc.line == 8);
  REQUIRE(tcp.rules[0].drops.size() == 1);
  CHECK(tcp.rules[0].drops[0].kind == ir::DropKind::ItemDropped);
  CHECK(tcp.rules[0].drops[0].item == "rules[0].from[0].source.requestPrincipals");
  CHECK(tcp.rules[0].drops[0].reason.find("docs/semantics.md#http-only-on-tcp") != std::string::npos);
  CHECK(tcp.rules[0].drops[0].loc.line == 8);
  auto d = ir::describe(tcp.rules[0]);
  REQUIRE(d.principals.size() == 1);
  CHECK(d.principals[0] == "namespaces: peer.namespace == \"a\"");
  CHECK(d.permissions.at(0) == "any request");
}
