// The canonical witness without the solver (canonical_search.h).
//
// Why the first request found has the solver's truths: the solver's canonical truths are the smallest
// assignment, in canonical_order, of the variables' truths that some request of the domain satisfying the
// query has (the encoding allows exactly the truths some request has, docs/engine.md §1). Attributes are
// independent apart from the connection (peer parts present iff mTLS, JWT attributes only with a valid
// token) and remote.ip (present whenever source.ip is), and the representatives of an attribute have every
// truth combination a value can have (representatives.h). So the satisfying assignments are the truths of the
// satisfying requests made of representatives, and visiting those requests with the variables in canonical order, each
// attribute's values sorted by their truths (duplicates dropped), meets them in increasing order of their truths.
// Pruning only drops subtrees where the query is already false, so the first one met is the smallest.
#include "engine/canonical_search.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/evaluate.h"
#include "engine/representatives.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_concretizer.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_properties.h"
#include "engine/three_valued.h"

namespace meshproof::engine {

namespace {

using detail::SlotValue;
using detail::Truth;
using ir::Attribute;
using meshproof::engine::StrAtom;
using meshproof::engine::StrOp;

constexpr size_t kMaxCanonicalNodes = 20000;  // beyond this the solver is cheaper
constexpr size_t kMaxSets = 256;              // truth combinations of one set-valued attribute
constexpr size_t kMaxTruthTable = 200000;     // representatives × atoms of one attribute
constexpr size_t kMaxAtomTruths = 2000000;    // atoms evaluated by one search

}  // namespace

namespace detail {

// One attribute with variables, as the encoder declares it (symbolic_encoder.h RequestVars): a string
// attribute's atoms in the order they were registered (the order the witness construction reads them in), or
// an address attribute's CIDRs; and its representatives sorted by their truths in canonical order, one per
// distinct truth vector.
struct AttributeSlot {
  Attribute attr = Attribute::Method;
  std::string key;
  StrDomain domain;
  std::vector<StrAtom> atoms;
  bool address = false;
  std::set<ir::Cidr> cidrs;
  std::vector<SlotValue> values;
  std::vector<std::vector<bool>> truths;  // per value: D, then each atom in registration order (an address:
                                          // D, IPv6, then each CIDR)
};

}  // namespace detail

namespace {

// Where the search stands on one attribute.
struct SlotState {
  bool read = false;  // some atom the query's conditions depend on is on it
  bool assigned = false;
  size_t chosen = 0;
};

// A decision evaluate() may still reach (evaluate.h Decision, the fields the query conditions read).
struct PossibleDecision {
  Verdict verdict = Verdict::Deny;
  Reason reason = Reason::NoAllowMatched;
  const ir::Rule* rule = nullptr;
  std::optional<Verdict> if_authorizer_allows;
};

// The positions of `keys` in increasing order of their key, the first of equal keys only: an attribute's
// values in the order the search tries them, one per truth vector.
std::vector<size_t> smallest_first(const std::vector<std::vector<bool>>& keys) {
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<size_t> out;
  for (size_t i : order)
    if (out.empty() || keys[out.back()] != keys[i]) out.push_back(i);
  return out;
}

Truth all_or_none(const std::vector<PossibleDecision>& outcomes,
                  const std::function<bool(const PossibleDecision&)>& holds) {
  size_t n = 0;
  for (const PossibleDecision& o : outcomes) n += holds(o) ? 1 : 0;
  return n == outcomes.size() ? Truth::True : n == 0 ? Truth::False : Truth::Unknown;
}

}  // namespace

namespace detail {

// The variables of a program (and of a query's extra atoms) with their representatives sorted: what every
// search on the program reads and none changes, so a program's questions share one (CanonicalMemo).
class CanonicalTable {
 public:
  CanonicalTable(const ir::Program& program, const EngineOptions& options)
      : program_(program), domain_(detail::program_domain(program, options)), representatives_(program_, domain_) {}

