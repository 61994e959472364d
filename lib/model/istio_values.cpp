#include "model/istio_values.h"

#include <cctype>
#include <limits>
#include <vector>

namespace meshproof::model::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Four decimal fields 0..255; Go rejects leading zeros ("01") since they read as octal elsewhere.
bool parse_v4(std::string_view s) {
  int fields = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i])) {
      value = value * 10 + (s[i] - '0');
      if (value > 255) return false;
      ++i;
    }
    size_t len = i - start;
    if (len == 0 || len > 3) return false;
    if (len > 1 && s[start] == '0') return false;
    ++fields;
    if (i == s.size()) break;
    if (s[i] != '.' || fields == 4) return false;
    ++i;
  }
  return fields == 4;
}

bool parse_v6(std::string_view s) {
  int groups = 0;
  bool ellipsis = false;
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && is_hex(s[i]) && i - start < 5) ++i;
    size_t len = i - start;
    if (i < s.size() && s[i] == '.') {
      // An embedded IPv4 tail takes the last two groups.
      if (!parse_v4(s.substr(start))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (len == 0 || len > 4) return false;
    ++groups;
    if (groups > 8) return false;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (ellipsis) return false;
      ellipsis = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // a trailing single ':'
    }
  }
  if (groups > 8) return false;
  return ellipsis ? groups < 8 : groups == 8;
}

}  // namespace

bool go_parse_addr(std::string_view s, bool allow_zone, bool* is_v4) {
  if (s.empty()) return false;
  if (s.find(':') == std::string_view::npos) {
    if (is_v4) *is_v4 = true;
    return parse_v4(s);
  }
  if (is_v4) *is_v4 = false;
  size_t pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (!allow_zone || pct + 1 == s.size()) return false;  // zones are allowed on addresses, must be non-empty
    s = s.substr(0, pct);
  }
  return parse_v6(s);
}

bool go_parse_prefix(std::string_view s) {
  size_t slash = s.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view addr = s.substr(0, slash), bits = s.substr(slash + 1);
  bool v4 = false;
  if (!go_parse_addr(addr, /*allow_zone=*/false, &v4)) return false;
  if (bits.empty() || bits.size() > 3) return false;
  if (bits.size() > 1 && bits[0] == '0') return false;
  int n = 0;
  for (char c : bits) {
    if (!is_digit(c)) return false;
    n = n * 10 + (c - '0');
  }
  return n <= (v4 ? 32 : 128);
}

bool valid_ip_or_cidr(std::string_view s) {
  return s.find('/') != std::string_view::npos ? go_parse_prefix(s) : go_parse_addr(s);
}

bool valid_port_string(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v <= 65535;
}

bool go_parse_duration(std::string_view s, int64_t& nanos) {
  // [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0".
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (s.substr(i) == "0") return nanos = 0, true;
  if (i == s.size()) return false;
  long double total = 0;
  while (i < s.size()) {
    long double whole = 0, frac = 0, scale = 1;
    size_t digits = 0;
    while (i < s.size() && is_digit(s[i])) whole = whole * 10 + (s[i++] - '0'), ++digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) frac = frac * 10 + (s[i++] - '0'), scale *= 10, ++digits;
    }
    if (digits == 0) return false;
    size_t u = i;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) ++i;
    std::string_view unit = s.substr(u, i - u);
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e3;
    else if (unit == "ms")
      mult = 1e6;
    else if (unit == "s")
      mult = 1e9;
    else if (unit == "m")
      mult = 60e9;
    else if (unit == "h")
      mult = 3600e9;
    else
      return false;
    total += (whole + frac / scale) * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return false;
  }
  nanos = static_cast<int64_t>(neg ? -total : total);
  return true;
}

bool is_path_template(std::string_view path) {
  return path.find("{*}") != std::string_view::npos || path.find("{**}") != std::string_view::npos;
}

