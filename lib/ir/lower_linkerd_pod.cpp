// The pod the Linkerd lowering needs, from a resolved workload (ir/lower_linkerd.h).
#include "ir/lower_linkerd.h"
#include "mesh/linkerd.h"

namespace meshproof::ir {

LinkerdPod linkerd_pod(const mesh::Workload& w, const mesh::Mesh& mesh) {
  LinkerdPod pod;
  pod.ns = w.ns;
  pod.name = w.name;
  pod.labels = w.labels;
  if (!w.service_account.empty()) pod.service_account = w.service_account;
  if (w.decl) {
    pod.ports = w.decl->ports;
    pod.loc = w.decl->loc;
    auto it = w.decl->pod_annotations.find("config.linkerd.io/proxy-require-identity-inbound-ports");
    if (it != w.decl->pod_annotations.end()) pod.require_identity_ports = it->second;
  } else {
    for (const mesh::WorkloadPort& p : w.ports) pod.ports.push_back(model::ContainerPort{p.name, p.port, "TCP", p.loc});
  }
  const mesh::LinkerdMembership m = mesh::linkerd_membership(w, mesh);
  pod.default_inbound_policy = m.default_inbound_policy;
  pod.skip_inbound_ports = m.skip_inbound_ports;
  return pod;
}

}  // namespace meshproof::ir