  // The variables the encoder would make, in its order: the program's, then the atoms `query` adds (none when
  // it is null); false when an atom is outside the fragment.
  bool declare(const Query* query) {
    for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit})
      for (const ir::Rule& r : detail::rules_of(program_, a))
        for (const auto* clauses : {&r.principals, &r.permissions})
          for (const ir::Clause& c : *clauses)
            for (const ir::Match& m : c.matches)
              for (const ir::Term& t : m.terms)
                for (const ir::Atom& at : t.atoms)
                  if (!declare_atom(at)) return false;
    // The JWT issuer check's atoms (symbolic_compiler.cpp declare_program_atoms).
    for (const auto& j : program_.jwt_issuers) {
      if (!j.issuer.empty() && !add_string(Attribute::AuthIssuer, "", {StrOp::Exact, j.issuer})) return false;
      for (const auto& aud : j.audiences)
        if (!aud.empty() && !add_string(Attribute::AuthAudiences, "", {StrOp::Exact, aud})) return false;
    }
    if (query)
      for (const Condition& c : query->conditions())
        if (c.kind == ConditionKind::AtomHolds && !declare_atom(c.atom)) return false;
    return true;
  }

  // The representatives of every attribute, sorted; false when one lies outside the domain.
  bool prepare() {
    for (auto& [k, slot] : by_key_) {
      std::vector<SlotValue> values;
      const bool made = slot.domain.set_valued ? representatives_.sets(slot.attr, slot.atoms, values, kMaxSets)
                                               : representatives_.strings(slot.attr, slot.atoms, values);
      if (!made || values.size() * (slot.atoms.size() + 1) > kMaxTruthTable) return false;
      sort_values(slot, values);
      slots_.push_back(std::move(slot));
    }
    for (auto& [attr, slot] : addresses_) {  // after the strings, as canonical_order reads them
      const std::vector<SlotValue> values = detail::Representatives::addresses({slot.cidrs.begin(), slot.cidrs.end()});
      if (values.size() * (slot.cidrs.size() + 2) > kMaxTruthTable) return false;
      sort_values(slot, values);
      slots_.push_back(std::move(slot));
    }
    by_key_.clear();
    addresses_.clear();
    for (size_t i = 0; i < slots_.size(); ++i) slot_index_[{slots_[i].attr, slots_[i].key}] = i;
    for (const auto& [atom, key] : atom_keys_) atom_slot_[atom] = slot_index_.at(key);
    if (!ports_.empty()) sort_ports();
    return true;
  }

  const ir::Program& program() const { return program_; }
  const detail::RequestDomain& domain() const { return domain_; }
  const std::vector<AttributeSlot>& slots() const { return slots_; }
  // The slot of an attribute (a key for headers and claims); nullopt when no variable is on it.
  std::optional<size_t> slot_of(Attribute a, const std::string& key) const {
    auto it = slot_index_.find({a, key});
    return it == slot_index_.end() ? std::nullopt : std::optional<size_t>(it->second);
  }
  // The slot of an atom's variable; nullopt when the atom holds on no value (no variable).
  std::optional<size_t> slot_of(const ir::Atom& a) const {
    auto it = atom_slot_.find(&a);
    return it == atom_slot_.end() ? std::nullopt : std::optional<size_t>(it->second);
  }
  const std::set<uint32_t>& port_atoms() const { return ports_; }
  const std::vector<uint32_t>& port_values() const { return port_values_; }

 private:
  bool declare_atom(const ir::Atom& a) {
    switch (ir::attribute_kind(a.attr)) {
      case ir::AttributeKind::String:
      case ir::AttributeKind::Set: {
        const std::optional<StrAtom> s = detail::string_atom(a);
        if (!s) return true;  // holds on no string: no variable (the encoder's constant false)
        atom_keys_.emplace(&a, std::make_pair(a.attr, a.key));
        return add_string(a.attr, a.key, *s);
      }
      case ir::AttributeKind::Port:
        if (a.op == ir::Op::PortEq && a.port <= 65535) ports_.insert(a.port);
        return true;
      case ir::AttributeKind::Ip:
        declare_address(a);
        return true;
    }
    return false;
  }

