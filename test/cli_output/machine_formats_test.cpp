// `check -o sarif` validated against the official SARIF 2.1.0 schema, and `check -o junit` read the way
// test dashboards read it (python3 xml.etree), compared with what the run evaluated in-process.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_helpers.h"
#include "report/run_fixture.h"

using namespace meshproof;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("cli sarif: valid against the SARIF 2.1.0 schema, with the fields code scanning needs") {
  auto r = test::run_cli({"check", test::fixture("report/suppress"), "-o", "sarif"});
  REQUIRE(r.exit_code == 1);
  if (!fs::exists(test::sarif_schema())) {
    WARN("skipped schema validation: ../shared (schemas/sarif-schema-2.1.0.json) is not present");
  } else {
    fs::path file = test::temp_dir("sarif") / "check.sarif";
    test::write_file(file, r.out);
    auto v = test::run_script("validate_sarif.py", {test::sarif_schema(), file.string()});
    if (v.exit_code == 77) {
      WARN(v.err);
    } else {
      INFO(v.err);
      CHECK(v.exit_code == 0);
    }
  }
  json j = json::parse(r.out);
  const json& driver = j["runs"][0]["tool"]["driver"];
  CHECK(driver["name"] == "meshproof");
  for (const json& rule : driver["rules"]) {
    INFO(rule.dump());
    CHECK(rule["shortDescription"]["text"].is_string());
    CHECK(rule["fullDescription"]["text"].is_string());
    CHECK(rule["helpUri"].is_string());
  }
  REQUIRE(!j["runs"][0]["results"].empty());
  size_t suppressed = 0;
  for (const json& res : j["runs"][0]["results"]) {
    CHECK(res["ruleId"].is_string());
    CHECK(res["level"].is_string());
    CHECK(res["message"]["text"].is_string());
    CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"].is_number());
    CHECK(res["partialFingerprints"]["meshproofFingerprint/v1"].is_string());
    if (res.contains("suppressions")) {
      ++suppressed;
      CHECK(res["suppressions"][0]["kind"] == "inSource");
      CHECK(res["suppressions"][0]["justification"].is_string());
    }
  }
  CHECK(suppressed == 2);
}

namespace {

json junit_summary(const std::string& xml) {
  fs::path file = test::temp_dir("junit") / "check.xml";
  test::write_file(file, xml);
  auto r = test::run_script("junit_summary.py", {file.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// What JUnit must show, computed in-process from the same input: a case per finding (a failure at or
// above the threshold, else skipped), and a passing case per (check, resource) examined without a finding.
struct Expected {
  std::map<std::string, size_t> findings, failing, below;  // per check
  std::map<std::string, std::set<std::string>> passing;    // check -> resources
};

Expected expected(const std::string& path, Severity fail_on) {
  auto run = test::analyze({path});
  Expected e;
  report::RunSummary summary = run->summary;
  summary.fail_on = fail_on;
  std::map<std::string, std::set<std::string>> flagged;
  for (const Finding& f : run->findings) {
    ++e.findings[f.check];
    ++(report::fails_run(f, summary) ? e.failing : e.below)[f.check];
    flagged[f.check].insert(f.resource.display());
  }
  for (const auto& c : checks::all_checks())
    for (const ResourceRef& r : c->subjects(*run->ctx))
      if (!flagged[c->info().name].count(r.display())) e.passing[c->info().name].insert(r.display());
  return e;
}

void check_junit(const std::string& path, const std::string& fail_on, Severity sev) {
  auto r = test::run_cli({"check", path, "-o", "junit", "--fail-on", fail_on});
  auto text = test::run_cli({"check", path, "--fail-on", fail_on});
  CHECK(r.exit_code == text.exit_code);
  json s = junit_summary(r.out);
  Expected e = expected(path, sev);
  CHECK(s["root"] == "testsuites");

  size_t tests = 0, failures = 0, skipped = 0;
  for (const json& suite : s["suites"]) {
    const std::string name = suite["name"];
    INFO("suite " << name);
    std::set<std::string> passing;
    size_t with_file = 0, suite_failures = 0, suite_skipped = 0;
    for (const json& c : suite["cases"]) {
      CHECK(c["classname"] == name);
      if (c["file"].is_string()) {  // a finding: a failure, or skipped with the reason
        ++with_file;
        CHECK(c["failures"].get<int>() + (c["skipped"].get<bool>() ? 1 : 0) == 1);
        CHECK(c["line"].get<int>() > 0);
      } else {
        CHECK(c["failures"] == 0);
        CHECK(passing.insert(c["name"].get<std::string>()).second);
      }
      suite_failures += c["failures"].get<size_t>();
      suite_skipped += c["skipped"].get<bool>() ? 1 : 0;
    }
    CHECK(with_file == e.findings[name]);
    CHECK(suite_failures == e.failing[name]);
    CHECK(suite_skipped == e.below[name]);
    CHECK(passing == e.passing[name]);
    CHECK(suite["tests"].get<size_t>() == suite["cases"].size());
    CHECK(suite["failures"].get<size_t>() == suite_failures);
    CHECK(suite["skipped"].get<size_t>() == suite_skipped);
    CHECK(suite["errors"] == 0);
    tests += suite["tests"].get<size_t>();
    failures += suite_failures;
    skipped += suite_skipped;
  }
  CHECK(s["tests"].get<size_t>() == tests);
  CHECK(s["failures"].get<size_t>() == failures);
  CHECK(s["skipped"].get<size_t>() == skipped);
  CHECK((failures > 0) == (r.exit_code == 1));
}

}  // namespace

TEST_CASE("cli junit: one case per finding with file and line, failures at the threshold, counts") {
  SECTION("failing input, default threshold") {
    check_junit(test::fixture("report/failing"), "error", Severity::Error);
  }
  SECTION("suppressions: skipped cases and warnings below the threshold") {
    check_junit(test::fixture("report/suppress"), "error", Severity::Error);
  }
  SECTION("suppressions, warnings fail") {
    check_junit(test::fixture("report/suppress"), "warning", Severity::Warning);
  }
  SECTION("passing input") { check_junit(test::fixture("report/passing"), "error", Severity::Error); }
}

TEST_CASE("cli junit: a suppressed finding or one below --fail-on is skipped with the reason, not green") {
  auto r = test::run_cli({"check", test::fixture("report/suppress"), "-o", "junit"});
  CHECK_THAT(r.out, Catch::Contains("<skipped message=\"suppressed: annotation: nightly export job"));
  auto hospital = test::run_cli({"check", test::source_dir() + "/samples/hospital", "-o", "junit"});
  CHECK_THAT(hospital.out, Catch::Contains("<skipped message=\"warning below --fail-on error: "));
}
