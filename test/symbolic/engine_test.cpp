// The query API on hand-built programs: answers, witnesses (built from the model and replayed), Unknown
// surfaced, determinism, and the finding witness / reproduce command.
#include <catch2/catch.hpp>

#include <chrono>

#include <cstdlib>
#include <thread>

#include "engine/canonical_search.h"
#include "engine/query.h"
#include "engine/refute.h"
#include "engine/solver_free.h"
#include "engine/witness.h"

using namespace meshproof;
using engine::Query;
using engine::RuleRef;
using engine::SatAnswer;
using engine::Verdict;
using ir::Attribute;
using ir::Op;

namespace {

ir::Term term(std::vector<ir::Atom> atoms) {
  ir::Term t;
  t.atoms = std::move(atoms);
  return t;
}

// A field: OR of single-atom terms (negated for a not* field).
ir::Match field(std::vector<ir::Atom> values, bool negated = false) {
  ir::Match m;
  m.negated = negated;
  for (auto& a : values) m.terms.push_back(term({a}));
  return m;
}

ir::Clause clause(std::vector<ir::Match> matches, ir::ClauseKind kind) {
  ir::Clause c;
  c.kind = kind;
  c.matches = std::move(matches);
  return c;
}

ir::Rule rule(model::Action action, const std::string& name, int index, std::vector<ir::Match> from,
              std::vector<ir::Match> to) {
  ir::Rule r;
  r.policy.action = action;
  r.policy.ns = "prod";
  r.policy.name = name;
  r.index = index;
  r.principals.push_back(clause(std::move(from), ir::ClauseKind::Principal));
  r.permissions.push_back(clause(std::move(to), ir::ClauseKind::Permission));
  return r;
}

ir::Atom s(Attribute a, Op op, const std::string& v = "", const std::string& key = "") {
  return ir::make_atom(a, op, v, key);
}

ir::Program http_program(model::MtlsMode mode = model::MtlsMode::Permissive) {
  ir::Program p;
  p.workload = "prod/api";
  p.port = 8080;
  p.protocol = ir::Protocol::Http;
  p.mtls = mode;
  return p;
}

}  // namespace

TEST_CASE("engine: identity fields need mTLS, so plaintext cannot reach an ALLOW rule on them", "[symbolic][engine]") {
  ir::Program p = http_program();
  // ALLOW from namespace "frontend" to GET /api/*
  p.allow.push_back(
      rule(model::Action::Allow, "allow-frontend", 0, {field({s(Attribute::PeerNamespace, Op::Exact, "frontend")})},
           {field({s(Attribute::Method, Op::Exact, "GET")}), field({s(Attribute::Path, Op::Prefix, "/api/")})}));
  p.has_allow_policy = true;
  engine::Engine eng(p);

  auto plain = eng.find(Query().mtls(false).verdict(Verdict::Allow));
  CHECK(plain.answer == SatAnswer::Unsat);

  auto allowed = eng.find(Query().verdict(Verdict::Allow));
  REQUIRE(allowed.answer == SatAnswer::Sat);
  const ir::Request& w = *allowed.request;
  CHECK(w.mtls);
  CHECK(w.peer_namespace == "frontend");
  CHECK(w.method == "GET");
  CHECK(w.path.starts_with("/api/"));
  CHECK(w.port == 8080);
  REQUIRE(allowed.decision);
  CHECK(allowed.decision->verdict == Verdict::Allow);
  CHECK(allowed.decision->decided_by == &p.allow[0]);

  // A plaintext request is denied (no ALLOW rule matches), with a witness for that too.
  auto denied = eng.find(Query().mtls(false).verdict(Verdict::Deny));
  REQUIRE(denied.answer == SatAnswer::Sat);
  CHECK_FALSE(denied.request->mtls);
  CHECK(denied.decision->reason == engine::Reason::NoAllowMatched);
}

