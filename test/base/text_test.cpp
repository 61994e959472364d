#include <catch2/catch.hpp>

#include "base/text.h"

using namespace meshproof;

TEST_CASE("ascii_lower folds ASCII letters only") {
  REQUIRE(ascii_lower("X-Forwarded-For") == "x-forwarded-for");
  REQUIRE(ascii_lower("\xC3\x84Z") == "\xC3\x84z");  // UTF-8 bytes are left alone
}

TEST_CASE("trim, join and split") {
  REQUIRE(trim("  a b \t\n") == "a b");
  REQUIRE(trim("   ").empty());
  REQUIRE(join({"a", "b", "c"}) == "a, b, c");
  REQUIRE(join({}, "; ").empty());
  REQUIRE(join({"a", "b"}, "/") == "a/b");
  REQUIRE(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  REQUIRE(split("", ',') == std::vector<std::string>{""});
}

TEST_CASE("edit_distance is Levenshtein's") {
  REQUIRE(edit_distance("check", "chekc") == 2);
  REQUIRE(edit_distance("", "abc") == 3);
  REQUIRE(edit_distance("mtls-not-strict", "mtls-not-strict") == 0);
  REQUIRE(edit_distance("kitten", "sitting") == 3);
}
