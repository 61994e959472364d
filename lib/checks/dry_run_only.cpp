// dry-run-only (MP2010): every ALLOW policy that applies to a workload carries `istio.io/dry-run: "true"`.
// Dry-run policies go to Envoy's shadowRules only; when every ALLOW policy is dry-run the ALLOW filter has
// no enforcing rules at all and every request is allowed (IS §2, golden http/dry-run-allow-out.yaml). Teams
// roll policies out in dry-run and forget to switch them on.
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"

namespace meshproof::checks {
namespace {

class DryRunOnly final : public Check {
 public:
  DryRunOnly()
      : Check(CheckInfo{
            "dry-run-only", "MP2010", Severity::Error,
            "Every ALLOW policy of a workload is dry-run, so no ALLOW policy is enforced",
            "AuthorizationPolicies annotated istio.io/dry-run: \"true\" are evaluated in shadow mode only. When all "
            "ALLOW policies that apply to a workload are dry-run, Istio installs no enforcing ALLOW rules and "
            "allows every request that no DENY policy denies, although the policies in git read as a default deny."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    // policy → workloads it leaves unenforced; reported once per policy.
    std::map<const model::AuthorizationPolicy*, std::vector<const mesh::Workload*>> affected;
    std::vector<const model::AuthorizationPolicy*> order;
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      std::vector<const model::AuthorizationPolicy*> allow;
      bool any_enforced = false;
      for (const model::AuthorizationPolicy* p : w.authorization_policies) {
        if (p->action != model::Action::Allow) continue;
        allow.push_back(p);
        if (!p->dry_run) any_enforced = true;
      }
      if (allow.empty() || any_enforced) continue;
      for (const model::AuthorizationPolicy* p : allow) {
        if (!affected.count(p)) order.push_back(p);
        affected[p].push_back(&w);
      }
    }
    for (const model::AuthorizationPolicy* p : order) {
      std::vector<std::string> names;
      for (const mesh::Workload* w : affected[p]) names.push_back(describe_workload(*w));
      Loc where = p->meta.annotations.count("istio.io/dry-run") ? p->meta.loc : p->loc;
      Finding f = make(p->ref(), where,
                       resource_text(*p) +
                           " is dry-run (istio.io/dry-run: \"true\") and so is every other ALLOW "
                           "policy of " +
                           join(names, "; ") +
                           ": Istio enforces no ALLOW rule there and allows every request that no DENY policy "
                           "denies (docs/semantics.md#decision-order)",
                       "remove the istio.io/dry-run annotation (or set it to \"false\") once the shadow statistics "
                       "(istio_dry_run_allow_*) show the policy allows what it should",
                       "dry-run-only");
      f.properties["workloads"] = join(names, "; ");
      out.push_back(std::move(f));
    }
  }

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> s;
    for (const auto& p : ctx.resources.authorization_policies)
      if (p.action == model::Action::Allow) s.push_back(p.ref());
    return s;
  }
};

}  // namespace

std::unique_ptr<Check> make_dry_run_only_check() { return std::make_unique<DryRunOnly>(); }

}  // namespace meshproof::checks
