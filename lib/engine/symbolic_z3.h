// Z3 helpers shared by the engine's .cpp files. PRIVATE to lib/engine: it includes z3++.h, so no public
// header (and nothing outside lib/engine) may include it (DESIGN.md §1).
#pragma once

#include <z3++.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/query.h"
#include "engine/symbolic_strings.h"

namespace meshproof::engine {
namespace detail {
// Called before a context is created: Z3's model compaction costs more than the check itself on the
// small queries the engine asks, and nothing here needs compact models.
void set_global_params();
struct GlobalParams {
  GlobalParams() { set_global_params(); }
};
}  // namespace detail

struct SolverContext::Impl {
  detail::GlobalParams params;  // first: set before the context exists
  z3::context ctx;
};

}  // namespace meshproof::engine

namespace meshproof::engine::detail {

// The calling thread's own Z3 context (Z3 contexts must not be shared across threads; creating one
// costs milliseconds, so each thread keeps one).
z3::context& thread_context();

// A second per-thread context, used only for the sequence theory (symbolic_seq.cpp). Measured with Z3
// 4.8.12: a string query that takes ~30 ms in a fresh context takes ~1.5 s in a context that has held a
// large program's formulas, so string solving gets a context of its own.
z3::context& sequence_context();

// Fixed seeds (the same input gives the same model, hence the same witness) and the per-check limits:
// timeout_ms (wall clock; 0: none) and resource_limit (Z3's deterministic `rlimit` budget; 0: none; unset:
// the process's budget, set_solver_resource_limit).
void configure(z3::solver& solver, unsigned timeout_ms, std::optional<unsigned> resource_limit = std::nullopt);

// The model's value of a Boolean. For a constant it reads the model's table directly (several times faster
// than model::eval); a constant the model leaves out is unconstrained, and false is as good as any value.
bool model_bool(const z3::model& m, const z3::expr& e);

// Reads a satisfying assignment after a Sat check. Z3's get_model costs about as much as the check
// itself on the engine's queries, so Boolean values are read from the solver's trail (the literals the
// SMT core assigned, Z3_solver_get_trail) and the model is built only for what the trail does not hold:
// bit-vector values and any Boolean the trail leaves out. Both come from the same final assignment, so
// they agree; and every witness is replayed through the concrete evaluator regardless.
// The trail holds `x` or `(not x)`; both are hash-consed, so a literal is recognized by its AST id. The
// ids of the negations are computed once per variable and kept here (one per engine).
class NegationIds {
 public:
  unsigned of(z3::context& c, Z3_ast constant);

 private:
  std::unordered_map<unsigned, unsigned> ids_;
  std::vector<z3::expr> keep_alive_;  // an id names its AST only while the AST lives
};

class ModelReader {
 public:
  // use_trail false: every value comes from the model (for a solver that is not the incremental SMT core,
  // whose trail may be stale or absent).
  ModelReader(z3::solver& solver, NegationIds& negations, bool use_trail = true);
  bool boolean(const z3::expr& e);
  // The value when the trail has it; nullopt otherwise (never builds the model).
  std::optional<bool> boolean_if_known(const z3::expr& e);
  uint64_t u64(const z3::expr& bv);  // a bit-vector of at most 64 bits
  const z3::model& model();

 private:
  z3::solver& solver_;
  NegationIds& negations_;
  std::vector<unsigned> trail_;  // ast ids of the assigned literals, sorted
  std::optional<z3::model> model_;
};

// Wall-clock limits for the engine's many short checks. Z3's `timeout` parameter starts and stops a timer
// thread on every check, which measured 30-40 µs per check here — as much as the check itself. The
// watchdog is one process-wide thread that polls armed deadlines every few milliseconds and interrupts
// (Z3_interrupt) a context whose check overran; arming and disarming take an uncontended lock.
class CheckDeadline {
 public:
  explicit CheckDeadline(z3::context& c);
  ~CheckDeadline();
  CheckDeadline(const CheckDeadline&) = delete;
  CheckDeadline& operator=(const CheckDeadline&) = delete;
  // Runs solver.check(assumptions) with a limit (0: none). A check the watchdog interrupted answers
  // unknown, whatever Z3 returned.
  z3::check_result check(z3::solver& solver, unsigned timeout_ms);
  z3::check_result check(z3::solver& solver, const z3::expr_vector& assumptions, unsigned timeout_ms);
  // Whether the last check was stopped by its time limit (the watchdog's interrupt, or Z3's own timer
  // when the watchdog thread could not be created).
  bool timed_out() const { return timed_out_; }

  struct Slot;

 private:
  Slot* slot_;
  bool registered_ = false;  // with the watchdog, on the first check that has a limit
  bool interrupted_ = false;
  bool timed_out_ = false;
};

// Why a check answered unknown, in words: Z3 4.8.12 says "canceled" both for its own timer and for a check
// that ran out of its rlimit budget.
std::string reason_unknown(z3::solver& solver);

// One clause of string_axioms over `vars` (atom variables, then D).
z3::expr clause_expr(z3::context& c, const StrClause& clause, const std::vector<z3::expr>& vars);

}  // namespace meshproof::engine::detail
