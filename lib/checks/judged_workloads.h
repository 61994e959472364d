// The workloads the checks about regulated workloads judge one by one (access-logging-off, plaintext-egress,
// egress-unrestricted): the declared workloads of regulated namespaces, and a regulated namespace's "any other
// workload" when it declares none (so that a namespace known only from its policies is still judged once).
#pragma once

#include <vector>

#include "checks/check.h"

namespace meshproof::checks {

std::vector<const mesh::Workload*> judged_regulated_workloads(const Context& ctx);

}  // namespace meshproof::checks
