// The symbolic encoder: one decision program as Z3 formulas (DESIGN.md §4, §6). PRIVATE to lib/engine
// (it includes z3++.h); the public face is query.h.
//
// Variables (docs/semantics.md, section `engine`):
//   * string attributes (one per attribute and key): D ("the value exists") and one Boolean per distinct
//     atom, related by the axioms of symbolic_strings.h;
//   * IP attributes: D, a family flag (true: IPv6) and a 128-bit vector; an IPv4 address sits in the top
//     32 bits with the other 96 bits zero (as ir::IpAddress stores it), so a CIDR of either family is a
//     family test plus equality of the top prefix_len bits;
//   * destination port: a 16-bit vector;
//   * connection facts: mtls (peer certificate), token_valid / token_invalid (JWT state);
//   * one Boolean per rule ("rule matches"), and named Booleans for every action, verdict and reason,
//     each defined once at the solver's base level so that a query asserts only literals.
#pragma once

#include <z3++.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/query.h"
#include "engine/symbolic_strings.h"
#include "engine/symbolic_z3.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

struct SolverContext::Impl {
  detail::GlobalParams params;  // first: set before the context exists
  z3::context ctx;
};

namespace detail {

struct StringAttr {
  ir::Attribute attr = ir::Attribute::Method;
  std::string key;
  StrDomain domain;
  z3::expr defined;
  std::vector<StrAtom> atoms;
  std::vector<z3::expr> vars;
  std::map<StrAtom, size_t> index;
};

struct IpAttr {
  z3::expr defined, is6, bits;
  std::map<ir::Cidr, z3::expr> cidrs;  // one named Boolean per CIDR atom on this attribute
};

// What the solver's model says about one request: the witness, or why none could be built.
struct ModelRequest {
  enum class Status : uint8_t { Ok, Refine, Unknown } status = Status::Ok;
  ir::Request request;
  std::vector<z3::expr> lemmas;  // Refine: valid clauses that exclude this model's impossible polarities
  std::string reason;            // Unknown
};

class Encoder {
 public:
  Encoder(z3::context& c, z3::solver& solver, const ir::Program& program, const EngineOptions& options);

  // The formula of an atom on the request as the program sees it. Registers new string atoms (adding
  // their axioms at the current solver level, so call it at base level for anything that must persist).
  z3::expr atom(const ir::Atom& a);

  // Named Booleans, defined at base level.
  z3::expr rule_match(RuleRef r) const;
  z3::expr action_match(model::Action a) const;
  z3::expr verdict(Verdict v) const;
  z3::expr reason(Reason r) const;
  z3::expr rest_verdict(Verdict v) const;  // what the chain after CUSTOM decides (Allow/Deny/Rejected)
  z3::expr decided_by(RuleRef r);          // defined lazily, at the current level
  z3::expr decided_by_formula(RuleRef r) { return first_match(r); }  // unnamed: for model evaluation
  z3::expr mtls() const { return mtls_; }
  z3::expr token(ir::TokenState t) const;

  // The formula for one query condition (registering what it needs).
  z3::expr condition(const Condition& c);

  // Constraints that pin every variable to a concrete request's values.
  std::vector<z3::expr> pin(const ir::Request& request);

  // Builds the witness request from a model (the completeness construction, with the sequence theory
  // for opaque atoms).
  ModelRequest build_request(ModelReader& m, unsigned timeout_ms);

  const ir::Program& program() const { return program_; }
  const ir::Rule& rule(RuleRef r) const;
  std::optional<RuleRef> ref_of(const ir::Rule& r) const;
  size_t atom_count() const;
  NegationIds& negation_ids() { return negations_; }

  // Every Boolean that describes the request (connection facts, then per attribute D and its atoms, then
  // IP families and CIDR atoms, then port atoms), in an order that depends only on the atoms themselves.
  // Engine::find makes witnesses canonical by minimizing the model lexicographically in this order.
  std::vector<z3::expr> canonical_order() const;

 private:
  StringAttr& string_attr(ir::Attribute attr, const std::string& key);
  IpAttr& ip_attr(ir::Attribute attr);
  size_t register_string_atom(StringAttr& sa, const StrAtom& a, bool with_axioms);
  void add_axioms(StringAttr& sa);  // string_axioms_linear of the attribute's current atoms
  z3::expr cidr_expr(ir::Attribute attr, const ir::Cidr& c);
  z3::expr term(const ir::Term& t);
  z3::expr match(const ir::Match& m);
  z3::expr clause(const ir::Clause& c);
  z3::expr rule_formula(const ir::Rule& r);
  z3::expr first_match(RuleRef r);
  z3::expr named(const std::string& name, const z3::expr& definition);
  void collect(const ir::Rule& r);
  void define_decision();
  std::string fresh_name(const std::string& stem);

  z3::context& c_;
  z3::solver& solver_;
  const ir::Program& program_;
  EngineOptions options_;
  bool http_;
  z3::expr mtls_, token_valid_, token_invalid_, port_;
  std::map<std::pair<ir::Attribute, std::string>, StringAttr> strings_;
  std::map<ir::Attribute, IpAttr> ips_;
  std::map<uint32_t, z3::expr> port_atoms_;  // one named Boolean per port atom
  std::vector<z3::expr> custom_, deny_, allow_, audit_;  // rule_match per list
  std::map<model::Action, z3::expr> action_;
  std::map<Verdict, z3::expr> verdict_, rest_verdict_;
  std::map<Reason, z3::expr> reason_;
  std::map<std::pair<model::Action, size_t>, z3::expr> decided_by_;
  unsigned names_ = 0;
  NegationIds negations_;
};

const std::vector<ir::Rule>& rules_of(const ir::Program& p, model::Action a);

// The value domain of an attribute (ir.h "Domain facts"): set-valued, "" absent, forbidden characters,
// lower case. The encoder, the equivalence prover and the concrete probe (probe.h) share it.
StrDomain attribute_domain(ir::Attribute a);

}  // namespace detail
}  // namespace meshproof::engine