  // source.ip and remote.ip come together (remote.ip defaults to source.ip, symbolic_encoder.cpp ip_attr).
  void declare_address(const ir::Atom& a) {
    auto slot = [&](Attribute attr) -> AttributeSlot& {
      AttributeSlot& s = addresses_[attr];
      s.attr = attr;
      s.address = true;
      return s;
    };
    if (a.attr == Attribute::SourceIp || a.attr == Attribute::RemoteIp)
      slot(Attribute::SourceIp), slot(Attribute::RemoteIp);
    AttributeSlot& s = slot(a.attr);
    if (a.op != ir::Op::Cidr) return;  // holds on no address: no variable
    s.cidrs.insert(a.cidr);
    atom_keys_.emplace(&a, std::make_pair(a.attr, std::string()));
  }

  bool add_string(Attribute attr, const std::string& key, const StrAtom& s) {
    if (s.op != StrOp::Exact && s.op != StrOp::Prefix && s.op != StrOp::Suffix && s.op != StrOp::Present) return false;
    if (attr == Attribute::Metadata) return false;
    // Pseudo-headers are the request's own path and host (symbolic_concretizer.cpp reconcile_pseudo_headers).
    if (attr == Attribute::Header && !key.empty() && key[0] == ':') return false;
    auto [it, fresh] = by_key_.try_emplace({attr, key});
    AttributeSlot& slot = it->second;
    if (fresh) {
      slot.attr = attr;
      slot.key = key;
      slot.domain = detail::attribute_domain(attr);
      // The implicit atom `prefix "/"` of normalized paths (symbolic_encoder.cpp add_path_facts).
      if (attr == Attribute::Path && domain_.http && domain_.path_normalization)
        slot.atoms.push_back({StrOp::Prefix, "/"});
    }
    if (std::find(slot.atoms.begin(), slot.atoms.end(), s) == slot.atoms.end()) slot.atoms.push_back(s);
    return true;
  }

  // Values ordered by their truths in canonical order (D, then the atoms sorted as canonical_order sorts
  // them; an address: D, IPv6, then each CIDR, an absent address being IPv4 in the smallest truths), one
  // value per truth vector.
  static void sort_values(AttributeSlot& slot, const std::vector<SlotValue>& values) {
    std::vector<std::vector<bool>> keys;
    if (slot.address) {
      for (const SlotValue& v : values) {
        keys.push_back({v.present, v.present && v.address.v6});
        for (const ir::Cidr& c : slot.cidrs) keys.back().push_back(v.present && c.contains(v.address));
      }
      for (size_t i : smallest_first(keys)) slot.values.push_back(values[i]), slot.truths.push_back(keys[i]);
      return;
    }
    std::vector<size_t> order(slot.atoms.size());  // canonical_order reads the atoms sorted
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return slot.atoms[a] < slot.atoms[b]; });
    std::vector<std::vector<bool>> truths;  // registration order
    for (const SlotValue& v : values) {
      truths.push_back({v.present});
      for (const StrAtom& a : slot.atoms)
        truths.back().push_back(
            v.present && (slot.domain.set_valued ? str_atom_holds_on_set(a, v.elements) : str_atom_holds(a, v.text)));
      keys.push_back({v.present});
      for (size_t i : order) keys.back().push_back(truths.back()[i + 1]);
    }
    for (size_t i : smallest_first(keys)) slot.values.push_back(values[i]), slot.truths.push_back(truths[i]);
  }

  // Port atoms come last in canonical order, by port number.
  void sort_ports() {
    const std::vector<uint32_t> named(ports_.begin(), ports_.end());
    const std::vector<SlotValue> values = representatives_.ports(named);
    std::vector<std::vector<bool>> keys;
    for (const SlotValue& v : values) {
      keys.emplace_back();
      for (uint32_t p : named) keys.back().push_back(v.port == p);
    }
    for (size_t i : smallest_first(keys)) port_values_.push_back(values[i].port);
  }

  const ir::Program& program_;
  const detail::RequestDomain domain_;
  const detail::Representatives representatives_;
  std::map<std::pair<Attribute, std::string>, AttributeSlot> by_key_;  // while declaring: the encoder's order
  std::map<Attribute, AttributeSlot> addresses_;                       // while declaring
  std::vector<AttributeSlot> slots_;                                   // then: in canonical order
  std::map<std::pair<Attribute, std::string>, size_t> slot_index_;
  std::unordered_map<const ir::Atom*, std::pair<Attribute, std::string>> atom_keys_;
  std::unordered_map<const ir::Atom*, size_t> atom_slot_;
  std::set<uint32_t> ports_;
  std::vector<uint32_t> port_values_;  // the port's representatives, by their truths
};

}  // namespace detail

