// egress-unrestricted (MP4003): outboundTrafficPolicy ALLOW_ANY is in force for workloads of a regulated
// namespace (their Sidecar's, else the mesh configuration's, else Istio's default ALLOW_ANY; E3): calls to any
// host outside the registry leave through the PassthroughCluster, unobserved and without TLS unless the
// application adds it (E4). A warning: Istio says REGISTRY_ONLY is best effort, not a security control
// (docs/semantics.md#egress). When neither a Sidecar nor a mesh configuration in the input decides, the note
// says the evidence is missing (property evidence: "missing").
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/judged_workloads.h"
#include "mesh/egress.h"

namespace meshproof::checks {
namespace {

struct Group {
  mesh::OutboundPolicy policy;
  std::vector<std::string> workloads;
  const mesh::Workload* first = nullptr;
};

std::string source_text(const mesh::OutboundPolicy& p) {
  switch (p.source) {
    case mesh::OutboundSource::Sidecar:
      return "set by " + p.decided_by.display() + " (spec.outboundTrafficPolicy)";
    case mesh::OutboundSource::MeshConfig:
      return !p.mode_written ? "Istio's default: the mesh configuration " + p.decided_by.display() +
                                   " sets no outboundTrafficPolicy"
                             : "set by the mesh configuration " + p.decided_by.display();
    case mesh::OutboundSource::Assumed:
      break;
  }
  return "no Sidecar sets outboundTrafficPolicy and the input does not contain the mesh configuration, whose "
         "default is ALLOW_ANY";
}

class EgressUnrestricted final : public Check {
 public:
  EgressUnrestricted()
      : Check(CheckInfo{"egress-unrestricted", "MP4003", Severity::Warning,
                        "outboundTrafficPolicy ALLOW_ANY is in force for a regulated namespace",
                        "Workloads of a regulated namespace whose outboundTrafficPolicy (their Sidecar's, else the "
                        "mesh configuration's, default ALLOW_ANY) lets them call any host outside the service "
                        "registry: such calls go through the PassthroughCluster, without TLS unless the application "
                        "adds it and without the registry's TLS settings. A note says the evidence is missing when "
                        "the input holds neither a deciding Sidecar nor the mesh configuration."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const mesh::Workload* w : judged_regulated_workloads(ctx)) out.push_back(w->ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::map<std::pair<std::string, std::string>, Group> groups;  // (namespace, decided by)
    for (const mesh::Workload* w : judged_regulated_workloads(ctx)) {
      if (w->data_plane != mesh::DataPlane::Sidecar) continue;  // outboundTrafficPolicy is the sidecar's (E3)
      mesh::OutboundPolicy p = mesh::outbound_policy(ctx.mesh, *w);
      if (!p.allows_any()) continue;
      auto [it, inserted] = groups.try_emplace({w->ns, p.decided_by.display()}, Group{p, {}, w});
      it->second.workloads.push_back(w->display());
    }
    for (const auto& [key, g] : groups) report(ctx, key.first, g, out);
  }

 private:
  void report(const Context& ctx, const std::string& ns, const Group& g, std::vector<Finding>& out) const {
    const bool assumed = g.policy.source == mesh::OutboundSource::Assumed;
    std::string subject = "regulated namespace " + ns + " (" + join(g.workloads, ", ") + ")";
    std::string message = assumed ? "No evidence whether egress is restricted for " + subject + ": " +
                                        source_text(g.policy) + "; under ALLOW_ANY calls"
                                  : "outboundTrafficPolicy " + g.policy.mode + " is in force for " + subject + ", " +
                                        source_text(g.policy) + ": calls";
    message +=
        " to hosts outside the service registry leave the mesh through the PassthroughCluster, without TLS unless "
        "the application adds it; REGISTRY_ONLY blocks them (best effort, not a firewall) (docs/semantics.md#egress)";
    const auto nsit = ctx.mesh.namespaces.find(ns);
    const model::Namespace* decl = nsit == ctx.mesh.namespaces.end() ? nullptr : nsit->second.decl;
    // The finding is about the namespace (its resource), located at what decides the mode.
    ResourceRef where = decl ? decl->ref() : ResourceRef{"Namespace", "", ns, {}, ""};
    Loc loc = g.policy.loc.known() ? g.policy.loc : decl ? decl->loc : workload_loc(ctx.mesh, *g.first);
    Finding f = make(where, loc, std::move(message),
                     "set outboundTrafficPolicy mode REGISTRY_ONLY (meshConfig, or a Sidecar in " + ns +
                         ") and declare the external hosts the workloads need as ServiceEntries",
                     ns + ";" + g.policy.mode + ";" + g.policy.decided_by.display());
    f.severity = assumed ? Severity::Note : Severity::Warning;
    f.properties["namespace"] = ns;
    f.properties["mode"] = g.policy.mode;
    if (!g.policy.decided_by.kind.empty()) f.properties["decided_by"] = g.policy.decided_by.display();
    if (assumed) f.properties["evidence"] = "missing";
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_egress_unrestricted_check() { return std::make_unique<EgressUnrestricted>(); }

}  // namespace meshproof::checks
