// Rule lowering: one AuthorizationPolicy rule → an ir::Rule, mirroring Istio's builder (IS §3-§7): one
// principal clause per `from` entry and one permission clause per `to` entry, `when` conditions copied
// into every clause of their type, and what Istio drops on the way (HTTP-only fields on a TCP port, keys
// it cannot read, values its generators reject) recorded as ir::Drop. Source references for each rule are
// in docs/semantics.md, section `ir`.
#include <algorithm>

#include "base/text.h"
#include "ir/lower.h"
#include "ir/lower_values.h"
#include "ir/values.h"

namespace meshproof::ir {

namespace {

// Which generator Istio uses for an item (model.go New; IS §4, §6).
using Gen = GeneratorKind;

// One value to lower, with where it was written.
struct Value {
  std::string text;
  Loc loc;
};

// One item: a source/operation field or a `when` condition, with its values and notValues.
struct Item {
  Gen gen;
  std::string key;        // attribute key for Header/Claims/EnvoyFilter (already extracted)
  std::string key_error;  // non-empty: the key cannot be generated (bad brackets)
  std::string field;      // "principals" / "when[request.headers[x]]"
  std::string not_field;  // "notPrincipals" / "when[...].notValues"
  std::string item_path;  // "rules[0].from[1].source.principals" for drops
  std::vector<Value> values, not_values;
  Loc loc;
};

std::vector<Value> values_of(const model::StrList& l) {
  std::vector<Value> out;
  for (const auto& s : l.items) out.push_back({s.value, s.loc});
  return out;
}

class RuleLowering {
 public:
  RuleLowering(const model::AuthorizationPolicy& pol, const LowerContext& ctx, Protocol proto, int index)
      : pol_(pol), ctx_(ctx), proto_(proto), index_(index) {}

  // Returns nullopt when Istio skips the rule; `why` then holds the RuleDropped record.
  std::optional<Rule> lower(const model::Rule& r, const PolicyRef& ref, Drop& why) {
    Rule rule;
    rule.policy = ref;
    rule.index = index_;
    rule.loc = r.loc;
    std::string rp = "rules[" + std::to_string(index_) + "]";

    // `when`: each condition goes to every principal or every permission clause (IS §4).
    std::vector<Item> when_principal, when_permission;
    for (size_t w = 0; w < r.when.size(); ++w) {
      const auto& c = r.when[w];
      Item it;
      const std::string& k = c.key.value;
      it.field = "when[" + k + "]";
      it.not_field = "when[" + k + "].notValues";
      it.item_path = rp + ".when[" + std::to_string(w) + "] " + k;
      it.values = values_of(c.values);
      it.not_values = values_of(c.not_values);
      it.loc = c.key.loc.known() ? c.key.loc : c.loc;
      std::optional<WhenKey> when_key = classify_when_key(k);
      if (!when_key) {
        // model.New fails on an unknown key: Istio skips the rule whatever the action (IS §6).
        why = {DropKind::RuleDropped, it.item_path,
               "unknown `when` key \"" + k + "\": Istio skips the whole rule (docs/semantics.md#fields)", it.loc};
        return std::nullopt;
      }
      it.gen = when_key->gen;
      if (it.gen == Gen::EnvoyFilter) {
        // The Metadata atom's key names the filter and the path in its metadata: "envoy.filters.a.b[c]".
        auto filter_key = parse_envoy_filter_key(k);
        if (!filter_key)
          it.key_error = "invalid key " + k;
        else
          it.key = filter_key->filter + "[" + filter_key->key + "]";
      } else if (it.gen == Gen::Header) {
        auto name = name_in_brackets(k.substr(std::string("request.headers").size()));
        if (!name)
          it.key_error = "cannot extract a header name from " + k;
        else
          it.key = ascii_lower(*name);
      } else if (it.gen == Gen::Claims) {
        auto names = names_in_nested_brackets(k.substr(std::string("request.auth.claims").size()));
        if (!names) {
          it.key_error = "cannot extract a claim name from " + k;
        } else {
          for (size_t i = 0; i < names->size(); ++i) it.key += (i ? "." : "") + (*names)[i];
        }
      }
      if (it.values.empty() && it.not_values.empty()) continue;
      (when_key->permission ? when_permission : when_principal).push_back(std::move(it));
    }

    // One principal clause per `from` entry and one permission clause per `to` entry (IS §4).
    if (!add_clauses(ClauseKind::Principal, r.from, kSourceFields, "from", "source", when_principal, r, rule) ||
        !add_clauses(ClauseKind::Permission, r.to, kOperationFields, "to", "operation", when_permission, r, rule))
      return fail(why);
    return rule;
  }

