// The L3/L4 part of `meshproof diff` (diff.h, docs/diff.md#the-l3l4-layer): every connection the layer can
// tell apart, decided on both trees. PRIVATE to lib/diff.
#pragma once

#include "diff/diff.h"

namespace meshproof::diff::detail {

// When either tree holds L3/L4 policies: sets result.network_layer and appends to result.network every
// connection whose verdict differs — declared destination pods present on both sides × their declared ports
// × (every declared pod present on both sides, and one outside address per region of both trees' CIDRs).
void compare_network(const analysis::Analysis& before, const analysis::Analysis& after, const Options& options,
                     Result& result);

}  // namespace meshproof::diff::detail
