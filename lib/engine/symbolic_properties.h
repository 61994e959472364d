// The properties the verifier asks the solver about, each a small formula over compiled programs.
// PRIVATE to lib/engine. A property holds of some request iff its formula is satisfiable together with the
// variables' domain facts and the programs' definitions; the callers (engine.cpp for queries and checks,
// equivalence.cpp for translation validation) ask the solver and replay every Sat answer concretely.
//
//   * a query condition (query.h), symbolically and concretely (the replay): a rule matches / is
//     reachable, an action matches, the verdict or reason is X, a rule decides (a covered / redundant
//     rule is "matches ∧ not decided by it"), mTLS, token, an extra atom;
//   * two programs differ on an observable: some rule of one side's subset matches and none of the
//     other's, or the other way round (equivalence.h);
//   * the request passes a port's connection rules (STRICT: mTLS only, DISABLE: plaintext only).
#pragma once

#include <z3++.h>

#include <vector>

#include "engine/query.h"
#include "engine/symbolic_compiler.h"
#include "ir/ir.h"

namespace meshproof::engine::detail {

// The formula of one query condition on the program (registering what it needs at the current level).
z3::expr condition(CompiledProgram& program, const Condition& c);
// The same conditions on a concrete request and its decision (the specification every Sat answer is
// replayed against): the first condition of the query the request does not satisfy (nullptr: all hold).
const Condition* first_unsatisfied(const ir::Program& p, const Query& query, const ir::Request& request,
                                   const Decision& d);

// The observable "some rule of `left` matches" differs from "some rule of `right` matches".
z3::expr observable_differs(Compiler& compiler, const std::vector<const ir::Rule*>& left,
                            const std::vector<const ir::Rule*>& right);

// The request reaches the RBAC filters of a port with this mTLS mode (IS §11).
z3::expr passes_connection_rules(const RequestVars& vars, model::MtlsMode mode);

}  // namespace meshproof::engine::detail
