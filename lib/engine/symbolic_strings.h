// The Boolean encoding of string atoms (DESIGN.md §6), independent of Z3.
//
// One attribute (say request.headers[x-user]) has a value that is either absent or a string (a
// single-valued attribute), or a finite set of strings (a set-valued attribute: audiences, presenters,
// list claims). Every distinct atom on the attribute becomes one Boolean variable, plus one variable D
// ("defined": the value exists, or the set is non-empty). The relations between the atoms are computed
// here, concretely, and handed to the solver as clauses; a model of the clauses is turned back into a
// concrete value by build_string_witness / build_set_witness.
//
// Exact, prefix, suffix, presence and non-emptiness form the complete fragment: the clauses allow exactly
// the polarities that some concrete value realizes (argued in symbolic_strings.cpp and docs/engine.md).
// Glob, path-template and regex atoms are "opaque": their variables are only tied to D and to the exact
// atoms (whose value decides them), so the encoding over-approximates them — an Unsat answer stays sound,
// and a model whose opaque polarities the construction cannot meet is handed to the sequence theory
// (symbolic_seq.h) instead of being trusted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshproof::engine {

enum class StrOp : uint8_t {
  Exact,     // value == v
  Prefix,    // value starts with v
  Suffix,    // value ends with v
  Present,   // value exists (any string of the domain)
  NonEmpty,  // value exists and is not "" (Envoy's safe_regex ".+")
  // Opaque: outside the complete fragment. Semantics are engine::glob_match, path_template_match and
  // RE2 full match, exactly as the concrete evaluator applies them.
  Glob,
  PathTemplate,
  Regex,
};
const char* to_string(StrOp op);
bool is_opaque(StrOp op);

struct StrAtom {
  StrOp op = StrOp::Exact;
  std::string value;  // unused for Present / NonEmpty; the pattern for opaque ops
  friend bool operator==(const StrAtom&, const StrAtom&) = default;
  friend auto operator<=>(const StrAtom&, const StrAtom&) = default;
};

// Whether the atom holds on a value that exists (an absent value satisfies no atom).
bool str_atom_holds(const StrAtom& a, const std::string& s);
// Whether the atom holds on a set-valued attribute: some element satisfies it.
bool str_atom_holds_on_set(const StrAtom& a, const std::vector<std::string>& elements);

// The shape of the attribute's values.
struct StrDomain {
  // A finite set of strings (an atom holds when some element satisfies it) instead of one string.
  bool set_valued = false;
  // The empty string is not a value: "" is the same as absent (every IR string attribute but headers,
  // ir.h). Exact "" is then never true, and witnesses never use "".
  bool empty_is_absent = false;
  // Characters no value contains (the peer identity parts never contain '/', ir.h). Exact/prefix/
  // suffix atoms that contain one are never true, and witnesses never use one.
  std::string forbidden_chars;
  // Values are compared lower-cased (request.host): witnesses use no upper-case letter.
  bool lower_case = false;
  // When not empty, the only characters a witness may put between its known prefix and suffix (request.path:
  // characters that change nothing under Envoy's normalization, ir/path.h). When all of them occur in the
  // atoms, the witness is left to the sequence theory (NeedsTheory), never guessed.
  std::string middle_chars;
};

// Whether a value may occur in the domain (no forbidden character; lower case where required). The
// empty-value rule is the caller's.
bool in_domain(std::string_view s, const StrDomain& d);

// A literal over the attribute's variables: index i < atoms.size() is atom i, index atoms.size() is D.
struct StrLit {
  uint32_t var = 0;
  bool positive = true;
};
using StrClause = std::vector<StrLit>;  // a disjunction

// The axioms that relate the atoms of one attribute. `atoms` must be distinct (deduplicated by the
// caller). For a single-valued attribute they also exclude what one string cannot satisfy at once; for a
// set-valued attribute only implications are produced (each atom may be witnessed by another element).
std::vector<StrClause> string_axioms(const std::vector<StrAtom>& atoms, const StrDomain& domain);

// The same constraints in linear size, for attributes with many atoms (thousands of principals or
// paths make the pairwise clauses above quadratic). Variables past D are auxiliary: index
// atoms.size() + 1 + k is auxiliary variable k. Projected onto the atom variables and D, the clauses
// allow exactly the assignments string_axioms allows (symbolic_strings.cpp, "Linear encoding"), so the
// completeness argument and the witness construction are unchanged.
struct StrEncoding {
  uint32_t aux_vars = 0;
  std::vector<StrClause> clauses;
};
StrEncoding string_axioms_linear(const std::vector<StrAtom>& atoms, const StrDomain& domain);

// A model restricted to one attribute: the truth value of every atom and of D.
struct StrAssignment {
  std::vector<bool> atom_true;  // parallel to atoms
  bool defined = false;
};

enum class WitnessStatus : uint8_t {
  Ok,
  // The fragment atoms are met but some opaque atom is not: ask the sequence theory (not an error: the
  // Boolean encoding over-approximates opaque atoms on purpose).
  NeedsTheory,
  // The assignment violates the axioms, or no fresh character exists: an internal error for an
  // assignment that came from a model of string_axioms.
  Failed,
};

// The completeness construction. `value`/`elements` realize the assignment exactly when status is Ok.
struct StringWitness {
  WitnessStatus status = WitnessStatus::Failed;
  std::optional<std::string> value;
  std::string error;
};
StringWitness build_string_witness(const std::vector<StrAtom>& atoms, const StrAssignment& assignment,
                                   const StrDomain& domain = {});

struct SetWitness {
  WitnessStatus status = WitnessStatus::Failed;
  std::vector<std::string> elements;  // empty = absent
  std::string error;
};
SetWitness build_set_witness(const std::vector<StrAtom>& atoms, const StrAssignment& assignment,
                             const StrDomain& domain = {.set_valued = true});

// Whether a concrete value realizes the assignment (every atom and D), in the domain.
bool string_value_realizes(const std::vector<StrAtom>& atoms, const StrAssignment& assignment, const StrDomain& domain,
                           const std::optional<std::string>& value);
bool set_value_realizes(const std::vector<StrAtom>& atoms, const StrAssignment& assignment, const StrDomain& domain,
                        const std::vector<std::string>& elements);

}  // namespace meshproof::engine
