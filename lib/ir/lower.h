// Lowering: AuthorizationPolicy → IR rules per protocol, and programs per workload × port.
// Every rule implemented here is written down in docs/semantics.md section `ir` with its source.
// The code is split by concern: lower_values.cpp (one written value → terms, trust-domain aliasing),
// lower_rules.cpp (a policy's rules → ir::Rule with Istio's drops), lower_programs.cpp (a workload's
// policies → one program per port and protocol view).
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"
#include "mesh/mesh.h"
#include "model/resources.h"

namespace meshproof::ir {

// The mesh-wide facts lowering needs (IS §5 trust domains, IS §2 extension providers).
struct LowerContext {
  // [trustDomain] + trustDomainAliases, in that order (Istio's trust-domain bundle).
  std::vector<std::string> trust_domains{"cluster.local"};
  std::vector<model::ExtensionProvider> providers;
  // The providers are known (the input carried a mesh config). When false, a CUSTOM provider that is
  // not listed is assumed to exist with an unknown type rather than failing closed; see semantics.md.
  bool providers_known = false;
  PathNormalization path_normalization = PathNormalization::Base;  // meshConfig.pathNormalization

  static LowerContext from(const model::MeshConfig& mc);
};

// One policy lowered for one protocol.
struct LoweredPolicy {
  PolicyRef ref;
  std::vector<Rule> rules;  // rules that survive, in order (ALLOW rules dropped on TCP are absent)
  std::vector<Drop> drops;  // every drop, including dropped rules (RuleDropped) and per-rule drops
};

LoweredPolicy lower_policy(const model::AuthorizationPolicy& policy, Protocol protocol, const LowerContext& ctx);

// Programs for one workload: one per declared port and protocol view, plus port 0 (undeclared ports,
// sniffed, workload-level mTLS mode).
WorkloadPrograms build_programs(const mesh::Workload& workload, const LowerContext& ctx);
// One program set per workload class (the first member stands for the class), in class order.
std::vector<WorkloadPrograms> build_all_programs(const mesh::Mesh& mesh);
// A single program for one port view, as the query command needs.
Program build_program(const mesh::Workload& workload, uint32_t port, const std::string& port_name, Protocol protocol,
                      bool sniffed, const mesh::MtlsDecision& mtls, const LowerContext& ctx);

// ---- Value lowering, one function per Istio field family (exposed for unit tests) ----
// Each returns the Term for one written value (after aliasing); `note` receives a DropKind and reason
// when the value lowers to false or matches more than its intuitive reading.
struct ValueNote {
  bool set = false;
  DropKind kind = DropKind::ValueUnmatchable;
  std::string reason;
};
Term lower_principal(const std::string& v, ValueNote* note = nullptr);
std::vector<Term> lower_namespace(const std::string& v, ValueNote* note = nullptr);  // OR of terms
Term lower_service_account(const std::string& v, const std::string& policy_ns, ValueNote* note = nullptr);
Term lower_trust_domain(const std::string& v);
Term lower_request_principal(const std::string& v);
// exact/prefix/suffix/present by Istio's StringMatcher precedence (IS §5): `*`, then `*x`, then `x*`.
Term lower_string(Attribute attr, const std::string& key, const std::string& v);

// Trust-domain aliasing of principal values (IS §5; istio/istio pilot/pkg/security/trustdomain).
std::vector<std::string> alias_principals(const std::vector<std::string>& values,
                                          const std::vector<std::string>& trust_domains);
// trustDomains values equal to a known trust domain expand to all of them, duplicates removed.
std::vector<std::string> alias_trust_domains(const std::vector<std::string>& values,
                                             const std::vector<std::string>& trust_domains);

}  // namespace meshproof::ir