TEST_CASE("engine: a DENY on namespaces does not stop plaintext, notPrincipals: [*] does (IS §8)",
          "[symbolic][engine]") {
  ir::Program p = http_program();
  p.deny.push_back(
      rule(model::Action::Deny, "deny-bad", 0, {field({s(Attribute::PeerNamespace, Op::Exact, "bad")})}, {}));
  engine::Engine eng(p);
  auto bypass = eng.find(Query().mtls(false).verdict(Verdict::Allow));
  REQUIRE(bypass.answer == SatAnswer::Sat);
  CHECK(bypass.decision->reason == engine::Reason::NoAllowPolicy);

  ir::Program q = http_program();
  q.deny.push_back(rule(model::Action::Deny, "deny-plaintext", 0,
                        {field({s(Attribute::PeerServiceAccount, Op::Present)}, /*negated=*/true)}, {}));
  engine::Engine eng2(q);
  CHECK(eng2.find(Query().mtls(false).verdict(Verdict::Allow)).answer == SatAnswer::Unsat);
  CHECK(eng2.find(Query().mtls(true).verdict(Verdict::Allow)).answer == SatAnswer::Sat);
}

TEST_CASE("engine: shadowed ALLOW rule is unreachable as the decider, reachable as a match", "[symbolic][engine]") {
  ir::Program p = http_program(model::MtlsMode::Strict);
  p.allow.push_back(rule(model::Action::Allow, "broad", 0, {}, {field({s(Attribute::Path, Op::Prefix, "/")})}));
  p.allow.push_back(rule(model::Action::Allow, "narrow", 0, {}, {field({s(Attribute::Path, Op::Exact, "/admin")})}));
  p.has_allow_policy = true;
  engine::Engine eng(p);
  CHECK(eng.find(Query().decided_by({model::Action::Allow, 1})).answer == SatAnswer::Unsat);
  auto r = eng.find(Query().rule_matches({model::Action::Allow, 1}).mtls(true));
  REQUIRE(r.answer == SatAnswer::Sat);
  CHECK(r.request->path == "/admin");
  CHECK(r.decision->decided_by == &p.allow[0]);  // the broad rule decides
  // The canonical witness prefers false: without asking for mTLS it is plaintext, and STRICT rejects it
  // before the rules are consulted (the rule still matches).
  auto plain = eng.find(Query().rule_matches({model::Action::Allow, 1}));
  REQUIRE(plain.answer == SatAnswer::Sat);
  CHECK_FALSE(plain.request->mtls);
  CHECK(plain.decision->verdict == Verdict::Rejected);
  // STRICT: a plaintext request is rejected before authorization.
  auto rej = eng.find(Query().mtls(false));
  REQUIRE(rej.answer == SatAnswer::Sat);
  CHECK(rej.decision->verdict == Verdict::Rejected);
  CHECK(eng.find(Query().mtls(false).verdict(Verdict::Rejected, false)).answer == SatAnswer::Unsat);
}

TEST_CASE("engine: headers, CIDRs, ports and JWT claims in witnesses", "[symbolic][engine]") {
  ir::Program p = http_program();
  p.has_request_authentication = true;
  p.jwt_issuers.push_back({"https://issuer.example", {}, "prod/jwt", {}});
  p.allow.push_back(rule(model::Action::Allow, "admins", 0,
                         {field({s(Attribute::AuthClaim, Op::Exact, "admin", "groups")}),
                          field({ir::make_cidr_atom(Attribute::SourceIp, *ir::parse_cidr("10.20.0.0/16"))}),
                          field({s(Attribute::Header, Op::Prefix, "Bearer", "authorization")})},
                         {field({ir::make_port_atom(8080)})}));
  p.has_allow_policy = true;
  engine::Engine eng(p);
  auto r = eng.find(Query().verdict(Verdict::Allow));
  REQUIRE(r.answer == SatAnswer::Sat);
  const ir::Request& w = *r.request;
  CHECK(w.token == ir::TokenState::Valid);
  CHECK(w.jwt_issuer == "https://issuer.example");
  REQUIRE(w.claims.count("groups"));
  CHECK(std::find(w.claims.at("groups").begin(), w.claims.at("groups").end(), "admin") != w.claims.at("groups").end());
  REQUIRE(w.source_ip);
  CHECK(ir::parse_cidr("10.20.0.0/16")->contains(*w.source_ip));
  CHECK(w.headers.at("authorization").starts_with("Bearer"));

  // A token from another issuer is rejected with 401 (IS §12).
  auto other = eng.find(Query().token(ir::TokenState::Valid).atom(s(Attribute::AuthIssuer, Op::Exact, "evil")));
  REQUIRE(other.answer == SatAnswer::Sat);
  CHECK(other.decision->reason == engine::Reason::IssuerNotAccepted);

  // Witness for a finding, and the command line that reproduces it.
  Witness fw = engine::to_witness(p, w, *r.decision, {"manifests/"});
  CHECK(fw.mtls == w.mtls);
  CHECK(fw.decision == "ALLOW");
  CHECK(fw.decided_by == "prod/admins rule 0");
  CHECK(fw.port == 8080);
  CHECK(fw.port_protocol == "HTTP");
  CHECK(fw.reproduce.starts_with("meshproof query manifests/ --to prod/api --port 8080"));
  CHECK(fw.reproduce.find("--request-principal https://issuer.example/") != std::string::npos);
  CHECK(fw.reproduce.find("--claim groups=admin") != std::string::npos);
  CHECK(fw.reproduce.find("--header authorization=Bearer") != std::string::npos);
}

