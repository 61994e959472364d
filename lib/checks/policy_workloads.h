// The workloads each AuthorizationPolicy applies to (mesh::Workload::authorization_policies read the other way),
// in the mesh's workload order. Built in one pass over the workloads: searching every workload's list once per
// policy cost policies × workloads, which dominated `check` at 100k policies (docs/performance.md).
#pragma once

#include <unordered_map>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::checks {

class PolicyWorkloads {
 public:
  explicit PolicyWorkloads(const mesh::Mesh& mesh);
  // Each workload once, in mesh order; empty when the policy applies to none.
  const std::vector<const mesh::Workload*>& of(const model::AuthorizationPolicy& p) const;

 private:
  std::unordered_map<const model::AuthorizationPolicy*, std::vector<const mesh::Workload*>> by_policy_;
  std::vector<const mesh::Workload*> none_;
};

}  // namespace meshproof::checks
