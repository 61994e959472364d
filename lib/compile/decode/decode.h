// The decoder: Envoy RBAC / ext_authz filters (JSON or YAML, read with load::Loader into load::Node
// trees) → IR rules and a Program. It is written from Envoy's semantics (config.rbac.v3 Permission and
// Principal, type.matcher.v3 StringMatcher/MetadataMatcher/ValueMatcher, config.route.v3 HeaderMatcher,
// HeaderUtility::matchHeaders) and shares no code with the emitter: the two meet only in the IR.
//
// Every matcher Istio's builder emits is decoded exactly (IS §4, §5); anything the IR cannot express
// exactly (a case-sensitive :authority match, a header `treat_missing_header_as_empty`, a plain string
// match on a JWT list claim, an unknown matcher kind, ...) is a DecodeError naming the JSON path and its
// file:line:column — never a silent skip and never an approximation.
//
// Field names are accepted in proto JSON form (camelCase, what protomarshal and istioctl print) and in
// proto field form (snake_case, what Envoy's /config_dump prints).
#pragma once

#include <string>
#include <vector>

#include "base/location.h"
#include "ir/ir.h"
#include "load/node.h"

namespace meshproof::compile {

struct DecodeError {
  Loc loc;
  std::string path;  // JSON path, e.g. filters[0].typedConfig.rules.policies["ns[foo]-policy[p]-rule[0]"]
  std::string message;
};
std::string to_string(const DecodeError& e, const SourceSet& sources);  // "file:line:col: path: message"

struct DecodeOptions {
  // Filters other than RBAC / ext_authz: an error in a table file; skipped (and listed) in a config dump,
  // where the chain also holds jwt_authn, router, stats, tcp_proxy, ...
  bool skip_other_filters = false;
};

// What was decoded from one filter chain's filters.
struct DecodedTable {
  ir::Protocol protocol = ir::Protocol::Http;
  std::vector<ir::Rule> custom, deny, allow, audit;  // dry-run (shadow) rules carry policy.dry_run
  ir::CustomMode custom_mode = ir::CustomMode::None;
  bool has_allow_policy = false;  // an ALLOW RBAC filter with `rules` (enforcing)
  size_t rbac_filters = 0, ext_authz_filters = 0;
  std::vector<std::string> skipped_filters;  // names of filters skipped under skip_other_filters
};

// Decodes the filters of one chain, in chain order. `filters` are filter objects ({name, typedConfig});
// `paths` their JSON paths for messages. HTTP: envoy.filters.http.rbac / .ext_authz; TCP:
// envoy.filters.network.rbac / .ext_authz. Returns false (and appends errors) when anything is not
// decodable; `out` is then incomplete and must not be used.
bool decode_filters(const std::vector<const load::Node*>& filters, const std::vector<std::string>& paths,
                    ir::Protocol protocol, const DecodeOptions& options, DecodedTable& out,
                    std::vector<DecodeError>& errors);

// A table document: a sequence of filters (what `meshproof compile` writes), or a single filter object
// (Istio's golden files).
bool decode_table(const load::Node& root, ir::Protocol protocol, DecodedTable& out, std::vector<DecodeError>& errors);

// The decoded rules in a program with the context (workload, port, protocol, mTLS mode, JWT issuers) of
// `context`: RBAC filters do not carry that context.
ir::Program to_program(const DecodedTable& table, const ir::Program& context);

// Decodes one authenticated.principal_name StringMatcher over the peer's SPIFFE id
// `spiffe://TD/ns/NS/sa/SA` into OR-of-AND terms over peer.trust_domain/namespace/service_account
// (exposed for tests; `matcher` is the StringMatcher node).
bool decode_principal_name(const load::Node& matcher, std::vector<ir::Term>& terms, std::string& error);

// The same for a safe_regex given as text (tests compare it with RE2 on generated identities).
bool decode_principal_regex(const std::string& regex, std::vector<ir::Term>& terms, std::string& error);

}  // namespace meshproof::compile
