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

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/linkerd_rules.h"
#include "checks/system_namespaces.h"
#include "mesh/linkerd.h"

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
    const bool uses_linkerd = linkerd::linkerd_in_use(ctx);
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (w.origin == mesh::WorkloadOrigin::Synthetic || skipped_namespace(ctx, w.ns) || !unintended_outside(w))
        continue;
      if (w.origin == mesh::WorkloadOrigin::OtherWorkloads && declared.count(w.ns)) continue;
      // In a tree that uses Linkerd, a pod Linkerd skips on purpose is a deliberate opt-out too.
      if (uses_linkerd && mesh::linkerd_opted_out(w, ctx.mesh)) continue;
      out.push_back(finding(ctx, w, uses_linkerd));
    }
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.origin == mesh::WorkloadOrigin::Declared && !skipped_namespace(ctx, w.ns) &&
          mesh::served_by_linkerd(w, ctx.mesh))
        report_skipped_ports(ctx, w, out);
  }

 private:
  // The ports of a Linkerd member that config.linkerd.io/skip-inbound-ports sends past its proxy (iptables
  // returns them before the redirect): no mTLS and no Linkerd policy on them (docs/semantics.md#linkerd-checks
  // LK29 [L17]).
  void report_skipped_ports(const Context& ctx, const mesh::Workload& w, std::vector<Finding>& out) const {
    const mesh::LinkerdMembership m = mesh::linkerd_membership(w, ctx.mesh);
    std::vector<std::string> ports;
    for (const std::string& entry : split(m.skip_inbound_ports, ','))
      if (!trim(entry).empty()) ports.push_back(trim(entry));
    if (ports.empty()) return;
    const bool regulated = ctx.is_regulated(w.ns);
    const std::string list = join(ports, ", ");
    Finding f = make(w.ref(), m.loc.known() ? m.loc : workload_loc(ctx.mesh, w),
                     describe_workload(w) + " runs port" + (ports.size() > 1 ? "s " : " ") + list +
                         " outside the mesh: it is injected by Linkerd (" + m.reason +
                         "), but config.linkerd.io/skip-inbound-ports sends those ports past Linkerd's proxy, so "
                         "they accept plaintext and no Linkerd Server or authorization applies to them "
                         "(docs/semantics.md#linkerd-checks LK29)",
                     "remove the ports from config.linkerd.io/skip-inbound-ports (Linkerd's proxy can serve "
                     "non-HTTP ports: mark them opaque with config.linkerd.io/opaque-ports instead), or restrict "
                     "who reaches them with a NetworkPolicy",
                     "linkerd-skip-inbound-ports");
    if (!regulated) f.severity = Severity::Warning;
    f.properties["workload"] = w.display();
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["data_plane"] = "linkerd";
    f.properties["ports"] = list;
    f.properties["regulated"] = regulated ? "true" : "false";
    out.push_back(std::move(f));
  }

  Finding finding(const Context& ctx, const mesh::Workload& w, bool linkerd) const {
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
                          unenforced_policies(w) +
                          (linkerd ? "; nor does Linkerd inject its proxy (no linkerd.io/inject: enabled on the pod "
                                     "or its Namespace), so no Linkerd policy applies either"
                                   : "");
    std::string help =
        w.data_plane_assumed
            ? "declare Namespace " + w.ns +
                  " in the input with its labels, or run with --data-plane sidecar|ambient "
                  "if its pods are in the mesh"
            : "label Namespace " + w.ns +
                  " istio-injection=enabled (sidecars) or istio.io/dataplane-mode=ambient (ambient) and restart its "
                  "pods; if it must stay outside the mesh, label it istio-injection=disabled to say so "
                  "(docs/semantics.md#data-plane-membership)" +
                  std::string(linkerd ? "; on Linkerd, annotate the Namespace linkerd.io/inject: enabled (or "
                                        "disabled, to say it stays out)"
                                      : "");
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
