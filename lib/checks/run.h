// Running the checks: which namespaces are regulated, running every (or some) check, and applying the
// profile (severity overrides, approved exceptions) to the result. Deterministic: the same input and
// options give the same findings in the same order.
#pragma once

#include <string>
#include <vector>

#include "checks/check.h"

namespace meshproof::checks {

// Parses a namespace label selector as the CLI takes it: "k=v", or "k1=v1,k2=v2" (all must hold).
// Throws std::invalid_argument with a message that names the bad part.
model::Labels parse_label_selector(const std::string& text);

// The regulated namespaces: the union of the profile's names and selectors with the command line's
// names and "k=v" selectors. Selectors match the labels of declared Namespace objects. Sorted, unique.
// Throws std::invalid_argument for a malformed CLI selector.
std::vector<std::string> regulated_namespaces(const mesh::Mesh& mesh, const profile::Profile& profile,
                                              const std::vector<std::string>& cli_names,
                                              const std::vector<std::string>& cli_selectors);

// Runs every registered check, or only the named ones, then:
//  - applies the profile's severity overrides;
//  - marks findings covered by a non-expired profile exception (Finding::suppression =
//    "exception: <justification> (approved by X, expires Y)"); an expired exception does not suppress
//    and is reported by the `expired-exception` check (also when `only` names other checks, for the
//    exceptions about those checks);
//  - sorts with finding_less and removes exact duplicates.
// Throws std::invalid_argument when `only` names an unknown check.
std::vector<Finding> run_checks(const Context& ctx, const std::vector<std::string>& only = {});

// Check names that a profile mentions (controls, severity, exceptions) but no registered check has:
// one error each, at the mention. Call after profile::load_profile; a profile that names a check
// meshproof does not have is a typo or a stale mapping, and either would make evidence wrong.
void validate_profile_checks(const profile::Profile& profile, std::vector<profile::ProfileError>& errors);

// The registered check names, sorted; and "unknown check 'x'; did you mean 'y'?" for a name that is not one.
std::vector<std::string> check_names();
std::string unknown_check_message(const std::string& name);

// Today's date in UTC as YYYY-MM-DD (for Options::today when the CLI is not given one).
std::string today_utc();
// Options::today, or today_utc() when it is empty.
std::string effective_today(const Options& options);

}  // namespace meshproof::checks
