// ztunnel lowering (docs/semantics.md#ztunnel): istiod's convertAuthorizationPolicy and handleRule
// (pilot/pkg/serviceregistry/ambient/authorization.go) turn an AuthorizationPolicy into ztunnel's L4
// Authorization, which ztunnel evaluates in src/rbac.rs (ambient.md §3-§5, rules A4-A8). The IR keeps its
// shape: one principal clause per `from` entry, one permission clause per `to` entry, `when` conditions
// joined to every principal clause; only the fields ztunnel has survive.
#include "ir/lower_ztunnel.h"

#include <algorithm>

#include "base/text.h"
#include "ir/lower_values.h"
#include "ir/values.h"

namespace meshproof::ir {

namespace {

using Gen = GeneratorKind;

// How istiod's handleRule treats a `source`/`operation` field: copied into ztunnel's Match (L4), reported as
// an HTTP attribute (httpOperations, httpSources), or neither (trustDomains: silently not copied, A7).
enum class Treatment : uint8_t { L4, L7, Ignored };

Treatment field_treatment(Gen g) {
  switch (g) {
    case Gen::Principal:
    case Gen::ServiceAccount:
    case Gen::Namespace:
    case Gen::SourceIp:
    case Gen::DestinationPort:
    case Gen::DestinationIp:
      return Treatment::L4;
    case Gen::TrustDomain:
      return Treatment::Ignored;
    default:
      return Treatment::L7;
  }
}

// l4WhenAttributes: every other `when` key is reported as an HTTP attribute and yields an empty Match.
bool l4_when_key(const std::string& k) {
  return k == "source.ip" || k == "source.namespace" || k == "source.principal" || k == "destination.ip" ||
         k == "destination.port";
}

// stringToMatch on the namespace of the peer identity (A8): "*" presence, "*x" suffix, "x*" prefix, anything
// else an exact literal (no inner wildcard, unlike the sidecar's regex). A mesh namespace never holds '/'.
Term ztunnel_namespace(const std::string& v) {
  StringPattern p = string_pattern(v);
  bool impossible = p.kind != StringPattern::Any &&
                    (p.text.find('/') != std::string::npos || (p.kind == StringPattern::Exact && p.text.empty()));
  Term t = impossible ? Term::constant(false) : lower_string(Attribute::PeerNamespace, "", v);
  t.source_value = v;
  return t;
}

// One value as ztunnel matches it; nullopt when istiod drops it (stringToIP, stringToPort skip what does not
// parse). Principals are not expanded by trust-domain aliases (A8).
std::optional<std::vector<Term>> ztunnel_value(Gen gen, const std::string& v, const std::string& policy_ns) {
  if (gen == Gen::Namespace) return std::vector<Term>{ztunnel_namespace(v)};
  ValueNote note;
  std::string error;
  return lower_value(gen, "", v, policy_ns, note, error);
}

// A field's values (or notValues) as one Match; nullopt when no value survives (the field is then absent).
std::optional<Match> l4_match(Gen gen, const std::string& field, bool negated, const model::StrList& list,
                              const std::string& policy_ns) {
  Match m;
  m.field = field;
  m.negated = negated;
  m.loc = list.loc;
  size_t kept = 0;
  for (const auto& s : list.items) {
    auto terms = ztunnel_value(gen, s.value, policy_ns);
    if (!terms) continue;
    ++kept;
    for (auto& t : *terms) {
      t.loc = s.loc;
      if (t.source_value.empty()) t.source_value = s.value;
      m.terms.push_back(std::move(t));
    }
  }
  if (kept == 0) return std::nullopt;
  return m;
}

// ztunnel skips a Match with no field set (rbac.rs): in an OR it can never be the one that matches.
Match never_match(const std::string& what) {
  Match m;
  m.field = what + " (no L4 part: never matches at ztunnel)";
  m.terms.push_back(Term::constant(false));
  return m;
}

// One rule lowered for ztunnel, with what happened to its L7 parts.
struct ZRule {
  Rule rule;
  std::vector<std::string> l7;           // item paths of the L7 parts, in order
  std::vector<std::string> empty_parts;  // "from[1]", "when[0]": left without an L4 part
  bool never_fires = false;              // some AND-ed part is left with no L4 part at all
  std::vector<Drop> notes;               // ignored trustDomains
};

class ZtunnelRuleLowering {
 public:
  ZtunnelRuleLowering(const model::AuthorizationPolicy& pol, int index)
      : pol_(pol), index_(index), rp_("rules[" + std::to_string(index) + "]") {}

