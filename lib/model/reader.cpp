#include "model/reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace meshproof::model::detail {

using load::ScalarType;

ScalarType kube_type(const Node& n) {
  // The loader applies go-yaml v2's float pattern, so `1.2.3.4` is already a string there.
  return n.scalar_type();
}

const char* kube_type_name(const Node& n) {
  if (!n.is_scalar()) return n.type_name();
  switch (kube_type(n)) {
    case ScalarType::String:
      return "string";
    case ScalarType::Int:
      return "integer";
    case ScalarType::Float:
      return "number";
    case ScalarType::Bool:
      return "boolean";
    case ScalarType::Null:
      return "null";
  }
  return "string";
}

Reader::Scope Reader::field(std::string_view name) {
  size_t len = path_.size();
  if (!path_.empty()) path_ += '.';
  path_ += name;
  return Scope(*this, len);
}

Reader::Scope Reader::index(size_t i) {
  size_t len = path_.size();
  path_ += '[';
  path_ += std::to_string(i);
  path_ += ']';
  return Scope(*this, len);
}

Reader::Scope Reader::key(std::string_view k) {
  size_t len = path_.size();
  path_ += '[';
  path_ += k;
  path_ += ']';
  return Scope(*this, len);
}

std::string Reader::path_with(std::string_view name) const {
  std::string p = path_;
  if (!p.empty()) p += '.';
  p += name;
  return p;
}

void Reader::diag(Severity s, Loc loc, std::string message, std::string help, std::string field) {
  Diagnostic d;
  d.severity = s;
  d.message = std::move(message);
  d.help = std::move(help);
  d.resource = ref_;
  d.loc = loc.known() ? loc : ref_.loc;
  d.field = field.empty() ? path_ : std::move(field);
  out_.diagnostics.push_back(std::move(d));
}

std::string quoted(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  q += '"';
  return q;
}

void Reader::type_error(const Node& n, const char* expected) {
  std::string msg = std::string("expected ") + expected + ", found " + kube_type_name(n);
  std::string help;
  std::string_view exp(expected);
  if (n.is_scalar() && exp == "string") {
    switch (kube_type(n)) {
      case ScalarType::Int:
        help = "YAML reads " + n.scalar + " as an integer; quote it: " + quoted(n.scalar);
        break;
      case ScalarType::Float:
        help = "YAML reads " + n.scalar + " as a number; quote it: " + quoted(n.scalar);
        break;
      case ScalarType::Bool:
        help = "YAML 1.1 reads " + n.scalar + " as a boolean; quote it: " + quoted(n.scalar);
        break;
      default:
        break;
    }
  } else if (n.is_null()) {
    help = "remove the empty entry or give it a value";
  } else if (exp.rfind("list", 0) == 0 && n.is_map()) {
    help = "write the entries as list items, each starting with \"- \"";
  } else if (exp.rfind("list", 0) == 0 && n.is_scalar()) {
    help = "write it as a list: [" + quoted(n.scalar) + "]";
  } else if (exp == "map" && n.is_seq()) {
    help = "this field takes a map of fields, not a list; remove the leading \"- \"";
  } else if (exp == "map" && n.is_scalar()) {
    help = "this field takes a map of fields";
  } else if (exp == "integer" && n.is_scalar() && kube_type(n) == ScalarType::String) {
    help = "write the number without quotes";
  } else if (exp == "boolean" && n.is_scalar()) {
    help = "write true or false without quotes";
  }
  error(n.loc, std::move(msg), std::move(help));
}

bool Reader::expect_map(const Node& n) {
  if (n.is_map()) return true;
  if (n.is_null()) return false;
  type_error(n, "map");
  return false;
}

bool Reader::expect_seq(const Node& n, const char* item_what) {
  if (n.is_seq()) return true;
  if (n.is_null()) return false;
  std::string exp = std::string("list of ") + item_what;
  type_error(n, exp.c_str());
  return false;
}

bool Reader::read_string(const Node& n, std::string& out) {
  if (n.is_null()) return false;
  if (!n.is_scalar()) {
    type_error(n, "string");
    return false;
  }
  ScalarType t = kube_type(n);
  if (t == ScalarType::Null) return false;
  if (t != ScalarType::String) type_error(n, "string");
  out = n.scalar;
  return true;
}

bool Reader::read_str(const Node& n, Str& out) {
  if (!read_string(n, out.value)) return false;
  out.loc = n.loc;  // only when a value was read, so that a known loc means "written"
  return true;
}

bool Reader::read_bool(const Node& n, bool& out) {
  if (n.is_null()) return false;
  if (!n.is_scalar() || kube_type(n) != ScalarType::Bool) {
    if (n.is_scalar() && kube_type(n) == ScalarType::Null) return false;
    type_error(n, "boolean");
    return false;
  }
  const std::string& s = n.scalar;
  out = (s == "true" || s == "True" || s == "TRUE" || s == "y" || s == "Y" || s == "yes" || s == "Yes" || s == "YES" ||
         s == "on" || s == "On" || s == "ON");
  return true;
}

namespace {
// go-yaml v2 resolves integers with strconv.ParseInt(text without "_", base 0): 0x hex, 0b binary,
// a leading 0 is octal.
bool parse_yaml_int(const std::string& text, int64_t& v) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '_') s += c;
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int base = 10;
  if (s.compare(i, 2, "0x") == 0 || s.compare(i, 2, "0X") == 0)
    base = 16, i += 2;
  else if (s.compare(i, 2, "0b") == 0 || s.compare(i, 2, "0B") == 0)
    base = 2, i += 2;
  else if (s.compare(i, 2, "0o") == 0 || s.compare(i, 2, "0O") == 0)
    base = 8, i += 2;
  else if (s.size() - i > 1 && s[i] == '0')
    base = 8, i += 1;
  if (i >= s.size()) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long u = std::strtoull(s.c_str() + i, &end, base);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  if (u > static_cast<unsigned long long>(INT64_MAX)) return false;
  v = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  return true;
}
}  // namespace

