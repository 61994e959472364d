// The JSON report formats its findings in parallel chunks and splices their texts into the document
// (report/json.cpp): the bytes must be those of one dump of the whole document, at any thread count.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "run_fixture.h"

using namespace meshproof;

TEST_CASE("json report: the findings formatted in parallel are the bytes of one dump of the document",
          "[report][json]") {
  auto run = test::analyze({test::source_dir() + "/samples/hospital"});
  REQUIRE(run->findings.size() > 10);
  // Several chunks of 256: the sample's findings over and over, with a message that holds what JSON escapes.
  std::vector<Finding> many;
  while (many.size() < 700)
    for (Finding f : run->findings) {
      f.message += " \"quoted\"\nnext line\ttab é";
      many.push_back(std::move(f));
    }
  const std::string one = report::format_json(many, run->input->sources, run->summary, 1);
  // Re-dumping the parsed document writes it the way a single dump does: same keys, order and indentation.
  CHECK(nlohmann::json::parse(one).dump(2) + "\n" == one);
  CHECK(report::format_json(many, run->input->sources, run->summary, 2) == one);
  CHECK(report::format_json(many, run->input->sources, run->summary, 3) == one);
  CHECK(nlohmann::json::parse(one)["findings"].size() == many.size());
  // No findings: the empty array as a single dump writes it.
  const std::string none = report::format_json({}, run->input->sources, run->summary, 2);
  CHECK(nlohmann::json::parse(none).dump(2) + "\n" == none);
  CHECK(none.find("\"findings\": []") != std::string::npos);
}
