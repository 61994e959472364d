// What of a program its decision function reads, as one string (lib/diff's incremental comparison).
// Two programs with equal signatures decide every request the same way (engine/evaluate.cpp reads
// nothing else), so `meshproof diff` compares them without the solver. Names, positions and the workload
// are left out: they do not change a decision.
#pragma once

#include <string>

#include "ir/ir.h"

namespace meshproof::diff {

std::string decision_signature(const ir::Program& program);

}  // namespace meshproof::diff
