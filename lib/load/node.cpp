#include "load/node.h"

#include <algorithm>
#include <cctype>

namespace meshproof::load {

const Node* Node::find(std::string_view key) const {
  if (type != Type::Map) return nullptr;
  for (const MapEntry& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

Loc Node::key_loc(std::string_view key) const {
  if (type == Type::Map)
    for (const MapEntry& e : entries)
      if (e.key == key) return e.key_loc;
  return loc;
}

namespace {

bool all_of_chars(std::string_view s, size_t from, int (*pred)(int)) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!pred(static_cast<unsigned char>(s[i])) && s[i] != '_') return false;
  return true;
}

bool is_yaml11_int(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return false;
  if (s.substr(i, 2) == "0x") return all_of_chars(s, i + 2, isxdigit);
  if (s.substr(i, 2) == "0b") {
    if (i + 2 >= s.size()) return false;
    return std::all_of(s.begin() + i + 2, s.end(), [](char c) { return c == '0' || c == '1' || c == '_'; });
  }
  if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return all_of_chars(s, i, isdigit);
}

bool is_yaml11_float(std::string_view s) {
  static const char* specials[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                   "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
  for (const char* sp : specials)
    if (s == sp) return true;
  // go-yaml v2 (what Kubernetes uses) accepts a float only if it matches
  //   ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$   (underscores removed first)
  // which is stricter than the YAML 1.1 spec's pattern: `1.2.3.4` stays a string.
  std::string without_underscores;
  std::string_view t = s;
  if (s.find('_') != std::string_view::npos) {
    for (char c : s)
      if (c != '_') without_underscores += c;
    t = without_underscores;
  }
  size_t i = 0;
  auto digit = [&](size_t k) { return k < t.size() && std::isdigit(static_cast<unsigned char>(t[k])); };
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  } else {
    if (!digit(i)) return false;
    while (digit(i)) ++i;
    if (i < t.size() && t[i] == '.') {
      ++i;
      while (digit(i)) ++i;
    }
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == t.size();
}

// Whether a plain scalar starting with `c` can resolve to anything but a string. Every null, boolean, integer
// and float form above starts with one of these characters ('_' too: a float's underscores are dropped
// before it is matched). Most scalars (names, paths, methods) start otherwise and skip every comparison.
bool may_resolve(char c) {
  switch (c) {
    case '~': case 'n': case 'N': case 'y': case 'Y': case 't': case 'T': case 'f': case 'F': case 'o': case 'O':
    case '.': case '+': case '-': case '_':
      return true;
    default:
      return c >= '0' && c <= '9';
  }
}

// The null and boolean words (at most 5 characters) of go-yaml v2, which resolves YAML 1.1 booleans,
// including y/n/yes/no/on/off.
bool is_yaml11_null(std::string_view s) { return s == "~" || s == "null" || s == "Null" || s == "NULL"; }

bool is_yaml11_bool(std::string_view s) {
  static constexpr std::string_view bools[] = {"y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no",
                                               "No",   "NO",   "true",  "True",  "TRUE",  "false", "False",
                                               "FALSE", "on",  "On",    "ON",    "off",   "Off",  "OFF"};
  for (std::string_view b : bools)
    if (s == b) return true;
  return false;
}

}  // namespace

ScalarType Node::scalar_type() const {
  if (type == Type::Null) return ScalarType::Null;
  if (type != Type::Scalar || !plain) return ScalarType::String;
  const std::string_view s = scalar;
  if (s.empty()) return ScalarType::Null;
  if (!may_resolve(s[0])) return ScalarType::String;
  if (s.size() <= 5) {
    if (is_yaml11_null(s)) return ScalarType::Null;
    if (is_yaml11_bool(s)) return ScalarType::Bool;
  }
  if (is_yaml11_int(s)) return ScalarType::Int;
  if (is_yaml11_float(s)) return ScalarType::Float;
  return ScalarType::String;
}

const char* Node::type_name() const {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Sequence:
      return "list";
    case Type::Map:
      return "map";
    case Type::Scalar:
      break;
  }
  switch (scalar_type()) {
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

size_t Node::node_count() const {
  size_t n = 1;
  for (const Node& i : items) n += i.node_count();
  for (const MapEntry& e : entries) n += 1 + e.value.node_count();
  return n;
}

}  // namespace meshproof::load
