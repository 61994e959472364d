// What of a program its decision function reads, as one string. Two programs with equal signatures decide
// every request the same way (engine/evaluate.cpp and the symbolic encoder read nothing else), so
// `meshproof diff` compares them without the solver (lib/diff) and the engine's query memo hands one's
// answers to the other (engine/query_memo.h). Names, positions and the workload are left out: they do not
// change a decision.
#pragma once

#include <string>

#include "ir/ir.h"

namespace meshproof::ir {

std::string decision_signature(const Program& program);

}  // namespace meshproof::ir
