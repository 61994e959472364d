// Internal to lib/compile/decode: the matchers of an RBAC policy (config.rbac.v3 Permission.rule and
// Principal.identifier), one small class per kind, created by Matcher::create — the idea of Envoy's
// source/extensions/filters/common/rbac/matchers.h, where each kind evaluates a request; here each kind
// decodes its config into the formula over IR atoms that holds exactly when Envoy's matcher matches.
#pragma once

#include <memory>
#include <string>

#include "compile/decode/formula.h"
#include "compile/decode/node_reader.h"

namespace meshproof::compile::decoder {

// Which list a matcher stands in: a policy's permissions (what is requested) or principals (who asks).
enum class Side : uint8_t { Permission, Principal };

// The kinds of matcher, over both sides. Unsupported: a field Envoy knows that meshproof does not decode.
enum class MatcherKind : uint8_t {
  And,
  Or,
  Not,
  Any,
  Header,
  UrlPath,
  Metadata,  // both sides
  DestinationIp,
  DestinationPort,
  DestinationPortRange,
  RequestedServerName,
  UriTemplate,  // permissions
  Authenticated,
  DirectRemoteIp,
  RemoteIp,
  SourceIp,  // principals
  Unsupported,
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  // The formula of the matcher whose config (the value of the oneof field) is `config`, at `path`.
  virtual Formula decode(const Node& config, const std::string& path) const = 0;

  // The matcher for oneof field `field` (camelCase) of a Permission or Principal.
  static std::unique_ptr<const Matcher> create(const std::string& field, Side side);
};

// A Permission or Principal node (a map with one oneof field) → its formula.
Formula decode_matcher(const Node& n, const std::string& path, Side side);

}  // namespace meshproof::compile::decoder
