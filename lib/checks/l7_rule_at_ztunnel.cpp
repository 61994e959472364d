// l7-rule-at-ztunnel (MP1008): an ALLOW or DENY rule with L7 parts (methods, paths, hosts, requestPrincipals,
// remoteIpBlocks, `when` keys other than source.ip/namespace/principal and destination.ip/port) in a policy
// that ztunnel enforces on an ambient workload. ztunnel only sees connections: istiod omits such an ALLOW
// rule (a policy left without rules denies every connection no other ALLOW rule allows), and keeps such a
// DENY rule without its L7 parts, so it denies more than written or, when an entry or condition is left with
// no L4 part, never fires (docs/semantics.md#ztunnel; ambient.md A5, A6; istio/istio#61126).
#include <algorithm>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/policy_workloads.h"
#include "ir/lower_ztunnel.h"

namespace meshproof::checks {
namespace {

constexpr const char* kHelp =
    "enforce L7 rules at a waypoint: deploy one (a Gateway of class istio-waypoint), bind the workload's Service "
    "with the label istio.io/use-waypoint and attach the policy with `targetRefs` instead of `selector`; or keep "
    "only L4 parts (ports, principals, namespaces, serviceAccounts, ipBlocks) in rules that ztunnel enforces "
    "(docs/semantics.md#ztunnel)";

// The ambient workloads whose ztunnel enforces `p` (the policy applies to them and ztunnel accepts it).
std::vector<const mesh::Workload*> ztunnel_targets(const PolicyWorkloads& applying,
                                                   const model::AuthorizationPolicy& p) {
  std::vector<const mesh::Workload*> out;
  if (!ir::ztunnel_skip_reason(p).empty()) return out;
  for (const mesh::Workload* w : applying.of(p))
    if (w->data_plane == mesh::DataPlane::Ambient) out.push_back(w);
  return out;
}

std::string effect_name(ir::ZtunnelRuleEffect::Kind k) {
  switch (k) {
    case ir::ZtunnelRuleEffect::AllowDropped:
      return "allow-rule-dropped";
    case ir::ZtunnelRuleEffect::DenyWidened:
      return "deny-widened";
    case ir::ZtunnelRuleEffect::DenyNeverFires:
      return "deny-never-fires";
    default:
      return "none";
  }
}

// Every rule of the ALLOW policy has L7 parts: ztunnel receives a policy without rules.
bool every_rule_dropped(const model::AuthorizationPolicy& p) {
  for (size_t i = 0; i < p.rules.size(); ++i)
    if (!p.rules[i].is_null && ir::ztunnel_rule_effect(p, static_cast<int>(i)).kind == ir::ZtunnelRuleEffect::None)
      return false;
  return true;
}

std::string what_happens(const model::AuthorizationPolicy& p, const ir::ZtunnelRuleEffect& e,
                         const std::string& targets) {
  switch (e.kind) {
    case ir::ZtunnelRuleEffect::AllowDropped:
      return "istiod omits the whole rule, so ztunnel allows nothing by it" +
             std::string(every_rule_dropped(p) ? "; no rule of the policy is left, and an ALLOW policy without rules "
                                                 "makes ztunnel deny every connection to " +
                                                     targets + " that no other ALLOW policy allows"
                                               : "");
    case ir::ZtunnelRuleEffect::DenyWidened:
      return "ztunnel enforces the rule without its L7 parts, so it denies every connection its L4 parts match: "
             "more than written";
    case ir::ZtunnelRuleEffect::DenyNeverFires:
      return "the rule is left with " + join(e.empty_parts) +
             " without any L4 part, which ztunnel never matches, so the rule never fires and denies nothing";
    default:
      return "";
  }
}

class L7RuleAtZtunnel final : public Check {
 public:
  L7RuleAtZtunnel()
      : Check(CheckInfo{"l7-rule-at-ztunnel", "MP1008", Severity::Error,
                        "A rule with L7 parts is enforced by ztunnel, which drops or narrows it",
                        "ztunnel, the node proxy of ambient mode, authorizes connections and has no L7 attributes. In "
                        "a policy it enforces (a selector or namespace-wide policy on an ambient workload), istiod "
                        "omits every ALLOW rule with an L7 part (a policy left without rules denies everything no "
                        "other ALLOW policy allows) and keeps a DENY rule without its L7 parts, so the rule denies "
                        "more than written or, when an entry or condition has no L4 part left, never fires."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Allow, model::Action::Deny});
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const PolicyWorkloads applying(ctx.mesh);
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {
      std::vector<const mesh::Workload*> targets = ztunnel_targets(applying, p);
      if (targets.empty()) continue;
      for (size_t i = 0; i < p.rules.size(); ++i) {
        ir::ZtunnelRuleEffect e = ir::ztunnel_rule_effect(p, static_cast<int>(i));
        if (e.kind != ir::ZtunnelRuleEffect::None) out.push_back(finding(p, static_cast<int>(i), e, targets));
      }
    }
  }

 private:
  Finding finding(const model::AuthorizationPolicy& p, int index, const ir::ZtunnelRuleEffect& e,
                  const std::vector<const mesh::Workload*>& targets) const {
    std::vector<std::string> names;
    for (const mesh::Workload* w : targets) names.push_back(describe_workload(*w));
    const size_t shown = std::min<size_t>(names.size(), 3);
    std::string target_text = join(std::vector<std::string>(names.begin(), names.begin() + shown));
    if (names.size() > shown) target_text += " and " + std::to_string(names.size() - shown) + " more";
    std::vector<std::string> items;
    for (const auto& item : e.l7_items) items.push_back(item.substr(item.find('.') + 1));
    const std::string rule = "rules[" + std::to_string(index) + "]";
    std::string message = std::string(model::to_string(p.action)) + " AuthorizationPolicy " + namespace_of(p) + "/" +
                          p.meta.name + " " + rule + " has L7 parts (" + join(items) +
                          ") and is enforced by ztunnel on " + target_text +
                          " (ambient): " + what_happens(p, e, target_text) + " (docs/semantics.md#ztunnel)";
    const Loc loc = p.rules[index].loc.known() ? p.rules[index].loc : p.loc;
    Finding f = make(p.ref(), loc, std::move(message), kHelp, rule);
    f.properties["effect"] = effect_name(e.kind);
    f.properties["l7_items"] = join(items);
    f.properties["workloads"] = join(names);
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_l7_rule_at_ztunnel_check() { return std::make_unique<L7RuleAtZtunnel>(); }

}  // namespace meshproof::checks
