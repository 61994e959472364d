#include "checks/judged_workloads.h"

#include <set>

namespace meshproof::checks {

std::vector<const mesh::Workload*> judged_regulated_workloads(const Context& ctx) {
  std::set<std::string> has_declared;
  for (const mesh::Workload& w : ctx.mesh.workloads)
    if (w.origin == mesh::WorkloadOrigin::Declared) has_declared.insert(w.ns);
  std::vector<const mesh::Workload*> out;
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (!ctx.is_regulated(w.ns)) continue;
    if (w.origin == mesh::WorkloadOrigin::Declared ||
        (w.origin == mesh::WorkloadOrigin::OtherWorkloads && !has_declared.count(w.ns)))
      out.push_back(&w);
  }
  return out;
}

}  // namespace meshproof::checks
