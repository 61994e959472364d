// The query engine: one solver session per program. The program is compiled once (encoder → compiler,
// asserted at the solver's base level); each query is a set of assumption literals (the properties of
// symbolic_properties.h), checked, made canonical and concretized (symbolic_concretizer.h), and every Sat
// answer is replayed through the concrete evaluator.
#include <thread>
#include <unordered_map>

#include "engine/query.h"
#include "engine/query_memo.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_concretizer.h"
#include "engine/symbolic_decoder.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_properties.h"

namespace meshproof::engine {

// ---- SolverContext ----

SolverContext::SolverContext() : impl_(std::make_unique<Impl>()) {}
SolverContext::~SolverContext() = default;

SolverContext& SolverContext::for_this_thread() {
  thread_local SolverContext context;
  return context;
}

// ---- Engine ----

namespace {

z3::solver& configured(z3::solver& solver, const EngineOptions& options) {
  // Wall-clock limits are the watchdog's (detail::CheckDeadline), so Z3's own timeout stays off.
  detail::configure(solver, 0, options.resource_limit);
  return solver;
}

}  // namespace

// One solver session for a program: the program compiled into a solver, asked query after query. Built when
// the first query needs a solver (Engine::Impl::solver_session), so that an engine whose every query the
// memo answers (engine/query_memo.h) never builds one.
struct EngineSession {
  EngineSession(const ir::Program& program, EngineOptions opts)
      : options(std::move(opts)),
        context(options.context ? *options.context : SolverContext::for_this_thread()),
        c(context.impl().ctx),
        solver(c, z3::solver::simple()),  // incremental SMT core (the default wrapper adds setup cost)
        timeout(options.default_timeout_ms),
        deadline(c),
        // (the solver is configured before the encoder asserts anything into it)
        vars(c, configured(solver, options), detail::program_domain(program, options)),
        compiled(vars, program),
        program_variables(variable_count()) {}

  size_t variable_count() const { return vars.atom_count() + vars.port_atoms().size(); }

  void set_timeout(unsigned t) { timeout = t; }
  unsigned resource_limit() const { return options.resource_limit.value_or(solver_resource_limit()); }
  // Z3 4.8.12's SMT core is not left consistent by a check it abandons (interrupt, resource or memory
  // limit): later checks on the same solver returned Sat with trails that violate base-level assertions
  // (witnesses with peer.trust_domain set but mTLS off). Such a solver is never asked again; the
  // engine renews it before the next query (Engine::renew_if_abandoned).
  z3::check_result check(const z3::expr_vector& assumptions) {
    z3::check_result r = z3::unknown;
    failure.clear();
    try {
      r = deadline.check(solver, assumptions, timeout);
    } catch (const z3::exception& e) {
      failure = e.msg();  // the memory limit (set_solver_memory_limit_mb), or another limit Z3 reports so
    }
    if (r == z3::unknown) abandoned = true;
    return r;
  }

  // After a Sat check: the lexicographically smallest model over the request's Booleans
  // (symbolic_concretizer.h), which depends only on the problem, not on the search.
  bool canonicalize(const z3::expr_vector& assumptions) {
    return detail::canonicalize(solver, negations, detail::canonical_order(vars), assumptions,
                                [this](const z3::expr_vector& a) { return check(a); });
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
    if (!failure.empty()) return "solver: " + failure;
    if (deadline.timed_out()) return "solver: time limit of " + std::to_string(timeout) + " ms reached";
    std::string r = solver.reason_unknown();
    // Z3 4.8.12 says "canceled" for a check that ran out of its rlimit as for one that was interrupted; a
    // check that was not timed out can only have run out of the budget.
    if (r == "canceled" || r.find("resource") != std::string::npos)
      return "solver: resource limit of " + std::to_string(resource_limit()) + " units reached";
    return "solver: " + r;
  }