TEST_CASE("engine: TCP views have no HTTP attributes", "[symbolic][engine]") {
  ir::Program p = http_program();
  p.protocol = ir::Protocol::Tcp;
  // A DENY on a method (kept here although lowering would widen it): it can never match on TCP.
  p.deny.push_back(rule(model::Action::Deny, "deny-get", 0, {}, {field({s(Attribute::Method, Op::Exact, "GET")})}));
  engine::Engine eng(p);
  CHECK(eng.find(Query().rule_matches({model::Action::Deny, 0})).answer == SatAnswer::Unsat);
  CHECK(eng.find(Query().protocol(ir::Protocol::Http)).answer == SatAnswer::Unsat);
}

TEST_CASE("engine: glob namespaces are solved through the sequence theory", "[symbolic][engine]") {
  ir::Program p = http_program();
  p.allow.push_back(
      rule(model::Action::Allow, "team", 0, {field({s(Attribute::PeerNamespace, Op::Glob, "team-*-prod")})}, {}));
  p.deny.push_back(rule(model::Action::Deny, "team-x", 0,
                        {field({s(Attribute::PeerNamespace, Op::Exact, "team--prod"),
                                s(Attribute::PeerNamespace, Op::Prefix, "team-a")})},
                        {}));
  p.has_allow_policy = true;
  engine::Engine eng(p);
  auto r = eng.find(Query().verdict(Verdict::Allow));
  REQUIRE(r.answer == SatAnswer::Sat);
  CHECK(engine::glob_match("team-*-prod", r.request->peer_namespace));
  CHECK(r.request->peer_namespace != "team--prod");
  CHECK_FALSE(r.request->peer_namespace.starts_with("team-a"));
}

