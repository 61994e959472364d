// The YAML document tree every layer above `load` works with. It is meshproof's own type, so that
// yaml-cpp stays inside lib/load, and every node carries its source position.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/location.h"

namespace meshproof::load {

struct MapEntry;

// How a scalar reads under the YAML 1.1 core rules that Kubernetes' YAML decoder (go-yaml v2) applies.
// Quoted and block scalars are always strings; only plain scalars are resolved.
enum class ScalarType : uint8_t { String, Int, Float, Bool, Null };

struct Node {
  enum class Type : uint8_t { Null, Scalar, Sequence, Map };

  Type type = Type::Null;
  bool plain = true;  // a scalar written without quotes or block style
  Loc loc;
  std::string scalar;             // Scalar only
  std::vector<Node> items;        // Sequence only
  std::vector<MapEntry> entries;  // Map only, in document order, keys unique (duplicates are reported)

  bool is_null() const { return type == Type::Null; }
  bool is_scalar() const { return type == Type::Scalar; }
  bool is_seq() const { return type == Type::Sequence; }
  bool is_map() const { return type == Type::Map; }

  // Map lookup; nullptr when absent or when this node is not a map.
  const Node* find(std::string_view key) const;
  // The location of a key inside this map (the key, not its value); loc of the map when absent.
  Loc key_loc(std::string_view key) const;

  ScalarType scalar_type() const;
  // "null", "string", "integer", "number", "boolean", "list", "map": for "expected X, found Y" messages.
  const char* type_name() const;
  size_t node_count() const;  // this node and all descendants
};

struct MapEntry {
  std::string key;
  Loc key_loc;
  Node value;
};

// A problem inside a document that does not stop loading (a duplicate key, a merge that could not apply).
struct DocumentProblem {
  Loc loc;
  std::string message;
};

struct Document {
  Node root;
  Loc loc;                  // where the document's content starts
  uint32_t index = 0;       // 0-based position in its file
  std::string helm_source;  // from a preceding "# Source: path" comment (Helm output), else ""
  std::vector<DocumentProblem> problems;
};

}  // namespace meshproof::load
