// model/regex.h: RE2 semantics (Envoy's safe_regex, Istio's validation), where they differ from ECMAScript
// (std::regex), which meshproof used before.
#include <catch2/catch.hpp>

#include "model/regex.h"

using namespace meshproof::model;

TEST_CASE("regex: RE2 rejects what ECMAScript accepts, and the reverse", "[model][regex]") {
  CHECK(regex_error("(a)\\1"));       // backreference
  CHECK(regex_error("(?=a)a"));       // lookahead
  CHECK(regex_error("(?<!a)b"));      // lookbehind
  CHECK(regex_error("a\\Z"));         // \Z is not RE2 (\z is)
  CHECK_FALSE(regex_error("(?i)/admin"));  // inline flags
  CHECK_FALSE(regex_error("\\pL+"));       // Unicode classes
  CHECK_FALSE(regex_error("a\\z"));
  CHECK_FALSE(regex_error("\\Q.*\\E"));    // literal quoting
}

TEST_CASE("regex: a full match, never a search", "[model][regex]") {
  CHECK(regex_full_match("/api", "/api"));
  CHECK_FALSE(regex_full_match("/api", "/api/v1"));
  CHECK_FALSE(regex_full_match("/api", "x/api"));
  CHECK(regex_full_match("(?i)/admin(/.*)?", "/ADMIN/users"));
  CHECK(regex_full_match("\\Q/a.b\\E", "/a.b"));
  CHECK_FALSE(regex_full_match("\\Q/a.b\\E", "/axb"));
  CHECK_FALSE(regex_full_match("(a)\\1", "aa"));  // invalid: matches nothing
  CHECK_FALSE(regex_full_match(".", "\n"));       // '.' does not match a newline
}

TEST_CASE("regex: replace every match, capture groups by number (Envoy's regex_rewrite)", "[model][regex]") {
  // The examples of Envoy's RouteAction.regex_rewrite reference.
  CHECK(regex_replace_all("^/service/([^/]+)(/.*)$", "/service/foo/v1/api", "\\2/instance/\\1") ==
        std::optional<std::string>("/v1/api/instance/foo"));
  CHECK(regex_replace_all("one", "/xxx/one/yyy/one/zzz", "two") == std::optional<std::string>("/xxx/two/yyy/two/zzz"));
  CHECK(regex_replace_all("^(.*?)one(.*)$", "/xxx/one/yyy/one/zzz", "\\1two\\2") ==
        std::optional<std::string>("/xxx/two/yyy/one/zzz"));
  CHECK(regex_replace_all("(?i)/xxx/", "/aaa/XxX/bbb", "/yyy/") == std::optional<std::string>("/aaa/yyy/bbb"));
  CHECK_FALSE(regex_replace_all("(a", "a", "b"));      // invalid pattern
  CHECK_FALSE(regex_replace_all("(a)", "a", "\\2"));   // no group 2
}
