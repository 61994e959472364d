// The Z3 version meshproof runs with, for reports and `meshproof version`. A plain header so that callers
// outside lib/engine never include z3.h (DESIGN.md §1: Z3 stays in the engine layer).
#pragma once

#include <string>

namespace meshproof::engine {

// "4.8.12" — the version of the Z3 library linked at run time (Z3_get_version), not the headers'.
std::string z3_version();

}  // namespace meshproof::engine
