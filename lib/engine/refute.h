// The solver-free Unsat of a query (engine/refute.cpp): what the atom algebra decides without Z3.
#pragma once

#include <optional>

#include "engine/query.h"
#include "ir/ir.h"

namespace meshproof::engine {

// The solver-free Unsat of any query (shown witness or not): a condition the query requires — a rule matches
// or decides, an action's rule matches, the verdict is ALLOW under ALLOW policies — that no request can
// satisfy, because each rule involved has, in every principal (or every permission) clause, a match all of
// whose terms hold an atom the view or the query's own facts make false (an HTTP attribute on a TCP view, a
// JWT attribute without a valid token, a peer identity in plaintext, a port outside the view). nullopt
// proves nothing: ask an Engine. It never answers Sat or Unknown, so it cannot turn an unknown into safe;
// test/differential compares it with the solver on random programs.
std::optional<QueryResult> refute_without_solver(const ir::Program& program, const Query& query,
                                                 const EngineOptions& options = {});

}  // namespace meshproof::engine
