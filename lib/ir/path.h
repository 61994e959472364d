// Request paths as Envoy's HTTP connection manager sees them before any filter runs (docs/semantics.md,
// "Paths as Envoy normalizes them"). `paths` in an AuthorizationPolicy are matched against the path after
// this normalization, without the query string; `meshConfig.pathNormalization` chooses the steps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshproof::ir {

// meshConfig.pathNormalization.normalization (istio pilot/pkg/networking/core listener_builder.go):
//   None                   normalize_path false
//   Base (DEFAULT, unset)  normalize_path true (RFC 3986 via Chromium's URL canonicalizer)
//   MergeSlashes           Base + merge_slashes
//   DecodeAndMergeSlashes  MergeSlashes + path_with_escaped_slashes_action UNESCAPE_AND_FORWARD
enum class PathNormalization : uint8_t { None, Base, MergeSlashes, DecodeAndMergeSlashes };
const char* to_string(PathNormalization n);  // "NONE", "BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"
// The mesh config's text; "", "DEFAULT" and unknown values are BASE (Istio's default). Case-insensitive.
PathNormalization parse_path_normalization(std::string_view text);

// The outcome of Envoy's path handling for one raw `:path`.
struct NormalizedPath {
  // The request is answered by Envoy itself before any filter (404: the path does not start with '/';
  // 400: the canonicalizer refuses it, e.g. a NUL byte or `%00`).
  bool rejected = false;
  std::string reason;    // why it was rejected, one clause
  std::string url_path;  // the normalized path without query string and fragment (what `paths` match)
  std::string query;     // from the first '?' on, as sent ("" when none)
};

// Normalizes a raw `:path` as Envoy does with this mode: strip a fragment, refuse a path that does not
// start with '/', then (DecodeAndMergeSlashes) decode %2F/%5C, (all but None) canonicalize, (Merge*)
// merge slashes; the query is kept aside. An empty raw path is not a request path: url_path "" and not
// rejected (the request model's "no path").
NormalizedPath normalize_path(std::string_view raw, PathNormalization mode);

// True when `path` is a url_path the mode can produce: it starts with '/', has no '?' or '#', and
// normalizing it changes nothing. The symbolic engine's path values are exactly these.
bool is_normalized_path(std::string_view path, PathNormalization mode);

// Whether some normalized path starts with `prefix` / ends with `suffix` (an atom that cannot hold on
// any normalized path is false). Decided by extending the text with a plain letter, which neither
// continues an escape nor forms a dot segment (symbolic_encoder.cpp explains why that suffices).
bool normalized_prefix_possible(std::string_view prefix, PathNormalization mode);
bool normalized_suffix_possible(std::string_view suffix, PathNormalization mode);

// Characters a witness may put between a path's known prefix and suffix without changing what
// normalization does to either: plain letters (no hex digit) and sub-delimiters Envoy keeps as they are.
std::string_view path_middle_characters();

}  // namespace meshproof::ir
