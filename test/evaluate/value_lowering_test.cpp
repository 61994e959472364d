// One test per value-matching rule of IS §5: each lowered value is evaluated on requests that must and
// must not match, so the tests check meaning, not the shape of the atoms.
#include "eval_helpers.h"

using namespace meshproof;
using ir::Protocol;

namespace {

bool term_on(const ir::Term& t, const ir::Request& r) { return engine::eval_term(t, r, Protocol::Http); }
bool any_on(const std::vector<ir::Term>& ts, const ir::Request& r) {
  for (const auto& t : ts)
    if (term_on(t, r)) return true;
  return false;
}
ir::Request peer(const std::string& p) { return test::from_peer(p); }

}  // namespace

TEST_CASE("principals: exact value needs the full SPIFFE shape (IS §5)", "[ir][principals]") {
  auto t = ir::lower_principal("cluster.local/ns/foo/sa/bar");
  CHECK(term_on(t, peer("cluster.local/ns/foo/sa/bar")));
  CHECK_FALSE(term_on(t, peer("cluster.local/ns/foo/sa/bar2")));
  CHECK_FALSE(term_on(t, peer("other.td/ns/foo/sa/bar")));
  CHECK_FALSE(term_on(t, test::plaintext()));
  ir::ValueNote note;
  auto wrong = ir::lower_principal("foo/bar", &note);
  CHECK(wrong.is_false);
  CHECK(note.set);
  CHECK(note.kind == ir::DropKind::ValueUnmatchable);
}

TEST_CASE("principals: prefix `td/ns/foo/*` is td ∧ namespace (IS §5)", "[ir][principals]") {
  auto t = ir::lower_principal("cluster.local/ns/foo/*");
  CHECK(term_on(t, peer("cluster.local/ns/foo/sa/any")));
  CHECK_FALSE(term_on(t, peer("cluster.local/ns/foobar/sa/any")));
  CHECK_FALSE(term_on(t, peer("td2/ns/foo/sa/any")));
  // A prefix that ends inside a part is a prefix on that part.
  auto p2 = ir::lower_principal("cluster.local/ns/fo*");
  CHECK(term_on(p2, peer("cluster.local/ns/foobar/sa/x")));
  CHECK_FALSE(term_on(p2, peer("cluster.local/ns/bar/sa/x")));
  auto p3 = ir::lower_principal("clu*");
  CHECK(term_on(p3, peer("cluster.local/ns/a/sa/b")));
  CHECK_FALSE(term_on(p3, peer("td/ns/a/sa/b")));
  // A prefix that contradicts the fixed "ns" keyword can never match.
  CHECK(ir::lower_principal("cluster.local/nx*").is_false);
  CHECK(ir::lower_principal("a/ns/b/sa/c/d*").is_false);
}

TEST_CASE("principals: suffix `*/sa/admin` constrains the service account (IS §5)", "[ir][principals]") {
  auto t = ir::lower_principal("*/sa/admin");
  CHECK(term_on(t, peer("cluster.local/ns/any/sa/admin")));
  CHECK(term_on(t, peer("td/ns/other/sa/admin")));
  CHECK_FALSE(term_on(t, peer("cluster.local/ns/any/sa/notadmin")));
  auto t2 = ir::lower_principal("*min");
  CHECK(term_on(t2, peer("cluster.local/ns/any/sa/admin")));
  CHECK_FALSE(term_on(t2, peer("cluster.local/ns/any/sa/adminx")));
  // `*/ns/foo/sa/x` (the wildcard-td golden): any trust domain.
  auto t3 = ir::lower_principal("*/ns/foo/sa/x");
  CHECK(term_on(t3, peer("whatever/ns/foo/sa/x")));
  CHECK_FALSE(term_on(t3, peer("whatever/ns/bar/sa/x")));
  // More '/' than a mesh identity has: never.
  CHECK(ir::lower_principal("*/a/ns/b/sa/c").is_false);
}

