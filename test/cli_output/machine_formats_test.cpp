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

// What JUnit must show: one case per (check, resource) the check examined or reported on, and which
// findings fail at the threshold — computed in-process from the same input.
struct Expected {
  std::map<std::string, std::set<std::string>> cases;
  std::map<std::string, std::set<std::string>> failing_cases;
  size_t failing_findings = 0;
};

Expected expected(const std::string& path, Severity fail_on) {
  auto run = test::analyze({path});
  Expected e;
  for (const auto& c : checks::all_checks())
    for (const ResourceRef& r : c->subjects(*run->ctx)) e.cases[c->info().name].insert(r.display());
  report::RunSummary summary = run->summary;
  summary.fail_on = fail_on;
  for (const Finding& f : run->findings) {
    e.cases[f.check].insert(f.resource.display());
    if (report::fails_run(f, summary)) {
      ++e.failing_findings;
      e.failing_cases[f.check].insert(f.resource.display());
    }
  }
  return e;
}

void check_junit(const std::string& path, const std::string& fail_on, Severity sev) {
  auto r = test::run_cli({"check", path, "-o", "junit", "--fail-on", fail_on});
  auto text = test::run_cli({"check", path, "--fail-on", fail_on});
  CHECK(r.exit_code == text.exit_code);
  json s = junit_summary(r.out);
  Expected e = expected(path, sev);
  CHECK(s["root"] == "testsuites");

  size_t tests = 0, failures = 0, skipped = 0, failure_elements = 0;
  std::set<std::string> suites;
  for (const json& suite : s["suites"]) {
    std::string name = suite["name"];
    INFO("suite " << name);
    suites.insert(name);
    std::set<std::string> names, failing;
    size_t suite_failures = 0, suite_skipped = 0;
    for (const json& c : suite["cases"]) {
      CHECK(c["classname"] == "meshproof." + name);
      CHECK(names.insert(c["name"].get<std::string>()).second);  // one case per (check, resource)
      if (c["failures"].get<int>() > 0) {
        ++suite_failures;
        failing.insert(c["name"].get<std::string>());
        failure_elements += c["failures"].get<size_t>();
      }
      if (c["skipped"].get<bool>()) ++suite_skipped;
    }
    CHECK(names == e.cases[name]);
    CHECK(failing == e.failing_cases[name]);
    CHECK(suite["tests"].get<size_t>() == suite["cases"].size());
    CHECK(suite["failures"].get<size_t>() == suite_failures);
    CHECK(suite["skipped"].get<size_t>() == suite_skipped);
    CHECK(suite["errors"] == 0);
    tests += suite["tests"].get<size_t>();
    failures += suite_failures;
    skipped += suite_skipped;
  }
  for (const auto& [check, cases] : e.cases)
    if (!cases.empty()) CHECK(suites.count(check));
  CHECK(s["tests"].get<size_t>() == tests);
  CHECK(s["failures"].get<size_t>() == failures);
  CHECK(s["skipped"].get<size_t>() == skipped);
  CHECK(failure_elements == e.failing_findings);  // a <failure> per finding at or above --fail-on
  CHECK((failures > 0) == (r.exit_code == 1));
}

}  // namespace

TEST_CASE("cli junit: test cases, failures and counts as a dashboard reads them") {
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

TEST_CASE("cli junit: a case whose only findings are suppressed is skipped with the reason") {
  auto r = test::run_cli({"check", test::fixture("report/suppress"), "-o", "junit"});
  CHECK_THAT(r.out, Catch::Contains("<skipped message=\"suppressed: annotation: nightly export job"));
}
