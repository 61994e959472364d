// Helpers for the findings of the symbolic (gap) checks: inconclusive notes, witnesses and the phrases
// their messages are built from.
#pragma once

#include <string>
#include <vector>

#include "base/finding.h"
#include "checks/check.h"
#include "checks/gap_views.h"
#include "engine/query.h"
#include "ir/ir.h"

namespace meshproof::checks::gaps {

class Shared;  // checks/gap_pass.h

// The inconclusive-proof note of a check: severity note, property inconclusive=true, message ending in
// "the solver answered unknown (<reason>), so meshproof cannot say whether ...".
Finding inconclusive_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, const std::string& subject,
                             const std::string& question, const std::string& reason, const std::string& key);
// The witness of a Sat answer on a view's program.
Witness witness_of(const Shared& s, const ir::Program& program, const engine::QueryResult& r);

// A witness in a few words: "plaintext GET //admin on port 8042 (HTTP)", "mTLS from
// cluster.local/ns/a/sa/b on port 5432 (TCP)".
std::string witness_summary(const Witness& w);

// "AuthorizationPolicy ns/name rules[2]" and its position.
std::string rule_text(const ir::RuleId& id);
Loc rule_loc(const ir::RuleId& id);
// Up to `max` items joined with ", " and "and N more".
std::string list_text(const std::vector<std::string>& items, size_t max = 4);

// Workload phrases of a class, in member order (describe_workload of each member).
std::vector<std::string> member_names(const ClassView& cls);

// Facts about an IR match: it tests the peer identity (principals, namespaces, serviceAccounts,
// trustDomains, source.* identity keys) / a JWT attribute / an IP attribute / the path.
bool match_on_peer(const ir::Match& m);
bool match_on_jwt(const ir::Match& m);
bool match_on_ip(const ir::Match& m);

// Adds `item` to `v` if it is not there yet (keeps first-seen order).
template <typename T>
void add_unique(std::vector<T>& v, const T& item) {
  for (const T& x : v)
    if (x == item) return;
  v.push_back(item);
}

}  // namespace meshproof::checks::gaps