bool Reader::read_uint(const Node& n, uint32_t& out, uint64_t min, uint64_t max) {
  if (n.is_null()) return false;
  if (!n.is_scalar()) {
    type_error(n, "integer");
    return false;
  }
  ScalarType t = kube_type(n);
  if (t == ScalarType::Null) return false;
  int64_t v = 0;
  if (t == ScalarType::Int) {
    bool ok = parse_yaml_int(n.scalar, v);
    if (!ok && n.scalar.size() < 19 && n.scalar.find_first_not_of("0123456789") == std::string::npos) {
      // go-yaml reads "08" (not valid octal) as the float 8, which decodes into an integer field.
      v = std::stoll(n.scalar);
      ok = true;
    }
    if (!ok) {
      error(n.loc, "integer " + n.scalar + " is out of range",
            "use a value between " + std::to_string(min) + " and " + std::to_string(max));
      return false;
    }
  } else if (t == ScalarType::Float) {
    // YAML→JSON turns 80.0 into 80, which decodes into an integer field; 80.5 does not.
    double d = std::strtod(n.scalar.c_str(), nullptr);
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.2e18) {
      type_error(n, "integer");
      return false;
    }
    v = static_cast<int64_t>(d);
  } else {
    type_error(n, "integer");
    return false;
  }
  if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
    error(n.loc, "value " + n.scalar + " is out of range " + std::to_string(min) + ".." + std::to_string(max),
          "use a value between " + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  out = static_cast<uint32_t>(v);
  return true;
}

bool Reader::get_string(const Node& map, std::string_view key, std::string& out) {
  const Node* n = map.find(key);
  if (!n) return false;
  auto s = field(key);
  return read_string(*n, out);
}

bool Reader::get_str(const Node& map, std::string_view key, Str& out) {
  const Node* n = map.find(key);
  if (!n) return false;
  auto s = field(key);
  return read_str(*n, out);
}

bool Reader::get_bool(const Node& map, std::string_view key, bool& out) {
  const Node* n = map.find(key);
  if (!n) return false;
  auto s = field(key);
  return read_bool(*n, out);
}

bool Reader::get_uint(const Node& map, std::string_view key, uint32_t& out, uint64_t min, uint64_t max) {
  const Node* n = map.find(key);
  if (!n) return false;
  auto s = field(key);
  return read_uint(*n, out, min, max);
}

void Reader::get_str_list(const Node& map, std::string_view key, StrList& out) {
  const Node* n = map.find(key);
  if (!n) return;
  auto s = field(key);
  out.loc = map.key_loc(key);
  if (!expect_seq(*n, "strings")) return;
  out.present = true;
  out.items.reserve(n->items.size());
  for (size_t i = 0; i < n->items.size(); ++i) {
    const Node& item = n->items[i];
    auto si = index(i);
    Str v;
    v.loc = item.loc;
    if (item.is_null() || (item.is_scalar() && kube_type(item) == ScalarType::Null)) {
      error(item.loc, "expected string, found null", "remove the empty list item or quote it: \"\"");
      continue;
    }
    if (read_string(item, v.value)) out.items.push_back(std::move(v));
  }
}

void Reader::get_string_vector(const Node& map, std::string_view key, std::vector<std::string>& out) {
  StrList l;
  get_str_list(map, key, l);
  out.reserve(l.items.size());
  for (Str& s : l.items) out.push_back(std::move(s.value));
}

bool Reader::read_labels(const Node& n, Labels& out) {
  if (!expect_map(n)) return false;
  for (const load::MapEntry& e : n.entries) {
    auto s = key(e.key);
    std::string v;
    if (e.value.is_null() || (e.value.is_scalar() && kube_type(e.value) == ScalarType::Null)) {
      // Kubernetes label and annotation maps are map[string]string: null is not a string.
      error(e.value.loc.known() ? e.value.loc : e.key_loc, "expected string, found null",
            "give the label a value, or quote an empty one: \"\"");
      continue;
    }
    read_string(e.value, v);
    out[e.key] = std::move(v);
  }
  return true;
}

bool Reader::get_labels(const Node& map, std::string_view key, Labels& out, Loc* loc) {
  const Node* n = map.find(key);
  if (!n) return false;
  if (loc) *loc = map.key_loc(key);
  auto s = field(key);
  return read_labels(*n, out);
}

void Reader::check_fields(const Node& map, std::initializer_list<std::string_view> known) {
  if (!map.is_map()) return;
  for (const load::MapEntry& e : map.entries) {
    bool ok = false;
    for (std::string_view k : known)
      if (k == e.key) {
        ok = true;
        break;
      }
    if (ok) continue;
    std::string_view best;
    size_t best_d = SIZE_MAX;
    auto lower = [](std::string_view v) {
      std::string l(v);
      for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return l;
    };
    const std::string key_l = lower(e.key);
    for (std::string_view k : known) {
      size_t d = edit_distance(key_l, lower(k));
      if (d < best_d) best_d = d, best = k;
    }
    std::string help;
    if (!best.empty() && best_d <= std::max<size_t>(2, e.key.size() / 4))
      help = "did you mean \"" + std::string(best) + "\"? ";
    help +=
        "kubectl apply rejects unknown fields (strict field validation); with validation turned off the API "
        "server silently drops the field, and the policy is enforced without it";
    std::string f = path_with(e.key);
    diag(Severity::Error, e.key_loc, "unknown field \"" + e.key + "\"", std::move(help), std::move(f));
  }
}

}  // namespace meshproof::model::detail