TEST_CASE("engine: Unknown is surfaced, never turned into Unsat", "[symbolic][engine]") {
  SECTION("an atom outside the supported fragment") {
    ir::Program p = http_program();
    p.allow.push_back(
        rule(model::Action::Allow, "re", 0, {}, {field({s(Attribute::Path, Op::Regex, "/x/[[:digit:]]+")})}));
    p.has_allow_policy = true;
    engine::Engine eng(p);
    auto r = eng.find(Query().verdict(Verdict::Allow));
    CHECK(r.answer == SatAnswer::Unknown);
    CHECK(r.reason.find("regex") != std::string::npos);
    // The over-approximation keeps Unsat sound: without the regex, the only ALLOW rule cannot match.
    CHECK(eng.find(Query().verdict(Verdict::Allow).atom(s(Attribute::Path, Op::Regex, "/x/[[:digit:]]+"), false))
              .answer == SatAnswer::Unsat);
  }
  SECTION("a deterministic resource budget") {
    ir::Program p = http_program();
    p.allow.push_back(rule(model::Action::Allow, "a", 0, {field({s(Attribute::PeerNamespace, Op::Exact, "a")})}, {}));
    p.has_allow_policy = true;
    engine::EngineOptions o;
    o.resource_limit = 1;
    engine::Engine eng(p, o);
    auto r = eng.find(Query().verdict(Verdict::Allow));
    CHECK(r.answer == SatAnswer::Unknown);
    CHECK_FALSE(r.reason.empty());
  }
  SECTION("a tiny timeout on a large program") {
    ir::Program p = http_program();
    for (int i = 0; i < 3000; ++i)
      p.allow.push_back(
          rule(model::Action::Allow, "r" + std::to_string(i), 0,
               {field({s(Attribute::PeerNamespace, Op::Prefix, "ns" + std::to_string(i)),
                       s(Attribute::PeerServiceAccount, Op::Suffix, std::to_string(i % 97))})},
               {field({s(Attribute::Path, Op::Prefix, "/p" + std::to_string(i % 501))}, i % 3 == 0),
                field({ir::make_cidr_atom(Attribute::SourceIp,
                                          *ir::parse_cidr("10." + std::to_string(i % 250) + ".0.0/16"))})}));
    p.has_allow_policy = true;
    engine::EngineOptions o;
    o.resource_limit = 0;  // no budget: only the time limit stops the first query
    engine::Engine eng(p, o);
    auto r = eng.find(Query().verdict(Verdict::Allow).mtls(true), 1);
    CHECK(r.answer == SatAnswer::Unknown);
    CHECK_FALSE(r.reason.empty());
    // With time, the same query is decided.
    auto t0 = std::chrono::steady_clock::now();
    CHECK(eng.find(Query().verdict(Verdict::Allow).mtls(true), 0).answer == SatAnswer::Sat);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    WARN("3000-rule query without limits: " << ms << " ms");
  }
}

TEST_CASE("engine: same program and queries give the same witness", "[symbolic][engine]") {
  ir::Program p = http_program();
  p.allow.push_back(
      rule(model::Action::Allow, "a", 0,
           {field({s(Attribute::PeerNamespace, Op::Prefix, "web"), s(Attribute::PeerNamespace, Op::Exact, "api")})},
           {field({s(Attribute::Path, Op::Suffix, ".json")}), field({s(Attribute::Method, Op::Exact, "POST")}, true)}));
  p.has_allow_policy = true;
  auto run = [&] {
    engine::Engine eng(p);
    std::vector<std::string> out;
    for (Verdict v : {Verdict::Allow, Verdict::Deny})
      for (bool m : {true, false}) {
        auto r = eng.find(Query().verdict(v).mtls(m));
        out.push_back(r.request ? engine::reproduce_command(p, *r.request) : engine::to_string(r.answer));
      }
    return out;
  };
  auto first = run();
  CHECK(first == run());
  // And across threads (each uses its own context).
  std::vector<std::string> other;
  std::thread t([&] { other = run(); });
  t.join();
  CHECK(first == other);
}

TEST_CASE("engine: existence-only queries give the same answers, with a replayed witness", "[symbolic][engine]") {
  ir::Program p = http_program();
  p.allow.push_back(
      rule(model::Action::Allow, "a", 0,
           {field({s(Attribute::PeerNamespace, Op::Prefix, "web"), s(Attribute::PeerNamespace, Op::Exact, "api")})},
           {field({s(Attribute::Path, Op::Suffix, ".json")}), field({s(Attribute::Method, Op::Exact, "POST")}, true)}));
  p.deny.push_back(rule(model::Action::Deny, "d", 0, {}, {field({s(Attribute::Path, Op::Prefix, "/admin")})}));
  p.has_allow_policy = true;
  engine::Engine canonical(p), quick(p);
  for (Verdict v : {Verdict::Allow, Verdict::Deny})
    for (bool m : {true, false}) {
      Query q = Query().verdict(v).mtls(m);
      Query e = Query().verdict(v).mtls(m).existence_only();
      CHECK(q.witness_shown());
      CHECK_FALSE(e.witness_shown());
      auto a = canonical.find(q);
      auto b = quick.find(e);
      INFO(q.describe());
      CHECK(a.answer == b.answer);
      if (b.answer == engine::SatAnswer::Sat) {
        // find() replayed it: the concrete evaluator's decision has the asked verdict.
        REQUIRE(b.decision);
        CHECK(b.decision->verdict == v);
        CHECK(b.request->mtls == m);
      }
    }
}

