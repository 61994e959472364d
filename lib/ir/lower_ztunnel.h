// Lowering for ambient mode's ztunnel (docs/semantics.md#ztunnel; ambient.md A4-A8, A10): which
// AuthorizationPolicies the destination ztunnel enforces, and each policy as ztunnel reads it. ztunnel
// sees connections, not requests: its programs are TCP views with L4 atoms only, so the concrete
// evaluator and the symbolic encoder need nothing of their own for it.
#pragma once

#include <string>

#include "ir/lower.h"

namespace meshproof::ir {

// Why ztunnel does not enforce `policy` at all, or "" when it does (A4): istiod sends ztunnel no
// targetRefs policy, no AUDIT or CUSTOM policy and, by default, no dry-run policy.
std::string ztunnel_skip_reason(const model::AuthorizationPolicy& policy);

// The policy as ztunnel enforces it (A5-A8): an ALLOW rule with any L7 part is dropped (RuleDropped); a
// DENY rule keeps only its L4 parts, so an entry (or `when` condition) left without one never matches,
// and the rule then never fires (ItemDropped records say which); trustDomains are ignored; namespaces and
// principals use ztunnel's exact/prefix/suffix/presence matching, principals without trust-domain aliases.
LoweredPolicy lower_policy_ztunnel(const model::AuthorizationPolicy& policy, const LowerContext& ctx);

// What ztunnel does with the L7 parts of rules[index] of an ALLOW or DENY policy (A5, A6), for checks.
struct ZtunnelRuleEffect {
  enum Kind : uint8_t {
    None,            // the rule has no L7 part
    AllowDropped,    // ALLOW: istiod omits the whole rule
    DenyWidened,     // DENY: the L7 parts are removed, the rest matches more than written
    DenyNeverFires,  // DENY: an entry or `when` condition is left without an L4 part, so the rule never matches
  };
  Kind kind = None;
  std::vector<std::string> l7_items;     // "rules[0].to[0].operation.methods", "rules[0].when[1] request.headers[x]"
  std::vector<std::string> empty_parts;  // DenyNeverFires: the parts left without an L4 part ("from[0]", "when[1]")
};
ZtunnelRuleEffect ztunnel_rule_effect(const model::AuthorizationPolicy& policy, int index);

// PeerAuthentication at ztunnel (A10): DISABLE is not supported and reads as PERMISSIVE.
model::MtlsMode ztunnel_mtls_mode(model::MtlsMode mode);

}  // namespace meshproof::ir