TEST_CASE("principals: `*` is any authenticated peer, never plaintext (IS §5, §8)", "[ir][principals]") {
  auto t = ir::lower_principal("*");
  CHECK(term_on(t, peer("a/ns/b/sa/c")));
  CHECK_FALSE(term_on(t, test::plaintext()));
}

TEST_CASE("principals: `*abc*` is a suffix on the literal `abc*` -- a middle `*` is literal (IS §5)",
          "[ir][principals]") {
  auto t = ir::lower_principal("*admin*");
  CHECK_FALSE(term_on(t, peer("cluster.local/ns/x/sa/admin-1")));
  CHECK(term_on(t, peer("cluster.local/ns/x/sa/admin*")));
  auto mid = ir::lower_principal("cluster.local/ns/*/sa/bar");
  CHECK_FALSE(term_on(mid, peer("cluster.local/ns/foo/sa/bar")));
  CHECK(term_on(mid, peer("cluster.local/ns/*/sa/bar")));
}

TEST_CASE("namespaces: exact, prefix, suffix, `*` (IS §5)", "[ir][namespaces]") {
  auto exact = ir::lower_namespace("foo");
  CHECK(any_on(exact, peer("td/ns/foo/sa/x")));
  CHECK_FALSE(any_on(exact, peer("td/ns/foo2/sa/x")));
  CHECK_FALSE(any_on(exact, test::plaintext()));
  REQUIRE(exact.size() == 1);  // the common case stays one atom
  auto prefix = ir::lower_namespace("team-*");
  CHECK(any_on(prefix, peer("td/ns/team-a/sa/x")));
  CHECK_FALSE(any_on(prefix, peer("td/ns/other/sa/x")));
  auto suffix = ir::lower_namespace("*-prod");
  CHECK(any_on(suffix, peer("td/ns/pay-prod/sa/x")));
  CHECK_FALSE(any_on(suffix, peer("td/ns/pay-dev/sa/x")));
  auto any = ir::lower_namespace("*");
  CHECK(any_on(any, peer("td/ns/q/sa/x")));
  CHECK_FALSE(any_on(any, test::plaintext()));
}

TEST_CASE("namespaces: inner `*` is a wildcard, unlike every other field (IS §5)", "[ir][namespaces]") {
  auto glob = ir::lower_namespace("a*z");
  CHECK(any_on(glob, peer("td/ns/abcz/sa/x")));
  CHECK(any_on(glob, peer("td/ns/az/sa/x")));
  CHECK_FALSE(any_on(glob, peer("td/ns/abc/sa/x")));
}

TEST_CASE("namespaces: the regex on the whole principal also matches pathological identities", "[ir][namespaces]") {
  // `.*/ns/sa/.*` matches td/ns/ns/sa/x: "/ns/" occurs again when the namespace is literally "ns".
  ir::ValueNote note;
  auto sa = ir::lower_namespace("sa", &note);
  CHECK(any_on(sa, peer("td/ns/sa/sa/x")));
  CHECK(any_on(sa, peer("td/ns/ns/sa/x")));
  CHECK_FALSE(any_on(sa, peer("td/ns/other/sa/x")));
  CHECK(note.set);
  CHECK(note.kind == ir::DropKind::ValueWidened);
  // `.*/ns/.*a/.*` matches every principal: `.*a` can span "N/sa".
  auto star_a = ir::lower_namespace("*a");
  CHECK(any_on(star_a, peer("td/ns/zzz/sa/x")));
  // `x/sa` as a namespace value matches namespace x (regex `.*/ns/x/sa/.*`).
  auto slash = ir::lower_namespace("x/sa");
  CHECK(any_on(slash, peer("td/ns/x/sa/y")));
  CHECK_FALSE(any_on(slash, peer("td/ns/y/sa/y")));
}

