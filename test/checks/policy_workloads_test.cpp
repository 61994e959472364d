// checks::PolicyWorkloads (the reverse index of mesh::Workload::authorization_policies that replaced a search of
// every workload per policy) gives exactly what that search gave: for every policy, the workloads whose list
// holds it, each once, in mesh order.
#include <algorithm>

#include "checks/harness.h"
#include "checks/policy_workloads.h"

using namespace meshproof;

namespace {

std::vector<const mesh::Workload*> by_search(const mesh::Mesh& mesh, const model::AuthorizationPolicy& p) {
  std::vector<const mesh::Workload*> out;
  for (const mesh::Workload& w : mesh.workloads)
    if (std::find(w.authorization_policies.begin(), w.authorization_policies.end(), &p) !=
        w.authorization_policies.end())
      out.push_back(&w);
  return out;
}

}  // namespace

TEST_CASE("PolicyWorkloads lists each policy's workloads in mesh order, as a search of every workload does") {
  for (const char* sample : {"samples/hospital", "samples/ambient", "samples/bank"}) {
    auto run = test::run_checks_on({std::string(MESHPROOF_SOURCE_DIR) + "/" + sample});
    const mesh::Mesh& mesh = run->input->mesh;
    const checks::PolicyWorkloads index(mesh);
    size_t applied = 0;
    for (const model::AuthorizationPolicy& p : run->input->resources.authorization_policies) {
      INFO(sample << ": " << p.meta.name);
      CHECK(index.of(p) == by_search(mesh, p));
      applied += index.of(p).size();
    }
    CHECK(applied > 0);  // the samples' policies do apply to workloads: the comparison is not of empty lists
  }
}
