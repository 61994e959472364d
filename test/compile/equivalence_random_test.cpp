// The equivalence prover is kept consistent with the concrete evaluator (DESIGN.md §5): on random pairs of
// programs over a small shared atom pool, (1) a program is proven equivalent to itself and to a shuffled
// copy, (2) whenever sampling finds a request on which the RBAC observables differ the prover does not
// say "proven", and (3) every witness it returns replays as a difference through engine::eval_rule.
#include <catch2/catch.hpp>

#include <random>

#include "engine/equivalence.h"
#include "engine/evaluate.h"

using namespace meshproof;
using ir::Attribute;
using ir::Op;

namespace {

ir::Atom cidr(Attribute a, const char* text) { return ir::make_cidr_atom(a, *ir::parse_cidr(text)); }

const std::vector<ir::Atom>& atom_pool() {
  static const std::vector<ir::Atom> pool = {
      ir::make_atom(Attribute::PeerNamespace, Op::Exact, "a"),
      ir::make_atom(Attribute::PeerNamespace, Op::Prefix, "a"),
      ir::make_atom(Attribute::PeerNamespace, Op::Suffix, "b"),
      ir::make_atom(Attribute::PeerTrustDomain, Op::Present),
      ir::make_atom(Attribute::PeerServiceAccount, Op::Exact, "x"),
      ir::make_atom(Attribute::Method, Op::Exact, "GET"),
      ir::make_atom(Attribute::Method, Op::Prefix, "G"),
      ir::make_atom(Attribute::Path, Op::Exact, "/a"),
      ir::make_atom(Attribute::Path, Op::Prefix, "/a"),
      ir::make_atom(Attribute::Path, Op::Suffix, "/b"),
      ir::make_atom(Attribute::Path, Op::PathTemplate, "/a/*"),
      ir::make_atom(Attribute::Host, Op::Suffix, ".com"),
      ir::make_atom(Attribute::Host, Op::Exact, "h.com"),
      ir::make_atom(Attribute::Header, Op::Exact, "1", "x"),
      ir::make_atom(Attribute::Header, Op::Present, "", "x"),
      cidr(Attribute::SourceIp, "10.0.0.0/8"),
      cidr(Attribute::SourceIp, "10.1.0.0/16"),
      cidr(Attribute::RemoteIp, "10.0.0.0/8"),
      ir::make_port_atom(80),
      ir::make_port_atom(90),
      ir::make_atom(Attribute::AuthAudiences, Op::Exact, "x"),
      ir::make_atom(Attribute::AuthIssuer, Op::Prefix, "i"),
  };
  return pool;
}

struct Gen {
  std::mt19937 rng;
  explicit Gen(unsigned seed) : rng(seed) {}
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  bool coin(int percent = 50) { return pick(100) < static_cast<size_t>(percent); }

  ir::Term term() {
    ir::Term t;
    size_t n = pick(3);
    for (size_t i = 0; i < n; ++i) t.atoms.push_back(atom_pool()[pick(atom_pool().size())]);
    if (coin(5)) t.is_false = true;
    return t;
  }
  ir::Match match() {
    ir::Match m;
    m.negated = coin(30);
    size_t n = 1 + pick(2);
    for (size_t i = 0; i < n; ++i) m.terms.push_back(term());
    return m;
  }
  ir::Clause clause(ir::ClauseKind k) {
    ir::Clause c;
    c.kind = k;
    size_t n = pick(3);
    for (size_t i = 0; i < n; ++i) c.matches.push_back(match());
    return c;
  }
  ir::Rule rule(model::Action a, int index) {
    ir::Rule r;
    r.policy.ns = "ns";
    r.policy.name = "p";
    r.policy.action = a;
    r.policy.dry_run = coin(20);
    r.index = index;
    size_t np = 1 + pick(2), nq = 1 + pick(2);
    for (size_t i = 0; i < np; ++i) r.principals.push_back(clause(ir::ClauseKind::Principal));
    for (size_t i = 0; i < nq; ++i) r.permissions.push_back(clause(ir::ClauseKind::Permission));
    return r;
  }
  ir::Program program(ir::Protocol proto) {
    ir::Program p;
    p.protocol = proto;
    int idx = 0;
    for (size_t i = pick(3); i > 0; --i) p.deny.push_back(rule(model::Action::Deny, idx++));
    for (size_t i = pick(3); i > 0; --i) p.allow.push_back(rule(model::Action::Allow, idx++));
    for (size_t i = pick(2); i > 0; --i) p.audit.push_back(rule(model::Action::Audit, idx++));
    p.has_allow_policy = !p.allow.empty();
    return p;
  }