TEST_CASE("engine: decide() pins a request, outside the domain it is Unsat", "[symbolic][engine]") {
  ir::Program p = http_program();
  engine::Engine eng(p);
  ir::Request r;
  r.method = "GET";
  r.port = 8080;
  auto d = eng.decide(r);
  REQUIRE(d.answer == SatAnswer::Sat);
  CHECK(d.verdict == Verdict::Allow);
  r.port = 9999;  // not this program's port
  CHECK(eng.decide(r).answer == SatAnswer::Unsat);
}

TEST_CASE("engine: an engine refuses to be used from another thread", "[symbolic][engine]") {
  ir::Program p = http_program();
  engine::Engine eng(p);
  bool threw = false;
  std::thread t([&] {
    try {
      eng.find(Query());
    } catch (const std::logic_error&) {
      threw = true;
    }
  });
  t.join();
  CHECK(threw);
}

TEST_CASE("engine: every solver has a memory limit, settable", "[symbolic][engine]") {
  const unsigned initial = engine::solver_memory_limit_mb();
  CHECK(initial > 0);
  if (!std::getenv("MESHPROOF_Z3_MEMORY_MB")) {
    CHECK(initial >= 1024);
    CHECK(initial <= 8192);
  }
  engine::set_solver_memory_limit_mb(initial + 1);
  CHECK(engine::solver_memory_limit_mb() == initial + 1);
  engine::set_solver_memory_limit_mb(initial);
  CHECK(engine::solver_memory_limit_mb() == initial);
}

TEST_CASE("engine: a principal the query pins refutes ALLOW rules for other principals without a solver",
          "[symbolic][engine]") {
  ir::Program p = http_program();
  p.allow.push_back(rule(model::Action::Allow, "allow-waypoint", 0,
                         {field({s(Attribute::PeerNamespace, Op::Exact, "prod")}),
                          field({s(Attribute::PeerServiceAccount, Op::Exact, "waypoint")})},
                         {}));
  p.has_allow_policy = true;
  auto from = [](const std::string& ns, const std::string& sa) {
    return Query()
        .mtls(true)
        .atom(s(Attribute::PeerTrustDomain, Op::Exact, "cluster.local"))
        .atom(s(Attribute::PeerNamespace, Op::Exact, ns))
        .atom(s(Attribute::PeerServiceAccount, Op::Exact, sa))
        .verdict(Verdict::Allow);
  };
  engine::Engine eng(p);

  // Another service account: no ALLOW rule can match, proven by the atom algebra and by the solver.
  const Query other = from("prod", "client");
  auto refuted = engine::refute_without_solver(p, other);
  REQUIRE(refuted);
  CHECK(refuted->answer == SatAnswer::Unsat);
  CHECK(eng.find(other).answer == SatAnswer::Unsat);

  // The waypoint's own identity: not refuted, and the solver finds the request.
  const Query own = from("prod", "waypoint");
  CHECK_FALSE(engine::refute_without_solver(p, own));
  CHECK(eng.find(own).answer == SatAnswer::Sat);

  // Two different values pinned for one attribute: left to the solver, which proves it impossible.
  Query both = from("prod", "waypoint");
  both.atom(s(Attribute::PeerServiceAccount, Op::Exact, "client"));
  CHECK_FALSE(engine::refute_without_solver(p, both));
  CHECK(eng.find(both).answer == SatAnswer::Unsat);
}

