// query/explain on Linkerd-served workloads (analysis/linkerd_query.h).
#include "analysis/linkerd_query.h"

#include "analysis/query.h"
#include "ir/lower_linkerd.h"
#include "mesh/linkerd.h"

namespace meshproof::analysis {

bool linkerd_programs(const mesh::Workload& w, const app::Input& input, ir::WorkloadPrograms& programs) {
  if (!input.linkerd || !mesh::served_by_linkerd(w, input.mesh)) return false;
  ir::LinkerdLowered l = ir::lower_linkerd_pod(ir::linkerd_pod(w, input.mesh), *input.linkerd, ir::LinkerdCluster{});
  l.programs.class_id = programs.class_id;
  programs = std::move(l.programs);
  return true;
}

std::string linkerd_principal_as_spiffe(const std::string& principal) {
  std::string td, ns, sa;
  if (!ir::parse_linkerd_identity(principal, ir::LinkerdCluster{}, td, ns, sa)) return principal;
  return td + "/ns/" + ns + "/sa/" + sa;
}

bool apply_linkerd_caller(const mesh::Workload& caller, const app::Input& input, QueryAnswer& out) {
  if (!mesh::served_by_linkerd(caller, input.mesh) || caller.service_account.empty()) return false;
  const ir::LinkerdCluster cluster;
  out.caller = "Linkerd-meshed workload " + caller.display() + " (identity " +
               ir::linkerd_identity(caller.service_account, caller.ns, cluster) + ")";
  out.request.set_principal(cluster.trust_domain + "/ns/" + caller.ns + "/sa/" + caller.service_account);
  return true;
}

}  // namespace meshproof::analysis
