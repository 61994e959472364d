// The solver-free answer of rule-containment questions (rule_cover.h, decide_rule_matches).
//
// Whether a rule matches depends only on the truths of its atoms. On one attribute, the truths of a finite set
// of exact/prefix/suffix/present atoms take only finitely many shapes, and each shape a value in the domain can
// have is also had by one of a few representative values (docs/engine.md §1, "Completeness"): absent; each
// exact value; and p + m + s for every prefix p and suffix s of the atoms (or ""), m a character no atom value
// of the attribute contains. So a request exists for the question iff one exists whose every attribute is a
// representative, and a search over those (pruned by three-valued evaluation of the rules) decides it. Port
// atoms are the same with the ports they name and one port none names. The domain is the encoder's
// (symbolic_encoder.h program_domain): a representative outside it is dropped when no other value could share
// its truths (absent, an exact value) and makes the question go to the solver when one could (p + m + s).
#include "engine/rule_cover.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "base/text.h"
#include "engine/evaluate.h"
#include "engine/probe.h"
#include "engine/representatives.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_encoder.h"
#include "engine/three_valued.h"
#include "ir/path.h"

namespace meshproof::engine {

namespace {
using detail::SlotValue;
using detail::Truth;
using ir::Attribute;
using ir::Op;

// The attributes the search assigns, in its order (the connection's mTLS flag comes first).
constexpr std::array<Attribute, 8> kCoverAttributes = {
    Attribute::PeerTrustDomain, Attribute::PeerNamespace, Attribute::PeerServiceAccount, Attribute::DestinationPort,
    Attribute::ConnectionSni,   Attribute::Method,        Attribute::Path,               Attribute::Host};
constexpr size_t kMaxSearchNodes = 20000;  // beyond this the solver is cheaper

bool cover_atom_supported(const ir::Atom& a) {
  // Pseudo-headers are the request's own fields (ir/request.cpp attribute_value): not an attribute of their own.
  if (a.attr == Attribute::Header) {
    if (a.key.empty() || a.key[0] == ':') return false;
  } else if (std::find(kCoverAttributes.begin(), kCoverAttributes.end(), a.attr) == kCoverAttributes.end()) {
    return false;
  }
  if (a.attr == Attribute::DestinationPort) return a.op == Op::PortEq;
  return a.op == Op::Exact || a.op == Op::Prefix || a.op == Op::Suffix || a.op == Op::Present;
}

class CoverSearch {
 public:
  CoverSearch(const ir::Program& program, const EngineOptions& options)
      : program_(program), domain_(detail::program_domain(program, options)), representatives_(program_, domain_) {
    for (Attribute a : kCoverAttributes) slots_.push_back({a, "", {}, {}, false});
  }

  // False: the query is outside the fragment (the caller defers to the solver).
  bool add(const Condition& c) {
    if (c.kind != ConditionKind::RuleMatches) return false;
    const auto& rules = detail::rules_of(program_, c.rule.action);
    if (c.rule.index >= rules.size()) return false;
    conditions_.push_back({&rules[c.rule.index], c.positive});
    return collect(rules[c.rule.index]);
  }

  // Builds the representatives; false when one the answer would depend on lies outside the domain.
  bool prepare() {
    mtls_values_ = {false};
    if (!slots_[0].atoms.empty() || !slots_[1].atoms.empty() || !slots_[2].atoms.empty()) mtls_values_.push_back(true);
    for (Slot& s : slots_)
      if (!(s.attr == Attribute::DestinationPort ? port_values(s) : string_values(s))) return false;
    return true;
  }

  // nullopt: the search gave up (too many candidates).
  std::optional<bool> exists() {
    bool found = false;
    for (bool m : mtls_values_) {
      request_.mtls = m;
      if (search(0)) {
        found = true;
        break;
      }
      if (overflow_) return std::nullopt;
    }
    return found;
  }
  const ir::Request& witness() const { return request_; }

 private:
  // One attribute (a header: one key) the search assigns.
  struct Slot {
    Attribute attr = Attribute::Method;
    std::string key;
    std::vector<const ir::Atom*> atoms;
    std::vector<SlotValue> values;
    bool assigned = false;
  };

  size_t slot_index(const ir::Atom& a) {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].attr == a.attr && slots_[i].key == a.key) return i;
    slots_.push_back({a.attr, a.key, {}, {}, false});
    return slots_.size() - 1;
  }

  struct RuleCondition {
    const ir::Rule* rule = nullptr;
    bool positive = true;
  };