  // A small change somewhere in the rules.
  void mutate(ir::Program& p) {
    std::vector<ir::Rule*> rules;
    for (auto* l : {&p.deny, &p.allow, &p.audit})
      for (auto& r : *l) rules.push_back(&r);
    if (rules.empty()) {
      p.deny.push_back(rule(model::Action::Deny, 99));
      return;
    }
    ir::Rule& r = *rules[pick(rules.size())];
    auto& cs = coin() ? r.principals : r.permissions;
    ir::Clause& c = cs[pick(cs.size())];
    if (c.matches.empty() || coin(20)) {
      c.matches.push_back(match());
      return;
    }
    ir::Match& m = c.matches[pick(c.matches.size())];
    switch (pick(3)) {
      case 0:
        m.negated = !m.negated;
        break;
      case 1:
        m.terms[pick(m.terms.size())] = term();
        break;
      default:
        r.policy.dry_run = !r.policy.dry_run;
        break;
    }
  }

  ir::Request request() {
    ir::Request r;
    static const std::vector<std::string> parts = {"a", "b", "ab", "x"};
    if (coin(70)) {
      r.mtls = true;
      r.peer_trust_domain = parts[pick(parts.size())];
      r.peer_namespace = parts[pick(parts.size())];
      r.peer_service_account = parts[pick(parts.size())];
    }
    static const std::vector<std::string> methods = {"GET", "POST", "Gx", ""};
    static const std::vector<std::string> paths = {"/a", "/a/b", "/b", "/a/x", "x", ""};
    static const std::vector<std::string> hosts = {"h.com", "H.COM", "a.com", "h.org", ""};
    r.method = methods[pick(methods.size())];
    r.path = paths[pick(paths.size())];
    r.host = hosts[pick(hosts.size())];
    switch (pick(3)) {
      case 0:
        r.headers["x"] = "1";
        break;
      case 1:
        r.headers["x"] = "";
        break;
      default:
        break;
    }
    static const std::vector<const char*> ips = {"10.0.0.1", "10.1.2.3", "11.0.0.1"};
    if (coin(80)) r.source_ip = *ir::parse_ip(ips[pick(ips.size())]);
    if (coin(30)) r.remote_ip = *ir::parse_ip(ips[pick(ips.size())]);
    static const std::vector<uint32_t> ports = {80, 90, 100};
    r.port = ports[pick(ports.size())];
    if (coin(50)) {
      r.token = ir::TokenState::Valid;
      static const std::vector<std::string> iss = {"i1", "j", ""};
      r.jwt_issuer = iss[pick(iss.size())];
      static const std::vector<std::vector<std::string>> auds = {{}, {"x"}, {"y", "x"}, {"y"}};
      r.audiences = auds[pick(auds.size())];
    }
    return r;
  }
};

// The observables of equivalence.h, computed directly with the evaluator.
std::vector<bool> observe(const ir::Program& p, const ir::Request& r) {
  std::vector<bool> out;
  for (const auto* l : {&p.deny, &p.allow, &p.audit})
    for (bool dry : {false, true}) {
      bool any = false;
      for (const auto& rule : *l)
        if (rule.policy.dry_run == dry && engine::eval_rule(rule, r, p.protocol)) any = true;
      out.push_back(any);
    }
  out.push_back(p.has_allow_policy);
  return out;
}

}  // namespace

