// The encoder: the request variables and their domains (docs/engine.md §2). PRIVATE to lib/engine (it
// includes z3++.h). One RequestVars is shared by every program compiled over it (symbolic_compiler.h):
// the query engine compiles one program, the equivalence prover two, over the same request.
//
// Variables (docs/semantics.md, section `engine`):
//   * string attributes (one per attribute and key): D ("the value exists") and one Boolean per distinct
//     atom, related by the axioms of symbolic_strings.h;
//   * IP attributes: D, a family flag (true: IPv6) and a 128-bit vector; an IPv4 address sits in the top
//     32 bits with the other 96 bits zero (as ir::IpAddress stores it), so a CIDR of either family is a
//     family test plus equality of the top prefix_len bits (masked equality);
//   * destination port: ONE 16-bit vector (kPortBits) everywhere; a port atom above 65535 is false;
//   * connection facts: mtls (peer certificate), token_valid / token_invalid (JWT state).
// Which requests exist is a RequestDomain: a program's domain (its port, its token facts) for queries,
// every request a filter can see for the equivalence prover.
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

namespace meshproof::engine::detail {

constexpr unsigned kPortBits = 16;  // destination ports are 1..65535 (0: none)

// The requests the variables range over, beyond what the attributes' own domains say.
struct RequestDomain {
  bool http = true;                    // HTTP attributes exist (false: they are absent, IS §7)
  bool tokens = true;                  // a JWT can be present (jwt_authn runs: HTTP + RequestAuthentication)
  bool invalid_tokens = true;          // ... and be invalid (false where jwt_authn already rejected those)
  bool method_always_present = false;  // HTTP: every request carries :method (EngineOptions)
  std::optional<uint32_t> port;        // the request's port is this one
  // HTTP: request.path ranges over the paths Envoy's connection manager hands to the filters under this
  // mode (ir/path.h is_normalized_path) and is always present, as Envoy answers a request without one
  // itself. nullopt: any string (the equivalence prover compares two filters on the same path).
  std::optional<ir::PathNormalization> path_normalization;
  std::vector<uint32_t> excluded_ports;  // ports no request of the domain uses
};

// One program's domain (the port view and its facts), as Engine answers queries about it.
RequestDomain program_domain(const ir::Program& program, const EngineOptions& options);
// Every request a filter of this protocol can see (any port, token, method): the equivalence prover's.
RequestDomain filter_domain(ir::Protocol protocol);

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

class RequestVars {
 public:
  RequestVars(z3::context& c, z3::solver& solver, RequestDomain domain);

  // Before seal(): registers an atom's variables without axioms, so that seal() computes each attribute's
  // axioms once over the complete atom set. After seal(), atom() adds them at once.
  void declare(const ir::Atom& a);
  void declare_string(ir::Attribute attr, const std::string& key, const StrAtom& a);
  void seal();

  // The formula of an atom on the request (registering it; see declare()).
  z3::expr atom(const ir::Atom& a);

  // A fresh Boolean defined as `definition`, at the solver's current level.
  z3::expr named(const std::string& name, const z3::expr& definition);
  std::string fresh_name(const std::string& stem);

  // Constraints that pin every variable to a request: `request` as sent, `seen` as the program sees it
  // (evaluate.h effective_request).
  std::vector<z3::expr> pin(const ir::Request& request, const ir::Request& seen, ir::Protocol protocol);

  z3::context& context() const { return c_; }
  const RequestDomain& domain() const { return domain_; }
  z3::expr mtls() const { return mtls_; }
  z3::expr token_valid() const { return token_valid_; }
  z3::expr token_invalid() const { return token_invalid_; }
  z3::expr token(ir::TokenState t) const;
  z3::expr port() const { return port_; }
  const std::map<std::pair<ir::Attribute, std::string>, StringAttr>& strings() const { return strings_; }
  const std::map<ir::Attribute, IpAttr>& ips() const { return ips_; }
  const std::map<uint32_t, z3::expr>& port_atoms() const { return port_atoms_; }
  size_t atom_count() const;

 private:
  void add_domain_facts();
  StringAttr& string_attr(ir::Attribute attr, const std::string& key);
  IpAttr& ip_attr(ir::Attribute attr);
  IpAttr& make_ip_attr(ir::Attribute attr);
  size_t register_string_atom(StringAttr& sa, const StrAtom& a, bool with_axioms);
  void add_path_facts(StringAttr& sa);
  bool possible_path_atom(const StrAtom& a) const;
  void add_axioms(StringAttr& sa);  // string_axioms(_linear) of the attribute's current atoms
  z3::expr cidr_expr(ir::Attribute attr, const ir::Cidr& c);
  z3::expr port_expr(uint32_t port);

  z3::context& c_;
  z3::solver& solver_;
  RequestDomain domain_;
  bool sealed_ = false;
  z3::expr mtls_, token_valid_, token_invalid_, port_;
  std::map<std::pair<ir::Attribute, std::string>, StringAttr> strings_;
  std::map<ir::Attribute, IpAttr> ips_;
  std::map<uint32_t, z3::expr> port_atoms_;  // one named Boolean per port atom
  unsigned names_ = 0;
};

// The value domain of an attribute (ir.h "Domain facts"): set-valued, "" absent, forbidden characters,
// lower case. The encoder and the concrete probe (probe.h) share it.
StrDomain attribute_domain(ir::Attribute a);

// The string atom an IR atom stands for (hosts compare lower-cased, `present` has no value); nullopt for an
// atom no string satisfies (a CIDR or port operator on a string attribute).
std::optional<StrAtom> string_atom(const ir::Atom& a);

// "request.headers[x-user]": an attribute and key as the variables' names and messages spell it.
std::string attribute_label(ir::Attribute attr, const std::string& key);

// The two 64-bit halves of an address (network order: the first byte is the top of `first`).
std::pair<uint64_t, uint64_t> ip_halves(const ir::IpAddress& ip);

z3::expr any_of(z3::context& c, const std::vector<z3::expr>& xs);
z3::expr all_of(z3::context& c, const std::vector<z3::expr>& xs);

}  // namespace meshproof::engine::detail
