// The query API: one solver per program, the program's formulas asserted once, each query a
// push / assert / check / pop, every Sat answer rebuilt as a request and replayed concretely.
#include "engine/query.h"

#include <thread>
#include <unordered_map>

#include "engine/probe.h"
#include "engine/symbolic_encoder.h"

namespace meshproof::engine {

using detail::Encoder;

// ---- SolverContext ----

SolverContext::SolverContext() : impl_(std::make_unique<Impl>()) {}
SolverContext::~SolverContext() = default;

SolverContext& SolverContext::for_this_thread() {
  thread_local SolverContext context;
  return context;
}

// ---- Conditions and queries ----

namespace {

const char* action_name(model::Action a) { return model::to_string(a); }

std::string rule_name(RuleRef r) {
  return std::string(action_name(r.action)) + " rule #" + std::to_string(r.index);
}

const ir::Rule& rule_at(const ir::Program& p, RuleRef r) { return detail::rules_of(p, r.action).at(r.index); }

// Whether a condition holds on a concrete request (`eff`: as the program sees it) with its decision `d`:
// the specification every Sat answer is replayed against.
bool condition_holds(const ir::Program& p, const Condition& cond, const ir::Request& request,
                     const ir::Request& eff, const Decision& d) {
  switch (cond.kind) {
    case ConditionKind::RuleMatches: return eval_rule(rule_at(p, cond.rule), eff, p.protocol);
    case ConditionKind::ActionMatches: {
      const auto& rules = detail::rules_of(p, cond.action);
      const bool enforced_only = cond.action == model::Action::Allow || cond.action == model::Action::Deny;
      for (const auto& r : rules)
        if (!(enforced_only && r.policy.dry_run) && eval_rule(r, eff, p.protocol)) return true;
      return false;
    }
    case ConditionKind::VerdictIs: return d.verdict == cond.verdict;
    case ConditionKind::ReasonIs: return d.reason == cond.reason;
    case ConditionKind::DecidedBy: return d.decided_by == &rule_at(p, cond.rule);
    case ConditionKind::IfAuthorizerAllows:
      return d.verdict == Verdict::Delegated && d.if_authorizer_allows == cond.verdict;
    case ConditionKind::Mtls: return request.mtls;
    case ConditionKind::Token: return eff.token == cond.token;
    case ConditionKind::AtomHolds: return eval_atom(cond.atom, eff, p.protocol);
    case ConditionKind::Protocol: return p.protocol == cond.protocol;
  }
  return false;
}

// The first condition of the query that the concrete request does not satisfy (nullptr: all hold).
const Condition* first_unsatisfied(const ir::Program& p, const Query& query, const ir::Request& request,
                                   const Decision& d) {
  const ir::Request eff = effective_request(p, request);
  for (const Condition& c : query.conditions())
    if (condition_holds(p, c, request, eff, d) != c.positive) return &c;
  return nullptr;
}

}  // namespace

std::optional<QueryResult> find_concretely(const ir::Program& program, const Query& query,
                                           const EngineOptions& options) {
  if (query.witness_shown()) return std::nullopt;
  // The rule the query wants matched (or deciding) seeds the candidates; the connection kind follows
  // the query's mTLS condition when it has one.
  const Condition* seed = nullptr;
  std::optional<bool> mtls;
  for (const Condition& c : query.conditions()) {
    if (!seed && c.positive && (c.kind == ConditionKind::RuleMatches || c.kind == ConditionKind::DecidedBy))
      seed = &c;
    if (c.kind == ConditionKind::Mtls) mtls = c.positive;
  }
  if (!seed) return std::nullopt;
  const auto& rules = detail::rules_of(program, seed->rule.action);
  if (seed->rule.index >= rules.size()) return std::nullopt;
  for (bool over_mtls : {true, false}) {
    if (mtls && *mtls != over_mtls) continue;
    for (ir::Request& r : detail::probe_requests(program, rules[seed->rule.index], over_mtls, options.declared_ports, 4)) {
      if (!detail::request_in_domain(program, r, options)) continue;
      Decision d = evaluate(program, r);
      if (first_unsatisfied(program, query, r, d)) continue;
      QueryResult out;
      out.answer = SatAnswer::Sat;
      out.request = std::move(r);
      out.decision = std::move(d);
      return out;
    }
  }
  return std::nullopt;
}

std::string Condition::describe() const {
  std::string s;
  switch (kind) {
    case ConditionKind::RuleMatches: s = rule_name(rule) + (positive ? " matches" : " does not match"); return s;
    case ConditionKind::ActionMatches:
      return std::string(positive ? "some " : "no ") + action_name(action) + " rule matches";
    case ConditionKind::VerdictIs: return std::string("verdict ") + (positive ? "== " : "!= ") + to_string(verdict);
    case ConditionKind::ReasonIs: return std::string("reason ") + (positive ? "== " : "!= ") + to_string(reason);
    case ConditionKind::DecidedBy: return std::string(positive ? "decided by " : "not decided by ") + rule_name(rule);
    case ConditionKind::IfAuthorizerAllows:
      return std::string(positive ? "" : "not ") + "delegated, and " + to_string(verdict) + " if the authorizer allows";
    case ConditionKind::Mtls: return positive ? "mTLS" : "plaintext";
    case ConditionKind::Token: return std::string("token ") + (positive ? "== " : "!= ") + ir::to_string(token);
    case ConditionKind::AtomHolds: return (positive ? "" : "not ") + ir::to_string(atom);
    case ConditionKind::Protocol: return std::string("protocol ") + (positive ? "== " : "!= ") + ir::to_string(protocol);
  }
  return s;
}

Query& Query::existence_only() {
  witness_shown_ = false;
  return *this;
}

Query& Query::add(const Condition& c) {
  conditions_.push_back(c);
  return *this;
}

Query& Query::rule_matches(RuleRef r, bool matches) {
  Condition c;
  c.kind = ConditionKind::RuleMatches;
  c.rule = r;
  c.positive = matches;
  return add(c);
}

Query& Query::action_matches(model::Action a, bool matches) {
  Condition c;
  c.kind = ConditionKind::ActionMatches;
  c.action = a;
  c.positive = matches;
  return add(c);
}

Query& Query::verdict(Verdict v, bool equals) {
  Condition c;
  c.kind = ConditionKind::VerdictIs;
  c.verdict = v;
  c.positive = equals;
  return add(c);
}

Query& Query::reason(Reason r, bool equals) {
  Condition c;
  c.kind = ConditionKind::ReasonIs;
  c.reason = r;
  c.positive = equals;
  return add(c);
}

Query& Query::decided_by(RuleRef r, bool equals) {
  Condition c;
  c.kind = ConditionKind::DecidedBy;
  c.rule = r;
  c.positive = equals;
  return add(c);
}

Query& Query::if_authorizer_allows(Verdict v) {
  Condition c;
  c.kind = ConditionKind::IfAuthorizerAllows;
  c.verdict = v;
  return add(c);
}

Query& Query::mtls(bool over_mtls) {
  Condition c;
  c.kind = ConditionKind::Mtls;
  c.positive = over_mtls;
  return add(c);
}

Query& Query::token(ir::TokenState t, bool equals) {
  Condition c;
  c.kind = ConditionKind::Token;
  c.token = t;
  c.positive = equals;
  return add(c);
}

Query& Query::atom(const ir::Atom& a, bool holds) {
  Condition c;
  c.kind = ConditionKind::AtomHolds;
  c.atom = a;
  c.positive = holds;
  return add(c);
}

Query& Query::protocol(ir::Protocol p) {
  Condition c;
  c.kind = ConditionKind::Protocol;
  c.protocol = p;
  return add(c);
}

std::string Query::describe() const {
  if (conditions_.empty()) return "any request";
  std::string s;
  for (const auto& c : conditions_) s += (s.empty() ? "" : " ∧ ") + c.describe();
  return s;
}

// ---- Engine ----

struct Engine::Impl {
  Impl(const ir::Program& program, EngineOptions opts)
      : options(std::move(opts)),
        context(options.context ? *options.context : SolverContext::for_this_thread()),
        c(context.impl().ctx),
        solver(c, z3::solver::simple()),  // incremental SMT core (the default wrapper adds setup cost)
        owner(std::this_thread::get_id()),
        timeout(options.default_timeout_ms),
        deadline(c),
        // (the solver is configured before the encoder asserts anything into it; wall-clock limits are
        // the watchdog's, see detail::CheckDeadline, so Z3's own timeout stays off)
        encoder((detail::configure(solver, 0, options.resource_limit), c), solver, program, options) {}