TEST_CASE("equivalence agrees with the concrete evaluator on random programs", "[compile][equivalence]") {
  Gen g(20261122);
  size_t proven = 0, differs = 0, unknown = 0, sampled_differences = 0;
  for (int iter = 0; iter < 150; ++iter) {
    ir::Protocol proto = g.coin(70) ? ir::Protocol::Http : ir::Protocol::Tcp;
    ir::Program p = g.program(proto);

    // (1) itself, and a copy with every rule list reversed (order never matters for observables).
    REQUIRE(engine::prove_equivalent(p, p).status == engine::EquivalenceStatus::Proven);
    ir::Program rev = p;
    for (auto* l : {&rev.deny, &rev.allow, &rev.audit}) std::reverse(l->begin(), l->end());
    REQUIRE(engine::prove_equivalent(p, rev).status == engine::EquivalenceStatus::Proven);

    // (2), (3) against a mutant.
    ir::Program q = p;
    g.mutate(q);
    q.has_allow_policy = !q.allow.empty() && q.allow.size() == p.allow.size() ? p.has_allow_policy : !q.allow.empty();
    engine::EquivalenceResult res = engine::prove_equivalent(p, q);
    bool sampled_difference = false;
    for (int s = 0; s < 400 && !sampled_difference; ++s) {
      ir::Request r = g.request();
      if (observe(p, r) != observe(q, r)) sampled_difference = true;
    }
    if (sampled_difference) {
      ++sampled_differences;
      INFO("iteration " << iter);
      REQUIRE(res.status != engine::EquivalenceStatus::Proven);
    }
    switch (res.status) {
      case engine::EquivalenceStatus::Proven:
        ++proven;
        break;
      case engine::EquivalenceStatus::Unknown:
        ++unknown;
        WARN("unknown at iteration " << iter << ": " << res.unknown_reason);
        break;
      case engine::EquivalenceStatus::Differs: {
        ++differs;
        REQUIRE(res.difference);
        if (res.difference->has_witness) {
          REQUIRE(observe(p, res.difference->witness) != observe(q, res.difference->witness));
          REQUIRE(res.difference->left.matches != res.difference->right.matches);
        }
        break;
      }
    }
  }
  // The mutants are mostly observable; the prover decides every pair (no unknowns on this fragment).
  CHECK(differs >= sampled_differences);
  CHECK(differs > 50);
  CHECK(unknown == 0);
  INFO("proven " << proven << ", differs " << differs);
}

TEST_CASE("equivalence sees through different but equivalent rule shapes", "[compile][equivalence]") {
  ir::Program p;
  p.protocol = ir::Protocol::Http;
  p.has_allow_policy = true;
  // allow: method GET ∧ (ns == a ∨ ns prefix b)
  ir::Rule r;
  r.policy.ns = "ns";
  r.policy.name = "p";
  ir::Clause prin, perm;
  prin.kind = ir::ClauseKind::Principal;
  perm.kind = ir::ClauseKind::Permission;
  ir::Match m1;
  m1.terms.push_back(ir::Term{{ir::make_atom(Attribute::PeerNamespace, Op::Exact, "a")}});
  m1.terms.push_back(ir::Term{{ir::make_atom(Attribute::PeerNamespace, Op::Prefix, "b")}});
  prin.matches.push_back(m1);
  ir::Match m2;
  m2.terms.push_back(ir::Term{{ir::make_atom(Attribute::Method, Op::Exact, "GET")}});
  perm.matches.push_back(m2);
  r.principals.push_back(prin);
  r.permissions.push_back(perm);
  p.allow.push_back(r);

  // The same as two principal clauses, and NOT(NOT(...)) on the method.
  ir::Program q = p;
  ir::Rule& s = q.allow[0];
  s.principals.clear();
  for (const auto& t : m1.terms) {
    ir::Clause c;
    c.kind = ir::ClauseKind::Principal;
    ir::Match m;
    m.terms.push_back(t);
    c.matches.push_back(m);
    s.principals.push_back(c);
  }
  ir::Match neg_other;  // method is GET ⇔ NOT(method present ∧ method ≠ GET) ∧ present
  neg_other.negated = true;
  neg_other.terms.push_back(ir::Term{{ir::make_atom(Attribute::Method, Op::Exact, "POST")}});
  s.permissions[0].matches.push_back(neg_other);  // redundant: GET already excludes POST
  CHECK(engine::prove_equivalent(p, q).status == engine::EquivalenceStatus::Proven);

  // Changing the prefix is caught, with a witness in the namespace that moved.
  q.allow[0].principals[1].matches[0].terms[0].atoms[0].value = "c";
  auto res = engine::prove_equivalent(p, q);
  REQUIRE(res.status == engine::EquivalenceStatus::Differs);
  REQUIRE(res.difference->has_witness);
  const auto& w = res.difference->witness;
  CHECK(w.mtls);
  CHECK(w.method == "GET");
  CHECK((w.peer_namespace.rfind("b", 0) == 0 || w.peer_namespace.rfind("c", 0) == 0));
  CHECK(res.difference->observable == "enforced ALLOW rules");
}

