// Internal to lib/compile/decode: the matchers inside an RBAC permission or principal — a StringMatcher
// (type.matcher.v3), a HeaderMatcher with HeaderUtility::matchHeaders' semantics (config.route.v3), a
// MetadataMatcher / ValueMatcher (dynamic metadata of jwt_authn or another filter), a CidrRange
// (config.core.v3), and the SPIFFE-id StringMatcher of authenticated.principal_name — each read into the
// formula over IR atoms it decides, or a Failure when the IR cannot state it exactly.
#pragma once

#include <string>

#include "compile/decode/formula.h"
#include "compile/decode/node_reader.h"
#include "ir/ir.h"

namespace meshproof::compile::decoder {

// A StringMatcher on a (non-peer) attribute; `key` is the header, claim or metadata key.
Formula string_matcher(const Node& n, const std::string& path, ir::Attribute attr, const std::string& key);
// authenticated.principal_name (or any principal StringMatcher) over the SPIFFE id.
Formula principal_name_matcher(const Node& n, const std::string& path);
Formula header_matcher(const Node& n, const std::string& path);
// A CidrRange on `attr` (source, remote or destination IP).
Formula cidr_matcher(const Node& n, const std::string& path, ir::Attribute attr);
Formula metadata_matcher(const Node& n, const std::string& path);

}  // namespace meshproof::compile::decoder
