// The emitter: AuthorizationPolicies → the Envoy filters Istio installs on an inbound filter chain.
//
// It follows Istio's builder (pilot/pkg/security/authz/builder, model; IS §1-§7) field by field, from the
// model::AuthorizationPolicy directly, not from the IR. With the lowering it shares only how the policy
// text is read (ir/values.h: each field's generator, the cases of a value; and the trust-domain aliasing
// of ir/lower.h); the Envoy matchers it builds from that reading are its own, and meet the lowering's
// atoms only in the equivalence proof (lib/compile/compile.h), through the independent decoder.
// Output is proto3 JSON as protomarshal writes it (JSON names, defaults omitted, map keys sorted), one
// JSON object per filter:
//   HTTP:  envoy.filters.http.rbac (CUSTOM: shadow rules + envoy.filters.http.ext_authz, per provider),
//          then AUDIT (action LOG), DENY, ALLOW RBAC filters                     (IS §1, builder.go build)
//   TCP:   the same with envoy.filters.network.rbac / .ext_authz and statPrefix "tcp."
// The ext_authz filters carry what decides which requests reach the authorizer (filterEnabledMetadata,
// IS §2) and statPrefix/transportApiVersion; the provider's transport (cluster, timeout, headers) is not
// part of meshproof's model and is not emitted (docs/compile.md).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ir/ir.h"
#include "ir/lower.h"
#include "model/resources.h"

namespace meshproof::compile {

// The JSON objects are nlohmann::json values: code that reads them includes <nlohmann/json.hpp>.
struct EmittedFilters {
  std::vector<nlohmann::json> filters;  // one JSON object per filter, in chain order
  // Istio's logged decisions that change what is enforced: skipped rules, ignored values, fail-closed
  // CUSTOM, CUSTOM with an HTTP provider ignored on TCP. One sentence each, for the manifest.
  std::vector<std::string> notes;

  // Defined where nlohmann::json is complete (emit.cpp), so that this header needs only its declaration.
  EmittedFilters();
  ~EmittedFilters();
  EmittedFilters(const EmittedFilters&);
  EmittedFilters(EmittedFilters&&) noexcept;
  EmittedFilters& operator=(const EmittedFilters&);
  EmittedFilters& operator=(EmittedFilters&&) noexcept;
};

// The filters for one workload and protocol. `policies` are the policies that apply to the workload, in
// Istio's order (root namespace first, then creationTimestamp, name: mesh::Workload). The trust-domain
// bundle and extension providers come from `ctx` (the same aliasing as the IR: ir::alias_principals).
EmittedFilters emit_filters(const std::vector<const model::AuthorizationPolicy*>& policies, ir::Protocol protocol,
                            const ir::LowerContext& ctx);

// Text forms of a JSON tree: JSON with two-space indentation and sorted keys, and block-style YAML as
// sigs.k8s.io/yaml writes it (sequences not indented under their key, strings quoted only when needed).
std::string to_json_text(const nlohmann::json& j);
std::string to_yaml_text(const nlohmann::json& j);

// Go's regexp.QuoteMeta (Istio quotes literal parts of the regexes it builds).
std::string quote_meta(const std::string& s);

}  // namespace meshproof::compile
