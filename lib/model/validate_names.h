// Name and value rules that several kinds' validation shares (Istio's pkg/config/validation/agent and
// pkg/config/protocol). PRIVATE to lib/model.
#pragma once

#include <initializer_list>
#include <string>

namespace meshproof::model::detail {

bool in(const std::string& v, std::initializer_list<const char*> values);
// pkg/config/protocol/instance.go Parse: a protocol Istio knows, case-insensitive.
bool known_protocol(const std::string& p);
// A DNS-1123 label as Istio's agent.IsDNS1123Label reads it (letters of either case, digits, inner '-').
bool dns_label(const std::string& l);
// agent.ValidateWildcardDomain: "*", "*.rest" or a domain; every label a DNS-1123 label. "" when valid.
std::string wildcard_domain_problem(const std::string& host);
// Gateway API's Hostname type (listeners, routes, certificate SANs): an optional leading "*." and lowercase
// DNS-1123 labels, at most 253 characters (no IP address, no port).
bool gateway_api_hostname(const std::string& h);
// "field[i]": the path of a list item in a diagnostic.
std::string field_index(const std::string& field, size_t i);

}  // namespace meshproof::model::detail