TEST_CASE("serviceAccounts: `sa` uses the policy namespace, `ns/sa` its own (IS §5)", "[ir][sa]") {
  auto local = ir::lower_service_account("reader", "foo");
  CHECK(term_on(local, peer("any.td/ns/foo/sa/reader")));
  CHECK_FALSE(term_on(local, peer("any.td/ns/bar/sa/reader")));
  auto qualified = ir::lower_service_account("bar/reader", "foo");
  CHECK(term_on(qualified, peer("td/ns/bar/sa/reader")));
  CHECK_FALSE(term_on(qualified, peer("td/ns/foo/sa/reader")));
  CHECK_FALSE(term_on(qualified, test::plaintext()));
}

TEST_CASE("trustDomains: exact, `*`, prefix and suffix on the trust domain (IS §5)", "[ir][td]") {
  CHECK(term_on(ir::lower_trust_domain("td1"), peer("td1/ns/a/sa/b")));
  CHECK_FALSE(term_on(ir::lower_trust_domain("td1"), peer("td12/ns/a/sa/b")));
  CHECK(term_on(ir::lower_trust_domain("*"), peer("x/ns/a/sa/b")));
  CHECK_FALSE(term_on(ir::lower_trust_domain("*"), test::plaintext()));
  CHECK(term_on(ir::lower_trust_domain("td*"), peer("td9/ns/a/sa/b")));
  CHECK_FALSE(term_on(ir::lower_trust_domain("td*"), peer("xtd/ns/a/sa/b")));
  CHECK(term_on(ir::lower_trust_domain("*.local"), peer("cluster.local/ns/a/sa/b")));
  CHECK_FALSE(term_on(ir::lower_trust_domain("*.local"), peer("cluster.locals/ns/a/sa/b")));
}

TEST_CASE("hosts match case-insensitively (IS §5)", "[ir][hosts]") {
  auto t = ir::lower_string(ir::Attribute::Host, "", "Example.COM");
  ir::Request r = test::plaintext();
  r.host = "example.com";
  CHECK(term_on(t, r));
  r.host = "EXAMPLE.com";
  CHECK(term_on(t, r));
  auto suffix = ir::lower_string(ir::Attribute::Host, "", "*.Example.com");
  r.host = "api.EXAMPLE.COM";
  CHECK(term_on(suffix, r));
  // Methods are case-sensitive.
  auto m = ir::lower_string(ir::Attribute::Method, "", "GET");
  r.method = "get";
  CHECK_FALSE(term_on(m, r));
}

TEST_CASE("string matcher precedence for paths and headers (IS §5)", "[ir][paths]") {
  ir::Request r = test::plaintext();
  auto prefix = ir::lower_string(ir::Attribute::Path, "", "/api/*");
  r.path = "/api/v1";
  CHECK(term_on(prefix, r));
  r.path = "/apiv1";
  CHECK_FALSE(term_on(prefix, r));
  auto suffix = ir::lower_string(ir::Attribute::Path, "", "*.json");
  r.path = "/x/y.json";
  CHECK(term_on(suffix, r));
  auto both = ir::lower_string(ir::Attribute::Path, "", "*admin*");  // suffix on "admin*"
  r.path = "/admin/x";
  CHECK_FALSE(term_on(both, r));
  r.path = "/x/admin*";
  CHECK(term_on(both, r));
  auto middle = ir::lower_string(ir::Attribute::Path, "", "/a*c");  // exact literal
  r.path = "/abc";
  CHECK_FALSE(term_on(middle, r));
  r.path = "/a*c";
  CHECK(term_on(middle, r));
  // Header `*` is present_match, which an empty value satisfies.
  auto present = ir::lower_string(ir::Attribute::Header, "x-id", "*");
  CHECK_FALSE(term_on(present, r));
  r.headers["x-id"] = "";
  CHECK(term_on(present, r));
}

