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
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_encoder.h"
#include "ir/path.h"

namespace meshproof::engine {

namespace {
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

enum class Truth : uint8_t { False, True, Unknown };

Truth truth_not(Truth t) { return t == Truth::Unknown ? t : t == Truth::True ? Truth::False : Truth::True; }

// One value of one attribute: absent, a string, or a port.
struct SlotValue {
  bool present = false;
  std::string text;
  uint32_t port = 0;
};

class CoverSearch {
 public:
  CoverSearch(const ir::Program& program, const EngineOptions& options)
      : program_(program), domain_(detail::program_domain(program, options)) {
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
    std::vector<SlotValue>& out = s.values;
    if (domain_.port) {
      out.push_back({true, "", *domain_.port});
      return true;
    }
    auto excluded = [&](uint32_t p) {
      return p > 65535 ||
             std::find(domain_.excluded_ports.begin(), domain_.excluded_ports.end(), p) != domain_.excluded_ports.end();
    };
    std::vector<uint32_t> named;
    for (const ir::Atom* a : s.atoms) named.push_back(a->port);
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    for (uint32_t p : named)
      if (!excluded(p)) out.push_back({true, "", p});
    for (uint32_t p = 1; p <= 65535; ++p)  // one port no atom names
      if (!excluded(p) && !std::binary_search(named.begin(), named.end(), p)) {
        out.push_back({true, "", p});
        break;
      }
    return true;
  }

  bool absent_allowed(Attribute a) const {
    if (a == Attribute::Method) return !(domain_.http && domain_.method_always_present);
    if (a == Attribute::Path) return !domain_.path_normalization || ir::is_normalized_path("", *domain_.path_normalization);
    return true;
  }

  // A present value the domain admits (the peer parts' presence is the mTLS flag's business).
  bool valid_value(Attribute a, const std::string& v) const {
    const StrDomain d = detail::attribute_domain(a);
    if ((v.empty() && d.empty_is_absent) || !in_domain(v, d)) return false;
    if (a == Attribute::Path && domain_.path_normalization) {
      if (!ir::is_normalized_path(v, *domain_.path_normalization)) return false;
      ir::Request r;
      r.path = v;
      if (effective_request(program_, r).path != v) return false;
    }
    return true;
  }

  bool string_values(Slot& s) {
    const Attribute a = s.attr;
    std::vector<SlotValue>& out = s.values;
    auto add_value = [&](const std::string& v) {
      for (const SlotValue& o : out)
        if (o.present && o.text == v) return;
      out.push_back({true, v, 0});
    };
    if (!domain_.http && ir::attribute_http_only(a)) {  // absent on a TCP view
      out.push_back({});
      return true;
    }
    if (s.atoms.empty()) {  // no rule reads it: one value the domain admits
      if (absent_allowed(a)) out.push_back({});
      add_value(a == Attribute::Method ? "GET" : a == Attribute::Path ? "/" : "default");
      return absent_allowed(a) || valid_value(a, out.back().text);
    }
    const StrDomain d = detail::attribute_domain(a);
    std::string used;
    std::vector<std::string> prefixes = {""}, suffixes = {""};
    // Host values are compared lower-cased (ir.h): an atom "X.com" holds on the value "x.com".
    auto value_of = [&](const ir::Atom* at) { return d.lower_case ? ascii_lower(at->value) : at->value; };
    for (const ir::Atom* at : s.atoms) {
      used += value_of(at);
      if (at->op == Op::Prefix) prefixes.push_back(value_of(at));
      if (at->op == Op::Suffix) suffixes.push_back(value_of(at));
    }
    const std::string candidates = d.middle_chars.empty() ? std::string("xzqjkvw0123456789") : d.middle_chars;
    const auto fresh = std::find_if(candidates.begin(), candidates.end(), [&](char c) {
      return used.find(c) == std::string::npos && in_domain(std::string(1, c), d);
    });
    if (fresh == candidates.end()) return false;
    if (absent_allowed(a)) out.push_back({});
    if (valid_value(a, "")) add_value("");  // a header present with an empty value
    for (const ir::Atom* at : s.atoms)
      if (at->op == Op::Exact && valid_value(a, value_of(at))) add_value(value_of(at));
    const bool path = a == Attribute::Path && domain_.path_normalization;
    for (const std::string& p : prefixes)
      for (const std::string& x : suffixes) {
        // Every path the filters see starts with '/': no value has a longest true prefix that does not, and
        // one without a true prefix is '/' + m + s (m is fresh, so no prefix longer than "" holds on it).
        if (path && !p.empty() && p[0] != '/') continue;
        const std::string w = (path && p.empty() ? "/" : p) + *fresh + x;
        if (!valid_value(a, w)) return false;  // another value might share its truths: the solver decides
        add_value(w);
      }
    return true;
  }