namespace {

using detail::AttributeSlot;
using detail::CanonicalTable;

// One search for the canonical request of one query over a table.
class CanonicalSearch {
 public:
  CanonicalSearch(const CanonicalTable& table, const Query& query)
      : table_(table),
        program_(table.program()),
        query_(query),
        domain_(table.domain()),
        slots_(table.slots()),
        state_(slots_.size()) {
    mark_read();
  }

  // Whether the query's rules exist in the program (a condition on a rule that is not there: the solver's
  // business, which reports it).
  static bool rules_exist(const ir::Program& program, const Query& query) {
    for (const Condition& c : query.conditions())
      if ((c.kind == ConditionKind::RuleMatches || c.kind == ConditionKind::DecidedBy) &&
          c.rule.index >= detail::rules_of(program, c.rule.action).size())
        return false;
    return true;
  }

  // Whether some request satisfies the query; nullopt: the search cannot tell (too many candidates).
  std::optional<bool> run() {
    for (bool mtls : {false, true})
      for (ir::TokenState token : {ir::TokenState::None, ir::TokenState::Invalid, ir::TokenState::Valid}) {
        if (token != ir::TokenState::None && !domain_.tokens) continue;
        if (token == ir::TokenState::Invalid && !domain_.invalid_tokens) continue;
        start(mtls, token);
        if (search(0)) return true;
        if (overflow_ || confused_) return std::nullopt;
      }
    return false;
  }

  // The truths of the request found, as the solver's model would give them (decoder.h read_truths).
  detail::WitnessTruths truths() const {
    detail::WitnessTruths t;
    t.mtls = request_.mtls;
    t.token_valid = request_.token == ir::TokenState::Valid;
    t.token_invalid = request_.token == ir::TokenState::Invalid;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const AttributeSlot& s = slots_[i];
      const std::vector<bool>& v = s.truths[state_[i].chosen];
      if (s.address) {
        if (!v[0]) continue;  // only an address that exists has truths to read
        detail::AddressTruths a{s.attr, v[1], {}};
        size_t k = 2;
        for (const ir::Cidr& c : s.cidrs) a.cidrs.emplace_back(c, v[k++]);
        t.addresses.push_back(std::move(a));
        continue;
      }
      StrAssignment a;
      a.defined = v[0];
      a.atom_true.assign(v.begin() + 1, v.end());
      t.strings.push_back({s.attr, &s.key, &s.domain, &s.atoms, std::move(a)});
    }
    const std::set<uint32_t>& ports = table_.port_atoms();
    t.port_atoms.assign(ports.begin(), ports.end());
    if (!domain_.port && ports.count(request_.port)) t.true_port = request_.port;
    return t;
  }
  const detail::RequestDomain& domain() const { return domain_; }