  ZRule lower(const model::Rule& r, const PolicyRef& ref) {
    z_.rule.policy = ref;
    z_.rule.index = index_;
    z_.rule.loc = r.loc;
    bool from_never = side(ClauseKind::Principal, r.from, kSourceFields, "from", "source", r.loc);
    bool to_never = side(ClauseKind::Permission, r.to, kOperationFields, "to", "operation", r.loc);
    bool when_never = when(r);
    z_.never_fires = from_never || to_never || when_never;
    return std::move(z_);
  }

 private:
  // The clauses of one side; true when every entry was left without an L4 part (the side never matches).
  template <class Entry, size_t N>
  bool side(ClauseKind kind, const std::vector<Entry>& entries, const std::array<FieldSpec<Entry>, N>& fields,
            const char* list, const char* entry_key, const Loc& rule_loc) {
    std::vector<Clause>& out = kind == ClauseKind::Principal ? z_.rule.principals : z_.rule.permissions;
    if (entries.empty()) out.push_back(Clause{kind, -1, {}, rule_loc, false});
    bool all_empty = !entries.empty();
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      std::string entry = std::string(list) + "[" + std::to_string(i) + "]";
      Clause c{kind, static_cast<int>(i), {}, e.loc.known() ? e.loc : rule_loc, false};
      for (const auto& f : fields)
        for (int neg = 0; neg < 2; ++neg)
          add_field(c, e.*(neg ? f.not_values : f.values), f, neg == 1, entry, entry_key);
      if (c.matches.empty()) {
        c.matches.push_back(never_match(entry));
        z_.empty_parts.push_back(entry);
      } else {
        all_empty = false;
      }
      out.push_back(std::move(c));
    }
    return all_empty;
  }

  template <class Entry>
  void add_field(Clause& c, const model::StrList& list, const FieldSpec<Entry>& f, bool neg, const std::string& entry,
                 const char* entry_key) {
    if (list.empty()) return;
    const std::string name = neg ? f.not_name : f.name;
    const std::string path = rp_ + "." + entry + "." + entry_key + "." + name;
    switch (field_treatment(f.gen)) {
      case Treatment::L7:
        z_.l7.push_back(path);
        return;
      case Treatment::Ignored:
        z_.notes.push_back({DropKind::ItemDropped, path,
                            "ztunnel ignores `" + name +
                                "`: istiod does not copy trust domains into its policy, so "
                                "this entry matches peers of any trust domain (docs/semantics.md#ztunnel)",
                            list.loc});
        return;
      case Treatment::L4:
        if (auto m = l4_match(f.gen, name, neg, list, mesh::effective_namespace(pol_))) c.matches.push_back(*m);
        return;
    }
  }

  // `when`: one AND-ed part per condition; true when one of them has no L4 meaning (the rule never matches).
  bool when(const model::Rule& r) {
    bool never = false;
    std::vector<Match> matches;
    for (size_t w = 0; w < r.when.size(); ++w) {
      const model::Condition& cond = r.when[w];
      const std::string& k = cond.key.value;
      const std::string part = "when[" + std::to_string(w) + "]";
      size_t before = matches.size();
      if (!l4_when_key(k)) {
        z_.l7.push_back(rp_ + "." + part + " " + k);
      } else {
        Gen gen = classify_when_key(k)->gen;
        if (auto m = l4_match(gen, "when[" + k + "]", false, cond.values, mesh::effective_namespace(pol_)))
          matches.push_back(*m);
        if (auto m = l4_match(gen, "when[" + k + "].notValues", true, cond.not_values, mesh::effective_namespace(pol_)))
          matches.push_back(*m);
      }
      if (matches.size() == before) {
        matches.push_back(never_match(part));
        z_.empty_parts.push_back(part);
        never = true;
      }
    }
    for (Clause& c : z_.rule.principals) c.matches.insert(c.matches.end(), matches.begin(), matches.end());
    return never;
  }

