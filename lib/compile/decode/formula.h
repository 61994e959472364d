// Internal to lib/compile/decode: what a decoded RBAC matcher means, as a Boolean formula over IR atoms,
// and that formula in the IR's shape (a rule's clauses, each an AND of matches, each an OR of terms).
// Istio's and/or/not shapes map onto clauses directly; anything else goes through a bounded DNF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "load/node.h"

namespace meshproof::compile::decoder {

struct Formula {
  enum Kind : uint8_t { True, False, Atom, And, Or, Not } k = True;
  ir::Atom atom;
  std::vector<Formula> kids;
};

// Constructors that fold constants and flatten nested ANDs / ORs.
Formula f_true();
Formula f_false();
Formula f_atom(ir::Atom a);
Formula f_and(std::vector<Formula> ks);
Formula f_or(std::vector<Formula> ks);
Formula f_not(Formula f);
// The OR of the terms (each an AND of its atoms); false terms are left out.
Formula from_terms(const std::vector<ir::Term>& terms);

// A canonical text of a formula (AND / OR operands sorted), to compare two formulas.
std::string canon(const Formula& f);

// A formula that is true, false, an atom or an AND of atoms, as one term; false for any other shape.
bool term_of(const Formula& x, ir::Term& t);

// The policy's permission or principal list (an OR) as clauses of `kind`, at `at` for positions; a shape
// that needs a DNF larger than the bound is a Failure at `path`.
void clauses_of(const std::vector<Formula>& list, ir::ClauseKind kind, const load::Node& at, const std::string& path,
                std::vector<ir::Clause>& out);

}  // namespace meshproof::compile::decoder