 private:
  // The attributes the query's conditions depend on: the atoms of the rules they name, of every rule that
  // can decide (for a condition on the decision), of an action's rules, an extra atom. The query's truth does
  // not depend on any other attribute, so the search gives those only their smallest value: with it the
  // subtree holds a request iff it does with any other value, and the smallest truths have that value.
  void mark_read() {
    auto mark_atom = [&](const ir::Atom& a) {
      if (ir::attribute_kind(a.attr) == ir::AttributeKind::Port) ports_read_ = true;
      if (auto i = table_.slot_of(a)) state_[*i].read = true;
    };
    auto mark_rule = [&](const ir::Rule& r) {
      for (const auto* clauses : {&r.principals, &r.permissions})
        for (const ir::Clause& c : *clauses)
          for (const ir::Match& m : c.matches)
            for (const ir::Term& t : m.terms)
              for (const ir::Atom& a : t.atoms) mark_atom(a);
    };
    auto mark_action = [&](model::Action action, bool enforced_only) {
      for (const ir::Rule& r : detail::rules_of(program_, action))
        if (!(enforced_only && r.policy.dry_run)) mark_rule(r);
    };
    for (const Condition& c : query_.conditions()) {
      switch (c.kind) {
        case ConditionKind::RuleMatches:
          mark_rule(detail::rules_of(program_, c.rule.action)[c.rule.index]);
          break;
        case ConditionKind::ActionMatches:
          mark_action(c.action, c.action == model::Action::Allow || c.action == model::Action::Deny);
          break;
        case ConditionKind::VerdictIs:
        case ConditionKind::ReasonIs:
        case ConditionKind::DecidedBy:
        case ConditionKind::IfAuthorizerAllows:
          if (program_.custom_mode != ir::CustomMode::None) mark_action(model::Action::Custom, false);
          mark_action(model::Action::Deny, true);
          mark_action(model::Action::Allow, true);
          for (Attribute a : {Attribute::AuthIssuer, Attribute::AuthAudiences})  // the jwtRules' check
            if (auto i = table_.slot_of(a, "")) state_[*i].read = true;
          break;
        case ConditionKind::AtomHolds:
          mark_atom(c.atom);
          break;
        case ConditionKind::Mtls:
        case ConditionKind::Token:
        case ConditionKind::Protocol:
          break;
      }
    }
  }

  // The connection, and plausible values for what no variable reads (a path Envoy accepts, a method).
  void start(bool mtls, ir::TokenState token) {
    request_ = ir::Request();
    request_.mtls = mtls;
    request_.token = token;
    request_.port = domain_.port.value_or(port_values().empty() ? 0 : port_values().front());
    if (domain_.http) request_.method = "GET", request_.path = "/";
    for (SlotState& s : state_) s.assigned = false;
    port_assigned_ = false;
  }

  const std::vector<uint32_t>& port_values() const { return table_.port_values(); }
  size_t levels() const { return slots_.size() + (port_values().empty() ? 0 : 1); }

  bool search(size_t level) {
    if (++nodes_ > kMaxCanonicalNodes || atom_truths_ > kMaxAtomTruths) {
      overflow_ = true;
      return false;
    }
    const Truth t = query_truth();
    if (t == Truth::False) return false;
    if (level == levels()) return leaf_holds(t);
    if (level == slots_.size()) return search_ports(level);
    const AttributeSlot& slot = slots_[level];
    for (size_t v = 0; v < slot.values.size(); ++v) {
      const SlotValue& value = slot.values[v];
      if (ir::attribute_is_peer(slot.attr) && value.present != request_.mtls) continue;  // identity iff mTLS
      if (ir::attribute_is_jwt(slot.attr) && value.present && request_.token != ir::TokenState::Valid) continue;
      if (slot.attr == Attribute::RemoteIp && !value.present && request_.source_ip) continue;  // defaults to it
      detail::assign_slot(request_, slot.attr, slot.key, value);
      state_[level].assigned = true;
      state_[level].chosen = v;
      if (search(level + 1)) return true;
      state_[level].assigned = false;
      if (overflow_ || confused_ || !state_[level].read) return false;
    }
    return false;
  }

  bool search_ports(size_t level) {
    for (uint32_t p : port_values()) {
      request_.port = p;
      port_assigned_ = true;
      if (search(level + 1)) return true;
      port_assigned_ = false;
      if (overflow_ || confused_ || !ports_read_) return false;
    }
    return false;
  }