  void assign(const Slot& s, const SlotValue& v) {
    const std::string text = v.present ? v.text : std::string();
    switch (s.attr) {
      case Attribute::PeerTrustDomain:
        request_.peer_trust_domain = text;
        break;
      case Attribute::PeerNamespace:
        request_.peer_namespace = text;
        break;
      case Attribute::PeerServiceAccount:
        request_.peer_service_account = text;
        break;
      case Attribute::DestinationPort:
        request_.port = v.port;
        break;
      case Attribute::ConnectionSni:
        request_.sni = text;
        break;
      case Attribute::Method:
        request_.method = text;
        break;
      case Attribute::Path:
        request_.path = text;
        break;
      case Attribute::Host:
        request_.host = text;
        break;
      default:  // a header
        if (v.present)
          request_.headers[s.key] = v.text;
        else
          request_.headers.erase(s.key);
        break;
    }
  }

  // A peer part is present exactly under mTLS.
  bool fits_connection(const Slot& s, const SlotValue& v) const {
    return !ir::attribute_is_peer(s.attr) || v.present == request_.mtls;
  }

  Truth atom_truth(const ir::Atom& a) const {
    if (!slots_[slot_of_.at(&a)].assigned) return Truth::Unknown;
    return eval_atom(a, request_, program_.protocol) ? Truth::True : Truth::False;
  }

  Truth term_truth(const ir::Term& t) const {
    if (t.is_false) return Truth::False;
    Truth out = Truth::True;
    for (const ir::Atom& a : t.atoms) {
      const Truth x = atom_truth(a);
      if (x == Truth::False) return Truth::False;
      if (x == Truth::Unknown) out = Truth::Unknown;
    }
    return out;
  }

  Truth match_truth(const ir::Match& m) const {
    Truth any = Truth::False;
    for (const ir::Term& t : m.terms) {
      const Truth x = term_truth(t);
      if (x == Truth::True) {
        any = Truth::True;
        break;
      }
      if (x == Truth::Unknown) any = Truth::Unknown;
    }
    return m.negated ? truth_not(any) : any;
  }

  Truth clause_truth(const ir::Clause& c) const {
    Truth out = Truth::True;
    for (const ir::Match& m : c.matches) {
      const Truth x = match_truth(m);
      if (x == Truth::False) return Truth::False;
      if (x == Truth::Unknown) out = Truth::Unknown;
    }
    return out;
  }

  Truth clauses_truth(const std::vector<ir::Clause>& cs) const {
    Truth out = Truth::False;
    for (const ir::Clause& c : cs) {
      const Truth x = clause_truth(c);
      if (x == Truth::True) return Truth::True;
      if (x == Truth::Unknown) out = Truth::Unknown;
    }
    return out;
  }

  Truth rule_truth(const ir::Rule& r) const {
    const Truth from = clauses_truth(r.principals);
    if (from == Truth::False) return Truth::False;
    const Truth to = clauses_truth(r.permissions);
    if (to == Truth::False) return Truth::False;
    return from == Truth::True && to == Truth::True ? Truth::True : Truth::Unknown;
  }

  Truth query_truth() const {
    Truth out = Truth::True;
    for (const RuleCondition& c : conditions_) {
      const Truth r = rule_truth(*c.rule);
      const Truth x = c.positive ? r : truth_not(r);
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
