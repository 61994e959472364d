// JSON and YAML text for emitted filters. YAML is written by hand from the JSON tree (yaml-cpp lives in
// lib/load only), in the block style of sigs.k8s.io/yaml / go-yaml v2 that Istio's goldens use.
#include <cctype>
#include <cstdio>
#include <regex>

#include <nlohmann/json.hpp>

#include "compile/emit/emit.h"

namespace meshproof::compile {

using json = nlohmann::json;

std::string to_json_text(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n"; }

namespace {

// Whether a plain scalar would read as something other than this string under YAML 1.1 (go-yaml v2,
// which Kubernetes and Istio's test use): booleans, null, integers, floats.
bool resolves_to_non_string(const std::string& s) {
  static const std::regex special(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL");
  static const std::regex number(
      "[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)|"
      "[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
      "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[-+]?[0-9]+[eE][-+]?[0-9]+");
  return std::regex_match(s, special) || std::regex_match(s, number);
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string scalar_text(const std::string& s) {
  if (s.empty()) return "\"\"";
  if (has_control(s)) return double_quoted(s);
  bool quote = false;
  const std::string indicators = ",[]{}#&*!|>'\"%@`";
  if (indicators.find(s[0]) != std::string::npos) quote = true;
  if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (s.size() == 1 || s[1] == ' ')) quote = true;
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':') quote = true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) quote = true;
  if (s == "-" || s == "---" || s == "...") quote = true;
  if (!quote && resolves_to_non_string(s)) quote = true;
  if (!quote) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else
      out.push_back(c);
  }
  return out + "'";
}

std::string leaf_text(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return scalar_text(v.get<std::string>());
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "{}";  // only called for empty containers
    case json::value_t::array:
      return "[]";
    default:
      return v.dump();
  }
}

bool is_leaf(const json& v) { return !(v.is_object() || v.is_array()) || v.empty(); }

void write_node(const json& v, int indent, std::string& out);

// A map's entries at `indent`; the first line's indentation is already written when `first_inline`.
void write_map(const json& m, int indent, bool first_inline, std::string& out) {
  bool first = true;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    out += scalar_text(it.key()) + ":";
    const json& v = it.value();
    if (is_leaf(v)) {
      out += " " + leaf_text(v) + "\n";
    } else if (v.is_object()) {
      out += "\n";
      write_map(v, indent + 2, false, out);
    } else {
      out += "\n";
      write_node(v, indent, out);  // sequences are not indented under their key
    }
  }
}

void write_node(const json& v, int indent, std::string& out) {
  if (is_leaf(v)) {
    out.append(indent, ' ');
    out += leaf_text(v) + "\n";
    return;
  }
  if (v.is_object()) {
    write_map(v, indent, false, out);
    return;
  }
  for (const auto& item : v) {
    out.append(indent, ' ');
    out += "-";
    if (is_leaf(item)) {
      out += " " + leaf_text(item) + "\n";
    } else if (item.is_object()) {
      out += " ";
      write_map(item, indent + 2, true, out);
    } else {
      out += "\n";
      write_node(item, indent + 2, out);
    }
  }
}

}  // namespace

std::string to_yaml_text(const json& j) {
  std::string out;
  write_node(j, 0, out);
  return out;
}

}  // namespace meshproof::compile