  // Every variable is chosen: the three-valued answer must be the concrete one.
  bool leaf_holds(Truth t) {
    const bool holds = detail::first_unsatisfied(program_, query_, request_, evaluate(program_, request_)) == nullptr;
    if (t == Truth::Unknown || holds != (t == Truth::True)) confused_ = true;  // a bug here: the solver decides
    return holds && !confused_;
  }

  Truth atom_truth(const ir::Atom& a) const {
    ++atom_truths_;
    switch (ir::attribute_kind(a.attr)) {
      case ir::AttributeKind::Port:
        if (a.op != ir::Op::PortEq || a.port > 65535) return Truth::False;
        if (!domain_.port && !port_assigned_) return Truth::Unknown;
        return detail::truth_of(a.port == request_.port);
      case ir::AttributeKind::String:
      case ir::AttributeKind::Set:
      case ir::AttributeKind::Ip: {
        const std::optional<size_t> i = table_.slot_of(a);
        if (!i) return Truth::False;  // no value satisfies it: no variable
        if (!state_[*i].assigned) return Truth::Unknown;
        return detail::truth_of(eval_atom(a, request_, program_.protocol));
      }
    }
    return Truth::Unknown;
  }

  Truth rule_truth(const ir::Rule& r) const {
    return detail::rule_truth(r, [this](const ir::Atom& a) { return atom_truth(a); });
  }

  // The first rule of `rules` that may match (enforced ones only if asked), each with an outcome, and
  // whether no rule may match at all. Mirrors evaluate.cpp first_match.
  template <class Make>
  bool first_matches(const std::vector<ir::Rule>& rules, bool enforced_only, std::vector<PossibleDecision>& out,
                     const Make& make) const {
    for (const ir::Rule& r : rules) {
      if (enforced_only && r.policy.dry_run) continue;
      const Truth t = rule_truth(r);
      if (t != Truth::False) make(r, out);
      if (t == Truth::True) return false;
    }
    return true;
  }

  // Whether a jwtRule accepts the token (evaluate.cpp issuer_accepted): its issuer, and one of its audiences.
  Truth issuer_accepted() const {
    auto chosen = [&](Attribute a) {
      const std::optional<size_t> i = table_.slot_of(a, "");
      return i && state_[*i].assigned;
    };
    auto has_audience = [&](const std::string& a) {
      if (!chosen(Attribute::AuthAudiences)) return Truth::Unknown;
      return detail::truth_of(std::find(request_.audiences.begin(), request_.audiences.end(), a) !=
                              request_.audiences.end());
    };
    Truth any = Truth::False;
    for (const auto& j : program_.jwt_issuers) {
      Truth issuer = Truth::True;
      if (!j.issuer.empty())
        issuer = chosen(Attribute::AuthIssuer) ? detail::truth_of(request_.jwt_issuer == j.issuer) : Truth::Unknown;
      Truth audience = j.audiences.empty() ? Truth::True : Truth::False;
      for (const std::string& a : j.audiences)
        if (!a.empty()) audience = detail::truth_or(audience, has_audience(a));
      any = detail::truth_or(any, detail::truth_and(issuer, audience));
    }
    return any;
  }

  // evaluate.cpp after_custom: jwt_authn, then DENY, then ALLOW.
  std::vector<PossibleDecision> after_custom() const {
    std::vector<PossibleDecision> out;
    if (program_.protocol == ir::Protocol::Http && program_.has_request_authentication) {
      if (request_.token == ir::TokenState::Invalid) return {{Verdict::Rejected, Reason::InvalidToken, nullptr, {}}};
      if (request_.token == ir::TokenState::Valid) {
        const Truth accepted = issuer_accepted();
        if (accepted != Truth::True) out.push_back({Verdict::Rejected, Reason::IssuerNotAccepted, nullptr, {}});
        if (accepted == Truth::False) return out;
      }
    }
    auto matched = [](Verdict v, Reason why) {
      return [v, why](const ir::Rule& r, std::vector<PossibleDecision>& o) { o.push_back({v, why, &r, {}}); };
    };
    if (!first_matches(program_.deny, true, out, matched(Verdict::Deny, Reason::DenyMatched))) return out;
    if (!program_.has_allow_policy) {
      out.push_back({Verdict::Allow, Reason::NoAllowPolicy, nullptr, {}});
      return out;
    }
    if (first_matches(program_.allow, true, out, matched(Verdict::Allow, Reason::AllowMatched)))
      out.push_back({Verdict::Deny, Reason::NoAllowMatched, nullptr, {}});
    return out;
  }