 private:
  // The clauses of one side of the rule (IS §4): one per `from` entry (principals) or `to` entry
  // (permissions), holding the entry's fields in model.New's order and then the `when` items of that
  // side; with no entries, one clause of the `when` items alone. False when the rule is skipped.
  template <class Entry, size_t N>
  bool add_clauses(ClauseKind kind, const std::vector<Entry>& entries, const std::array<FieldSpec<Entry>, N>& fields,
                   const char* list, const char* entry_key, const std::vector<Item>& when_items, const model::Rule& r,
                   Rule& rule) {
    std::vector<Clause>& out = kind == ClauseKind::Principal ? rule.principals : rule.permissions;
    if (entries.empty()) {
      Clause c;
      c.kind = kind;
      c.loc = r.loc;
      if (!build_clause(c, when_items, rule)) return false;
      out.push_back(std::move(c));
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      std::string base =
          "rules[" + std::to_string(index_) + "]." + list + "[" + std::to_string(i) + "]." + entry_key + ".";
      std::vector<Item> items;
      for (const auto& f : fields) {
        const model::StrList& v = e.*f.values;
        const model::StrList& nv = e.*f.not_values;
        if (v.empty() && nv.empty()) continue;
        Item it;
        it.gen = f.gen;
        it.field = f.name;
        it.not_field = f.not_name;
        it.item_path = base + f.name;
        it.values = values_of(v);
        it.not_values = values_of(nv);
        it.loc = v.present ? v.loc : nv.loc;
        items.push_back(std::move(it));
      }
      items.insert(items.end(), when_items.begin(), when_items.end());
      Clause c;
      c.kind = kind;
      c.entry = static_cast<int>(i);
      c.loc = e.loc.known() ? e.loc : r.loc;
      if (!build_clause(c, items, rule)) return false;
      out.push_back(std::move(c));
    }
    return true;
  }

  std::optional<Rule> fail(Drop& why) {
    why = failure_;
    return std::nullopt;
  }

  bool allow_semantics() const { return pol_.action == model::Action::Allow; }

  // Lowers one value of an item; nullopt plus `error` when Istio's generator fails on it.
  std::optional<std::vector<Term>> lower_item_value(const Item& it, const Value& v, std::string& error,
                                                    std::vector<Drop>& notes) {
    if (proto_ == Protocol::Tcp && generator_http_only(it.gen)) {
      error = "HTTP-only field on a TCP port (docs/semantics.md#http-only-on-tcp)";
      return std::nullopt;
    }
    if (!it.key_error.empty()) {
      error = it.key_error + " (docs/semantics.md#fields)";
      return std::nullopt;
    }
    ValueNote note;
    std::optional<std::vector<Term>> out =
        lower_value(it.gen, it.key, v.text, mesh::effective_namespace(pol_), note, error);
    if (!out) return std::nullopt;
    for (auto& t : *out) {
      t.loc = v.loc;
      if (t.source_value.empty()) t.source_value = v.text;
    }
    if (note.set) notes.push_back({note.kind, it.item_path + " \"" + v.text + "\"", note.reason, v.loc});
    return out;
  }

  // Values after trust-domain aliasing (IS §5): principals (values and notValues), trust domains.
  std::vector<Value> aliased(const Item& it, const std::vector<Value>& vals) {
    if (it.gen != Gen::Principal && it.gen != Gen::TrustDomain) return vals;
    std::vector<Value> out;
    for (const auto& v : vals) {
      auto expanded = it.gen == Gen::Principal ? alias_principals({v.text}, ctx_.trust_domains)
                                               : alias_trust_domains({v.text}, ctx_.trust_domains);
      for (auto& e : expanded) out.push_back({e, v.loc});
    }
    if (it.gen == Gen::TrustDomain) {  // ExpandTrustDomainAliases removes duplicates across the list
      std::vector<Value> dedup;
      for (auto& v : out)
        if (std::none_of(dedup.begin(), dedup.end(), [&](const Value& d) { return d.text == v.text; }))
          dedup.push_back(v);
      out = std::move(dedup);
    }
    return out;
  }

