// Internal to lib/model: value checks that mirror the Go functions Istio's validation calls, so that
// meshproof accepts and rejects exactly the same strings (docs/semantics.md §2 cites each).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meshproof::model::detail {

// Go net/netip.ParseAddr: dotted IPv4 without leading zeros, or IPv6 (optionally with an embedded IPv4
// tail and a zone). Used by security.ValidateIPs for values without '/'.
bool go_parse_addr(std::string_view s, bool allow_zone = true, bool* is_v4 = nullptr);
// Go net/netip.ParsePrefix: ADDR/BITS, no zone, BITS decimal without sign or leading zeros, in range.
bool go_parse_prefix(std::string_view s);
// security.ValidateIPs for one value: a prefix when it contains '/', else an address.
bool valid_ip_or_cidr(std::string_view s);
// security.ValidatePorts for one value: strconv.ParseUint(v, 10, 32) and ≤ 65535.
bool valid_port_string(std::string_view s);
// Go time.ParseDuration; false on a syntax error or overflow.
bool go_parse_duration(std::string_view s, int64_t& nanos);
// A path value that uses Istio's template operators `{*}` / `{**}` (security.IsPathTemplate).
bool is_path_template(std::string_view path);
// For a template path: "" when Istio accepts it, else why not (IS §5 path-template rules).
std::string path_template_problem(std::string_view path);
// security.validateMapKey: "a[b]" shape (an opening bracket after the first character, closing bracket last,
// something between them).
bool valid_map_key(std::string_view key);
// serviceAccounts value format (IS §9): "" when valid, else why not.
std::string service_account_problem(std::string_view v);
// trustDomains value format (IS §9): "" when valid, else why not.
std::string trust_domain_problem(std::string_view v);
// The jwksUri check of the CRD CEL rule and security.ParseJwksURI: "" when valid, else why not.
std::string jwks_uri_problem(std::string_view uri);
// HTTP header name for outputClaimToHeaders: ^[-_A-Za-z0-9]+$.
bool valid_header_name(std::string_view h);
// targetRef patterns from the CRD.
bool valid_ref_group(std::string_view g);
bool valid_ref_kind(std::string_view k);

}  // namespace meshproof::model::detail
