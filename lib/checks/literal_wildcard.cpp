// literal-wildcard (MP2008): a `*` that Istio does not treat as the author expects. Istio's string
// matcher checks `*` alone, then a leading `*` (suffix match on the rest), then a trailing `*` (prefix
// match) — so `*sqlmap*` is a suffix match on the literal `sqlmap*`, and a `*` in the middle (`/api/*/x`)
// is part of an exact match (IS §5, "StringMatcher / HeaderMatcher precedence"). `namespaces` are the
// exception (every `*` is a wildcard there); path templates use `{*}`/`{**}`; trustDomains are validated.
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/policy_values.h"

namespace meshproof::checks {
namespace {

bool is_path_template(const std::string& v) {
  return v.find("{*}") != std::string::npos || v.find("{**}") != std::string::npos;
}

// How Istio reads the value, or "" when every `*` means what it appears to mean.
std::string literal_reading(const std::string& v) {
  if (v.size() < 2 || v.find('*') == std::string::npos) return "";
  bool lead = v.front() == '*', trail = v.back() == '*';
  std::string inner = v.substr(lead ? 1 : 0);
  if (!lead && trail) inner = v.substr(0, v.size() - 1);
  if (lead && trail)
    return "a suffix match on the literal \"" + v.substr(1) +
           "\" (a leading `*` is checked first; the trailing `*` is an ordinary character), not a 'contains' "
           "match";
  if (inner.find('*') != std::string::npos) {
    if (lead) return "a suffix match on \"" + inner + "\", whose inner `*` is a literal character";
    if (trail) return "a prefix match on \"" + inner + "\", whose inner `*` is a literal character";
    return "an exact match on the literal text \"" + v + "\" (a `*` in the middle is not a wildcard)";
  }
  return "";
}

// Whether `sibling`, read as Istio reads it, already matches every string the author's reading of `v`
// (every `*` a wildcard) matches, so the literal `*` changes nothing: `"/dex/*"` beside `"/dex/**"`
// (IS §5 precedence: `*` alone is presence, a leading `*` a suffix match, a trailing `*` a prefix match).
bool sibling_covers(const std::string& v, const std::string& sibling) {
  if (sibling == v || sibling.empty() || !literal_reading(sibling).empty()) return false;
  if (sibling == "*") return true;
  const std::string head = v.substr(0, v.find('*'));    // every intended match starts with this
  const std::string tail = v.substr(v.rfind('*') + 1);  // ... and ends with this
  const bool lead = sibling.front() == '*', trail = sibling.back() == '*';
  if (!lead && trail) {
    const std::string p = sibling.substr(0, sibling.size() - 1);
    return head.size() >= p.size() && head.compare(0, p.size(), p) == 0;
  }
  if (lead && !trail) {
    const std::string q = sibling.substr(1);
    return tail.size() >= q.size() && tail.compare(tail.size() - q.size(), q.size(), q) == 0;
  }
  return false;
}

// What the literal reading does to the rule. A value in a `not*` list or `notValues` is an exception:
// matching less there means excluding less, so the rule matches more than intended.
std::string effect_of(model::Action action, bool negated) {
  if (!negated) {
    if (action == model::Action::Allow) return "so it allows less than intended";
    if (action == model::Action::Deny) return "so requests the author meant to deny get through";
    return "so it matches less than intended";
  }
  if (action == model::Action::Allow)
    return "so this exception excludes less than intended and the rule allows requests the author meant to "
           "exclude";
  if (action == model::Action::Deny)
    return "so this exception excludes less than intended and the rule also denies requests the author meant to "
           "exempt";
  return "so this exception excludes less than intended and the rule matches more than intended";
}

class LiteralWildcard final : public Check {
 public:
  LiteralWildcard()
      : Check(CheckInfo{
            "literal-wildcard", "MP2008", Severity::Warning,
            "A `*` in the middle of a value, or at both ends, is matched literally by Istio",
            "Istio supports only `*` alone, a leading `*` (suffix match) or a trailing `*` (prefix match). A value "
            "such as `*admin*` is a suffix match on the text `admin*`, and `/api/*/keys` is an exact match on that "
            "text, so the policy matches far less (ALLOW) or denies far less (DENY) than intended. `namespaces` "
            "values are the exception: there every `*` is a wildcard."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {
      bool any = false;  // most policies have no such value: skip collecting their lists
      for_each_value(p, [&](const PolicyValue& pv) { any = any || !reading_of(pv).empty(); });
      if (!any) continue;
      // The values of each list (one `field` per written list), for the sibling test below.
      std::map<std::string, std::vector<std::string>> lists;
      for_each_value(p, [&](const PolicyValue& pv) { lists[pv.field].push_back(pv.value->value); });
      for_each_value(p, [&](const PolicyValue& pv) {
        const std::string reading = reading_of(pv);
        if (reading.empty()) return;
        const std::string& v = pv.value->value;
        // Another value of the same list already matches all the author meant ("/dex/*" beside
        // "/dex/**"): the list as a whole behaves as intended, so there is nothing to report.
        for (const std::string& sibling : lists[pv.field])
          if (sibling_covers(v, sibling)) return;
        std::string effect = effect_of(p.action, pv.negated);
        Finding f = make(p.ref(), pv.value->loc,
                         resource_text(p) + ": " + pv.field + " value \"" + v + "\" is " + reading +
                             " (docs/semantics.md#value-matching), " + effect,
                         pv.family == "paths"
                             ? "use a path template (`/api/{*}/keys`, `/static/{**}`) or separate prefix/suffix "
                               "values; Istio has no 'contains' match"
                             : "write separate prefix (`abc*`) or suffix (`*abc`) values; Istio has no 'contains' or "
                               "inner wildcard match",
                         pv.field + "=" + v);
        f.properties["field"] = pv.field;
        f.properties["value"] = v;
        out.push_back(std::move(f));
      });
    }
  }

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return policies_with_action(ctx, {}); }

 private:
  // How Istio reads the value, "" when that is what its author meant.
  static std::string reading_of(const PolicyValue& pv) {
    // namespaces: every `*` is `.*` (IS §5); trustDomains: validation restricts `*` (IS §9);
    // requestPrincipals are split at the last `/` first (IS §5) and are not StringMatchers as written;
    // IP blocks and ports cannot hold `*`.
    if (pv.family == "namespaces" || pv.family == "when:source.namespace" || pv.family == "trustDomains" ||
        pv.family == "when:source.trustDomain" || pv.family == "requestPrincipals" ||
        pv.family == "when:request.auth.principal" || pv.family == "ipBlocks" || pv.family == "ports")
      return "";
    const std::string& v = pv.value->value;
    if (pv.family == "paths" && is_path_template(v)) return "";
    return literal_reading(v);
  }
};

}  // namespace

std::unique_ptr<Check> make_literal_wildcard_check() { return std::make_unique<LiteralWildcard>(); }

}  // namespace meshproof::checks
