// duplicate-resource end to end: of the copies of one object the last is in force (kubectl apply of the
// input in order), the finding points at it and names the replaced copies; distinct objects that share a
// name are not duplicates.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("duplicate-resource reports its positive fixture", "[checks][duplicate-resource]") {
  const std::string file = test::fixture("checks/duplicate-resource/positive.yaml");
  auto run = test::run_fixture("checks/duplicate-resource/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("duplicate-resource");
  REQUIRE(found.size() == 2);
  const uint32_t first = test::line_of(file, "apiVersion", 1), second = test::line_of(file, "apiVersion", 2),
                 open = test::line_of(file, "apiVersion", 3), third = test::line_of(file, "apiVersion", 4),
                 open2 = test::line_of(file, "apiVersion", 5);

  const Finding& web = *found[0];
  CHECK(web.id == "MP1006");
  CHECK(web.severity == Severity::Warning);
  CHECK(web.resource.display() == "AuthorizationPolicy shop/allow-web");
  CHECK(web.loc.line == third);
  const std::string name = run->input->sources.file(web.loc.file).display_name;
  auto at = [&](uint32_t line) { return name + ":" + std::to_string(line) + ":1"; };
  CHECK(web.message ==
        "AuthorizationPolicy shop/allow-web is defined 3 times; this last copy is in force and "
        "replaces the copies at " +
            at(first) + ", " + at(second) + ", as kubectl apply of the input in order does");
  REQUIRE(web.related.size() == 2);
  CHECK(web.related[0].loc.line == first);
  CHECK(web.related[1].loc.line == second);
  CHECK(web.properties.at("copies") == "3");

  // The copy without metadata.namespace is default/open, replaced by the later default/open.
  const Finding& dflt = *found[1];
  CHECK(dflt.resource.display() == "AuthorizationPolicy default/open");
  CHECK(dflt.loc.line == open2);
  REQUIRE(dflt.related.size() == 1);
  CHECK(dflt.related[0].loc.line == open);
  CHECK(dflt.message ==
        "AuthorizationPolicy default/open is defined 2 times; this last copy is in force and "
        "replaces the copy at " +
            at(open) + ", as kubectl apply of the input in order does");

  // Every other check sees the last copies only, and nothing is invalid.
  CHECK(run->of("invalid-resource").empty());
  const auto& policies = run->input->resources.authorization_policies;
  REQUIRE(policies.size() == 2);
  CHECK(policies[0].loc.line == third);
  CHECK(policies[0].rules[0].from[0].principals.items[0].value == "cluster.local/ns/web/sa/third");
  CHECK(policies[1].loc.line == open2);
  CHECK(run->input->overridden.authorization_policies.size() == 3);
}

TEST_CASE("duplicate-resource is quiet on its negative fixture", "[checks][duplicate-resource]") {
  auto run = test::run_fixture("checks/duplicate-resource/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("duplicate-resource").empty());
  CHECK(run->input->resources.authorization_policies.size() == 4);
}