  void check_thread() const {
    if (std::this_thread::get_id() != owner)
      throw std::logic_error("engine::Engine used from a thread other than the one that created it");
  }

  void set_timeout(unsigned t) { timeout = t; }
  z3::check_result check(const z3::expr_vector& assumptions) { return deadline.check(solver, assumptions, timeout); }

  // After a Sat check under `assumptions`: moves the solver to the lexicographically smallest model
  // (false before true) over canonical_order(), which depends only on the problem, not on the search.
  // Each variable that is true in the current model is tried false; the model found for that try
  // replaces the current one. Ends with the solver holding that model. False when a check is Unknown.
  bool canonicalize(const z3::expr_vector& assumptions) {
    z3::expr_vector fixed(c);
    for (unsigned i = 0; i < assumptions.size(); ++i) fixed.push_back(assumptions[i]);
    std::optional<detail::ModelReader> reader;
    reader.emplace(solver, encoder.negation_ids());
    bool solver_has_model = true;
    for (const z3::expr& v : encoder.canonical_order()) {
      if (!reader->boolean_if_known(v).value_or(true)) {
        fixed.push_back(!v);
        continue;
      }
      fixed.push_back(!v);
      z3::check_result r = check(fixed);
      if (r == z3::sat) {
        reader.emplace(solver, encoder.negation_ids());
        solver_has_model = true;
        continue;
      }
      if (r == z3::unknown) return false;
      fixed.pop_back();
      fixed.push_back(v);
      solver_has_model = false;
    }
    // The last Sat model satisfies every fixed literal (later ones were read from it); restore it.
    return solver_has_model || check(fixed) == z3::sat;
  }

