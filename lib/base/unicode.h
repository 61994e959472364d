// UTF-16 input (a manifest saved by a Windows editor): kubectl decodes a file that starts with a UTF-16 byte
// order mark (k8s.io/cli-runtime's FileVisitor reads through unicode.BOMOverride), so the loader does too,
// and the source lines under diagnostics come from the same decoding.
#pragma once

#include <string>
#include <string_view>

namespace meshproof {

// Whether `text` starts with a UTF-16 byte order mark: FF FE (little-endian, but not FF FE 00 00, which is
// UTF-32's) or FE FF (big-endian).
bool has_utf16_bom(std::string_view text);

// `text` decoded from UTF-16 to UTF-8 without the byte order mark; text without the mark is returned as
// it is. A code unit that cannot be decoded (an unpaired surrogate, an odd last byte) stops the decoding:
// `bad` is then the size of the output so far (else std::string::npos).
std::string utf16_to_utf8(std::string_view text, size_t& bad);

}  // namespace meshproof