std::string path_template_problem(std::string_view path) {
  // Split at '/'; a leading '/' gives an empty first segment, which is not a segment of the path.
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool seen_any = false;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view seg = segments[i];
    if (i == 0 && seg.empty()) continue;
    if (seg == "{*}" || seg == "{**}") {
      if (seen_any) return "{**} must be the last operator of a path template";
      if (seg == "{**}") seen_any = true;
      continue;
    }
    if (seg.empty()) return "empty path segment (\"//\" or a trailing \"/\") in a path template";
    for (char c : seg) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
                std::string_view("-._~%!$&'()+,;:@=").find(c) != std::string_view::npos;
      if (!ok) {
        if (c == '*') return "\"*\" is only allowed as a whole {*} or {**} segment in a path template";
        if (c == '{' || c == '}') return "\"{\" and \"}\" are only allowed as a whole {*} or {**} segment";
        return std::string("character '") + c + "' is not allowed in a path template segment";
      }
    }
  }
  return "";
}

bool valid_map_key(std::string_view key) {
  size_t open = key.find('[');
  return !key.empty() && key.back() == ']' && open != std::string_view::npos && open > 0 && open < key.size() - 2;
}

std::string service_account_problem(std::string_view v) {
  if (v.empty()) return "empty value";
  if (v.size() > 320) return "longer than 320 characters";
  if (v.find('*') != std::string_view::npos) return "wildcards (*) are not supported in serviceAccounts";
  size_t slash = v.find('/');
  if (slash != std::string_view::npos) {
    if (v.find('/', slash + 1) != std::string_view::npos) return "more than one \"/\"";
    if (slash == 0 || slash + 1 == v.size()) return "namespace and service account must both be non-empty";
  }
  return "";
}

std::string trust_domain_problem(std::string_view v) {
  if (v.empty()) return "empty value";
  if (v.find('/') != std::string_view::npos) return "a trust domain cannot contain \"/\"";
  size_t stars = 0;
  for (char c : v) stars += c == '*';
  if (stars > 1) return "at most one \"*\" is allowed";
  if (stars == 1 && v.front() != '*' && v.back() != '*') return "\"*\" is only allowed at the start or the end";
  return "";
}

std::string jwks_uri_problem(std::string_view uri) {
  if (uri.empty()) return "must not be empty";
  if (uri.size() > 2048) return "longer than 2048 characters";
  // A URL scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (Go's url.Parse lowercases it).
  size_t colon = uri.find(':');
  bool scheme_ok = colon != std::string_view::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(uri[0]));
  for (size_t i = 0; scheme_ok && i < colon; ++i) {
    char c = uri[i];
    scheme_ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  }
  if (!scheme_ok) return "url must have scheme http:// or https://";
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(uri[i])));
  if (scheme != "http" && scheme != "https") return "URI scheme \"" + scheme + "\" is not supported";
  for (char c : uri)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') return "contains a control character or space";
  // A port, when present in the authority, must be numeric.
  std::string_view rest = uri.substr(colon + 1);
  if (rest.substr(0, 2) == "//") {
    std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority = authority.substr(at + 1);
    size_t close = authority.rfind(']');
    size_t port_colon = authority.rfind(':');
    if (port_colon != std::string_view::npos && (close == std::string_view::npos || port_colon > close)) {
      for (char c : authority.substr(port_colon + 1))
        if (!is_digit(c)) return "invalid port in URL";
    }
  }
  return "";
}

bool valid_header_name(std::string_view h) {
  if (h.empty()) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

bool valid_ref_group(std::string_view g) {
  // ^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$, at most 253 characters.
  if (g.empty()) return true;
  if (g.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = g.find('.', start);
    std::string_view label = g.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-')) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_ref_kind(std::string_view k) {
  // ^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$, 1..63 characters.
  if (k.empty() || k.size() > 63 || !std::isalpha(static_cast<unsigned char>(k.front()))) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  return k.back() != '-';
}

}  // namespace meshproof::model::detail
