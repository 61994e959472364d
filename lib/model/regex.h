// Regular expressions as Istio and Envoy read them: RE2 syntax, full match. Envoy's RegexMatcher is
// google_re2 ("The regex is matched against the full string, not as a partial match", envoyproxy.io
// type/matcher/v3/regex.proto); Istio programs every StringMatch regex and uriRegexRewrite as such a
// matcher, and Istio's validation compiles the pattern with Go's regexp, whose syntax is RE2's
// (docs/semantics.md#regex). RE2 is linked by this layer only: the header names no RE2 type, so layers
// above use these functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meshproof::model {

// Why RE2 rejects the pattern (its error text, e.g. "invalid perl operator: (?="), or nullopt when it
// compiles.
std::optional<std::string> regex_error(const std::string& pattern);

// Whether the pattern matches the whole text. A pattern RE2 rejects matches nothing (Envoy never
// accepts such a route; Istio's validation rejects it first).
bool regex_full_match(const std::string& pattern, std::string_view text);

// Every non-overlapping match of the pattern in text replaced by `rewrite`, where \1..\9 name capture
// groups and \0 the whole match (RE2::GlobalReplace, which Envoy's regex_rewrite uses). nullopt when the
// pattern or the rewrite is invalid (a \N beyond the pattern's groups).
std::optional<std::string> regex_replace_all(const std::string& pattern, std::string_view text,
                                             const std::string& rewrite);

}  // namespace meshproof::model
