// ALLOW rules that the L3/L4 layer under the mesh makes unreachable (docs/semantics.md#networkpolicy-layer,
// I1): on every workload the policy applies to, the NetworkPolicies that isolate the pod's ingress admit none
// of the ports the rule allows, so no connection the rule would allow reaches the proxy. Reported by
// unreachable-allow-rule (checks/unreachable_allow_rule.cpp), naming the NetworkPolicy.
#pragma once

#include <set>
#include <vector>

#include "checks/check.h"
#include "ir/ir.h"

namespace meshproof::checks {

// Appends one finding per such rule; rules in `already_reported` (unreachable in Istio itself) are skipped.
void report_network_blocked_allow_rules(const Context& ctx, const CheckInfo& info,
                                        const std::set<ir::RuleId>& already_reported, std::vector<Finding>& out);

}  // namespace meshproof::checks