TEST_CASE("engine: a lazy engine builds its solver only for a question the solver-free answers leave open",
          "[symbolic][engine]") {
  ir::Program p = http_program();
  p.allow.push_back(rule(model::Action::Allow, "allow-frontend", 0,
                         {field({s(Attribute::PeerNamespace, Op::Exact, "frontend")})},
                         {field({s(Attribute::Method, Op::Exact, "GET")})}));
  p.has_allow_policy = true;
  engine::Engine eng(p);
  engine::LazyEngine lazy(p);

  // Plaintext cannot carry a peer namespace: refuted, no solver.
  const Query plain = Query().mtls(false).verdict(Verdict::Allow);
  CHECK(lazy.find(plain).answer == SatAnswer::Unsat);
  CHECK_FALSE(lazy.built());

  // An existence question the concrete fast path answers: Sat with a replayed witness, no solver.
  Query some = Query().verdict(Verdict::Allow);
  some.existence_only();
  auto quick = lazy.find(some);
  REQUIRE(quick.answer == SatAnswer::Sat);
  CHECK(quick.request->peer_namespace == "frontend");
  CHECK_FALSE(lazy.built());

  // A shown witness is canonical: the search over representatives finds the engine's own, without a solver.
  auto shown = lazy.find(Query().verdict(Verdict::Allow));
  CHECK_FALSE(lazy.built());
  auto direct = eng.find(Query().verdict(Verdict::Allow));
  REQUIRE(shown.answer == SatAnswer::Sat);
  REQUIRE(direct.answer == SatAnswer::Sat);
  CHECK(engine::to_witness(p, *shown.request, *shown.decision, {}).reproduce ==
        engine::to_witness(p, *direct.request, *direct.decision, {}).reproduce);

  // A regex is outside every solver-free answer: the solver is built.
  const Query versioned =
      Query().atom(s(Attribute::Path, Op::Regex, "/(index.html)?")).rule_matches(RuleRef{model::Action::Allow, 0});
  CHECK(lazy.find(versioned).answer == eng.find(versioned).answer);
  CHECK(lazy.built());
  // Its regex atom is now a variable of that solver: later shown witnesses are that solver's, as they are
  // the engine's that was asked the same questions.
  const Query on_path = Query().verdict(Verdict::Allow).atom(s(Attribute::Host, Op::Suffix, ".example.com"));
  auto later = lazy.find(on_path);
  auto same = eng.find(on_path);
  REQUIRE(later.answer == SatAnswer::Sat);
  REQUIRE(same.answer == SatAnswer::Sat);
  CHECK(later.request->path == same.request->path);
  CHECK(engine::to_witness(p, *later.request, *later.decision, {}).reproduce ==
        engine::to_witness(p, *same.request, *same.decision, {}).reproduce);
}

