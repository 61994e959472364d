// Readable stand-ins for the values a proof leaves free. PRIVATE to lib/engine.
//
// The completeness construction (symbolic_strings.h) realizes an assignment with the shortest value it
// can build — "x", "x/ns/x/sa/x" — which reads like a bug in a witness. When some value from a short list
// of plausible ones (GET, "/", "any-namespace", ...) realizes the same assignment, the witness uses it:
// the `any-` prefix marks a value as arbitrary, and the replay through the concrete evaluator still checks
// it. Values the input names (an exact principal, a declared path) are kept, because only those realize an
// assignment in which the corresponding atom is true.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/symbolic_strings.h"
#include "ir/ir.h"

namespace meshproof::engine::detail {

// A plausible value of `attr` that realizes `assignment`, or nullopt (keep the constructed one).
std::optional<std::string> readable_value(ir::Attribute attr, const std::vector<StrAtom>& atoms,
                                          const StrAssignment& assignment, const StrDomain& domain);

// The same for a set-valued attribute (audiences, presenters, claims): a one-element set.
std::optional<std::vector<std::string>> readable_set(const std::vector<StrAtom>& atoms, const StrAssignment& assignment,
                                                     const StrDomain& domain);

}  // namespace meshproof::engine::detail
