// Who may call the regulated workloads. First version: derived from the sources named by the enforced
// ALLOW rules, not from the solver; see AccessMatrix::approximation for what that over-approximates.
#include <map>
#include <set>

#include "audit/sections.h"
#include "checks/describe.h"

namespace meshproof::audit {

namespace {

const char* kAnyCaller = "any caller";
const char* kPlaintext = "plaintext (no peer identity)";

const char* kApproximation =
    "Derived from the sources named by the enforced ALLOW rules of the AuthorizationPolicies that apply to "
    "each regulated workload (principals, namespaces, serviceAccounts), from whether any enforced ALLOW "
    "policy applies at all, and from whether the workload has an Istio proxy; each cell says which (see the "
    "legend). An ALLOW rule may admit a caller without further conditions or only for some requests "
    "(operations, `when` conditions, negative or IP/JWT source fields). It is an over-approximation: DENY and CUSTOM "
    "policies, and the "
    "conditions themselves, can narrow it further; wildcard principals are shown as written. An empty cell "
    "is exact: no ALLOW rule admits the identity, so Istio denies it. Exact per-request answers come from "
    "`meshproof query`.";

// A cell while a row is being built: the widest access any rule grants, and every rule that grants it.
struct CellAcc {
  AccessKind kind = AccessKind::None;
  AccessBasis basis = AccessBasis::AllowRule;
  std::set<std::string> via;
  std::set<std::string> policies;  // "ns/name" of the ALLOW policies whose rules grant it
  void add(AccessKind k, const std::string& why) {
    if (static_cast<int>(k) > static_cast<int>(kind)) kind = k;
    via.insert(why);
  }
  void add_rule(AccessKind k, const std::string& why, const std::string& policy) {
    add(k, why);
    policies.insert(policy);
  }
  void add_unenforced(AccessBasis b, const std::string& why) {
    add(AccessKind::Allowed, why);
    basis = b;
  }
};

// A row's cells by column name, while it is being built.
using RowCells = std::map<std::string, CellAcc>;

bool source_has_identity(const model::Source& s) {
  return !s.principals.empty() || !s.namespaces.empty() || !s.service_accounts.empty() || !s.trust_domains.empty();
}

bool source_has_extra_constraints(const model::Source& s) {
  return !s.not_principals.empty() || !s.request_principals.empty() || !s.not_request_principals.empty() ||
         !s.not_namespaces.empty() || !s.not_service_accounts.empty() || !s.trust_domains.empty() ||
         !s.not_trust_domains.empty() || !s.ip_blocks.empty() || !s.not_ip_blocks.empty() ||
         !s.remote_ip_blocks.empty() || !s.not_remote_ip_blocks.empty();
}

int identity_kinds(const model::Source& s) {
  return (!s.principals.empty()) + (!s.namespaces.empty()) + (!s.service_accounts.empty());
}

// Whether some port of a workload with a proxy accepts plaintext (or the workload has no proxy at all).
bool accepts_plaintext(const mesh::Workload& w) {
  if (!w.has_proxy()) return true;
  bool plaintext = w.ports.empty() && w.default_mtls.mode != model::MtlsMode::Strict;
  for (const mesh::WorkloadPort& p : w.ports)
    if (p.mtls.mode != model::MtlsMode::Strict) plaintext = true;
  return plaintext;
}

// The enforced ALLOW policies that apply to a workload, and counts of the others for the row's notes.
struct AppliedPolicies {
  std::vector<const model::AuthorizationPolicy*> allows;
  size_t deny = 0, custom = 0, dry_run = 0;
};

AppliedPolicies applied_policies(const mesh::Workload& w) {
  AppliedPolicies out;
  for (const model::AuthorizationPolicy* p : w.authorization_policies) {
    switch (p->action) {
      case model::Action::Allow:
        if (p->dry_run)
          ++out.dry_run;
        else
          out.allows.push_back(p);
        break;
      case model::Action::Deny:
        ++out.deny;
        break;
      case model::Action::Custom:
        ++out.custom;
        break;
      case model::Action::Audit:
        break;
    }
  }
  return out;
}

// The identities one `from` source of an ALLOW rule names; `policy_ns` completes bare service accounts.
void add_source(const model::Source& s, const std::string& policy_ns, bool rule_conditional, bool plaintext,
                const std::string& via, const std::string& policy, RowCells& acc) {
  bool conditional = rule_conditional || source_has_extra_constraints(s) || identity_kinds(s) > 1;
  AccessKind k = conditional ? AccessKind::Conditional : AccessKind::Allowed;
  if (!source_has_identity(s)) {
    // Only IP, JWT or negative fields: any peer may match, with or without mTLS.
    acc[kAnyCaller].add_rule(AccessKind::Conditional, via, policy);
    if (plaintext) acc[kPlaintext].add_rule(AccessKind::Conditional, via, policy);
    return;
  }
  for (const model::Str& v : s.principals.items) {
    std::string id = v.value == "*" ? std::string("any mTLS peer (principals: *)") : v.value;
    acc[id].add_rule(k, via, policy);
  }
  for (const model::Str& v : s.namespaces.items) {
    std::string id = v.value == "*" ? std::string("any mTLS peer (namespaces: *)") : "ns:" + v.value;
    acc[id].add_rule(k, via, policy);
  }
  for (const model::Str& v : s.service_accounts.items) {
    std::string sa = v.value.find('/') == std::string::npos ? policy_ns + "/" + v.value : v.value;
    acc["sa:" + sa].add_rule(k, via, policy);
  }
  if (s.principals.empty() && s.namespaces.empty() && s.service_accounts.empty())
    acc["any mTLS peer (trustDomains)"].add_rule(AccessKind::Conditional, via, policy);
}

void add_allow_policy(const model::AuthorizationPolicy& p, bool plaintext, RowCells& acc) {
  const std::string policy_ns = checks::namespace_of(p);
  for (size_t ri = 0; ri < p.rules.size(); ++ri) {
    const model::Rule& r = p.rules[ri];
    if (r.is_null) continue;
    const std::string policy = policy_ns + "/" + p.meta.name;
    const std::string via = policy + " rule " + std::to_string(ri);
    bool rule_conditional = !r.to.empty() || !r.when.empty();
    if (r.from.empty()) {
      AccessKind k = rule_conditional ? AccessKind::Conditional : AccessKind::Allowed;
      acc[kAnyCaller].add_rule(k, via, policy);
      if (plaintext) acc[kPlaintext].add_rule(k, via, policy);
      continue;
    }
    for (const model::Source& s : r.from)
      if (!s.null_entry) add_source(s, policy_ns, rule_conditional, plaintext, via, policy, acc);
  }
}

std::string policies(size_t n) { return n == 1 ? "policy" : "policies"; }

// One regulated workload's row: its cells by column name in `acc`, its notes in the row.
AccessRow access_row(const mesh::Workload& w, RowCells& acc) {
  AccessRow row;
  row.workload = w.display();
  row.workload_kind = checks::workload_kind(w);
  const bool plaintext = accepts_plaintext(w);
  const AppliedPolicies applied = applied_policies(w);
  if (!w.has_proxy()) {
    std::string why = "no Istio proxy (" + w.injection_reason + "): no policy is enforced";
    acc[kAnyCaller].add_unenforced(AccessBasis::NoProxy, why);
    acc[kPlaintext].add_unenforced(AccessBasis::NoProxy, why);
    row.notes.push_back(why);
  } else if (applied.allows.empty()) {
    std::string why = "no enforced ALLOW policy applies: every request not denied is allowed";
    acc[kAnyCaller].add_unenforced(AccessBasis::NoAllowPolicy, why);
    if (plaintext) acc[kPlaintext].add_unenforced(AccessBasis::NoAllowPolicy, why);
    row.notes.push_back(why);
  } else {
    for (const model::AuthorizationPolicy* p : applied.allows) add_allow_policy(*p, plaintext, acc);
    if (acc.empty())
      row.notes.push_back("the ALLOW policies that apply have no rule that can match: every request is denied");
  }
  if (applied.deny)
    row.notes.push_back(std::to_string(applied.deny) + " DENY " + policies(applied.deny) + " may narrow this");
  if (applied.custom)
    row.notes.push_back(std::to_string(applied.custom) + " CUSTOM " + policies(applied.custom) +
                        " delegate some requests to an external authorizer");
  if (applied.dry_run)
    row.notes.push_back(std::to_string(applied.dry_run) + " dry-run ALLOW " +
                        (applied.dry_run == 1 ? "policy enforces" : "policies enforce") + " nothing");
  if (plaintext && w.has_proxy()) row.notes.push_back("accepts plaintext on at least one port (see the mTLS table)");
  return row;
}

}  // namespace

AccessMatrix access_matrix(const checks::Context& ctx) {
  AccessMatrix m;
  m.approximation = kApproximation;
  std::vector<RowCells> rows_cells;
  std::set<std::string> identities;
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (!ctx.is_regulated(w.ns)) continue;
    RowCells acc;
    m.rows.push_back(access_row(w, acc));
    for (const auto& [id, cell] : acc)
      if (id != kAnyCaller && id != kPlaintext) identities.insert(id);
    rows_cells.push_back(std::move(acc));
  }

  m.columns = {kAnyCaller, kPlaintext};
  m.columns.insert(m.columns.end(), identities.begin(), identities.end());
  for (size_t i = 0; i < m.rows.size(); ++i) {
    for (const std::string& col : m.columns) {
      AccessCell cell;
      auto it = rows_cells[i].find(col);
      if (it != rows_cells[i].end()) {
        cell.kind = it->second.kind;
        cell.basis = it->second.basis;
        cell.via.assign(it->second.via.begin(), it->second.via.end());
        cell.policies.assign(it->second.policies.begin(), it->second.policies.end());
      }
      m.rows[i].cells.push_back(std::move(cell));
    }
  }
  return m;
}

}  // namespace meshproof::audit
