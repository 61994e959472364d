// Standard base64 (RFC 4648 §4), as Kubernetes encodes a Secret's `data` values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meshproof {

// The decoded bytes, or nullopt when `text` is not valid base64. ASCII white space is skipped (a value may
// be folded over several lines); padding is optional, as Go's StdEncoding accepts it only when complete.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace meshproof
