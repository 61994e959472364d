// mesh::resolve: runs the steps (namespaces → workloads → applicability → ports → mTLS → classes) and
// the small accessors of the resolved world.
#include <algorithm>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh {

Mesh resolve(const model::ResourceSet& resources, const ResolveOptions& options) {
  Mesh mesh;
  mesh.resources = &resources;
  mesh.config = resources.mesh;
  if (options.root_namespace && !options.root_namespace->empty()) mesh.config.root_namespace = *options.root_namespace;
  // An empty rootNamespace leaves Istio's default (pkg/config/mesh/mesh.go:91).
  if (mesh.config.root_namespace.empty()) mesh.config.root_namespace = "istio-system";
  mesh.assumed_data_plane = options.assumed_data_plane;

  detail::Indexes idx;
  idx.authz.build(resources.authorization_policies);
  idx.request_authn.build(resources.request_authentications);
  idx.peer_authn.build(resources.peer_authentications);

  detail::collect_namespaces(resources, mesh);
  detail::build_workloads(resources, mesh);
  detail::resolve_applicability(idx, mesh);
  detail::resolve_peer_authentication(idx, mesh);
  detail::resolve_ports(resources, mesh);
  detail::resolve_mtls(mesh);
  detail::build_classes(resources, mesh);
  detail::resolve_gateways(resources, mesh);
  return mesh;
}

ResourceRef Workload::ref() const {
  if (origin == WorkloadOrigin::Declared && decl) {
    ResourceRef r = decl->ref();
    r.ns = ns;
    return r;
  }
  ResourceRef r;
  r.kind = "Workload";
  r.ns = ns;
  r.name = name;
  if (origin == WorkloadOrigin::Synthetic) {
    r.loc = selector_loc;
    r.helm_source = created_by.helm_source;
  }
  return r;
}

const WorkloadPort* Workload::find_port(uint32_t port) const {
  auto it =
      std::lower_bound(ports.begin(), ports.end(), port, [](const WorkloadPort& p, uint32_t n) { return p.port < n; });
  return it != ports.end() && it->port == port ? &*it : nullptr;
}

const MtlsDecision& Workload::mtls_for(uint32_t port) const {
  const WorkloadPort* p = find_port(port);
  return p ? p->mtls : default_mtls;
}

const Workload* Mesh::find(const std::string& ns, const std::string& name) const {
  for (const Workload* w : in_namespace(ns))
    if (w->name == name) return w;
  return nullptr;
}

std::vector<const Workload*> Mesh::in_namespace(const std::string& ns) const {
  auto first = std::lower_bound(workloads.begin(), workloads.end(), ns,
                                [](const Workload& w, const std::string& n) { return w.ns < n; });
  std::vector<const Workload*> out;
  for (auto it = first; it != workloads.end() && it->ns == ns; ++it) out.push_back(&*it);
  return out;
}

}  // namespace meshproof::mesh