TEST_CASE("engine: the canonical witness without the solver is the engine's, and none is given for atoms a query added",
          "[symbolic][engine]") {
  ir::Program p = http_program(model::MtlsMode::Strict);
  p.allow.push_back(
      rule(model::Action::Allow, "allow-api", 0, {field({s(Attribute::PeerNamespace, Op::Exact, "frontend")})},
           {field({s(Attribute::Path, Op::Prefix, "/api/")}), field({s(Attribute::Path, Op::Suffix, ".json")}, true)}));
  p.deny.push_back(rule(model::Action::Deny, "deny-admin", 0, {field({s(Attribute::PeerServiceAccount, Op::Present)})},
                        {field({s(Attribute::Path, Op::Exact, "/api/admin")})}));
  p.has_allow_policy = true;
  const Query allowed = Query().verdict(Verdict::Allow).reason(engine::Reason::PlaintextOnStrict, false);

  auto quick = engine::canonical_without_solver(p, allowed);
  REQUIRE(quick);
  engine::Engine fresh(p);
  CHECK_FALSE(fresh.has_query_variables());
  auto solved = fresh.find(allowed);
  REQUIRE(quick->answer == SatAnswer::Sat);
  REQUIRE(solved.answer == SatAnswer::Sat);
  CHECK(quick->request->path == solved.request->path);
  CHECK(quick->request->peer_namespace == "frontend");
  CHECK(engine::to_witness(p, *quick->request, *quick->decision, {}).reproduce ==
        engine::to_witness(p, *solved.request, *solved.decision, {}).reproduce);
  // A valid token: impossible without a RequestAuthentication; with one, the token's issuer, audiences and
  // claims are chosen like any attribute.
  const Query with_token = Query().token(ir::TokenState::Valid).verdict(Verdict::Allow);
  auto no_token = engine::canonical_without_solver(p, with_token);
  REQUIRE(no_token);
  CHECK(no_token->answer == SatAnswer::Unsat);
  CHECK(fresh.find(with_token).answer == SatAnswer::Unsat);
  ir::Program authenticated = p;
  authenticated.has_request_authentication = true;
  ir::JwtIssuer issuer;
  issuer.issuer = "https://issuer.example";
  issuer.audiences = {"api"};
  authenticated.jwt_issuers.push_back(issuer);
  authenticated.deny.push_back(rule(model::Action::Deny, "deny-interns", 0, {},
                                    {field({s(Attribute::AuthClaim, Op::Exact, "interns", "groups")})}));
  auto claims = engine::canonical_without_solver(authenticated, with_token);
  engine::Engine with_claims(authenticated);
  auto claims_solved = with_claims.find(with_token);
  REQUIRE(claims);
  REQUIRE(claims->answer == SatAnswer::Sat);
  REQUIRE(claims_solved.answer == SatAnswer::Sat);
  CHECK(claims->request->jwt_issuer == "https://issuer.example");
  CHECK(claims->request->audiences == std::vector<std::string>{"api"});
  CHECK(engine::to_witness(authenticated, *claims->request, *claims->decision, {}).reproduce ==
        engine::to_witness(authenticated, *claims_solved.request, *claims_solved.decision, {}).reproduce);

  // A query's extra atom becomes a variable of the engine that answers it, and its later canonical witnesses
  // read it too: those are then the engine's alone.
  engine::Engine used(p);
  used.find(Query().atom(s(Attribute::Path, Op::Regex, "/api/a.*")).verdict(Verdict::Allow));
  CHECK(used.has_query_variables());
  auto after = used.find(allowed);
  REQUIRE(after.answer == SatAnswer::Sat);
  CHECK(quick->request->path == "/api/any-path");
  CHECK(after.request->path != quick->request->path);  // the regex atom is false in it: another path
  CHECK(engine::answer_without_solver(p, allowed, {}, &used) == std::nullopt);
  CHECK(engine::answer_without_solver(p, allowed, {}, &fresh));

  // Thousands of prefixes times suffixes on one attribute: the enumeration gives up, the solver decides.
  ir::Program large = http_program();
  for (int i = 0; i < 600; ++i)
    large.allow.push_back(rule(model::Action::Allow, "r" + std::to_string(i), 0,
                               {field({s(Attribute::PeerNamespace, Op::Prefix, "ns" + std::to_string(i)),
                                       s(Attribute::PeerNamespace, Op::Suffix, "-" + std::to_string(i % 97))})},
                               {}));
  large.has_allow_policy = true;
  CHECK_FALSE(engine::canonical_without_solver(large, Query().verdict(Verdict::Allow).mtls(true)));
}

TEST_CASE("engine: a canonical memo serves its program's questions and starts again for another program",
          "[symbolic][engine]") {
  ir::Program a = http_program();
  a.allow.push_back(rule(model::Action::Allow, "a", 0, {}, {field({s(Attribute::Path, Op::Prefix, "/a/")})}));
  a.has_allow_policy = true;
  ir::Program b = http_program();
  b.allow.push_back(rule(model::Action::Allow, "b", 0, {}, {field({s(Attribute::Method, Op::Exact, "PUT")})}));
  b.has_allow_policy = true;
  const Query allowed = Query().verdict(Verdict::Allow);
  engine::CanonicalMemo memo;
  auto first = engine::canonical_without_solver(a, allowed, {}, &memo);
  REQUIRE(first);
  REQUIRE(first->answer == SatAnswer::Sat);
  CHECK(first->request->path.starts_with("/a/"));
  CHECK(memo.table(a, {}) != nullptr);
  // A query with an atom of its own is answered on a table of its own, the same as without the memo.
  const Query with_atom = Query().atom(s(Attribute::Path, Op::Exact, "/a/b")).verdict(Verdict::Allow);
  auto own = engine::canonical_without_solver(a, with_atom, {}, &memo);
  REQUIRE(own);
  REQUIRE(own->answer == SatAnswer::Sat);
  CHECK(own->request->path == "/a/b");
  // Another program: the memo's table is that program's, not the first one's.
  auto second = engine::canonical_without_solver(b, allowed, {}, &memo);
  auto without = engine::canonical_without_solver(b, allowed);
  REQUIRE(second);
  REQUIRE(without);
  REQUIRE(second->answer == SatAnswer::Sat);
  CHECK(second->request->method == "PUT");
  CHECK(second->request->method == without->request->method);
  CHECK(second->request->path == without->request->path);
}