  // Every decision evaluate() may reach from what is chosen so far (a rule whose truth is unknown may match
  // or not). Mirrors evaluate.cpp evaluate; a path is never refused (representatives are paths Envoy accepts).
  std::vector<PossibleDecision> possible_decisions() const {
    if (!program_.enforced) return {{Verdict::Allow, Reason::NoSidecar, nullptr, {}}};
    if (program_.mtls == model::MtlsMode::Strict && !request_.mtls)
      return {{Verdict::Rejected, Reason::PlaintextOnStrict, nullptr, {}}};
    if (program_.mtls == model::MtlsMode::Disable && request_.mtls)
      return {{Verdict::Rejected, Reason::MtlsOnDisable, nullptr, {}}};
    const std::vector<PossibleDecision> rest = after_custom();
    if (program_.custom_mode == ir::CustomMode::None) return rest;
    std::vector<PossibleDecision> out;
    const bool fail_closed = program_.custom_mode == ir::CustomMode::FailClosed;
    const bool none =
        first_matches(program_.custom, false, out, [&](const ir::Rule& r, std::vector<PossibleDecision>& o) {
          if (fail_closed) {
            o.push_back({Verdict::Deny, Reason::CustomFailClosed, &r, {}});
            return;
          }
          for (const PossibleDecision& x : rest)
            o.push_back({Verdict::Delegated, Reason::CustomMatched, &r, x.verdict});
        });
    if (none) out.insert(out.end(), rest.begin(), rest.end());
    return out;
  }

  Truth condition_truth(const Condition& c, std::optional<std::vector<PossibleDecision>>& outcomes) const {
    auto decisions = [&]() -> const std::vector<PossibleDecision>& {
      if (!outcomes) outcomes = possible_decisions();
      return *outcomes;
    };
    switch (c.kind) {
      case ConditionKind::RuleMatches:
        return rule_truth(detail::rules_of(program_, c.rule.action)[c.rule.index]);
      case ConditionKind::ActionMatches: {
        const bool enforced_only = c.action == model::Action::Allow || c.action == model::Action::Deny;
        Truth any = Truth::False;
        for (const ir::Rule& r : detail::rules_of(program_, c.action)) {
          if (enforced_only && r.policy.dry_run) continue;
          const Truth t = rule_truth(r);
          if (t == Truth::True) return t;
          if (t == Truth::Unknown) any = t;
        }
        return any;
      }
      case ConditionKind::VerdictIs:
        return all_or_none(decisions(), [&](const PossibleDecision& o) { return o.verdict == c.verdict; });
      case ConditionKind::ReasonIs:
        return all_or_none(decisions(), [&](const PossibleDecision& o) { return o.reason == c.reason; });
      case ConditionKind::DecidedBy: {
        const ir::Rule* rule = &detail::rules_of(program_, c.rule.action)[c.rule.index];
        return all_or_none(decisions(), [&](const PossibleDecision& o) { return o.rule == rule; });
      }
      case ConditionKind::IfAuthorizerAllows:
        return all_or_none(decisions(), [&](const PossibleDecision& o) {
          return o.verdict == Verdict::Delegated && o.if_authorizer_allows == c.verdict;
        });
      case ConditionKind::Mtls:
        return detail::truth_of(request_.mtls);
      case ConditionKind::Token:  // as the program sees it: only where jwt_authn runs (domain_.tokens)
        return detail::truth_of(request_.token == c.token);
      case ConditionKind::AtomHolds:
        return atom_truth(c.atom);
      case ConditionKind::Protocol:
        return detail::truth_of(program_.protocol == c.protocol);
    }
    return Truth::Unknown;
  }

