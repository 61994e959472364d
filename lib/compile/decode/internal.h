// Internal to lib/compile/decode: pieces shared by the decoder's own files (never by the emitter).
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace meshproof::compile {

// An exact/prefix/suffix/contains principal_name value over the SPIFFE id (principal.cpp).
bool decode_principal_literal(const std::string& kind, const std::string& value, std::vector<ir::Term>& terms,
                              std::string& error);

}  // namespace meshproof::compile
