// Internal to the lowering (lib/ir/lower_*.cpp): one written value → its IR terms, by the generator Istio
// uses for the value's field or `when` key (IS §5). The per-family functions are public in ir/lower.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "ir/lower.h"
#include "ir/values.h"

namespace meshproof::ir {

// The terms (an OR) of value `v` under generator `gen`; `key` is the header, claim or metadata key the
// caller extracted, `policy_ns` the policy's namespace (serviceAccounts). nullopt, with `error`, when
// Istio's generator fails on the value (not an IP or CIDR, not a port). `note` as in lower.h.
std::optional<std::vector<Term>> lower_value(GeneratorKind gen, const std::string& key, const std::string& v,
                                             const std::string& policy_ns, ValueNote& note, std::string& error);

// The start every lowering of a policy shares (lower_rules.cpp, for the sidecar and ztunnel): the policy's
// reference, and for a policy without rules the one rule that never matches (Istio's empty policy, IS §3;
// ztunnel's policy without groups, rbac.rs). True when `out` is complete (no rules to lower).
bool lower_policy_start(const model::AuthorizationPolicy& policy, LoweredPolicy& out);
// A null rule (`- {}` written as `-`): skipped by Istio; recorded as a drop. True when `r` is one.
bool drop_null_rule(const model::Rule& r, size_t index, LoweredPolicy& out);

}  // namespace meshproof::ir
