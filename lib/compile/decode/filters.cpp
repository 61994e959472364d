// The decoder's top level (see decode.h): the filters of a chain → IR rules.
//   1. each filter → RawFilter: its RBAC rule sets, every policy's permissions and principals decoded
//      (matchers.h) into IR clauses (formula.h), or the ext_authz trigger prefix;
//   2. the filter sequence → which rules are CUSTOM (shadow RBAC + ext_authz pair, or Istio's fail-closed
//      deny), DENY, ALLOW, AUDIT, enforced or dry-run (IS §1, §2).
#include <algorithm>
#include <cctype>
#include <optional>

#include "compile/decode/decode.h"
#include "compile/decode/formula.h"
#include "compile/decode/matchers.h"
#include "compile/decode/node_reader.h"

namespace meshproof::compile {

namespace {

using namespace decoder;

// ---------------------------------------------------------------------------------------------------
// Policies and filters
// ---------------------------------------------------------------------------------------------------

const std::string kExtAuthzPrefix = "istio-ext-authz-";
const std::string kBadCustomSuffix = "-deny-due-to-bad-CUSTOM-action";

// "[istio-ext-authz-<provider>-]ns[NS]-policy[NAME]-rule[I][-deny-due-to-bad-CUSTOM-action]" → ref.
void parse_policy_name(const std::string& full, ir::PolicyRef& ref, int& index) {
  std::string s = full;
  if (s.ends_with(kBadCustomSuffix)) s.resize(s.size() - kBadCustomSuffix.size());
  if (s.starts_with(kExtAuthzPrefix)) {
    size_t ns = s.find("-ns[", kExtAuthzPrefix.size() - 1);
    if (ns != std::string::npos) {
      ref.provider = s.substr(kExtAuthzPrefix.size(), ns >= kExtAuthzPrefix.size() ? ns - kExtAuthzPrefix.size() : 0);
      s = s.substr(ns + 1);
    }
  }
  index = -1;
  ref.ns.clear();
  ref.name = full;
  if (!s.starts_with("ns[")) return;
  size_t p = s.find("]-policy[");
  size_t r = s.rfind("]-rule[");
  if (p == std::string::npos || r == std::string::npos || r < p || s.back() != ']') return;
  std::string digits = s.substr(r + 7, s.size() - r - 8);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return;
  ref.ns = s.substr(3, p - 3);
  ref.name = s.substr(p + 9, r - p - 9);
  index = std::stoi(digits);
}

struct RawPolicy {
  std::string name;
  ir::Rule rule;
};

struct RawRules {
  bool present = false;
  std::string action = "ALLOW";
  std::vector<RawPolicy> policies;
};

struct RawFilter {
  enum Kind { Rbac, ExtAuthz, Other } kind = Other;
  std::string name;
  std::string path;
  const Node* node = nullptr;
  RawRules rules, shadow;
  bool ext_all = false;    // ext_authz without filter_enabled_metadata: every request
  std::string ext_prefix;  // ext_authz trigger prefix
};

// The matchers of one side of a policy (its permissions or principals list), decoded.
std::vector<Formula> matchers_of(const Fields& pol, const char* list, Side side) {
  std::vector<Formula> out;
  const auto& items = seq(pol.get(list), pol.path(list));
  for (size_t i = 0; i < items.size(); ++i)
    out.push_back(decode_matcher(items[i], pol.path(list) + "[" + std::to_string(i) + "]", side));
  return out;
}

// One entry of `policies`: its name (Istio's rule name) and its rule.
RawPolicy policy(const load::MapEntry& e, const std::string& pp) {
  Fields pol(e.value, pp, {"permissions", "principals", "condition", "checkedCondition"});
  if (pol.get("condition") || pol.get("checkedCondition"))
    fail(e.value, pp, "CEL conditions on RBAC policies are not supported");
  std::vector<Formula> perms = matchers_of(pol, "permissions", Side::Permission);
  std::vector<Formula> prins = matchers_of(pol, "principals", Side::Principal);
  RawPolicy rp;
  rp.name = e.key;
  rp.rule.loc = e.key_loc;
  parse_policy_name(e.key, rp.rule.policy, rp.rule.index);
  rp.rule.policy.loc = e.key_loc;
  clauses_of(prins, ir::ClauseKind::Principal, e.value, pp + ".principals", rp.rule.principals);
  clauses_of(perms, ir::ClauseKind::Permission, e.value, pp + ".permissions", rp.rule.permissions);
  return rp;
}

RawRules rule_set(const Node& n, const std::string& path) {
  RawRules r;
  r.present = true;
  Fields f(n, path, {"action", "policies", "auditLoggingOptions"});
  if (const Node* a = f.get("action")) {
    r.action = scalar(a, f.path("action"));
    if (r.action != "ALLOW" && r.action != "DENY" && r.action != "LOG")
      fail(*a, f.path("action"), "unknown RBAC action \"" + r.action + "\"");
  }
  if (const Node* ps = f.get("policies")) {
    if (ps->is_null()) return r;
    if (!ps->is_map()) fail(*ps, f.path("policies"), "expected a map of policies");
    for (const auto& e : ps->entries) r.policies.push_back(policy(e, f.path("policies") + "[\"" + e.key + "\"]"));
  }
  return r;
}

// An ext_authz filter's trigger: without filter_enabled_metadata every request; otherwise Istio's
// prefix match on the shadow policy id that the RBAC filter `rbac` before it sets (IS §2).
void read_ext_authz(RawFilter& rf, const Node& tc, const std::string& tp, const std::string& rbac) {
  if (!tc.is_map()) fail(tc, tp, "expected a map");
  const Node* fem = nullptr;
  for (const auto& e : tc.entries)
    if (camel(e.key) == "filterEnabledMetadata") fem = &e.value;
  if (!fem) {
    rf.ext_all = true;
    return;
  }
  std::string fp = tp + ".filterEnabledMetadata";
  Fields m(*fem, fp, {"filter", "path", "value", "invert"});
  std::string filt = scalar(m.get("filter"), m.path("filter"));
  const auto& segs = seq(m.get("path"), m.path("path"));
  bool shape = filt == rbac && segs.size() == 1 && !(m.get("invert") && boolean(m.get("invert"), m.path("invert")));
  std::string key;
  if (shape) {
    Fields s(segs[0], m.path("path") + "[0]", {"key"});
    key = scalar(s.get("key"), s.path("key"));
  }
  if (!shape || key != "istio_ext_authz_shadow_effective_policy_id" || !m.get("value"))
    fail(*fem, fp,
         "filter_enabled_metadata is not Istio's shadow-policy trigger (" + rbac +
             " / istio_ext_authz_shadow_effective_policy_id prefix match)");
  Fields v(*m.get("value"), m.path("value"), {"stringMatch"});
  if (!v.get("stringMatch")) fail(*m.get("value"), m.path("value"), "expected a string_match prefix");
  Fields sm(*v.get("stringMatch"), v.path("stringMatch"), {"prefix"});
  rf.ext_prefix = scalar(sm.get("prefix"), sm.path("prefix"));
  if (rf.ext_prefix.empty()) fail(*v.get("stringMatch"), v.path("stringMatch"), "empty ext_authz trigger prefix");
}

RawFilter raw_filter(const Node& n, const std::string& path, ir::Protocol protocol, bool skip_other) {
  RawFilter rf;
  rf.path = path;
  rf.node = &n;
  Fields f(n, path, {"name", "typedConfig", "isOptional", "disabled", "configDiscovery"});
  rf.name = scalar(f.get("name"), f.path("name"));
  bool http = protocol == ir::Protocol::Http;
  const std::string rbac = http ? "envoy.filters.http.rbac" : "envoy.filters.network.rbac";
  const std::string ext = http ? "envoy.filters.http.ext_authz" : "envoy.filters.network.ext_authz";
  const Node* tc = f.get("typedConfig");
  std::string type;
  if (tc && tc->is_map()) {
    if (const Node* t = tc->find("@type")) type = t->scalar;
  }
  const std::string rbac_type = http ? "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"
                                     : "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";
  const std::string ext_type = http ? "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"
                                    : "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz";
  bool is_rbac = type == rbac_type || (type.empty() && rf.name == rbac);
  bool is_ext = type == ext_type || (type.empty() && rf.name == ext);
  if (!is_rbac && !is_ext) {
    if (skip_other) return rf;
    fail(n, path, "filter \"" + rf.name + "\" is not an " + (http ? "HTTP" : "network") + " RBAC or ext_authz filter");
  }
  if (f.get("disabled") && boolean(f.get("disabled"), f.path("disabled")))
    fail(n, path, "a disabled filter (enabled per route) is not supported");
  if (!tc) fail(n, path, "filter without typed_config");
  std::string tp = f.path("typedConfig");
  if (is_rbac) {
    rf.kind = RawFilter::Rbac;
    Fields t(*tc, tp,
             {"@type", "rules", "shadowRules", "shadowRulesStatPrefix", "rulesStatPrefix", "statPrefix", "matcher",
              "shadowMatcher", "trackPerRuleStats", "enforcementType", "delayDenyMs"});
    if (t.get("matcher") || t.get("shadowMatcher"))
      fail(*tc, tp, "RBAC filters configured with the generic matcher API are not supported");
    if (const Node* r = t.get("rules"); r && !r->is_null()) rf.rules = rule_set(*r, t.path("rules"));
    if (const Node* s = t.get("shadowRules"); s && !s->is_null()) rf.shadow = rule_set(*s, t.path("shadowRules"));
    return rf;
  }
  rf.kind = RawFilter::ExtAuthz;
  read_ext_authz(rf, *tc, tp, rbac);
  return rf;
}

void add_rules(std::vector<ir::Rule>& dest, const RawRules& rs, model::Action action, bool dry_run,
               const std::string& provider) {
  for (const auto& p : rs.policies) {
    ir::Rule r = p.rule;
    r.policy.action = action;
    r.policy.dry_run = dry_run;
    if (!provider.empty()) r.policy.provider = provider;
    dest.push_back(std::move(r));
  }
}

model::Action action_of(const std::string& a) {
  if (a == "DENY") return model::Action::Deny;
  if (a == "LOG") return model::Action::Audit;
  return model::Action::Allow;
}

std::vector<ir::Rule>& list_for(DecodedTable& t, model::Action a) {
  switch (a) {
    case model::Action::Deny:
      return t.deny;
    case model::Action::Audit:
      return t.audit;
    case model::Action::Custom:
      return t.custom;
    default:
      return t.allow;
  }
}

// CUSTOM, delegating: shadow rules named with the prefix the next filter (ext_authz) triggers on. False
// when `f` and `next` are not such a pair.
bool add_delegating_pair(const RawFilter& f, const RawFilter* next, DecodedTable& out) {
  bool pair = next && next->kind == RawFilter::ExtAuthz && !next->ext_all && f.shadow.present &&
              f.shadow.action == "DENY" && !f.shadow.policies.empty();
  if (pair)
    for (const auto& p : f.shadow.policies)
      if (!p.name.starts_with(next->ext_prefix + "-")) pair = false;
  if (!pair) return false;
  if (!next->ext_prefix.starts_with(kExtAuthzPrefix))
    fail(*next->node, next->path, "ext_authz trigger prefix does not start with " + kExtAuthzPrefix);
  std::string provider = next->ext_prefix.substr(kExtAuthzPrefix.size());
  add_rules(out.custom, f.shadow, model::Action::Custom, false, provider);
  // Enforcing rules in a CUSTOM filter (Istio puts dry-run CUSTOM rules there) act by their action.
  if (f.rules.present) {
    model::Action a = action_of(f.rules.action);
    if (a == model::Action::Allow)
      fail(*f.node, f.path, "an enforcing ALLOW rule set inside a CUSTOM filter is not supported");
    add_rules(list_for(out, a), f.rules, a, false, "");
  }
  return true;
}

// CUSTOM, fail-closed: an enforcing DENY whose policies all carry Istio's CUSTOM prefix (IS §2).
bool is_fail_closed(const RawFilter& f) {
  bool closed = f.rules.present && f.rules.action == "DENY" && !f.rules.policies.empty() && !f.shadow.present;
  if (closed)
    for (const auto& p : f.rules.policies)
      if (!p.name.starts_with(kExtAuthzPrefix)) closed = false;
  return closed;
}

// ext_authz without filter_enabled_metadata: every request goes to the authorizer, one CUSTOM rule that
// always matches.
ir::Rule custom_match_all(const RawFilter& f, size_t index) {
  ir::Rule r;
  r.index = -1;
  r.policy.name = "ext_authz[" + std::to_string(index) + "] (no filter_enabled_metadata)";
  r.policy.action = model::Action::Custom;
  r.principals.push_back(ir::Clause{ir::ClauseKind::Principal, -1, {}, f.node->loc, false});
  r.permissions.push_back(ir::Clause{ir::ClauseKind::Permission, -1, {}, f.node->loc, false});
  return r;
}

void classify(std::vector<RawFilter>& raw, DecodedTable& out) {
  bool delegate = false, fail_closed = false;
  size_t allow_enforcing = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    RawFilter& f = raw[i];
    if (f.kind == RawFilter::Other) {
      out.skipped_filters.push_back(f.name);
      continue;
    }
    if (f.kind == RawFilter::ExtAuthz) {
      ++out.ext_authz_filters;
      if (f.ext_all) {
        out.custom.push_back(custom_match_all(f, i));
        delegate = true;
      }
      continue;  // a prefixed ext_authz is consumed by the RBAC filter before it
    }
    ++out.rbac_filters;
    if (add_delegating_pair(f, i + 1 < raw.size() ? &raw[i + 1] : nullptr, out)) {
      delegate = true;
      continue;
    }
    if (is_fail_closed(f)) {
      add_rules(out.custom, f.rules, model::Action::Custom, false, "");
      fail_closed = true;
      continue;
    }
    if (f.rules.present) {
      model::Action a = action_of(f.rules.action);
      if (a == model::Action::Allow) {
        ++allow_enforcing;
        out.has_allow_policy = true;
      }
      add_rules(list_for(out, a), f.rules, a, false, "");
    }
    if (f.shadow.present) {
      model::Action a = action_of(f.shadow.action);
      add_rules(list_for(out, a), f.shadow, a, true, "");
    }
  }
  if (allow_enforcing > 1)
    throw Failure{
        DecodeError{raw.front().node->loc, raw.front().path,
                    "several enforcing ALLOW RBAC filters: a request must pass each of them, which "
                    "meshproof's decision model (one ALLOW set, docs/semantics.md#decision-order) cannot express"}};
  if (delegate && fail_closed)
    throw Failure{DecodeError{raw.front().node->loc, raw.front().path,
                              "both delegating and fail-closed CUSTOM filters: not expressible"}};
  out.custom_mode = delegate      ? ir::CustomMode::Delegate
                    : fail_closed ? ir::CustomMode::FailClosed
                                  : ir::CustomMode::None;
}

}  // namespace

