// Representative values of one attribute (PRIVATE to lib/engine): a few values that together have every
// combination of truths a value of the attribute's domain can give a finite set of exact, prefix, suffix and
// present atoms (docs/engine.md §1 "Completeness", §5 "Rule containment without the solver"): absent; each
// exact value; "" for a header; p + m + s for every prefix p and suffix s of the atoms (or ""), m a character
// no atom value contains. Ports alike: each port an atom names and one port none names. The searches over
// requests made of representatives (rule_cover.cpp, canonical_search.cpp) decide exactly what the solver
// decides on these atoms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/symbolic_encoder.h"
#include "engine/symbolic_strings.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine::detail {

// One value of one attribute: absent, a string, a set of strings (a set-valued attribute), a port, or an
// address.
struct SlotValue {
  bool present = false;
  std::string text;
  uint32_t port = 0;
  std::vector<std::string> elements;
  ir::IpAddress address;

  static SlotValue of_text(std::string text) {
    SlotValue v;
    v.present = true;
    v.text = std::move(text);
    return v;
  }
  static SlotValue of_port(uint32_t port) {
    SlotValue v;
    v.present = true;
    v.port = port;
    return v;
  }
  static SlotValue of_set(std::vector<std::string> elements) {
    SlotValue v;
    v.present = true;
    v.elements = std::move(elements);
    return v;
  }
};

class Representatives {
 public:
  // More p + m + s combinations than this and strings() gives up (the solver decides).
  static constexpr size_t kMaxRepresentatives = 4096;

  // The domain is the program's (program_domain); both must outlive this.
  Representatives(const ir::Program& program, const RequestDomain& domain) : program_(program), domain_(domain) {}

  // The representatives of string attribute `a` for `atoms` (exact, prefix, suffix and present only; host
  // values lower-cased, as string_atom makes them), in the order absent, "", exact values, p + m + s. False
  // when one the answer would depend on lies outside the domain (a p + m + s that is not a path Envoy hands
  // to the filters: another value might share its truths), no fresh middle character exists, or there would
  // be more than kMaxRepresentatives.
  bool strings(ir::Attribute a, const std::vector<StrAtom>& atoms, std::vector<SlotValue>& out) const;
  // The representatives of the port: the domain's port, or each named port and one unnamed port outside
  // the excluded ones.
  std::vector<SlotValue> ports(const std::vector<uint32_t>& named) const;
  // A set-valued attribute (the JWT's audiences, presenters, claims): absent, then one set per combination
  // of truths a set can have. A set's truths are the union of its elements' (an atom holds when some element
  // satisfies it), and the string representatives realize every element's, so unions of their truths are all
  // the combinations; each is realized by the elements that made it. False when a string representative
  // lies outside the domain, or past `max_sets` combinations.
  bool sets(ir::Attribute a, const std::vector<StrAtom>& atoms, std::vector<SlotValue>& out, size_t max_sets) const;
  // An address attribute: absent, then addresses of both families that together fall in every region the
  // CIDRs cut (CIDRs are nested or disjoint: each region is a CIDR minus the CIDRs inside it, or the space
  // outside all of them, and its first address is a CIDR's first, the address after a CIDR's last, or zero).
  static std::vector<SlotValue> addresses(const std::vector<ir::Cidr>& cidrs);

  bool absent_allowed(ir::Attribute a) const;
  // A present value the domain admits (the peer parts' presence is the mTLS flag's business).
  bool valid_value(ir::Attribute a, const std::string& v) const;

 private:
  const ir::Program& program_;
  const RequestDomain& domain_;
};

// Sets one attribute of `request` to a value: a representative, or the value a witness is built with (a
// header, claim or metadata entry: keyed by `key`).
void assign_slot(ir::Request& request, ir::Attribute a, const std::string& key, const SlotValue& v);

}  // namespace meshproof::engine::detail