  const model::AuthorizationPolicy& pol_;
  int index_;
  std::string rp_;
  ZRule z_;
};

// The records of what ztunnel does with a rule's L7 parts (A5, A6).
void record_l7(const model::AuthorizationPolicy& p, const ZRule& z, std::vector<Drop>& drops) {
  const std::string items = join(z.l7, ", ");
  if (p.action == model::Action::Allow) {
    drops.push_back({DropKind::RuleDropped, z.l7.front(),
                     "ztunnel has no L7 attributes (" + items +
                         "): istiod omits this ALLOW rule, so ztunnel allows less than written "
                         "(docs/semantics.md#ztunnel)",
                     z.rule.loc});
    return;
  }
  const std::string effect =
      z.never_fires ? "the rule is left with " + join(z.empty_parts, ", ") +
                          " without an L4 part, which never matches, so this DENY rule never fires at ztunnel"
                    : "the rule matches on its L4 parts alone, so this DENY rule denies more than written (widened)";
  for (const auto& item : z.l7) {
    const size_t space = item.find(' ');
    const std::string name = space != std::string::npos ? item.substr(space + 1) : item.substr(item.rfind('.') + 1);
    drops.push_back(
        {DropKind::ItemDropped, item,
         "ztunnel has no L7 attributes: `" + name + "` is removed and " + effect + " (docs/semantics.md#ztunnel)",
         z.rule.loc});
  }
}

}  // namespace

std::string ztunnel_skip_reason(const model::AuthorizationPolicy& p) {
  if (!p.target_refs.empty())
    return "a targetRefs policy is enforced by a waypoint or gateway, never by ztunnel (docs/semantics.md#ztunnel)";
  if (p.action == model::Action::Audit || p.action == model::Action::Custom)
    return std::string("ztunnel does not support the ") + model::to_string(p.action) +
           " action: istiod does not send the policy to ztunnel (docs/semantics.md#ztunnel)";
  if (p.dry_run)
    return "a dry-run policy is not sent to ztunnel (AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is off by default), "
           "so ztunnel neither enforces nor logs it (docs/semantics.md#ztunnel)";
  return "";
}

LoweredPolicy lower_policy_ztunnel(const model::AuthorizationPolicy& policy, const LowerContext&) {
  LoweredPolicy out;
  // No rules: no groups, which ztunnel never matches (rbac.rs), as the sidecar's empty policy (IS §3).
  if (lower_policy_start(policy, out)) return out;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const model::Rule& r = policy.rules[i];
    if (drop_null_rule(r, i, out)) continue;
    ZRule z = ZtunnelRuleLowering(policy, static_cast<int>(i)).lower(r, out.ref);
    for (auto& n : z.notes) z.rule.drops.push_back(n);
    std::vector<Drop> l7;
    if (!z.l7.empty()) record_l7(policy, z, l7);
    for (const auto& d : l7) (d.kind == DropKind::RuleDropped ? out.drops : z.rule.drops).push_back(d);
    if (policy.action == model::Action::Allow && !z.l7.empty()) continue;
    for (const auto& d : z.rule.drops) out.drops.push_back(d);
    out.rules.push_back(std::move(z.rule));
  }
  return out;
}

ZtunnelRuleEffect ztunnel_rule_effect(const model::AuthorizationPolicy& policy, int index) {
  ZtunnelRuleEffect out;
  if (index < 0 || static_cast<size_t>(index) >= policy.rules.size() || policy.rules[index].is_null) return out;
  ZRule z = ZtunnelRuleLowering(policy, index).lower(policy.rules[index], PolicyRef{});
  if (z.l7.empty()) return out;
  out.l7_items = z.l7;
  out.empty_parts = z.empty_parts;
  if (policy.action == model::Action::Allow)
    out.kind = ZtunnelRuleEffect::AllowDropped;
  else
    out.kind = z.never_fires ? ZtunnelRuleEffect::DenyNeverFires : ZtunnelRuleEffect::DenyWidened;
  return out;
}

model::MtlsMode ztunnel_mtls_mode(model::MtlsMode mode) {
  if (mode == model::MtlsMode::Disable || mode == model::MtlsMode::Unset) return model::MtlsMode::Permissive;
  return mode;
}

}  // namespace meshproof::ir
