#include "engine/symbolic_z3.h"

#include "engine/symbolic_encoder.h"

namespace meshproof::engine::detail {

z3::context& thread_context() { return SolverContext::for_this_thread().impl().ctx; }

z3::context& sequence_context() {
  thread_local z3::context context;
  return context;
}

void configure(z3::solver& solver, unsigned timeout_ms, unsigned resource_limit) {
  z3::params p(solver.ctx());
  // "random_seed" is the solver's own seed (the module-qualified smt./sat. names are rejected here).
  p.set("random_seed", 0u);
  p.set("timeout", timeout_ms == 0 ? 4294967295u : timeout_ms);  // Z3 reads UINT_MAX as "no limit"
  p.set("rlimit", resource_limit);  // 0: none
  solver.set(p);
}

z3::expr clause_expr(z3::context& c, const StrClause& clause, const std::vector<z3::expr>& vars) {
  z3::expr_vector lits(c);
  for (const StrLit& l : clause) lits.push_back(l.positive ? vars[l.var] : !vars[l.var]);
  if (lits.size() == 1) return lits[0];
  return z3::mk_or(lits);
}

}  // namespace meshproof::engine::detail