  Truth query_truth() const {
    std::optional<std::vector<PossibleDecision>> outcomes;
    Truth out = Truth::True;
    for (const Condition& c : query_.conditions()) {
      const Truth t = condition_truth(c, outcomes);
      const Truth x = c.positive ? t : detail::truth_not(t);
      if (x == Truth::False) return x;
      if (x == Truth::Unknown) out = x;
    }
    return out;
  }

  const CanonicalTable& table_;
  const ir::Program& program_;
  const Query& query_;
  const detail::RequestDomain& domain_;
  const std::vector<AttributeSlot>& slots_;
  std::vector<SlotState> state_;  // per slot
  ir::Request request_;
  bool port_assigned_ = false;
  bool ports_read_ = false;  // some atom the query's conditions depend on is a port atom
  size_t nodes_ = 0;
  mutable size_t atom_truths_ = 0;  // the search's work: past kMaxAtomTruths the solver is cheaper
  bool overflow_ = false, confused_ = false;
};

}  // namespace

CanonicalMemo::CanonicalMemo() = default;
CanonicalMemo::~CanonicalMemo() = default;

const CanonicalTable* CanonicalMemo::table(const ir::Program& program, const EngineOptions& options) {
  if (program_ != &program) {  // a memo made for another program: start again
    program_ = &program;
    table_.reset();
    outside_ = false;
  }
  if (table_ || outside_) return table_.get();
  auto made = std::make_unique<CanonicalTable>(program, options);
  if (made->declare(nullptr) && made->prepare())
    table_ = std::move(made);
  else
    outside_ = true;
  return table_.get();
}

std::optional<QueryResult> canonical_without_solver(const ir::Program& program, const Query& query,
                                                    const EngineOptions& options, CanonicalMemo* memo) {
  if (query.witness_shown() && !options.canonical_witnesses) return std::nullopt;  // the solver's own model
  if (!CanonicalSearch::rules_exist(program, query)) return std::nullopt;
  const bool adds_atoms = std::any_of(query.conditions().begin(), query.conditions().end(),
                                      [](const Condition& c) { return c.kind == ConditionKind::AtomHolds; });
  std::unique_ptr<CanonicalTable> own;
  const CanonicalTable* table = nullptr;
  if (memo && !adds_atoms) {
    table = memo->table(program, options);
  } else {
    own = std::make_unique<CanonicalTable>(program, options);
    if (own->declare(&query) && own->prepare()) table = own.get();
  }
  if (!table) return std::nullopt;
  CanonicalSearch search(*table, query);
  const std::optional<bool> found = search.run();
  if (!found) return std::nullopt;
  QueryResult out;
  if (!*found) {
    out.answer = SatAnswer::Unsat;
    return out;
  }
  detail::WitnessSolver no_solver;
  no_solver.theory = [](size_t, std::optional<std::string>&, std::vector<std::string>&, detail::ModelRequest& r) {
    r.status = detail::ModelRequest::Status::Unknown;  // no fresh character: the sequence theory's
    return false;
  };
  no_solver.model_port = []() -> std::optional<uint32_t> { return std::nullopt; };
  no_solver.model_address = [](size_t) -> std::optional<ir::IpAddress> { return std::nullopt; };
  const detail::WitnessTruths truths = search.truths();
  detail::ModelRequest built = detail::request_from_truths(truths, search.domain(), no_solver);
  if (built.status != detail::ModelRequest::Status::Ok) return std::nullopt;
  Decision d = evaluate(program, built.request);
  if (detail::first_unsatisfied(program, query, built.request, d)) return std::nullopt;
  out.answer = SatAnswer::Sat;
  out.request = std::move(built.request);
  out.decision = std::move(d);
  return out;
}

}  // namespace meshproof::engine
