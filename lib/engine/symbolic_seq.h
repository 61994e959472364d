// One attribute's string atoms solved two ways:
//   * with the Boolean encoding (symbolic_strings.h: one variable per atom plus computed axioms), and
//   * with Z3's sequence theory over a real string variable (or a few element variables for a set).
// The second is the test oracle for the first (DESIGN.md §6: "random small atom sets must get the same
// sat/unsat answer both ways"), and the engine's fallback for the opaque atoms (glob, path template,
// regex) that the Boolean encoding only over-approximates.
//
// No Z3 type appears here; each thread gets its own Z3 context inside (Z3 contexts are not thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/symbolic_strings.h"

namespace meshproof::engine {

// A solver's three answers. Unknown is a first-class answer: never read it as Unsat.
enum class SatAnswer : uint8_t { Sat, Unsat, Unknown };
const char* to_string(SatAnswer a);

// Required polarities for one attribute: per atom (nullopt = free) and for D (the value exists).
struct AttributeConstraint {
  std::vector<std::optional<bool>> atom;
  std::optional<bool> defined;
};

struct AttributeSolution {
  SatAnswer answer = SatAnswer::Unknown;
  StrAssignment assignment;           // Sat: the truth of every atom and of D on the value below
  std::optional<std::string> value;   // Sat, single-valued attribute (nullopt: absent)
  std::vector<std::string> elements;  // Sat, set-valued attribute (empty: absent)
  // Unsat from the sequence theory: constrained variables that already conflict (an atom index, or
  // atoms.size() for D). Their constrained polarities, together, are impossible for any value.
  std::vector<uint32_t> core;
  std::string reason;  // Unknown: why (timeout, unsupported regex, ...)
};

// Z3's sequence theory: the atoms' meaning is written with str.prefixof / str.suffixof / str.in_re, so
// this is independent of string_axioms. A set-valued attribute uses max(1, atoms) element variables,
// enough because a witness needs at most one element per true atom. Regex atoms are translated from an
// RE2 subset (literals, escapes, classes, '.', groups, alternation, quantifiers); anything outside it
// gives Unknown. Every Sat answer is re-checked with str_atom_holds (the concrete semantics); a
// disagreement gives Unknown, never a wrong Sat.
AttributeSolution solve_with_sequence_theory(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                                             const AttributeConstraint& constraint, unsigned timeout_ms);

// The Boolean encoding: the axioms plus the constraint, solved over Booleans, then the witness
// construction (falling back to the sequence theory when an opaque atom needs it). An assignment the
// construction cannot realize is reported as Unknown with the construction's error as the reason.
// `linear_axioms` picks string_axioms_linear (what the engine uses) or the pairwise string_axioms.
AttributeSolution solve_with_boolean_encoding(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                                              const AttributeConstraint& constraint, unsigned timeout_ms,
                                              bool linear_axioms = true);

}  // namespace meshproof::engine