  EngineOptions options;
  SolverContext& context;
  z3::context& c;
  z3::solver solver;
  unsigned timeout;
  detail::CheckDeadline deadline;
  detail::RequestVars vars;
  detail::CompiledProgram compiled;
  detail::NegationIds negations;
  std::unordered_map<unsigned, z3::expr> named_conditions;
  std::vector<z3::expr> keep_alive;
  size_t program_variables;  // atoms and port atoms of the program alone, before any query's
  bool abandoned = false;  // a check answered unknown: the solver's state is not trusted any more
  std::string failure;     // the exception that ended the last check, if one did
};

// The engine: its program, options and counters, the solver session (made on first need) and the query memo
// of the process when one was set as the engine was made (engine/query_memo.h).
struct Engine::Impl {
  Impl(const ir::Program& p, EngineOptions opts)
      : program(p), options(std::move(opts)), owner(std::this_thread::get_id()), memo(query_memo()) {
    if (!memo) session = std::make_unique<EngineSession>(program, options);  // as before memos: at once
  }

  void check_thread() const {
    if (std::this_thread::get_id() != owner)
      throw std::logic_error("engine::Engine used from a thread other than the one that created it");
  }
  EngineSession& solver_session() {
    if (!session) session = std::make_unique<EngineSession>(program, options);
    return *session;
  }
  const std::string& memo_key() {
    if (memo_key_.empty()) memo_key_ = program_key(program, options);
    return memo_key_;
  }
  void count(SatAnswer a) { (a == SatAnswer::Sat ? stats.sat : a == SatAnswer::Unsat ? stats.unsat : stats.unknown)++; }

  const ir::Program& program;
  EngineOptions options;
  std::thread::id owner;
  QueryMemo* memo = nullptr;
  std::string memo_key_;
  std::unique_ptr<EngineSession> session;
  Stats stats;
};

Engine::Engine(const ir::Program& program, EngineOptions options)
    : impl_(std::make_unique<Impl>(program, std::move(options))) {}
Engine::~Engine() = default;

void Engine::renew_if_abandoned() {
  impl_->check_thread();
  if (!impl_->session || !impl_->session->abandoned) return;
  z3::context& c = impl_->session->c;
  impl_->session.reset();
  // A late interrupt leaves the context's cancel flag set until the next check; a trivial check clears it
  // before the program is asserted again.
  z3::solver(c, z3::solver::simple()).check();
  impl_->session = std::make_unique<EngineSession>(impl_->program, impl_->options);
}

const ir::Program& Engine::program() const { return impl_->program; }
const ir::Rule& Engine::rule(RuleRef r) const { return detail::rules_of(impl_->program, r.action).at(r.index); }
std::optional<RuleRef> Engine::ref_of(const ir::Rule& r) const {
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit}) {
    const auto& rules = detail::rules_of(impl_->program, a);
    if (!rules.empty() && &r >= rules.data() && &r < rules.data() + rules.size())
      return RuleRef{a, static_cast<size_t>(&r - rules.data())};
  }
  return std::nullopt;
}

bool Engine::has_query_variables() const {
  return impl_->session && impl_->session->variable_count() != impl_->session->program_variables;
}

Engine::Stats Engine::stats() const {
  Stats s = impl_->stats;
  s.atoms = impl_->session ? impl_->session->vars.atom_count() : 0;
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

// The replay: the concrete evaluator is the specification (DESIGN.md §5). A witness that does not satisfy
// the query is a bug in meshproof, never a finding.
Decision replay(const ir::Program& p, const Query& query, const ir::Request& request) {
  Decision d = evaluate(p, request);
  if (const Condition* cond = detail::first_unsatisfied(p, query, request, d))
    throw InternalError("symbolic/concrete disagreement on program " + p.workload + ":" + std::to_string(p.port) + "/" +
                        ir::to_string(p.protocol) + ": the witness (" + describe_request(request) + ", concretely " +
                        to_string(d.verdict) + ") does not satisfy \"" + cond->describe() + "\" of query \"" +
                        query.describe() + "\"");
  return d;
}

}  // namespace

