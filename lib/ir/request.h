// A concrete request: what `meshproof query` asks about, what witnesses are replayed as, and what the
// concrete evaluator (engine/evaluate.h) decides. It is deliberately a plain value with every attribute
// of ir::Attribute, so that a solver model maps onto it field by field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/ip.h"
#include "ir/ir.h"

namespace meshproof::ir {

// The JWT a request carries (IS §12).
enum class TokenState : uint8_t {
  None,     // no token: passes authentication, no request.auth.* attributes
  Valid,    // a token that verifies against its issuer's keys (issuer/claims below)
  Invalid,  // a token that fails verification (bad signature, expired, ...)
};
const char* to_string(TokenState t);

struct Request {
  // ---- connection ----
  bool mtls = false;  // the peer presented a mesh certificate; false: plaintext
  // The peer's SPIFFE id `TD/ns/NS/sa/SA`, used only when mtls.
  std::string peer_trust_domain, peer_namespace, peer_service_account;
  std::optional<IpAddress> source_ip;       // direct_remote_ip; absent: matches no CIDR
  std::optional<IpAddress> remote_ip;       // absent: same as source_ip
  std::optional<IpAddress> destination_ip;  // absent: matches no CIDR
  uint32_t port = 0;                        // destination (workload) port
  std::string sni;                          // "" = none

  // ---- HTTP (ignored by a TCP program) ----
  std::string method;  // "" = unknown (on an HTTP port Envoy always has one; query defaults to GET)
  // The raw `:path` as the client sends it (query string and all). A program normalizes it with its
  // path_normalization (ir/path.h) before matching; "" = no path (only in hand-built requests).
  std::string path;
  // Set by the evaluator's effective request (engine::effective_request), where `path` is the normalized
  // url_path: the query string ("?..." or "") Envoy keeps in the `:path` header.
  std::string query;
  std::string host;                            // compared lower-cased
  std::map<std::string, std::string> headers;  // lower-case name → value

  // ---- JWT (HTTP only) ----
  TokenState token = TokenState::None;
  std::string jwt_issuer, jwt_subject;
  std::vector<std::string> audiences, presenters;
  std::map<std::string, std::vector<std::string>> claims;  // "a.b" → values (a string claim: one)

  // ---- opaque metadata (`experimental.envoy.filters.*`) ----
  std::map<std::string, std::vector<std::string>> metadata;  // key as in Atom::key

  // "td/ns/NS/sa/SA" or "" when plaintext.
  std::string principal() const;
  // Sets mtls and the three identity parts from "td/ns/NS/sa/SA" (an optional "spiffe://" prefix is
  // accepted). False (and no change) when the text does not have that shape.
  bool set_principal(const std::string& spiffe_id);
  // Sets the token from "ISS/SUB" split at the last '/' (IS §5); a value without '/' is an issuer with
  // no subject.
  void set_request_principal(const std::string& iss_sub);
};

// The value an attribute has in a request, as the evaluator sees it on a protocol view (HTTP attributes
// absent on TCP, JWT attributes absent unless the token is valid, empty = absent except headers,
// host lower-cased, remote ip defaulted to the source ip). Exactly one of the members is meaningful,
// by attribute_kind(attr).
struct AttributeValue {
  bool present = false;
  std::string str;               // String
  std::vector<std::string> set;  // Set (present iff non-empty)
  IpAddress ip;                  // Ip
  uint32_t port = 0;             // Port
};
AttributeValue attribute_value(const Request& r, Attribute attr, const std::string& key, Protocol p);

}  // namespace meshproof::ir
