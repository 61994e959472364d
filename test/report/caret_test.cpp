// The source line under a diagnostic: a line of megabytes (minified JSON, a hostile input) is shown as a
// window around the column, cut at UTF-8 character boundaries; ordinary lines are shown whole.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "report/report.h"

using namespace meshproof;

namespace {

std::string snippet(const std::string& text, uint32_t line, uint32_t col) {
  SourceSet sources;
  uint32_t id = sources.add(SourceFile{"in.yaml", "in.yaml", std::make_shared<const std::string>(text)});
  return report::caret_snippet(sources, Loc{id, line, col});
}

}  // namespace

TEST_CASE("a short line is shown whole with its caret", "[report][robustness]") {
  CHECK(snippet("a: 1\nkey: value\n", 2, 6) == " 2 | key: value\n   |      ^~~~~\n");
}

TEST_CASE("a line of a megabyte is shown as a window around the column", "[report][robustness]") {
  std::string line = "a: [" + std::string(1 << 20, '0') + "X" + std::string(1 << 20, '1') + "]";
  const uint32_t col = 4 + (1 << 20) + 1;  // the X
  std::string out = snippet(line + "\n", 1, col);
  CHECK(out.size() < 500);
  std::string first = out.substr(0, out.find('\n'));
  CHECK(first.starts_with(" 1 | ...000"));
  CHECK(first.ends_with("111..."));
  // The caret still points at the X.
  std::string second = out.substr(out.find('\n') + 1);
  CHECK(first.find('X') == second.find('^'));
}

TEST_CASE("a window never cuts a UTF-8 character in two", "[report][robustness]") {
  std::string line;
  for (int i = 0; i < 2000; ++i) line += "\xC3\xA9";  // é, two bytes each
  std::string out = snippet(line + "\n", 1, 1002);    // the second byte of a character
  std::string first = out.substr(0, out.find('\n'));
  std::string shown = first.substr(first.find("| ") + 2);
  if (shown.starts_with("...")) shown = shown.substr(3);
  if (shown.ends_with("...")) shown = shown.substr(0, shown.size() - 3);
  REQUIRE(!shown.empty());
  CHECK(static_cast<unsigned char>(shown.front()) == 0xC3);
  CHECK(static_cast<unsigned char>(shown.back()) == 0xA9);
}
