// workload-outside-mesh (MP1007): a workload that neither gets an Istio sidecar nor is enrolled in ambient
// mode, because its Namespace is declared without istio-injection, istio.io/rev or istio.io/dataplane-mode
// (istioctl's IST0102 NamespaceNotInjected), or because `--data-plane none` assumes so. Such a pod has no
// proxy: it accepts plaintext on every port and no AuthorizationPolicy or PeerAuthentication is enforced on
// it (docs/semantics.md#data-plane-membership). Deliberate opt-outs (istio-injection=disabled, a pod's
// sidecar.istio.io/inject: "false" or istio.io/dataplane-mode: none) and the namespaces istioctl also skips
// (istio-system, the root namespace, Kubernetes' system namespaces) are not reported here; in regulated
// namespaces mtls-not-strict and no-default-deny report those.
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/system_namespaces.h"

namespace meshproof::checks {
namespace {

bool skipped_namespace(const Context& ctx, const std::string& ns) { return system_namespace(ctx, ns); }

// Not a deliberate opt-out: the declared namespace says nothing, or the assumption says none.
bool unintended_outside(const mesh::Workload& w) {
  return w.data_plane == mesh::DataPlane::None && !w.data_plane_opted_out;
}

std::string unenforced_policies(const mesh::Workload& w) {
  std::vector<std::string> names;
  for (const auto* p : w.authorization_policies)
    names.push_back("AuthorizationPolicy " + namespace_of(*p) + "/" + p->meta.name);
  for (const auto* p : {w.pa_workload, w.pa_namespace, w.pa_mesh})
    if (p) names.push_back("PeerAuthentication " + namespace_of(*p) + "/" + p->meta.name);
  if (names.empty()) return "";
  return "; not enforced on it: " + join(names);
}

class WorkloadOutsideMesh final : public Check {
 public:
  WorkloadOutsideMesh()
      : Check(
            CheckInfo{"workload-outside-mesh", "MP1007", Severity::Error,
                      "A workload runs with no sidecar and no ambient enrollment: no mTLS, no authorization",
                      "Decides each workload's data plane as Istio's injection webhook and istio-cni do. A pod whose "
                      "Namespace is declared without an istio-injection, istio.io/rev or istio.io/dataplane-mode label "
                      "gets no Istio proxy at all (istioctl's IST0102): it accepts plaintext on every port and no "
                      "AuthorizationPolicy or PeerAuthentication is enforced on it. Error in regulated namespaces, "
                      "warning elsewhere; deliberate opt-outs and system namespaces are not reported."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.origin == mesh::WorkloadOrigin::Declared && !skipped_namespace(ctx, w.ns)) out.push_back(w.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    // "Any other workload" of a namespace stands for its pods only when the input declares none there.
    std::set<std::string> declared;
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.origin == mesh::WorkloadOrigin::Declared) declared.insert(w.ns);
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (w.origin == mesh::WorkloadOrigin::Synthetic || skipped_namespace(ctx, w.ns) || !unintended_outside(w))
        continue;
      if (w.origin == mesh::WorkloadOrigin::OtherWorkloads && declared.count(w.ns)) continue;
      out.push_back(finding(ctx, w));
    }
  }

 private:
  Finding finding(const Context& ctx, const mesh::Workload& w) const {
    const bool regulated = ctx.is_regulated(w.ns);
    std::string subject =
        w.origin == mesh::WorkloadOrigin::OtherWorkloads ? "the pods of namespace " + w.ns : describe_workload(w);
    std::string message = subject + " run" + (w.origin == mesh::WorkloadOrigin::OtherWorkloads ? "" : "s") +
                          " outside the mesh: " + w.injection_reason +
                          (w.data_plane_assumed ? " (an assumption, not the input)" : "") +
                          ", so Istio injects no sidecar and ztunnel does not capture " +
                          (w.origin == mesh::WorkloadOrigin::OtherWorkloads ? "them" : "it") +
                          "; plaintext is accepted on every port and no AuthorizationPolicy or PeerAuthentication "
                          "is enforced" +
                          unenforced_policies(w);
    std::string help =
        w.data_plane_assumed
            ? "declare Namespace " + w.ns +
                  " in the input with its labels, or run with --data-plane sidecar|ambient "
                  "if its pods are in the mesh"
            : "label Namespace " + w.ns +
                  " istio-injection=enabled (sidecars) or istio.io/dataplane-mode=ambient (ambient) and restart its "
                  "pods; if it must stay outside the mesh, label it istio-injection=disabled to say so "
                  "(docs/semantics.md#data-plane-membership)";
    const Loc loc = w.data_plane_loc.known() ? w.data_plane_loc : workload_loc(ctx.mesh, w);
    Finding f = make(w.ref(), loc, std::move(message), std::move(help), "outside-mesh");
    if (!regulated) f.severity = Severity::Warning;
    f.properties["workload"] = w.display();
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["data_plane"] = mesh::to_string(w.data_plane);
    f.properties["assumed"] = w.data_plane_assumed ? "true" : "false";
    f.properties["regulated"] = regulated ? "true" : "false";
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_workload_outside_mesh_check() { return std::make_unique<WorkloadOutsideMesh>(); }

}  // namespace meshproof::checks
