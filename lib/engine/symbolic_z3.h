// Z3 helpers shared by the engine's .cpp files. PRIVATE to lib/engine: it includes z3++.h, so no public
// header (and nothing outside lib/engine) may include it (DESIGN.md §1).
#pragma once

#include <z3++.h>

#include <vector>

#include "engine/symbolic_strings.h"

namespace meshproof::engine::detail {

// The calling thread's own Z3 context (Z3 contexts must not be shared across threads; creating one
// costs milliseconds, so each thread keeps one).
z3::context& thread_context();

// A second per-thread context, used only for the sequence theory (symbolic_seq.cpp). Measured with Z3
// 4.8.12: a string query that takes ~30 ms in a fresh context takes ~1.5 s in a context that has held a
// large program's formulas, so string solving gets a context of its own.
z3::context& sequence_context();

// Fixed seeds (the same input gives the same model, hence the same witness) and the per-query limits:
// timeout_ms (wall clock) and resource_limit (Z3's deterministic `rlimit` budget); 0 means no limit.
void configure(z3::solver& solver, unsigned timeout_ms, unsigned resource_limit = 0);

// One clause of string_axioms over `vars` (atom variables, then D).
z3::expr clause_expr(z3::context& c, const StrClause& clause, const std::vector<z3::expr>& vars);

}  // namespace meshproof::engine::detail
