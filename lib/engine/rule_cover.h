// The solver-free answer of rule-containment questions (engine/rule_cover.cpp): "is there a request that
// rules R1..Rk match and rules S1..Sn do not?" (redundant-rule's "is r covered by the others?", its shrink
// steps, "can r match at all?"), decided exactly by the atom algebra when every atom of those rules is in
// the fragment it enumerates, and left to the solver otherwise.
#pragma once

#include <optional>

#include "engine/query.h"
#include "ir/ir.h"

namespace meshproof::engine {

// A query whose every condition is RuleMatches (positive or negated) over rules whose atoms are all exact,
// prefix, suffix or present atoms on the peer identity, connection.sni, request.method, request.path or
// request.host, or port atoms: Unsat when no request of the view's domain satisfies it (for any query), Sat
// with a replayed witness when one does (existence-only queries only: the witness is not the canonical one).
// nullopt: outside the fragment, a witness shape the enumeration cannot vouch for, or too many candidates;
// ask an Engine. docs/engine.md §5 ("Rule containment without the solver") says why the answer is exact;
// test/differential compares it with Z3 on random programs.
std::optional<QueryResult> decide_rule_matches(const ir::Program& program, const Query& query,
                                               const EngineOptions& options = {});

}  // namespace meshproof::engine
