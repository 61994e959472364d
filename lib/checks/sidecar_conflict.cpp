// sidecar-conflict (MP4004): Sidecar resources whose scopes collide, so that Istio applies one of them and
// ignores the others (docs/semantics.md#egress, E9; istioctl analyze IST0110, IST0111):
//  - two Sidecars whose workloadSelectors select the same declared workload (the Sidecar reference: "the
//    behavior of the system is undefined if more than one sidecar with a workloadSelector selects the same
//    workload");
//  - more than one Sidecar without a workloadSelector in a namespace ("only one Sidecar configuration without
//    any workloadSelector should be specified per namespace").
// The egress hosts and outboundTrafficPolicy a workload's proxy gets then depend on which one Istio picks
// (the oldest), not on what the input says. Ambient workloads are left to policy-not-enforced (no sidecar
// reads a Sidecar there).
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/sidecar_scope.h"

namespace meshproof::checks {
namespace {

std::string sidecar_name(const model::Sidecar& s) { return namespace_of(s) + "/" + s.meta.name; }

class SidecarConflict final : public Check {
 public:
  SidecarConflict()
      : Check(CheckInfo{
            "sidecar-conflict", "MP4004", Severity::Error,
            "Two Sidecars select the same workload, or a namespace has several Sidecars without workloadSelector",
            "When two Sidecar resources with workloadSelectors select the same workload, or a namespace holds more "
            "than one Sidecar without a workloadSelector, Istio applies only one of them (the oldest) and ignores "
            "the others: the egress hosts and outbound traffic policy of the proxy are not the ones the ignored "
            "Sidecar declares. istioctl analyze reports these as IST0110 and IST0111."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::Sidecar& s : ctx.resources.sidecars) out.push_back(s.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    report_selector_conflicts(ctx, out);
    report_namespace_defaults(ctx, out);
  }

 private:
  void report_selector_conflicts(const Context& ctx, std::vector<Finding>& out) const {
    // workload -> the selector Sidecars that select it
    std::map<const mesh::Workload*, std::vector<const model::Sidecar*>> selecting;
    for (const model::Sidecar& s : ctx.resources.sidecars) {
      if (s.workload_selector.empty()) continue;
      for (const mesh::Workload* w : sidecar_workloads(ctx.mesh, s))
        if (w->data_plane != mesh::DataPlane::Ambient) selecting[w].push_back(&s);
    }
    std::set<const model::Sidecar*> reported;
    for (const auto& [w, sidecars] : selecting) {
      if (sidecars.size() < 2) continue;
      std::vector<std::string> names;
      for (const model::Sidecar* s : sidecars) names.push_back("Sidecar " + sidecar_name(*s));
      for (const model::Sidecar* s : sidecars) {
        if (!reported.insert(s).second) continue;
        Finding f =
            make(s->ref(), s->loc,
                 "Sidecar " + sidecar_name(*s) + " selects " + describe_workload(*w) + ", which " + join(names, ", ") +
                     " all select: Istio applies one of them (the oldest) to the workload's proxy and "
                     "ignores the others, so its egress scope is not the one each declares "
                     "(docs/semantics.md#egress)",
                 "make the workloadSelectors disjoint, or merge the Sidecars into one", "workload-overlap");
        f.properties["reason"] = "selector-overlap";
        f.properties["workload"] = describe_workload(*w);
        out.push_back(std::move(f));
      }
    }
  }

  void report_namespace_defaults(const Context& ctx, std::vector<Finding>& out) const {
    std::map<std::string, std::vector<const model::Sidecar*>> defaults;
    for (const model::Sidecar& s : ctx.resources.sidecars)
      if (s.workload_selector.empty()) defaults[namespace_of(s)].push_back(&s);
    for (const auto& [ns, sidecars] : defaults) {
      if (sidecars.size() < 2 || namespace_is_ambient(ctx.mesh, ns)) continue;
      std::vector<std::string> names;
      for (const model::Sidecar* s : sidecars) names.push_back(s->meta.name);
      for (const model::Sidecar* s : sidecars) {
        Finding f =
            make(s->ref(), s->loc,
                 "Sidecar " + sidecar_name(*s) + " has no workloadSelector, as " + join(names, ", ") +
                     " in namespace " + ns +
                     " do: Istio applies only one Sidecar without selector per namespace (the oldest) "
                     "and ignores the others (docs/semantics.md#egress)",
                 "keep one Sidecar without workloadSelector in namespace " + ns + "; give the others workloadSelectors",
                 "namespace-default");
        f.properties["reason"] = "several-defaults";
        out.push_back(std::move(f));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_sidecar_conflict_check() { return std::make_unique<SidecarConflict>(); }

}  // namespace meshproof::checks
