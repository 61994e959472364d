#include "checks/policy_workloads.h"

namespace meshproof::checks {

PolicyWorkloads::PolicyWorkloads(const mesh::Mesh& mesh) {
  for (const mesh::Workload& w : mesh.workloads)
    for (const model::AuthorizationPolicy* p : w.authorization_policies) {
      std::vector<const mesh::Workload*>& list = by_policy_[p];
      if (list.empty() || list.back() != &w) list.push_back(&w);  // a policy listed twice counts once
    }
}

const std::vector<const mesh::Workload*>& PolicyWorkloads::of(const model::AuthorizationPolicy& p) const {
  auto it = by_policy_.find(&p);
  return it == by_policy_.end() ? none_ : it->second;
}

}  // namespace meshproof::checks
