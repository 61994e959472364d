// SARIF from the formatter directly, with what the CLI fixtures cannot produce yet (a witness) and every
// kind of suppression; validated against the official schema and read back field by field.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "analysis/suppressions.h"
#include "report/report.h"
#include "run_fixture.h"

using namespace meshproof;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string schema_path() { return std::string(MESHPROOF_SHARED_DIR) + "/schemas/sarif-schema-2.1.0.json"; }

// 0 valid, 1 invalid, 77 cannot validate here. Errors go to `log`.
int validate(const std::string& sarif, std::string& log) {
  fs::path dir = fs::temp_directory_path() / ("meshproof-sarif-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "out.sarif", err = dir / "err.txt";
  {
    std::ofstream o(file, std::ios::binary);
    o << sarif;
  }
  std::string cmd = "python3 '" + test::source_dir() + "/test/scripts/validate_sarif.py' '" + schema_path() + "' '" +
                    file.string() + "' 2>'" + err.string() + "'";
  int status = std::system(cmd.c_str());
  std::ifstream in(err);
  std::ostringstream o;
  o << in.rdbuf();
  log = o.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Finding witness_finding() {
  Finding f;
  f.check = "plaintext-deny-bypass";
  f.id = "MP2005";
  f.severity = Severity::Error;
  f.message = "DENY policy payments/deny-ops does not stop plaintext callers from ops";
  f.help = "set mtls.mode STRICT";
  f.resource = {"AuthorizationPolicy", "payments", "deny-ops", {}, ""};
  f.fingerprint = "0123456789abcdef0123456789abcdef";
  Witness w;
  w.source_ip = "10.1.2.3";
  w.destination = "payments/api";
  w.port = 8080;
  w.port_protocol = "HTTP";
  w.method = "GET";
  w.path = "/";
  w.decision = "ALLOW";
  w.reproduce = "meshproof query m/ --to payments/api --plaintext";
  f.witness = w;
  return f;
}

}  // namespace

TEST_CASE("sarif: schema-valid with witnesses, suppressions and a baseline, fields read back") {
  auto run = test::analyze({test::fixture("report/suppress")});
  std::vector<Finding> findings = run->findings;
  Finding wf = witness_finding();
  wf.loc = findings.front().loc;
  findings.push_back(wf);
  Finding base = findings.front();
  base.suppression = "baseline";
  base.fingerprint = "ffffffffffffffffffffffffffffffff";
  findings.push_back(base);
  Finding exc = findings.front();
  exc.suppression = "exception: approved (approved by CISO, expires 2027-01-01)";
  exc.fingerprint = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  findings.push_back(exc);
  report::RunSummary summary = run->summary;
  summary.baseline_applied = true;

  const std::string sarif = report::format_sarif(findings, run->input->sources, summary);
  if (!fs::exists(schema_path())) {
    WARN("skipped schema validation: ../shared (with schemas/sarif-schema-2.1.0.json) is not present");
  } else {
    std::string log;
    int rc = validate(sarif, log);
    if (rc == 77) {
      WARN("skipped schema validation: " << log);
    } else {
      INFO(log);
      CHECK(rc == 0);
    }
  }

  json j = json::parse(sarif);
  CHECK(j["version"] == "2.1.0");
  const json& run0 = j["runs"][0];
  const json& rules = run0["tool"]["driver"]["rules"];
  bool has_invalid_rule = false;
  for (const json& r : rules) {
    CHECK(!r["shortDescription"]["text"].get<std::string>().empty());
    CHECK(!r["fullDescription"]["text"].get<std::string>().empty());
    CHECK_THAT(r["helpUri"].get<std::string>(), Catch::StartsWith("https://"));
    if (r["id"] == analysis::kInvalidSuppression) has_invalid_rule = true;
  }
  CHECK(has_invalid_rule);

  size_t in_source = 0, external = 0, with_witness = 0, unchanged = 0, fresh = 0;
  for (const json& r : run0["results"]) {
    CHECK(r.contains("ruleId"));
    CHECK(r.contains("level"));
    CHECK(!r["message"]["text"].get<std::string>().empty());
    CHECK(r["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>() > 0);
    CHECK(!r["partialFingerprints"]["meshproofFingerprint/v1"].get<std::string>().empty());
    // ruleIndex points at the rule with that id.
    CHECK(rules[r["ruleIndex"].get<size_t>()]["id"] == r["ruleId"]);
    if (r["properties"].contains("witness")) {
      ++with_witness;
      CHECK(r["properties"]["witness"]["reproduce"] == "meshproof query m/ --to payments/api --plaintext");
    }
    if (r.contains("suppressions")) {
      const json& s = r["suppressions"][0];
      CHECK(s["status"] == "accepted");
      CHECK(!s["justification"].get<std::string>().empty());
      if (s["kind"] == "inSource") {
        ++in_source;
        CHECK_THAT(s["properties"]["meshproofSuppression"].get<std::string>(), Catch::StartsWith("annotation: "));
        CHECK_THAT(s["justification"].get<std::string>(), !Catch::StartsWith("annotation"));
      } else {
        ++external;
      }
    }
    CHECK(r.contains("baselineState"));
    if (r["baselineState"] == "unchanged") ++unchanged;
    if (r["baselineState"] == "new") ++fresh;
  }
  CHECK(with_witness == 1);
  CHECK(in_source >= 2);  // the batch Deployment and "any other workload" (Namespace annotation)
  CHECK(external == 2);   // the baseline and the exception
  CHECK(unchanged == 1);
  CHECK(fresh == run0["results"].size() - 1);
}

TEST_CASE("sarif: URIs are relative to the checkout root (%SRCROOT%), files outside it are file URIs") {
  auto run = test::analyze({test::fixture("report/failing")});
  report::RunSummary inside = run->summary;
  inside.working_dir = test::source_dir() + "/test";
  inside.vcs = GitCheckout{test::source_dir(), std::string(40, 'a'), "main", "git@github.com:org/mesh-config.git"};
  json j = json::parse(report::format_sarif(run->findings, run->input->sources, inside));
  const json& run0 = j["runs"][0];
  REQUIRE(!run0["results"].empty());
  for (const json& r : run0["results"]) {
    const json& artifact = r["locations"][0]["physicalLocation"]["artifactLocation"];
    CHECK(artifact["uri"] == "test/fixtures/report/failing/payments.yaml");
    CHECK(artifact["uriBaseId"] == "%SRCROOT%");
    const json& region = r["locations"][0]["physicalLocation"]["region"];
    CHECK(region["endColumn"].get<int>() > region["startColumn"].get<int>());
  }
  CHECK(run0["originalUriBaseIds"].contains("%SRCROOT%"));
  const json& vcs = run0["versionControlProvenance"][0];
  CHECK(vcs["repositoryUri"] == "https://github.com/org/mesh-config");
  CHECK(vcs["revisionId"] == std::string(40, 'a'));
  CHECK(vcs["branch"] == "main");
  CHECK(vcs["mappedTo"]["uriBaseId"] == "%SRCROOT%");

  report::RunSummary outside = run->summary;
  outside.working_dir = "/nonexistent/elsewhere";
  outside.vcs.reset();
  j = json::parse(report::format_sarif(run->findings, run->input->sources, outside));
  for (const json& r : j["runs"][0]["results"]) {
    const json& artifact = r["locations"][0]["physicalLocation"]["artifactLocation"];
    CHECK_THAT(artifact["uri"].get<std::string>(), Catch::StartsWith("file:///"));
    CHECK_THAT(artifact["uri"].get<std::string>(), Catch::EndsWith("failing/payments.yaml"));
    CHECK_FALSE(artifact.contains("uriBaseId"));
  }
  CHECK_FALSE(j["runs"][0].contains("versionControlProvenance"));
}

TEST_CASE("sarif: every rule has a security-severity for its level and a help page that exists") {
  auto run = test::analyze({test::fixture("report/failing")});
  json j = json::parse(report::format_sarif(run->findings, run->input->sources, run->summary));
  const std::map<std::string, std::string> score = {{"error", "8.0"}, {"warning", "5.0"}, {"note", "2.0"}};
  const std::string base = report::kCheckDocsBaseUri;
  for (const json& r : j["runs"][0]["tool"]["driver"]["rules"]) {
    INFO(r["id"].get<std::string>());
    CHECK(r["properties"]["security-severity"] == score.at(r["defaultConfiguration"]["level"]));
    const std::string uri = r["helpUri"];
    REQUIRE_THAT(uri, Catch::StartsWith(base));
    CHECK(fs::exists(test::source_dir() + "/docs/checks/" + uri.substr(base.size())));
  }
  for (const json& r : j["runs"][0]["results"])
    if (r["message"].contains("markdown"))
      CHECK_THAT(r["message"]["markdown"].get<std::string>(), Catch::Contains("**Fix:**"));
}

TEST_CASE("sarif: an inconclusive proof is a result of kind open, level none, schema-valid") {
  auto run = test::analyze({test::fixture("report/suppress")});
  Finding f = run->findings.front();
  f.check = "never-matching-rule";
  f.severity = Severity::Note;
  f.message = "ALLOW AuthorizationPolicy ns/allow rules[0]: the proof was inconclusive: the solver answered unknown";
  f.properties["inconclusive"] = "true";
  f.fingerprint = "dddddddddddddddddddddddddddddddd";
  f.suppression.clear();
  std::vector<Finding> findings{run->findings.front(), f};
  const std::string sarif = report::format_sarif(findings, run->input->sources, run->summary);
  if (fs::exists(schema_path())) {
    std::string log;
    int rc = validate(sarif, log);
    if (rc == 77) {
      WARN("skipped schema validation: " << log);
    } else {
      INFO(log);
      CHECK(rc == 0);
    }
  } else {
    WARN("skipped schema validation: ../shared (with schemas/sarif-schema-2.1.0.json) is not present");
  }
  const json run0 = json::parse(sarif)["runs"][0];
  const json& results = run0["results"];
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].contains("kind"));  // an ordinary finding: the default kind, fail
  CHECK(results[1]["kind"] == "open");
  CHECK(results[1]["level"] == "none");
  CHECK(results[1]["properties"]["inconclusive"] == "true");
  CHECK(run0["properties"]["inconclusive"] == 1);
}
