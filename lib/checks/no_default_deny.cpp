// no-default-deny (MP1004): a workload in a regulated namespace to which no enforced ALLOW policy
// applies. Istio's decision (IS §2): CUSTOM, then DENY, then "no ALLOW policies for the workload →
// allow". So without an ALLOW policy, every request that no DENY policy matches is allowed. Dry-run
// ALLOW policies do not count: they only produce shadow rules and enforce nothing (IS §2, "Dry run").
// CUSTOM and AUDIT policies do not count either: they never allow, so they do not switch the workload
// to "deny unless allowed".
#include "checks/check.h"
#include "checks/describe.h"
#include "mesh/linkerd.h"

namespace meshproof::checks {
namespace {

class NoDefaultDeny final : public Check {
 public:
  NoDefaultDeny()
      : Check(CheckInfo{
            "no-default-deny", "MP1004", Severity::Error,
            "A workload in a regulated namespace has no enforced ALLOW policy, so everything not denied is allowed",
            "Istio allows every request to a workload that has no ALLOW AuthorizationPolicy, unless a DENY "
            "policy matches it. A regulated workload therefore needs at least one enforced (not dry-run) ALLOW "
            "policy; a namespace-wide `spec: {}` ALLOW policy makes the namespace deny by default. Reported per "
            "workload, including 'any other workload' of the namespace, which is exactly the namespace-wide gap."}) {}

  // What this check examines is every workload of a regulated namespace (not the default, the policies),
  // so that JUnit lists a passing case per workload and auditor reports show the workloads as evidence.
  std::vector<ResourceRef> subjects(const Context& ctx) const override { return regulated_workloads(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (!ctx.is_regulated(w.ns)) continue;
      // Linkerd's proxy serves it: Istio's AuthorizationPolicy does not decide, Linkerd's default inbound policy does.
      if (mesh::served_by_linkerd(w, ctx.mesh)) {
        report_linkerd(ctx, w, out);
        continue;
      }
      std::vector<const model::AuthorizationPolicy*> dry_run_allow;
      bool enforced_allow = false;
      for (const model::AuthorizationPolicy* p : w.authorization_policies) {
        if (p->action != model::Action::Allow) continue;
        if (p->dry_run)
          dry_run_allow.push_back(p);
        else
          enforced_allow = true;
      }
      if (w.has_proxy() && enforced_allow) continue;

      const std::string subject = describe_workload(w);
      const std::string default_deny_fix =
          "add an ALLOW AuthorizationPolicy in namespace " + w.ns +
          " with no selector and an empty spec (`spec: {}`, e.g. named allow-nothing): it denies every "
          "request that no other ALLOW policy allows; then add ALLOW policies for the callers each workload "
          "needs";
      std::string message, help;
      if (!w.has_proxy()) {
        message = subject + " runs without an Istio sidecar (" + w.injection_reason +
                  "), so no AuthorizationPolicy is enforced on it and every request reaches it";
        help = "enable sidecar injection for " + subject + ", and make sure an ALLOW policy applies to it";
      } else {
        if (w.origin == mesh::WorkloadOrigin::OtherWorkloads)
          message = "namespace " + w.ns + " has no namespace-wide default deny: " + subject +
                    " (one that no selector-based policy selects)";
        else
          message = subject;
        message +=
            " has no enforced ALLOW AuthorizationPolicy, so Istio allows every request to it that no "
            "DENY policy matches";
        std::vector<std::string> ignored;
        for (const auto* p : w.ignored_target_ref_authorization_policies)
          if (p->action == model::Action::Allow && !p->dry_run)
            ignored.push_back(namespace_of(*p) + "/" + p->meta.name);
        if (!ignored.empty())
          message += " (ALLOW " + std::string(ignored.size() == 1 ? "policy " : "policies ") + join(ignored) + " use" +
                     (ignored.size() == 1 ? "s" : "") + " targetRefs, which Istio ignores for " +
                     (w.data_plane == mesh::DataPlane::Ambient ? "ztunnel: only a waypoint enforces them)"
                                                               : "a sidecar workload)");
        if (!dry_run_allow.empty()) {
          std::vector<std::string> names;
          for (const auto* p : dry_run_allow) names.push_back(namespace_of(*p) + "/" + p->meta.name);
          message += " (ALLOW " + std::string(names.size() == 1 ? "policy " : "policies ") + join(names) +
                     (names.size() == 1 ? " is" : " are") + " dry-run only and enforce nothing)";
        }
        help = dry_run_allow.empty()
                   ? default_deny_fix
                   : "remove the istio.io/dry-run annotation once the dry-run ALLOW policy has been verified, or " +
                         default_deny_fix;
      }

      Finding f = make(w.ref(), workload_loc(ctx.mesh, w), std::move(message), std::move(help), "no-allow");
      for (const auto* p : dry_run_allow)
        f.related.push_back(RelatedLocation{"dry-run ALLOW policy (not enforced)", p->ref(), p->loc});
      f.properties["workload"] = w.display();
      f.properties["workload_kind"] = workload_kind(w);
      f.properties["sidecar"] = w.has_proxy() ? "true" : "false";
      f.properties["dry_run_allow_policies"] = std::to_string(dry_run_allow.size());
      out.push_back(std::move(f));
    }
  }

 private:
  // A Linkerd member (docs/semantics.md#linkerd-policy LK14, LK15): every port no Linkerd Server covers (at least
  // every port the pod does not declare) is decided by the default inbound policy; anything but `deny` admits
  // callers that no authorization names.
  void report_linkerd(const Context& ctx, const mesh::Workload& w, std::vector<Finding>& out) const {
    const mesh::LinkerdMembership m = mesh::linkerd_membership(w, ctx.mesh);
    std::string from;
    const std::string policy = mesh::linkerd_default_policy(m, &from, ctx.linkerd_default_policy);
    if (policy == "deny") return;
    const std::string who =
        mesh::linkerd_policy_admits_plaintext(policy) ? "every client, plaintext included" : "every meshed client";
    Finding f = make(w.ref(), m.loc.known() ? m.loc : workload_loc(ctx.mesh, w),
                     describe_workload(w) + " is served by Linkerd (" + m.reason + ") with default inbound policy " +
                         policy + " (" + from + "): every port no Linkerd Server covers admits " + who +
                         " (docs/semantics.md#linkerd-policy)",
                     "set config.linkerd.io/default-inbound-policy: deny on namespace " + w.ns +
                         " (or the pod template) and recreate the pods; then give each port a Server and an "
                         "AuthorizationPolicy for the callers it needs",
                     "linkerd-default=" + policy);
    f.properties["workload"] = w.display();
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["sidecar"] = "false";
    f.properties["dry_run_allow_policies"] = "0";
    f.properties["linkerd_default_inbound_policy"] = policy;
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_no_default_deny_check() { return std::make_unique<NoDefaultDeny>(); }

}  // namespace meshproof::checks