TEST_CASE("flag differences need no witness", "[compile][equivalence]") {
  ir::Program p;
  p.protocol = ir::Protocol::Tcp;
  ir::Program q = p;
  q.has_allow_policy = true;  // an ALLOW filter with empty rules: denies everything
  auto res = engine::prove_equivalent(p, q);
  REQUIRE(res.status == engine::EquivalenceStatus::Differs);
  CHECK(res.difference->observable == "ALLOW policy present");
  CHECK_FALSE(res.difference->has_witness);
}

namespace {

// One ALLOW rule whose permission is a single atom.
ir::Program one_allow(ir::Protocol proto, const ir::Atom& a) {
  ir::Program p;
  p.protocol = proto;
  p.has_allow_policy = true;
  ir::Rule r;
  r.policy.ns = "ns";
  r.policy.name = "p";
  ir::Clause prin, perm;
  prin.kind = ir::ClauseKind::Principal;
  perm.kind = ir::ClauseKind::Permission;
  ir::Match m;
  m.terms.push_back(ir::Term{{a}});
  perm.matches.push_back(m);
  r.principals.push_back(prin);
  r.permissions.push_back(perm);
  p.allow.push_back(r);
  return p;
}

}  // namespace

TEST_CASE("equivalence uses the engine's encoding of ports and addresses", "[compile][equivalence]") {
  // One 16-bit port: equal ports are proven, different ones differ with a witness on one of them.
  CHECK(engine::prove_equivalent(one_allow(ir::Protocol::Tcp, ir::make_port_atom(8080)),
                                 one_allow(ir::Protocol::Tcp, ir::make_port_atom(8080)))
            .status == engine::EquivalenceStatus::Proven);
  auto ports = engine::prove_equivalent(one_allow(ir::Protocol::Tcp, ir::make_port_atom(80)),
                                        one_allow(ir::Protocol::Tcp, ir::make_port_atom(8080)));
  REQUIRE(ports.status == engine::EquivalenceStatus::Differs);
  REQUIRE(ports.difference->has_witness);
  CHECK((ports.difference->witness.port == 80 || ports.difference->witness.port == 8080));

  // CIDRs are masked equality on the top prefix bits: a narrower range differs inside the wider one.
  auto ranges = engine::prove_equivalent(one_allow(ir::Protocol::Tcp, cidr(Attribute::SourceIp, "10.0.0.0/8")),
                                         one_allow(ir::Protocol::Tcp, cidr(Attribute::SourceIp, "10.0.0.0/9")));
  REQUIRE(ranges.status == engine::EquivalenceStatus::Differs);
  REQUIRE(ranges.difference->has_witness);
  const auto& ip = ranges.difference->witness.source_ip;
  REQUIRE(ip);
  CHECK(ir::parse_cidr("10.128.0.0/9")->contains(*ip));

  // An IPv4 range written longer than /32 contains exactly what Cidr::contains says: the /32 address
  // (the extra bits are zero on both sides). The prover's former encoding called it "never matches".
  ir::Cidr long_range = *ir::parse_cidr("10.0.0.1/32");
  long_range.prefix_len = 40;
  REQUIRE(long_range.contains(*ir::parse_ip("10.0.0.1")));
  CHECK(engine::prove_equivalent(one_allow(ir::Protocol::Tcp, ir::make_cidr_atom(Attribute::SourceIp, long_range)),
                                 one_allow(ir::Protocol::Tcp, cidr(Attribute::SourceIp, "10.0.0.1/32")))
            .status == engine::EquivalenceStatus::Proven);
}