  static bool is_literal(const z3::expr& e) {
    z3::expr x = e.is_not() ? e.arg(0) : e;
    return x.is_app() && x.num_args() == 0 && x.decl().decl_kind() == Z3_OP_UNINTERPRETED;
  }
  // A query condition as an assumption literal: named once, at the base level, when it is not one
  // already (an IP or port condition). Checking under assumptions reuses everything asserted at the base
  // level, like push/assert/check/pop, without asserting and retracting anything per query.
  z3::expr literal(const z3::expr& e) {
    if (is_literal(e)) return e;
    unsigned id = Z3_get_ast_id(c, e);
    auto it = named_conditions.find(id);
    if (it != named_conditions.end()) return it->second;
    z3::expr v = c.bool_const(("condition!" + std::to_string(named_conditions.size())).c_str());
    solver.add(v == e);
    named_conditions.emplace(id, v);
    keep_alive.push_back(e);  // the id stays this expression's only while it is referenced
    return v;
  }
  std::string unknown_reason() {
    std::string r = solver.reason_unknown();
    if (r == "canceled" && timeout != 0) return "solver: time limit of " + std::to_string(timeout) + " ms reached";
    return "solver: " + r;
  }


  EngineOptions options;
  SolverContext& context;
  z3::context& c;
  z3::solver solver;
  std::thread::id owner;
  unsigned timeout;
  detail::CheckDeadline deadline;
  Encoder encoder;
  std::unordered_map<unsigned, z3::expr> named_conditions;
  std::vector<z3::expr> keep_alive;
  Stats stats;
};

Engine::Engine(const ir::Program& program, EngineOptions options)
    : impl_(std::make_unique<Impl>(program, std::move(options))) {}
Engine::~Engine() = default;

const ir::Program& Engine::program() const { return impl_->encoder.program(); }
const ir::Rule& Engine::rule(RuleRef r) const { return impl_->encoder.rule(r); }
std::optional<RuleRef> Engine::ref_of(const ir::Rule& r) const { return impl_->encoder.ref_of(r); }

Engine::Stats Engine::stats() const {
  Stats s = impl_->stats;
  s.atoms = impl_->encoder.atom_count();
  return s;
}

namespace {

std::string describe_request(const ir::Request& r) {
  std::string s = r.mtls ? "mTLS from " + r.principal() : std::string("plaintext");
  s += ", port " + std::to_string(r.port);
  if (!r.method.empty()) s += ", " + r.method;
  if (!r.path.empty()) s += " " + r.path;
  if (!r.host.empty()) s += ", host " + r.host;
  for (const auto& [k, v] : r.headers) s += ", " + k + ": " + v;
  if (r.token != ir::TokenState::None) s += std::string(", token ") + ir::to_string(r.token);
  return s;
}

}  // namespace

QueryResult Engine::find(const Query& query, std::optional<unsigned> timeout_ms) {
  Impl& im = *impl_;
  im.check_thread();
  im.set_timeout(timeout_ms.value_or(im.options.default_timeout_ms));
  ++im.stats.queries;
  QueryResult out;

  // Everything the query names is defined at the base level (the program's axioms and definitions were
  // asserted once, when the engine was built); the query itself is a set of assumption literals.
  z3::expr_vector assumptions(im.c);
  for (const auto& cond : query.conditions()) assumptions.push_back(im.literal(im.encoder.condition(cond)));

  while (true) {
    z3::check_result r = im.check(assumptions);
    if (r == z3::unsat) {
      out.answer = SatAnswer::Unsat;
      break;
    }
    if (r == z3::unknown) {
      out.answer = SatAnswer::Unknown;
      out.reason = im.unknown_reason();
      break;
    }
    if (im.options.canonical_witnesses && query.witness_shown() && !im.canonicalize(assumptions)) {
      out.answer = SatAnswer::Unknown;
      out.reason = im.unknown_reason() + " (while making the witness canonical)";
      break;
    }
    detail::ModelReader reader(im.solver, im.encoder.negation_ids());
    detail::ModelRequest mr = im.encoder.build_request(reader, im.timeout);
    if (mr.status == detail::ModelRequest::Status::Unknown) {
      out.answer = SatAnswer::Unknown;
      out.reason = mr.reason;
      break;
    }
    if (mr.status == detail::ModelRequest::Status::Refine) {
      if (out.refinements >= im.options.max_refinements) {
        out.answer = SatAnswer::Unknown;
        out.reason = "opaque atoms (glob, path template, regex): no witness after " +
                     std::to_string(out.refinements) + " sequence-theory refinements";
        break;
      }
      ++out.refinements;
      // The lemmas are valid for every string, so they stay for every later query.
      for (const auto& l : mr.lemmas) im.solver.add(l);
      continue;
    }
    // Replay: the concrete evaluator is the specification (DESIGN.md §5).
    const ir::Program& p = im.encoder.program();
    Decision d = evaluate(p, mr.request);
    if (const Condition* cond = first_unsatisfied(p, query, mr.request, d))
      throw InternalError("symbolic/concrete disagreement on program " + p.workload + ":" +
                          std::to_string(p.port) + "/" + ir::to_string(p.protocol) + ": the witness (" +
                          describe_request(mr.request) + ", concretely " + to_string(d.verdict) +
                          ") does not satisfy \"" + cond->describe() + "\" of query \"" + query.describe() + "\"");
    out.answer = SatAnswer::Sat;
    out.request = std::move(mr.request);
    out.decision = std::move(d);
    break;
  }
  im.stats.refinements += out.refinements;
  (out.answer == SatAnswer::Sat ? im.stats.sat : out.answer == SatAnswer::Unsat ? im.stats.unsat : im.stats.unknown)++;
  return out;
}

SymbolicDecision Engine::decide(const ir::Request& request, std::optional<unsigned> timeout_ms) {
  Impl& im = *impl_;
  im.check_thread();
  im.set_timeout(timeout_ms.value_or(im.options.default_timeout_ms));
  SymbolicDecision out;
  Encoder& enc = im.encoder;
  const ir::Program& p = enc.program();
  // The "decided by" definitions must live at the base level, so they are made before the scope.
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit})
    for (size_t i = 0; i < detail::rules_of(p, a).size(); ++i) enc.decided_by({a, i});
  // Literal pins are assumptions; the bit-vector ones (IPs, port) are asserted in a scope, so that
  // pinning many different requests leaves nothing behind.
  z3::expr_vector assumptions(im.c);
  im.solver.push();
  for (const auto& e : enc.pin(request)) {
    if (Impl::is_literal(e)) assumptions.push_back(e);
    else im.solver.add(e);
  }
  try {
    z3::check_result r = im.check(assumptions);
    if (r == z3::unsat) {
      out.answer = SatAnswer::Unsat;
    } else if (r == z3::unknown) {
      out.answer = SatAnswer::Unknown;
      out.unknown_reason = im.unknown_reason();
    } else {
      detail::ModelReader reader(im.solver, im.encoder.negation_ids());
      auto is_true = [&](const z3::expr& e) { return reader.boolean(e); };
      int verdicts = 0;
      for (Verdict v : {Verdict::Allow, Verdict::Deny, Verdict::Delegated, Verdict::Rejected})
        if (is_true(enc.verdict(v))) out.verdict = v, ++verdicts;
      int reasons = 0;
      for (int i = 0; i <= static_cast<int>(Reason::NoAllowMatched); ++i)
        if (is_true(enc.reason(static_cast<Reason>(i)))) out.reason = static_cast<Reason>(i), ++reasons;
      if (verdicts != 1 || reasons != 1)
        throw InternalError("the decision formulas are not a function on program " + p.workload + " (" +
                            std::to_string(verdicts) + " verdicts, " + std::to_string(reasons) + " reasons)");
      for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit}) {
        const auto& rules = detail::rules_of(p, a);
        for (size_t i = 0; i < rules.size(); ++i) {
          RuleRef ref{a, i};
          if (is_true(enc.rule_match(ref))) out.matching_rules.push_back(ref);
          if (is_true(enc.decided_by(ref))) {
            if (out.decided_by)
              throw InternalError("two rules decide at once on program " + p.workload);
            out.decided_by = ref;
          }
        }
      }
      if (out.verdict == Verdict::Delegated)
        for (Verdict v : {Verdict::Allow, Verdict::Deny, Verdict::Rejected})
          if (is_true(enc.rest_verdict(v))) out.if_authorizer_allows = v;
      out.answer = SatAnswer::Sat;
    }
  } catch (...) {
    im.solver.pop();
    throw;
  }
  im.solver.pop();
  return out;
}

}  // namespace meshproof::engine
