// The principal_name decoder maps regexes over `spiffe://TD/ns/NS/sa/SA` onto the three identity parts.
// It is checked against RE2 itself (through the evaluator's regex atom) on every identity built from a
// pool of part values chosen to hit the tricky layouts: parts equal to the keywords "ns"/"sa", parts that
// contain the regex's literals, suffixes and prefixes of them.
#include <catch2/catch.hpp>

#include "compile/decode/decode.h"
#include "compile/emit/emit.h"
#include "engine/evaluate.h"

using namespace meshproof;

namespace {

bool regex_full_match(const std::string& re, const std::string& s) {
  ir::Atom a = ir::make_atom(ir::Attribute::Header, ir::Op::Regex, re, "x");
  ir::Request r;
  r.headers["x"] = s;
  return engine::eval_atom(a, r, ir::Protocol::Http);
}

bool terms_match(const std::vector<ir::Term>& terms, const ir::Request& r) {
  for (const auto& t : terms)
    if (engine::eval_term(t, r, ir::Protocol::Http)) return true;
  return false;
}

const std::vector<std::string>& pool() {
  static const std::vector<std::string> p = {
      "ns",   "sa",     "foo",         "bar",         "my-ns", "my-sa", "td1",       "cluster.local",
      "x-td", "new-td", "ns-prefix-a", "a-ns-suffix", "bad",   "badx",  "untrusted", "rule[0]",
      "s",    "n"};
  return p;
}

// Compares decoded terms with RE2 on every identity of the pool (18^3 identities).
void check_regex(const std::string& re) {
  std::vector<ir::Term> terms;
  std::string error;
  INFO("regex: " << re);
  REQUIRE(compile::decode_principal_regex(re, terms, error));
  size_t agree = 0;
  for (const auto& td : pool())
    for (const auto& ns : pool())
      for (const auto& sa : pool()) {
        ir::Request r;
        REQUIRE(r.set_principal(td + "/ns/" + ns + "/sa/" + sa));
        std::string uri = "spiffe://" + r.principal();
        bool want = regex_full_match(re, uri);
        bool got = terms_match(terms, r);
        INFO("identity " << uri);
        REQUIRE(want == got);
        ++agree;
      }
  CHECK(agree == pool().size() * pool().size() * pool().size());
  // Plaintext (no identity) never matches an authenticated principal.
  ir::Request plain;
  CHECK_FALSE(terms_match(terms, plain));
}

}  // namespace

TEST_CASE("principal regexes Istio emits decode exactly (checked against RE2)", "[compile][decode]") {
  // namespaces (IS §5): `.*/ns/<glob>/.*`, including the cases where the regex reaches into the trust
  // domain or the service account ("ns" and "sa" as values).
  for (const std::string ns : {"ns", "sa", "foo", "ns-prefix-*", "*-ns-suffix", "*", "n*", "*s", "a*b"}) {
    std::string re;
    size_t start = 0;
    while (true) {
      size_t star = ns.find('*', start);
      re += compile::quote_meta(ns.substr(start, star == std::string::npos ? std::string::npos : star - start));
      if (star == std::string::npos) break;
      re += ".*";
      start = star + 1;
    }
    check_regex(".*/ns/" + re + "/.*");
  }
  // serviceAccounts: spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?
  check_regex("spiffe://.+/ns/my-ns/(.+/|)sa/my-sa(/.+)?");
  check_regex("spiffe://.+/ns/ns/(.+/|)sa/sa(/.+)?");
  check_regex("spiffe://.+/ns/sa/(.+/|)sa/ns(/.+)?");
  // principals with a leading '*': spiffe://.* + quoted suffix
  check_regex("spiffe://.*/ns/foo/sa/rule\\[0\\]");
  check_regex("spiffe://.*-td/ns/foo/sa/bar");
  check_regex("spiffe://.*a");
  check_regex(".+");
  // trustDomains with a '*': spiffe://<pre>[^/]*<post>/.*
  check_regex("spiffe://bad[^/]*/.*");
  check_regex("spiffe://[^/]*-td/.*");
}

TEST_CASE("principal literals decode exactly", "[compile][decode]") {
  // exact / prefix principal_name, through the decoder's JSON entry point.
  struct Case {
    std::string kind, value, regex;
  };
  for (const Case& c : std::vector<Case>{{"exact", "spiffe://td1/ns/foo/sa/bar", "spiffe://td1/ns/foo/sa/bar"},
                                         {"exact", "spiffe://principal", "spiffe://principal"},
                                         {"prefix", "spiffe://cluster.local/", "spiffe://cluster\\.local/.*"},
                                         {"prefix", "spiffe://td1/ns/f", "spiffe://td1/ns/f.*"},
                                         {"prefix", "spiffe://principal-prefix-", "spiffe://principal-prefix-.*"},
                                         {"prefix", "spiffe://", "spiffe://.*"}}) {
    load::Node m;
    m.type = load::Node::Type::Map;
    load::Node v;
    v.type = load::Node::Type::Scalar;
    v.scalar = c.value;
    m.entries.push_back(load::MapEntry{c.kind, {}, v});
    std::vector<ir::Term> terms, via_regex;
    std::string error;
    REQUIRE(compile::decode_principal_name(m, terms, error));
    REQUIRE(compile::decode_principal_regex(c.regex, via_regex, error));
    for (const auto& td : pool())
      for (const auto& ns : pool())
        for (const auto& sa : {std::string("bar"), std::string("sa")}) {
          ir::Request r;
          REQUIRE(r.set_principal(td + "/ns/" + ns + "/sa/" + sa));
          bool want = regex_full_match(c.regex, "spiffe://" + r.principal());
          INFO(c.kind << " " << c.value << " on " << r.principal());
          CHECK(terms_match(terms, r) == want);
          CHECK(terms_match(via_regex, r) == want);
        }
  }
}

TEST_CASE("principal patterns the IR cannot state are refused, not approximated", "[compile][decode]") {
  std::vector<ir::Term> terms;
  std::string error;
  CHECK_FALSE(compile::decode_principal_regex("spiffe://..../ns/foo/sa/bar", terms, error));
  CHECK(error.find("fixed number of characters") != std::string::npos);
  CHECK_FALSE(compile::decode_principal_regex("spiffe://[a-z]+/ns/foo/sa/bar", terms, error));
  CHECK_FALSE(compile::decode_principal_regex("spiffe://a{2}/.*", terms, error));
  CHECK_FALSE(compile::decode_principal_regex("spiffe://\\d/.*", terms, error));
}