TEST_CASE("path templates {*} and {**} (IS §5, Envoy uri_template)", "[ir][paths]") {
  CHECK(engine::path_template_match("/api/*/items", "/api/v1/items"));
  CHECK_FALSE(engine::path_template_match("/api/*/items", "/api/v1/x/items"));
  CHECK_FALSE(engine::path_template_match("/api/*/items", "/api//items"));  // `*` needs a character
  CHECK(engine::path_template_match("/api/**", "/api/"));
  CHECK(engine::path_template_match("/api/**", "/api/a/b/c"));
  CHECK_FALSE(engine::path_template_match("/api/**", "/api"));
  CHECK_FALSE(engine::path_template_match("/api/*", "/api/a=b"));  // '=' is not in Envoy's literal set
}

TEST_CASE("requestPrincipals: every split case of Istio's generator (IS §5)", "[ir][jwt]") {
  auto tok = [](const std::string& iss, const std::string& sub) {
    ir::Request r = test::plaintext();
    r.token = ir::TokenState::Valid;
    r.jwt_issuer = iss;
    r.jwt_subject = sub;
    return r;
  };
  auto m = [&](const std::string& v, const std::string& iss, const std::string& sub) {
    return term_on(ir::lower_request_principal(v), tok(iss, sub));
  };
  // `*`: any issuer and subject.
  CHECK(m("*", "https://i", "s"));
  CHECK_FALSE(m("*", "https://i", ""));
  CHECK_FALSE(term_on(ir::lower_request_principal("*"), test::plaintext()));
  // `*x/sub`: issuer suffix, subject exact; `*/sub`: any issuer.
  CHECK(m("*example.com/alice", "https://example.com", "alice"));
  CHECK_FALSE(m("*example.com/alice", "https://example.org", "alice"));
  CHECK(m("*/alice", "anything", "alice"));
  CHECK_FALSE(m("*/alice", "anything", "bob"));
  // `*x` without '/': any issuer, subject suffix.
  CHECK(m("*ice", "iss", "alice"));
  CHECK_FALSE(m("*ice", "iss", "bob"));
  // `iss/x*`: issuer exact, subject prefix; `iss/*`: any subject.
  CHECK(m("https://i.example/al*", "https://i.example", "alice"));
  CHECK_FALSE(m("https://i.example/al*", "https://i.example2", "alice"));
  CHECK(m("https://i.example/*", "https://i.example", "zed"));
  // `x*` without '/': issuer prefix, any subject.
  CHECK(m("https*", "https://x", "s"));
  CHECK_FALSE(m("https*", "http://x", "s"));
  // Split at the LAST '/': the issuer may be a URL.
  CHECK(m("https://accounts.example.com/u/1", "https://accounts.example.com/u", "1"));
  CHECK_FALSE(m("https://accounts.example.com/u/1", "https://accounts.example.com", "u/1"));
  // No '/' and no '*': issuer = whole value, subject "" → never matches a normal JWT.
  CHECK_FALSE(m("issuer-only", "issuer-only", "x"));
  CHECK(ir::lower_request_principal("issuer-only").is_false);
}

TEST_CASE("JWT audiences, presenter and claims: list-contains or equals (IS §5)", "[ir][jwt]") {
  ir::Request r = test::plaintext();
  r.token = ir::TokenState::Valid;
  r.jwt_issuer = "i";
  r.claims["groups"] = {"dev", "admin"};
  r.claims["org.team"] = {"payments"};
  r.audiences = {"aud-1"};
  CHECK(term_on(ir::lower_string(ir::Attribute::AuthClaim, "groups", "admin"), r));
  CHECK(term_on(ir::lower_string(ir::Attribute::AuthClaim, "groups", "adm*"), r));
  CHECK_FALSE(term_on(ir::lower_string(ir::Attribute::AuthClaim, "groups", "ops"), r));
  CHECK(term_on(ir::lower_string(ir::Attribute::AuthClaim, "org.team", "payments"), r));
  CHECK(term_on(ir::lower_string(ir::Attribute::AuthAudiences, "", "aud-1"), r));
  CHECK_FALSE(term_on(ir::lower_string(ir::Attribute::AuthPresenters, "", "*"), r));
  r.token = ir::TokenState::None;
  CHECK_FALSE(term_on(ir::lower_string(ir::Attribute::AuthClaim, "groups", "admin"), r));
}
