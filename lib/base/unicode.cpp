#include "base/unicode.h"

namespace meshproof {

bool has_utf16_bom(std::string_view text) {
  if (text.starts_with("\xFF\xFE")) return !text.starts_with(std::string_view("\xFF\xFE\x00\x00", 4));
  return text.starts_with("\xFE\xFF");
}

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool high_surrogate(char32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool low_surrogate(char32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

}  // namespace

std::string utf16_to_utf8(std::string_view text, size_t& bad) {
  bad = std::string::npos;
  if (!has_utf16_bom(text)) return std::string(text);
  const bool little = static_cast<unsigned char>(text[0]) == 0xFF;
  auto unit = [&](size_t i) -> char32_t {
    const char32_t a = static_cast<unsigned char>(text[i]), b = static_cast<unsigned char>(text[i + 1]);
    return little ? (b << 8 | a) : (a << 8 | b);
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 2; i < text.size(); i += 2) {
    if (i + 1 >= text.size()) {  // an odd last byte
      bad = out.size();
      break;
    }
    char32_t c = unit(i);
    if (high_surrogate(c) && i + 3 < text.size() && low_surrogate(unit(i + 2))) {
      c = 0x10000 + ((c - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    } else if (high_surrogate(c) || low_surrogate(c)) {  // an unpaired surrogate
      bad = out.size();
      break;
    }
    append_utf8(out, c);
  }
  return out;
}

}  // namespace meshproof
