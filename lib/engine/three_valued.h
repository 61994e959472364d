// Three-valued evaluation of rules over a request whose attributes are chosen one at a time (PRIVATE to
// lib/engine): an atom on an attribute not chosen yet is Unknown, and a rule is True or False as soon as its
// chosen atoms decide it (Kleene's logic). The searches over representative values (rule_cover.cpp,
// canonical_search.cpp) prune with it; at a complete request it agrees with evaluate.h's eval_rule.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace meshproof::engine::detail {

enum class Truth : uint8_t { False, True, Unknown };

inline Truth truth_not(Truth t) { return t == Truth::Unknown ? t : t == Truth::True ? Truth::False : Truth::True; }
inline Truth truth_of(bool b) { return b ? Truth::True : Truth::False; }
inline Truth truth_and(Truth a, Truth b) {
  if (a == Truth::False || b == Truth::False) return Truth::False;
  return a == Truth::True && b == Truth::True ? Truth::True : Truth::Unknown;
}
inline Truth truth_or(Truth a, Truth b) { return truth_not(truth_and(truth_not(a), truth_not(b))); }

// AtomTruth: Truth(const ir::Atom&).
template <class AtomTruth>
Truth term_truth(const ir::Term& t, const AtomTruth& atom) {
  if (t.is_false) return Truth::False;
  Truth out = Truth::True;
  for (const ir::Atom& a : t.atoms) {
    const Truth x = atom(a);
    if (x == Truth::False) return Truth::False;
    if (x == Truth::Unknown) out = Truth::Unknown;
  }
  return out;
}

template <class AtomTruth>
Truth match_truth(const ir::Match& m, const AtomTruth& atom) {
  Truth any = Truth::False;
  for (const ir::Term& t : m.terms) {
    const Truth x = term_truth(t, atom);
    if (x == Truth::True) {
      any = Truth::True;
      break;
    }
    if (x == Truth::Unknown) any = Truth::Unknown;
  }
  return m.negated ? truth_not(any) : any;
}

template <class AtomTruth>
Truth clauses_truth(const std::vector<ir::Clause>& clauses, const AtomTruth& atom) {
  Truth out = Truth::False;
  for (const ir::Clause& c : clauses) {
    Truth clause = Truth::True;
    for (const ir::Match& m : c.matches) {
      const Truth x = match_truth(m, atom);
      if (x == Truth::False) {
        clause = Truth::False;
        break;
      }
      if (x == Truth::Unknown) clause = Truth::Unknown;
    }
    if (clause == Truth::True) return Truth::True;
    if (clause == Truth::Unknown) out = Truth::Unknown;
  }
  return out;
}

template <class AtomTruth>
Truth rule_truth(const ir::Rule& r, const AtomTruth& atom) {
  const Truth from = clauses_truth(r.principals, atom);
  if (from == Truth::False) return Truth::False;
  const Truth to = clauses_truth(r.permissions, atom);
  if (to == Truth::False) return Truth::False;
  return from == Truth::True && to == Truth::True ? Truth::True : Truth::Unknown;
}

}  // namespace meshproof::engine::detail
