// The compiler: IR (atom, term, match, clause, rule, and a program's decision function) → formulas over
// one RequestVars (symbolic_encoder.h). PRIVATE to lib/engine (it includes z3++.h).
//
// Compiler turns rules into formulas; any number of programs can be compiled over the same variables
// (the equivalence prover compiles two). CompiledProgram is one program's decision function, step by step
// as engine/evaluate.cpp takes it: one named Boolean per rule ("rule matches"), per action, verdict and
// reason, each defined once at the solver's base level so that a query asserts only literals.
#pragma once

#include <z3++.h>

#include <map>
#include <optional>
#include <vector>

#include "engine/query.h"
#include "engine/symbolic_encoder.h"
#include "ir/ir.h"

namespace meshproof::engine::detail {

const std::vector<ir::Rule>& rules_of(const ir::Program& p, model::Action a);

// Declares every atom of the rule (RequestVars::declare), before the variables are sealed.
void declare_atoms(RequestVars& vars, const ir::Rule& rule);

class Compiler {
 public:
  explicit Compiler(RequestVars& vars) : vars_(vars) {}

  // IR levels: a term is AND of atoms (or false), a match OR of terms (negated for not*), a clause AND of
  // matches, a rule (OR principal clauses) AND (OR permission clauses) — ir.h, IS §4.
  z3::expr term(const ir::Term& t);
  z3::expr match(const ir::Match& m);
  z3::expr clause(const ir::Clause& c);
  z3::expr rule(const ir::Rule& r);
  z3::expr any_rule(const std::vector<const ir::Rule*>& rules);  // OR of the rules (false if none)

  RequestVars& vars() { return vars_; }

 private:
  RequestVars& vars_;
};

class CompiledProgram {
 public:
  // `vars` must be fresh (not sealed): the program's atoms are declared, the variables sealed, then the
  // rules and the decision compiled.
  CompiledProgram(RequestVars& vars, const ir::Program& program);

  // Named Booleans, defined at base level.
  z3::expr rule_match(RuleRef r) const;
  z3::expr action_match(model::Action a) const { return action_.at(a); }
  z3::expr verdict(Verdict v) const { return verdict_.at(v); }
  z3::expr reason(Reason r) const { return reason_.at(r); }
  z3::expr rest_verdict(Verdict v) const { return rest_verdict_.at(v); }  // the chain after CUSTOM decides
  z3::expr decided_by(RuleRef r);                                         // defined lazily, at the current level
  z3::expr decided_by_formula(RuleRef r) { return first_match(r); }       // unnamed: for model evaluation

  const ir::Program& program() const { return program_; }
  const ir::Rule& rule(RuleRef r) const;
  std::optional<RuleRef> ref_of(const ir::Rule& r) const;
  RequestVars& vars() { return vars_; }

 private:
  void declare_program_atoms();
  z3::expr first_match(RuleRef r);
  void define_actions();
  void define_jwt(z3::expr& invalid, z3::expr& not_accepted);
  void define_decision();

  RequestVars& vars_;
  z3::context& c_;
  const ir::Program& program_;
  Compiler compiler_;
  std::vector<z3::expr> custom_, deny_, allow_, audit_;  // rule_match per list
  std::map<model::Action, z3::expr> action_;
  std::map<Verdict, z3::expr> verdict_, rest_verdict_;
  std::map<Reason, z3::expr> reason_;
  std::map<std::pair<model::Action, size_t>, z3::expr> decided_by_;
};

}  // namespace meshproof::engine::detail
