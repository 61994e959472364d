// Internal to lib/compile (the decoder and the config-dump walker): reading an Envoy config tree
// (load::Node, from JSON or YAML) field by field, with errors that carry the JSON path and position.
//
// Field names are accepted in proto JSON form (camelCase) and in proto field form (snake_case): both are
// looked up by their camelCase name.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compile/decode/decode.h"
#include "load/node.h"

namespace meshproof::compile::decoder {

using load::Node;

// What the readers throw; decode_filters turns it into a DecodeError result.
struct Failure {
  DecodeError e;
};

[[noreturn]] void fail(const Node& n, const std::string& path, std::string msg);

// snake_case → camelCase ("principal_name" → "principalName"); camelCase stays as it is.
std::string camel(std::string_view key);

// A map node's entries by camelCase name; every key must be in `allowed` (an unknown field is an error:
// it might change what the matcher means), and none may be given twice.
class Fields {
 public:
  Fields(const Node& n, const std::string& path, std::initializer_list<const char*> allowed)
      : Fields(n, path, std::vector<std::string_view>(allowed.begin(), allowed.end())) {}
  Fields(const Node& n, const std::string& path, const std::vector<std::string_view>& allowed);

  const Node* get(const std::string& k) const;
  // The JSON path of field `k`, with the key as written.
  std::string path(const std::string& k) const;
  size_t size() const { return by_name_.size(); }
  // The single key of a oneof-only map.
  std::pair<std::string, const Node*> only() const;

 private:
  const Node& n_;
  std::string path_;
  std::map<std::string, const load::MapEntry*> by_name_;
};

std::string scalar(const Node* n, const std::string& path, const char* what = "a string");
bool boolean(const Node* n, const std::string& path);
// A non-negative integer of at most `max`.
uint64_t number(const Node* n, const std::string& path, uint64_t max);
// The items of a list; a missing or null node is the empty list.
const std::vector<Node>& seq(const Node* n, const std::string& path);

}  // namespace meshproof::compile::decoder
