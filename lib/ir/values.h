// How Istio reads what is written in an AuthorizationPolicy rule (IS §4-§6): which generator each field
// and `when` key goes to, in which order model.New visits the fields, and how one value's text splits
// into the parts that generator builds matchers from (pilot/pkg/security/authz/model/generator.go,
// matcher/*.go at the anchor of IS).
//
// Both readers of policies use it: the lowering (ir/lower_*.cpp) turns the parts into IR atoms, the
// emitter (compile/emit) turns them into Envoy matchers. Only the reading of the text is shared; what
// the parts mean stays with each side, and the decoder (compile/decode) reads the emitted matchers on
// its own, so the equivalence proof still compares the emitter's matchers with the lowering's atoms.
// The reading itself is checked against Istio's builder goldens (test/conformance).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/resources.h"

namespace meshproof::ir {

// ---------------------------------------------------------------------------------------------------
// Fields and keys → generators
// ---------------------------------------------------------------------------------------------------

// The generator Istio uses for an attribute (generator.go; one per `source`/`operation` field family
// and `when` key).
enum class GeneratorKind : uint8_t {
  Principal,
  RequestPrincipal,
  Namespace,
  ServiceAccount,
  TrustDomain,
  SourceIp,
  RemoteIp,
  Host,
  Method,
  Path,
  DestinationPort,
  Header,
  Audiences,
  Presenter,
  Claims,
  DestinationIp,
  Sni,
  EnvoyFilter,  // `experimental.envoy.filters.*[...]`: dynamic metadata of another filter
};

// The generators whose matchers exist only on an HTTP filter chain (IS §6 "HTTP-only").
bool generator_http_only(GeneratorKind g);

// A `when` key as model.New sorts it: its generator, and whether the condition joins every permission
// (`to`) or every principal (`from`).
struct WhenKey {
  GeneratorKind gen;
  bool permission;
};
// nullopt for a key model.New does not know (it fails the whole rule). Header, claim and filter keys are
// recognised by their prefix only; their names are extracted by the caller.
std::optional<WhenKey> classify_when_key(const std::string& key);

// One field pair of a `source` (Entry = model::Source) or `operation` (model::Operation).
template <class Entry>
struct FieldSpec {
  GeneratorKind gen;
  const char* name;       // "principals"
  const char* not_name;   // "notPrincipals"
  const char* attribute;  // the key model.New files the field under: "source.principal", ":authority"
  model::StrList Entry::*values;
  model::StrList Entry::*not_values;
};
// In the order model.New puts them in a principal / permission, ahead of the `when` conditions (IS §4).
extern const std::array<FieldSpec<model::Source>, 7> kSourceFields;
extern const std::array<FieldSpec<model::Operation>, 4> kOperationFields;

// ---------------------------------------------------------------------------------------------------
// One value → its parts
// ---------------------------------------------------------------------------------------------------

// The cases of Istio's StringMatcher for a value (matcher.StringMatcherWithPrefix, IS §5), in its
// precedence: "*" matches any non-empty value, then "*x" is a suffix, then "x*" a prefix; anything else,
// including a '*' elsewhere, is an exact literal.
struct StringPattern {
  enum Kind : uint8_t { Any, Suffix, Prefix, Exact };
  Kind kind = Exact;
  std::string text;  // the literal part ("" for Any)
};
StringPattern string_pattern(const std::string& v);

// requestPrincipalGenerator: the value splits at its LAST '/' into the JWT issuer and subject, and the
// leading or trailing '*' goes to the issuer or the subject by Istio's cases (IS §5).
struct RequestPrincipalPattern {
  StringPattern issuer, subject;
};
RequestPrincipalPattern request_principal_pattern(const std::string& v);

// serviceAccounts: "NAMESPACE/NAME", or "NAME" in the policy's namespace (serviceAccountRegex, IS §5).
// Not checked: either part may be empty or hold a '/'.
struct ServiceAccountName {
  std::string ns, name;
};
ServiceAccountName split_service_account(const std::string& v, const std::string& policy_ns);

// A path with `{*}` or `{**}` is a uri_template (matcher.PathTemplateMatcher, IS §5): the template in
// Envoy's form (`{**}` → `**`, `{*}` → `*`), or nullopt for a plain path.
std::optional<std::string> envoy_path_template(const std::string& path);

// `experimental.envoy.filters.a.b[c]` → filter "envoy.filters.a.b", key "c" (envoyFilterGenerator); a
// missing trailing ']' is tolerated as Istio does. nullopt when there is no '['.
struct EnvoyFilterKey {
  std::string filter, key;
};
std::optional<EnvoyFilterKey> parse_envoy_filter_key(const std::string& when_key);

// An envoy-filter value written "[v]" is a list match on element v (envoyFilterGenerator): the element
// with the brackets at both ends removed (every '[' or ']' there), or nullopt for a plain value.
std::optional<std::string> list_value_element(const std::string& v);

// extractNameInBrackets: "[name]" → name, the first '[' and the last ']' removed and nothing else checked, as
// Istio's builder does (so "[]" is the empty name and "[a[b]" is "a[b"); nullopt without both brackets.
std::optional<std::string> name_in_brackets(const std::string& s);

// convertToPort: strconv.ParseUint(v, 10, 32) and at most 65535 — digits only, leading zeros allowed
// ("0000080" is 80); nullopt otherwise.
std::optional<uint32_t> port_value(const std::string& v);

// extractNameInNestedBrackets: "[a][b]" → {a, b}; nullopt unless the text is one or more non-empty
// bracketed names (the claim path of `request.auth.claims[a][b]`).
std::optional<std::vector<std::string>> names_in_nested_brackets(const std::string& s);

}  // namespace meshproof::ir
