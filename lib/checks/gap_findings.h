// Helpers for the findings of the symbolic (gap) checks: inconclusive notes, witnesses and the phrases
// their messages are built from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
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

// Merging what an analyzer learned from a later chunk of classes (Analyzer::merge): what one visit of
// both chunks in order would have recorded.
// Appends the items of `later` that `v` does not hold yet, in their order.
template <typename T>
void add_all_unique(std::vector<T>& v, const std::vector<T>& later) {
  for (const T& x : later) add_unique(v, x);
}
// The first value found wins: `first` keeps its value when it has one.
template <typename T>
void keep_first(std::optional<T>& first, std::optional<T>& later) {
  if (!first && later) first = std::move(later);
}
inline void keep_first(std::string& first, std::string& later) {
  if (first.empty()) first = std::move(later);
}
// Every key of `later` joins `into`; a key both hold is combined by `combine(into_facts, later_facts)`.
template <typename K, typename F, typename Combine>
void merge_facts(std::map<K, F>& into, std::map<K, F>& later, Combine combine) {
  for (auto& [key, facts] : later) {
    auto it = into.find(key);
    if (it == into.end())
      into.emplace(key, std::move(facts));
    else
      combine(it->second, facts);
  }
}

}  // namespace meshproof::checks::gaps
