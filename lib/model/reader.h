// Internal to lib/model: reads a load::Node tree the way the Kubernetes API server decodes it, and turns
// every mismatch into a Diagnostic with the dotted field path (never an exception).
//
// Typing follows go-yaml v2 (YAML 1.1 resolution of plain scalars, load::Node::scalar_type) followed by
// JSON decoding into the typed object:
//   - a string field that receives an integer, number or boolean is an error (the API server answers
//     "must be of type string" for CRDs, "cannot unmarshal number into ... of type string" for built-ins);
//   - `null` for a field means "absent": the API server prunes nulls of non-nullable CRD fields and Go's
//     JSON decoder leaves the zero value (docs/semantics.md §2);
//   - `null` as a list item is an error ("must be of type string/object");
//   - a list where a map belongs, a map where a list belongs, a scalar where either belongs: errors.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/text.h"  // edit_distance, for "did you mean" help on unknown fields and enum values
#include "load/node.h"
#include "model/resources.h"

namespace meshproof::model::detail {

using load::Node;

class Reader {
 public:
  Reader(ResourceSet& out, ResourceRef ref) : out_(out), ref_(std::move(ref)) {}

  // The dotted path of the field being read; segments are pushed and popped by Scope.
  class Scope {
   public:
    Scope(Reader& r, size_t len) : r_(r), len_(len) {}
    ~Scope() { r_.path_.resize(len_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Reader& r_;
    size_t len_;
  };
  [[nodiscard]] Scope field(std::string_view name);  // ".name"
  [[nodiscard]] Scope index(size_t i);               // "[i]"
  [[nodiscard]] Scope key(std::string_view k);       // "[k]" (map keys such as labels or ports)
  const std::string& path() const { return path_; }
  // The path with one more field appended, without entering it.
  std::string path_with(std::string_view name) const;

  ResourceRef& ref() { return ref_; }
  ResourceSet& out() { return out_; }

  void diag(Severity s, Loc loc, std::string message, std::string help = {}, std::string field = {});
  void error(Loc loc, std::string message, std::string help = {}) {
    diag(Severity::Error, loc, std::move(message), std::move(help));
  }

  // --- shape checks; `what` names the expected type in messages ---
  // True when `n` is a map. Null is "absent" (false, no diagnostic); any other type is an error.
  bool expect_map(const Node& n);
  // True when `n` is a list. Null is "absent"; a scalar or a map is an error.
  bool expect_seq(const Node& n, const char* item_what = "values");

  // --- scalars ---
  // A string field. Returns false when absent/null. A mistyped scalar is reported and its text is still
  // stored (so that later checks do not pile up follow-on errors about the same value).
  bool read_string(const Node& n, std::string& out);
  bool read_str(const Node& n, Str& out);
  // A boolean field; a quoted "true" is an error (the schema says boolean).
  bool read_bool(const Node& n, bool& out);
  // An integer field in [min, max]. Quoted numbers are errors, as are fractions and out-of-range values.
  bool read_uint(const Node& n, uint32_t& out, uint64_t min, uint64_t max);

  // --- fields of a map ---
  // Each looks `key` up in `map` (which must already be a map), pushes the path and reads it.
  bool get_string(const Node& map, std::string_view key, std::string& out);
  bool get_str(const Node& map, std::string_view key, Str& out);
  bool get_bool(const Node& map, std::string_view key, bool& out);
  bool get_uint(const Node& map, std::string_view key, uint32_t& out, uint64_t min, uint64_t max);
  // A list of strings. `out.present` is true when the key holds a list (even `[]`). A null item is an
  // error; a single string instead of a list is an error with help to wrap it in brackets.
  void get_str_list(const Node& map, std::string_view key, StrList& out);
  void get_string_vector(const Node& map, std::string_view key, std::vector<std::string>& out);
  // A map of string to string (labels, annotations, selectors). Returns true when present (even `{}`).
  bool get_labels(const Node& map, std::string_view key, Labels& out, Loc* loc = nullptr);
  bool read_labels(const Node& n, Labels& out);

  // Unknown fields of a strictly typed object (the Istio security kinds): the API server's strict field
  // validation, which `kubectl apply` uses by default, rejects them (docs/semantics.md §2).
  void check_fields(const Node& map, std::initializer_list<std::string_view> known);

 private:
  void type_error(const Node& n, const char* expected);
  ResourceSet& out_;
  ResourceRef ref_;
  std::string path_;
};

// How go-yaml v2 types a scalar. This is load::Node::scalar_type() with go-yaml's stricter float rule
// applied: a plain scalar is a float only when it matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
// (underscores removed) or is a .inf/.nan spelling, so `1.2.3.4` (an unquoted IP address) is a string
// (go-yaml v2 resolve.go, yamlStyleFloat).
load::ScalarType kube_type(const Node& n);
// "string", "integer", "number", ... as kube_type sees it.
const char* kube_type_name(const Node& n);

// A quoted rendition of a scalar for help texts: "8080" -> "\"8080\"".
std::string quoted(std::string_view s);

}  // namespace meshproof::model::detail