  // Appends the matches of `items` to `c`. False when an ALLOW rule must be skipped (failure_ set).
  bool build_clause(Clause& c, const std::vector<Item>& items, Rule& rule) {
    bool had_items = !items.empty();
    for (const auto& it : items) {
      for (int neg = 0; neg < 2; ++neg) {
        const auto& raw = neg ? it.not_values : it.values;
        if (raw.empty()) continue;
        Match m;
        m.field = neg ? it.not_field : it.field;
        m.negated = neg == 1;
        m.loc = it.loc;
        size_t dropped = 0, kept = 0;
        std::string error;
        std::vector<Drop> notes;
        for (const auto& v : aliased(it, raw)) {
          std::string e;
          auto terms = lower_item_value(it, v, e, notes);
          if (!terms) {
            if (allow_semantics()) {
              // checkError: an ALLOW rule is skipped on any generation error (IS §7).
              failure_ = {DropKind::RuleDropped, it.item_path, "ALLOW rule skipped by Istio: `" + m.field + "`: " + e,
                          it.loc};
              return false;
            }
            ++dropped;
            error = e;
            continue;
          }
          ++kept;
          for (auto& t : *terms) m.terms.push_back(std::move(t));
        }
        for (auto& n : notes) rule.drops.push_back(std::move(n));
        if (dropped > 0) {
          // DENY/AUDIT/CUSTOM: the value is ignored; with no value left the field disappears (IS §7).
          bool all = kept == 0;
          rule.drops.push_back(
              {DropKind::ItemDropped, it.item_path + (neg ? " (notValues)" : ""),
               std::string(all ? "`" + m.field + "` ignored by Istio: "
                               : std::to_string(dropped) + " value(s) of `" + m.field + "` ignored by Istio: ") +
                   error,
               it.loc});
          if (all) continue;
        }
        // An empty OR from only-unmatchable values stays: it is false, as Istio's matchers are.
        c.matches.push_back(std::move(m));
      }
    }
    if (had_items && c.matches.empty()) {
      c.widened_to_any = true;
      std::string what = c.kind == ClauseKind::Principal ? "from" : "to";
      std::string where = "rules[" + std::to_string(index_) + "]." + what +
                          (c.entry >= 0 ? "[" + std::to_string(c.entry) + "]" : " (when only)");
      rule.drops.push_back(
          {DropKind::ClauseWidened, where,
           "every item was ignored, so this `" + what + "` matches every request (docs/semantics.md#http-only-on-tcp)",
           c.loc});
    }
    return true;
  }

  const model::AuthorizationPolicy& pol_;
  const LowerContext& ctx_;
  Protocol proto_;
  int index_;
  Drop failure_;
};

}  // namespace

bool lower_policy_start(const model::AuthorizationPolicy& policy, LoweredPolicy& out) {
  out.ref =
      PolicyRef{&policy, policy.meta.ns, policy.meta.name, policy.action, policy.dry_run, policy.provider, policy.loc};
  if (!policy.rules.empty()) return false;
  // No rules: Istio emits a policy that never matches, named rule[0] (IS §3).
  Rule never;
  never.policy = out.ref;
  never.index = 0;
  never.loc = policy.rules_loc.known() ? policy.rules_loc : policy.loc;
  never.from_empty_spec = true;
  out.rules.push_back(std::move(never));
  return true;
}

bool drop_null_rule(const model::Rule& r, size_t index, LoweredPolicy& out) {
  if (!r.is_null) return false;
  out.drops.push_back({DropKind::RuleDropped, "rules[" + std::to_string(index) + "]",
                       "null rule: skipped by Istio (docs/semantics.md#empty-policies)", r.loc});
  return true;
}

LoweredPolicy lower_policy(const model::AuthorizationPolicy& policy, Protocol protocol, const LowerContext& ctx) {
  LoweredPolicy out;
  if (lower_policy_start(policy, out)) return out;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const model::Rule& r = policy.rules[i];
    if (drop_null_rule(r, i, out)) continue;
    RuleLowering rl(policy, ctx, protocol, static_cast<int>(i));
    Drop why;
    auto rule = rl.lower(r, out.ref, why);
    if (!rule) {
      out.drops.push_back(why);
      continue;
    }
    for (const auto& d : rule->drops) out.drops.push_back(d);
    out.rules.push_back(std::move(*rule));
  }
  return out;
}

}  // namespace meshproof::ir