bool decode_filters(const std::vector<const load::Node*>& filters, const std::vector<std::string>& paths,
                    ir::Protocol protocol, const DecodeOptions& options, DecodedTable& out,
                    std::vector<DecodeError>& errors) {
  out = DecodedTable{};
  out.protocol = protocol;
  try {
    std::vector<RawFilter> raw;
    for (size_t i = 0; i < filters.size(); ++i)
      raw.push_back(raw_filter(*filters[i], i < paths.size() ? paths[i] : "filters[" + std::to_string(i) + "]",
                               protocol, options.skip_other_filters));
    if (!raw.empty()) classify(raw, out);
    return true;
  } catch (const Failure& f) {
    errors.push_back(f.e);
    return false;
  }
}

bool decode_table(const load::Node& root, ir::Protocol protocol, DecodedTable& out, std::vector<DecodeError>& errors) {
  std::vector<const load::Node*> filters;
  std::vector<std::string> paths;
  if (root.is_seq()) {
    for (size_t i = 0; i < root.items.size(); ++i) {
      filters.push_back(&root.items[i]);
      paths.push_back("[" + std::to_string(i) + "]");
    }
  } else if (root.is_map()) {
    filters.push_back(&root);
    paths.push_back("$");
  } else if (!root.is_null()) {
    errors.push_back(
        DecodeError{root.loc, "$", std::string("expected a list of filters or one filter, found ") + root.type_name()});
    return false;
  }
  return decode_filters(filters, paths, protocol, DecodeOptions{}, out, errors);
}

ir::Program to_program(const DecodedTable& t, const ir::Program& context) {
  ir::Program p = context;
  p.custom = t.custom;
  p.deny = t.deny;
  p.allow = t.allow;
  p.audit = t.audit;
  p.custom_mode = t.custom_mode;
  p.custom_reason =
      t.custom_mode == ir::CustomMode::FailClosed
          ? "the table enforces the CUSTOM rules as DENY (Istio's fail-closed CUSTOM, docs/semantics.md#decision-order)"
          : "";
  p.has_allow_policy = t.has_allow_policy;
  p.drops.clear();
  return p;
}

}  // namespace meshproof::compile
