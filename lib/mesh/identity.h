// The mesh identity of a service account, as Istio's workload certificates carry it (docs/semantics.md §3):
// TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT, with the mesh's trust domain (meshConfig.trustDomain, default
// cluster.local). One definition for everything that names a caller, a gateway or a waypoint by identity.
#pragma once

#include <string>

#include "mesh/mesh.h"

namespace meshproof::mesh {

inline std::string principal_of(const Mesh& mesh, const std::string& ns, const std::string& service_account) {
  return mesh.config.trust_domain + "/ns/" + ns + "/sa/" + service_account;
}

// The identity of a pod of `w`: its service account, Kubernetes' "default" when the pod names none.
inline std::string pod_principal(const Mesh& mesh, const Workload& w) {
  return principal_of(mesh, w.ns, w.service_account.empty() ? "default" : w.service_account);
}

}  // namespace meshproof::mesh
