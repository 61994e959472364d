// Reading Istio's builder goldens (shared/corpus/istio, PROVENANCE.md §1) for the conformance tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "load/node.h"

namespace meshproof::test {

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A load::Node as proto JSON (scalars typed by YAML 1.1 rules, as protomarshal's YAML → JSON does).
inline nlohmann::json node_json(const load::Node& n) {
  using json = nlohmann::json;
  switch (n.type) {
    case load::Node::Type::Null:
      return nullptr;
    case load::Node::Type::Scalar:
      switch (n.scalar_type()) {
        case load::ScalarType::Int:
          return json::parse(n.scalar);
        case load::ScalarType::Bool:
          return n.scalar == "true" || n.scalar == "True" || n.scalar == "TRUE";
        case load::ScalarType::Null:
          return nullptr;
        default:
          return n.scalar;
      }
    case load::Node::Type::Sequence: {
      json a = json::array();
      for (const auto& i : n.items) a.push_back(node_json(i));
      return a;
    }
    case load::Node::Type::Map: {
      json o = json::object();
      for (const auto& e : n.entries) o[e.key] = node_json(e.value);
      return o;
    }
  }
  return nullptr;
}

// Whether an emitted filter equals Istio's golden one: RBAC filters as whole JSON trees; ext_authz filters
// on what decides which requests reach the authorizer (the provider's transport is not modelled,
// docs/compile.md).
inline bool same_filter(const nlohmann::json& golden, const nlohmann::json& emitted) {
  bool ext = golden.value("name", "").find("ext_authz") != std::string::npos;
  if (!ext) return golden == emitted;
  return golden["name"] == emitted["name"] && golden["typedConfig"]["@type"] == emitted["typedConfig"]["@type"] &&
         golden["typedConfig"]["filterEnabledMetadata"] == emitted["typedConfig"]["filterEnabledMetadata"];
}

}  // namespace meshproof::test