namespace {

// One query on the solver session: checked, made canonical, concretized, replayed.
QueryResult solve_query(EngineSession& im, const Query& query, Engine::Stats& stats) {
  QueryResult out;

  // Everything the query names is defined at the base level (the program's axioms and definitions were
  // asserted once, when the engine was built); the query itself is a set of assumption literals.
  z3::expr_vector assumptions(im.c);
  for (const auto& cond : query.conditions()) assumptions.push_back(im.literal(detail::condition(im.compiled, cond)));

  while (true) {
    z3::check_result r = im.check(assumptions);
    if (r != z3::sat) {
      out.answer = r == z3::unsat ? SatAnswer::Unsat : SatAnswer::Unknown;
      if (r == z3::unknown) out.reason = im.unknown_reason();
      break;
    }
    if (im.options.canonical_witnesses && query.witness_shown() && !im.canonicalize(assumptions)) {
      out.answer = SatAnswer::Unknown;
      out.reason = im.unknown_reason() + " (while making the witness canonical)";
      break;
    }
    detail::ModelReader reader(im.solver, im.negations);
    detail::ModelRequest mr = detail::concretize(reader, im.vars, im.timeout);
    if (mr.status == detail::ModelRequest::Status::Unknown) {
      out.answer = SatAnswer::Unknown;
      out.reason = mr.reason;
      break;
    }
    if (mr.status == detail::ModelRequest::Status::Refine) {
      if (out.refinements >= im.options.max_refinements) {
        out.answer = SatAnswer::Unknown;
        out.reason = "opaque atoms (glob, path template, regex): no witness after " + std::to_string(out.refinements) +
                     " sequence-theory refinements";
        break;
      }
      ++out.refinements;
      // The lemmas are valid for every string, so they stay for every later query.
      for (const auto& l : mr.lemmas) im.solver.add(l);
      continue;
    }
    out.decision = replay(im.compiled.program(), query, mr.request);
    out.answer = SatAnswer::Sat;
    out.request = std::move(mr.request);
    break;
  }
  stats.refinements += out.refinements;
  return out;
}

}  // namespace

QueryResult Engine::find(const Query& query, std::optional<unsigned> timeout_ms) {
  renew_if_abandoned();
  Impl& e = *impl_;
  const unsigned timeout = timeout_ms.value_or(e.options.default_timeout_ms);
  ++e.stats.queries;
  if (e.memo) {
    if (std::optional<QueryResult> kept = e.memo->lookup(e.memo_key(), query, timeout)) {
      // The witness is replayed on this program, as a solved one is: its decision is this program's own.
      if (kept->answer == SatAnswer::Sat) kept->decision = replay(e.program, query, *kept->request);
      e.count(kept->answer);
      return *kept;
    }
  }
  EngineSession& im = e.solver_session();
  im.set_timeout(timeout);
  QueryResult out = solve_query(im, query, e.stats);
  e.count(out.answer);
  if (e.memo) e.memo->store(e.memo_key(), query, timeout, out);
  return out;
}

SymbolicDecision Engine::decide(const ir::Request& request, std::optional<unsigned> timeout_ms) {
  renew_if_abandoned();
  EngineSession& im = impl_->solver_session();
  im.set_timeout(timeout_ms.value_or(im.options.default_timeout_ms));
  const ir::Program& p = im.compiled.program();
  // The "decided by" definitions must live at the base level, so they are made before the scope.
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit})
    for (size_t i = 0; i < detail::rules_of(p, a).size(); ++i) im.compiled.decided_by({a, i});
  // Literal pins are assumptions; the bit-vector ones (IPs, port) are asserted in a scope, so that
  // pinning many different requests leaves nothing behind.
  z3::expr_vector assumptions(im.c);
  im.solver.push();
  for (const auto& e : im.vars.pin(request, effective_request(p, request), p.protocol)) {
    if (EngineSession::is_literal(e))
      assumptions.push_back(e);
    else
      im.solver.add(e);
  }
  SymbolicDecision out;
  try {
    z3::check_result r = im.check(assumptions);
    if (r == z3::unsat) {
      out.answer = SatAnswer::Unsat;
    } else if (r == z3::unknown) {
      out.answer = SatAnswer::Unknown;
      out.unknown_reason = im.unknown_reason();
    } else {
      detail::ModelReader reader(im.solver, im.negations);
      out = detail::read_decision(reader, im.compiled);
    }
  } catch (...) {
    im.solver.pop();
    throw;
  }
  im.solver.pop();
  return out;
}

}  // namespace meshproof::engine
