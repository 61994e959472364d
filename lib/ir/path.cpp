// Envoy's path handling, step by step as the HTTP connection manager applies it before any filter
// (envoy source/common/http/conn_manager_impl.cc: a path that does not start with '/' is answered 404;
// conn_manager_utility.cc maybeNormalizePath: unescape %2F/%5C, then canonicalPath, then mergeSlashes;
// path_utility.cc). canonicalPath is Chromium's URL path canonicalizer (envoy
// source/common/chromium_url/url_canon_path.cc); the character table and the dot rules below follow it.
// Istio's expectations for every mode are in istio tests/integration/security/normalization_test.go;
// test/ir/path_test.cpp replays them.
#include "ir/path.h"

#include <cctype>
#include <cstdint>

#include "base/text.h"

namespace meshproof::ir {

const char* to_string(PathNormalization n) {
  switch (n) {
    case PathNormalization::None:
      return "NONE";
    case PathNormalization::Base:
      return "BASE";
    case PathNormalization::MergeSlashes:
      return "MERGE_SLASHES";
    case PathNormalization::DecodeAndMergeSlashes:
      return "DECODE_AND_MERGE_SLASHES";
  }
  return "?";
}

PathNormalization parse_path_normalization(std::string_view text) {
  std::string t = ascii_lower(std::string(text));
  if (t == "none") return PathNormalization::None;
  if (t == "merge_slashes") return PathNormalization::MergeSlashes;
  if (t == "decode_and_merge_slashes") return PathNormalization::DecodeAndMergeSlashes;
  return PathNormalization::Base;  // "", DEFAULT, BASE (and values Istio would not accept)
}

namespace {

// What the canonicalizer does with a byte (url_canon_path.cc kPathCharLookup).
enum class CharClass : uint8_t {
  Pass,      // copied
  Unescape,  // copied; an escaped form of it (%41) is decoded
  Escape,    // written as %XX
  Invalid,   // NUL: written as %00 and the path is refused
  Dot,       // '.': dot-segment handling
  Percent,   // '%': an escape sequence may follow
  Backslash  // '\': becomes '/'
};

CharClass char_class(unsigned char c) {
  if (c == 0) return CharClass::Invalid;
  if (c < 0x20 || c >= 0x7f) return CharClass::Escape;
  if (std::isalnum(c)) return CharClass::Unescape;
  switch (c) {
    case '-':
    case '_':
    case '~':
      return CharClass::Unescape;
    case '.':
      return CharClass::Dot;
    case '%':
      return CharClass::Percent;
    case '\\':
      return CharClass::Backslash;
    case ' ':
    case '"':
    case '#':
    case '<':
    case '>':
    case '?':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return CharClass::Escape;
    default:
      return CharClass::Pass;  // ! $ & ' ( ) * + , / : ; = @ [ ]
  }
}

// A valid escape %XY at s[i]: its byte value.
std::optional<unsigned char> escape_at(std::string_view s, size_t i) {
  if (i + 3 > s.size() || s[i] != '%') return std::nullopt;
  int hi = hex_digit_value(s[i + 1]), lo = hex_digit_value(s[i + 2]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<unsigned char>(hi * 16 + lo);
}

// Length of a dot at s[i]: "." is 1, "%2e"/"%2E" is 3, anything else 0 (Chromium IsDot).
size_t dot_length(std::string_view s, size_t i) {
  if (s[i] == '.') return 1;
  if (s[i] == '%' && i + 3 <= s.size() && s[i + 1] == '2' && (s[i + 2] == 'e' || s[i + 2] == 'E')) return 3;
  return 0;
}

void append_escaped(std::string& out, unsigned char c) {
  static const char* digits = "0123456789ABCDEF";
  out += '%';
  out += digits[c >> 4];
  out += digits[c & 15];
}

// Removes the last segment of the output, which ends with '/', keeping the first '/' (too many ".." stop
// at the root).
void back_up_one_segment(std::string& out) {
  size_t i = out.size() - 1;
  if (i == 0) return;
  --i;
  while (out[i] != '/' && i > 0) --i;
  out.resize(i + 1);
}

// What a dot after a '/' means: the number of input bytes it covers and whether it goes up a segment;
// 0 when it is part of a name.
struct DotSegment {
  size_t length = 0;
  bool up = false;
};

DotSegment classify_dot(std::string_view s, size_t i, size_t dot) {
  size_t after = i + dot;
  auto slash = [&](size_t k) { return s[k] == '/' || s[k] == '\\'; };
  if (after == s.size()) return {dot, false};
  if (slash(after)) return {dot + 1, false};
  if (size_t second = dot_length(s, after)) {
    size_t end = after + second;
    if (end == s.size()) return {dot + second, true};
    if (slash(end)) return {dot + second + 1, true};
  }
  return {};
}

// After an unescaped byte that follows a '%' which began no valid escape: when the output now reads as a
// valid escape, the '%' is written as %25 so that the result cannot be decoded again into something else
// (Chromium CheckForNestedEscapes).
void guard_nested_escape(std::string_view s, size_t next, size_t percent_at, std::string& out) {
  const size_t length = out.size();
  const char last = out.back();
  const bool append_next = percent_at == length - 2;
  if (append_next) {
    if (next == s.size()) return;
    out += s[next];
  }
  if (escape_at(out, percent_at)) {
    if (!append_next) out += out[percent_at + 1];
    out[percent_at + 1] = '2';
    out[percent_at + 2] = '5';
    out += last;
  } else if (append_next) {
    out.resize(length);
  }
}

// Chromium's CanonicalizePath on a path that starts with '/'; nullopt when it refuses the path.
std::optional<std::string> canonicalize(std::string_view s) {
  std::string out;
  bool ok = true;
  size_t invalid_percent = SIZE_MAX;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (size_t dot = dot_length(s, i)) {
      if (!out.empty() && out.back() == '/') {
        DotSegment seg = classify_dot(s, i, dot);
        if (seg.length > 0) {
          if (seg.up) back_up_one_segment(out);
          i += seg.length - 1;
          continue;
        }
      }
      out += '.';
      i += dot - 1;
      continue;
    }
    switch (char_class(c)) {
      case CharClass::Backslash:
        out += '/';
        break;
      case CharClass::Percent:
        if (auto v = escape_at(s, i)) {
          i += 2;
          if (char_class(*v) == CharClass::Unescape) {
            out += static_cast<char>(*v);
            if (invalid_percent != SIZE_MAX && invalid_percent + 3 >= out.size())
              guard_nested_escape(s, i + 1, invalid_percent, out);
          } else {
            out.append(s.substr(i - 2, 3));  // kept as written, hex case included
            if (*v == 0) ok = false;
          }
        } else {
          invalid_percent = out.size();
          out += '%';
        }
        break;
      case CharClass::Invalid:
        append_escaped(out, c);
        ok = false;
        break;
      case CharClass::Escape:
        append_escaped(out, c);
        break;
      default:
        out += static_cast<char>(c);
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// %2F, %2f → '/' and %5C, %5c → '\' in one left-to-right pass (Envoy PathUtil::unescapeSlashes).
std::string unescape_slashes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      char a = s[i + 1], b = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2])));
      if (a == '2' && b == 'F') {
        out += '/';
        i += 2;
        continue;
      }
      if (a == '5' && b == 'C') {
        out += '\\';
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Envoy PathTransformer::mergeSlashes: the non-empty segments joined by '/', with the leading and the
// trailing '/' kept; a path without "//" is unchanged (so "//" itself stays "//").
std::string merge_slashes(const std::string& s) {
  if (s.find("//") == std::string::npos) return s;
  std::string out = s.front() == '/' ? "/" : "";
  std::string joined;
  for (const std::string& seg : split(s, '/'))
    if (!seg.empty()) joined += (joined.empty() ? "" : "/") + seg;
  out += joined;
  if (s.back() == '/') out += '/';
  return out;
}

}  // namespace

NormalizedPath normalize_path(std::string_view raw, PathNormalization mode) {
  NormalizedPath n;
  if (raw.empty()) return n;
  std::string_view p = raw.substr(0, raw.find('#'));  // a fragment never reaches the filters
  if (p.empty() || p.front() != '/') {
    n.rejected = true;
    n.reason = "the path does not start with '/' (Envoy answers 404 before any filter)";
    return n;
  }
  size_t q = p.find('?');
  if (q != std::string_view::npos) n.query = std::string(p.substr(q));
  std::string path(p.substr(0, q));
  if (mode == PathNormalization::DecodeAndMergeSlashes) path = unescape_slashes(path);
  if (mode != PathNormalization::None) {
    auto canonical = canonicalize(path);
    if (!canonical) {
      n.rejected = true;
      n.reason = "the path holds a NUL byte or %00, which Envoy's path normalization refuses (400)";
      return n;
    }
    path = std::move(*canonical);
  }
  if (mode == PathNormalization::MergeSlashes || mode == PathNormalization::DecodeAndMergeSlashes)
    path = merge_slashes(path);
  n.url_path = std::move(path);
  return n;
}

bool is_normalized_path(std::string_view path, PathNormalization mode) {
  if (path.empty() || path.front() != '/' || path.find_first_of("?#") != std::string_view::npos) return false;
  NormalizedPath n = normalize_path(path, mode);
  return !n.rejected && n.url_path == path;
}

bool normalized_prefix_possible(std::string_view prefix, PathNormalization mode) {
  if (prefix.empty()) return true;
  return is_normalized_path(std::string(prefix) + "x", mode);
}

bool normalized_suffix_possible(std::string_view suffix, PathNormalization mode) {
  if (suffix.empty()) return true;
  return is_normalized_path("/x" + std::string(suffix), mode);
}

std::string_view path_middle_characters() { return "xzqjkvwyghilmnoprstuGHIJKLMNOPQRSTUVWXYZ-_~!$&'()*+,;=:@"; }

}  // namespace meshproof::ir