  bool collect(const ir::Rule& r) {
    for (const auto* clauses : {&r.principals, &r.permissions})
      for (const ir::Clause& c : *clauses)
        for (const ir::Match& m : c.matches)
          for (const ir::Term& t : m.terms)
            for (const ir::Atom& a : t.atoms) {
              if (!cover_atom_supported(a)) return false;
              const size_t i = slot_index(a);
              slots_[i].atoms.push_back(&a);
              slot_of_[&a] = i;
            }
    return true;
  }

  bool port_values(Slot& s) {
    std::vector<uint32_t> named;
    for (const ir::Atom* a : s.atoms) named.push_back(a->port);
    s.values = representatives_.ports(named);
    return true;
  }

  bool string_values(Slot& s) {
    const Attribute a = s.attr;
    if (s.atoms.empty() && (domain_.http || !ir::attribute_http_only(a))) {  // no rule reads it: one value
      const std::string v = a == Attribute::Method ? "GET" : a == Attribute::Path ? "/" : "default";
      if (representatives_.absent_allowed(a)) s.values.push_back({});
      s.values.push_back(SlotValue::of_text(v));
      return representatives_.absent_allowed(a) || representatives_.valid_value(a, v);
    }
    std::vector<StrAtom> atoms;
    for (const ir::Atom* at : s.atoms) atoms.push_back(*detail::string_atom(*at));
    return representatives_.strings(a, atoms, s.values);
  }

  void assign(const Slot& s, const SlotValue& v) { detail::assign_slot(request_, s.attr, s.key, v); }

  // A peer part is present exactly under mTLS.
  bool fits_connection(const Slot& s, const SlotValue& v) const {
    return !ir::attribute_is_peer(s.attr) || v.present == request_.mtls;
  }

  Truth atom_truth(const ir::Atom& a) const {
    if (!slots_[slot_of_.at(&a)].assigned) return Truth::Unknown;
    return detail::truth_of(eval_atom(a, request_, program_.protocol));
  }

  Truth rule_truth(const ir::Rule& r) const {
    return detail::rule_truth(r, [this](const ir::Atom& a) { return atom_truth(a); });
  }

  Truth query_truth() const {
    Truth out = Truth::True;
    for (const RuleCondition& c : conditions_) {
      const Truth r = rule_truth(*c.rule);
      const Truth x = c.positive ? r : detail::truth_not(r);
      if (x == Truth::False) return Truth::False;
      if (x == Truth::Unknown) out = Truth::Unknown;
    }
    return out;
  }

  bool search(size_t s) {
    if (++nodes_ > kMaxSearchNodes) {
      overflow_ = true;
      return false;
    }
    const Truth t = query_truth();
    if (t == Truth::False) return false;
    if (s == slots_.size()) return t == Truth::True;
    Slot& slot = slots_[s];
    for (const SlotValue& v : slot.values) {
      if (!fits_connection(slot, v)) continue;
      assign(slot, v);
      slot.assigned = true;
      if (search(s + 1)) return true;
      slot.assigned = false;
      if (overflow_) return false;
    }
    return false;
  }

  const ir::Program& program_;
  const detail::RequestDomain domain_;
  const detail::Representatives representatives_;
  std::vector<RuleCondition> conditions_;
  std::vector<Slot> slots_;  // kCoverAttributes, then one per header key
  std::unordered_map<const ir::Atom*, size_t> slot_of_;
  std::vector<bool> mtls_values_;
  ir::Request request_;
  size_t nodes_ = 0;
  bool overflow_ = false;
};

}  // namespace

std::optional<QueryResult> decide_rule_matches(const ir::Program& program, const Query& query,
                                               const EngineOptions& options) {
  if (query.conditions().empty()) return std::nullopt;
  CoverSearch search(program, options);
  for (const Condition& c : query.conditions())
    if (!search.add(c)) return std::nullopt;
  if (!search.prepare()) return std::nullopt;
  const std::optional<bool> found = search.exists();
  if (!found) return std::nullopt;
  QueryResult out;
  if (!*found) {
    out.answer = SatAnswer::Unsat;
    return out;
  }
  if (query.witness_shown()) return std::nullopt;  // a shown witness is the solver's canonical one
  // A witness by the specification: in the domain and replayed (a miss here would be a bug of the search;
  // the solver then answers).
  const ir::Request& r = search.witness();
  if (!detail::request_in_domain(program, r, options)) return std::nullopt;
  const ir::Request seen = effective_request(program, r);
  for (const Condition& c : query.conditions())
    if (eval_rule(detail::rules_of(program, c.rule.action)[c.rule.index], seen, program.protocol) != c.positive)
      return std::nullopt;
  out.answer = SatAnswer::Sat;
  out.request = r;
  out.decision = evaluate(program, r);
  return out;
}

}  // namespace meshproof::engine
