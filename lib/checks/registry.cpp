// The list of checks: the one place a check is registered. Adding a check is (docs/DESIGN.md "Recipe: a
// check"; scripts/add_check.py writes all of it): one lib/checks/<name>.cpp with the check's class (a
// Check, or a gaps::SymbolicCheck that contributes an analyzer to the shared symbolic pass) and its
// factory `std::unique_ptr<Check> make_<name>_check()`, one line in MESHPROOF_CHECKS below, one doc page
// docs/checks/<kebab-name>.md (plus its line in docs/checks/README.md), and one fixture folder
// test/fixtures/checks/<kebab-name>/ with positive.yaml and negative.yaml. test/checks/registry_test.cpp
// fails until all four exist. The order below is the order checks run in and are listed; the symbolic
// pass (checks/gap_pass.cpp) takes its analyzers from this list too.
#include <map>
#include <stdexcept>

#include "checks/check.h"

// X(<factory suffix>): one line per check.
#define MESHPROOF_CHECKS(X)         \
  X(invalid_resource)               \
  X(mtls_not_strict)                \
  X(selector_matches_nothing)       \
  X(no_default_deny)                \
  X(expired_exception)              \
  X(literal_operator_value)         \
  X(literal_wildcard)               \
  X(dry_run_only)                   \
  X(unreachable_allow_rule)         \
  X(redundant_rule)                 \
  X(never_matching_rule)            \
  X(deny_widened_on_tcp)            \
  X(plaintext_deny_bypass)          \
  X(overly_permissive_rule)         \
  X(token_optional)                 \
  X(path_normalization_bypass)      \
  X(assertion_violated)             \
  X(duplicate_resource)             \
  X(gateway_plaintext_listener)     \
  X(gateway_weak_tls)               \
  X(gateway_tls_passthrough)        \
  X(gateway_wildcard_host)          \
  X(gateway_credential_missing)     \
  X(workload_outside_mesh)          \
  X(l7_rule_at_ztunnel)             \
  X(policy_not_enforced)            \
  X(access_logging_off)             \
  X(plaintext_egress)               \
  X(egress_unrestricted)            \
  X(plaintext_hop)                  \
  X(client_tls_conflict)            \
  X(client_tls_trust)               \
  X(gateway_duplicate_certificate)  \
  X(sidecar_conflict)               \
  X(serviceentry_no_address)        \
  X(serviceentry_protocol_conflict) \
  X(waypoint_bypass)                \
  X(waypoint_identity_denied)       \
  X(jwt_claim_route_unverified)     \
  X(hbone_blocked)                  \
  X(egress_gateway_bypass)          \
  X(cilium_l7_under_mtls)           \
  X(admin_priority_tie)

namespace meshproof::checks {

#define MESHPROOF_DECLARE_FACTORY(suffix) std::unique_ptr<Check> make_##suffix##_check();
MESHPROOF_CHECKS(MESHPROOF_DECLARE_FACTORY)
#undef MESHPROOF_DECLARE_FACTORY

const std::vector<std::unique_ptr<Check>>& all_checks() {
  static const std::vector<std::unique_ptr<Check>> checks = [] {
    std::vector<std::unique_ptr<Check>> v;
#define MESHPROOF_ADD_CHECK(suffix) v.push_back(make_##suffix##_check());
    MESHPROOF_CHECKS(MESHPROOF_ADD_CHECK)
#undef MESHPROOF_ADD_CHECK
    // Names and ids are public API: a duplicate is a programming error, caught on first use.
    std::map<std::string, std::string> names, ids;
    for (const auto& c : v) {
      if (!names.emplace(c->info().name, c->info().id).second)
        throw std::logic_error("duplicate check name " + c->info().name);
      if (!ids.emplace(c->info().id, c->info().name).second)
        throw std::logic_error("duplicate check id " + c->info().id);
    }
    return v;
  }();
  return checks;
}

const Check* find_check(const std::string& name) {
  for (const auto& c : all_checks())
    if (c->info().name == name) return c.get();
  return nullptr;
}

}  // namespace meshproof::checks
