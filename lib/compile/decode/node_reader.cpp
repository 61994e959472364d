#include "compile/decode/node_reader.h"

#include <algorithm>
#include <cctype>

namespace meshproof::compile {

std::string to_string(const DecodeError& e, const SourceSet& sources) {
  std::string where = e.loc.known() ? sources.describe(e.loc) : std::string();
  std::string out = where.empty() ? "" : where + ": ";
  out += "error: " + e.message;
  if (!e.path.empty()) out += " (at " + e.path + ")";
  return out;
}

namespace decoder {

void fail(const Node& n, const std::string& path, std::string msg) {
  throw Failure{DecodeError{n.loc, path, std::move(msg)}};
}

std::string camel(std::string_view key) {
  std::string out;
  bool up = false;
  for (char c : key) {
    if (c == '_') {
      up = true;
      continue;
    }
    out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    up = false;
  }
  return out;
}

Fields::Fields(const Node& n, const std::string& path, const std::vector<std::string_view>& allowed)
    : n_(n), path_(path) {
  if (!n.is_map()) fail(n, path, std::string("expected a map, found ") + n.type_name());
  for (const auto& e : n.entries) {
    std::string k = e.key == "@type" ? e.key : camel(e.key);
    bool ok = std::find(allowed.begin(), allowed.end(), k) != allowed.end();
    if (!ok) {
      throw Failure{DecodeError{e.key_loc, path + "." + e.key,
                                "unknown field \"" + e.key +
                                    "\": meshproof cannot tell what it does, so it "
                                    "does not guess"}};
    }
    if (!by_name_.emplace(k, &e).second)
      throw Failure{DecodeError{e.key_loc, path + "." + e.key, "field \"" + e.key + "\" given twice"}};
  }
}

const Node* Fields::get(const std::string& k) const {
  auto it = by_name_.find(k);
  return it == by_name_.end() ? nullptr : &it->second->value;
}

std::string Fields::path(const std::string& k) const {
  auto it = by_name_.find(k);
  return path_ + "." + (it == by_name_.end() ? k : it->second->key);
}

std::pair<std::string, const Node*> Fields::only() const {
  if (by_name_.size() != 1)
    fail(n_, path_, by_name_.empty() ? "empty matcher" : "a matcher must set exactly one field");
  return {by_name_.begin()->first, &by_name_.begin()->second->value};
}

std::string scalar(const Node* n, const std::string& path, const char* what) {
  if (!n || !n->is_scalar()) fail(n ? *n : Node{}, path, std::string("expected ") + what);
  return n->scalar;
}

bool boolean(const Node* n, const std::string& path) {
  std::string s = scalar(n, path, "a boolean");
  if (s == "true") return true;
  if (s == "false") return false;
  fail(*n, path, "expected true or false, found \"" + s + "\"");
}

uint64_t number(const Node* n, const std::string& path, uint64_t max) {
  std::string s = scalar(n, path, "a number");
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), ::isdigit))
    fail(*n, path, "expected a non-negative integer, found \"" + s + "\"");
  uint64_t v = std::stoull(s);
  if (v > max) fail(*n, path, "value " + s + " out of range");
  return v;
}

const std::vector<Node>& seq(const Node* n, const std::string& path) {
  static const std::vector<Node> empty;
  if (!n || n->is_null()) return empty;
  if (!n->is_seq()) fail(*n, path, std::string("expected a list, found ") + n->type_name());
  return n->items;
}

}  // namespace decoder

}  // namespace meshproof::compile
