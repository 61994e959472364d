#include "checks/sidecar_scope.h"

#include "checks/describe.h"

namespace meshproof::checks {

std::vector<const mesh::Workload*> sidecar_workloads(const mesh::Mesh& mesh, const model::Sidecar& s) {
  std::vector<const mesh::Workload*> out;
  for (const mesh::Workload* w : mesh.in_namespace(namespace_of(s)))
    if (w->origin == mesh::WorkloadOrigin::Declared && mesh::labels_subset(s.workload_selector, w->labels))
      out.push_back(w);
  return out;
}

bool namespace_is_ambient(const mesh::Mesh& mesh, const std::string& ns) {
  // The "other workloads" stand-in of a namespace gets the data plane its labels decide.
  for (const mesh::Workload* w : mesh.in_namespace(ns))
    if (w->origin == mesh::WorkloadOrigin::OtherWorkloads) return w->data_plane == mesh::DataPlane::Ambient;
  return false;
}

}  // namespace meshproof::checks
