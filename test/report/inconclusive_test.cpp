// A proof the solver could not finish is never a pass (issue #18, D8): the exit code, the JSON and SARIF
// outputs and the auditor report say "inconclusive", from the exit-code rule up to a whole CLI run whose
// proofs are cut short by a 1 ms limit.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "report/report.h"
#include "report/run.h"
#include "test_support.h"

using namespace meshproof;
using nlohmann::json;

namespace {

Finding finding(Severity severity, bool inconclusive, std::string suppression = "") {
  Finding f;
  f.check = "never-matching-rule";
  f.severity = severity;
  f.suppression = std::move(suppression);
  if (inconclusive) f.properties["inconclusive"] = "true";
  return f;
}

report::RunSummary fail_on(const std::string& level) {
  report::RunSummary s;
  if (level == "never")
    s.fail_on_never = true;
  else
    s.fail_on = *severity_from_string(level);
  return s;
}

// A regulated STRICT-mTLS workload whose ALLOW rules combine SPIFFE principals, path templates and long
// lists of header prefixes and suffixes: a 1 ms limit cuts the symbolic checks' proofs short.
std::string hard_to_prove(int rules, int values) {
  std::string y =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns, labels: {istio-injection: enabled, "
      "compliance.meshproof.dev/regulated: "
      "\"true\"}}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: ns}\nspec:\n"
      "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
      "    spec: {serviceAccountName: api, containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: ns}\n"
      "spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}\n---\n"
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: ns}\n"
      "spec: {mtls: {mode: STRICT}}\n---\n"
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: ns}\n"
      "spec: {}\n---\n"
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow, namespace: ns}\n"
      "spec:\n  selector: {matchLabels: {app: api}}\n  action: ALLOW\n  rules:\n";
  uint64_t seed = 99;
  auto next = [&] { return (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 40; };
  for (int i = 0; i < rules; ++i) {
    y += "  - from: [{source: {principals: [\"cluster.local/ns/ns/sa/c" + std::to_string(i) + "\"]}}]\n";
    y += "    to: [{operation: {paths: [\"/a/{*}/x/" + std::to_string(i) + "/{**}\", \"/{*}/b/admin/" +
         std::to_string(i) + "\"], notPaths: [\"/a/{*}/admin/{**}\"]}}]\n";
    y += "    when: [{key: \"request.headers[x-h" + std::to_string(i % 3) + "]\", values: [";
    for (int v = 0; v < values; ++v) {
      const std::string n = std::to_string(next() % 1000000);
      y += (v ? ", \"" : "\"") + (v % 3 ? "*" + n : "v" + n + "*") + "\"";
    }
    y += "]}]\n";
  }
  return y;
}

std::string write_input(const std::string& text) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("meshproof-inconclusive-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "hard.yaml";
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

}  // namespace

TEST_CASE("exit code: an inconclusive proof is 4 unless a finding fails the run or --fail-on is never",
          "[report][inconclusive]") {
  const std::vector<Finding> unknown{finding(Severity::Note, true)};
  CHECK(report::exit_code(unknown, fail_on("error")) == report::kExitInconclusive);
  CHECK(report::exit_code(unknown, fail_on("warning")) == report::kExitInconclusive);
  CHECK(report::exit_code(unknown, fail_on("note")) == report::kExitFindings);  // the note itself fails it
  CHECK(report::exit_code(unknown, fail_on("never")) == report::kExitPass);
  // A finding that fails the run wins: exit code 1 says more than 4.
  CHECK(report::exit_code({finding(Severity::Note, true), finding(Severity::Error, false)}, fail_on("error")) ==
        report::kExitFindings);
  // Accepted in a baseline: the user has seen it.
  CHECK(report::exit_code({finding(Severity::Note, true, "baseline")}, fail_on("error")) == report::kExitPass);
  CHECK(report::exit_code({finding(Severity::Note, false)}, fail_on("error")) == report::kExitPass);
}

TEST_CASE("a run whose proofs are cut short: exit code 4, JSON, SARIF and the auditor report say so",
          "[report][inconclusive]") {
  const std::string input = write_input(hard_to_prove(8, 20));

  auto text = test::run_cli({"check", "--timeout-ms", "1", input});
  CHECK(text.exit_code == report::kExitInconclusive);
  CHECK(text.out.find("proofs were inconclusive (the solver answered unknown)") != std::string::npos);
  CHECK(test::run_cli({"check", "--timeout-ms", "1", "--fail-on", "never", input}).exit_code == 0);

  auto j = test::run_cli({"check", "--timeout-ms", "1", "-o", "json", input});
  CHECK(j.exit_code == report::kExitInconclusive);
  const json out = json::parse(j.out);
  size_t inconclusive = 0;
  for (const json& f : out["findings"])
    if (f.contains("properties") && f["properties"].value("inconclusive", "") == "true") ++inconclusive;
  CHECK(inconclusive > 0);
  CHECK(out["summary"]["inconclusive"] == inconclusive);

  auto s = test::run_cli({"check", "--timeout-ms", "1", "-o", "sarif", input});
  CHECK(s.exit_code == report::kExitInconclusive);
  const json run0 = json::parse(s.out)["runs"][0];
  size_t open = 0;
  for (const json& r : run0["results"])
    if (r.value("kind", "fail") == "open") {
      ++open;
      CHECK(r["level"] == "none");
    }
  CHECK(open > 0);
  CHECK(run0["properties"]["inconclusive"] == open);

  // HIPAA maps never-matching-rule (access control): that control cannot pass on an unfinished proof.
  auto rep = test::run_cli(
      {"report", "--timeout-ms", "1", "--profile", test::source_dir() + "/rules/hipaa.yaml", "-o", "json", input});
  CHECK(rep.exit_code == report::kExitInconclusive);
  const json r = json::parse(rep.out);
  CHECK(r["result"] == "inconclusive");
  size_t incomplete = 0;
  for (const json& c : r["controls"]) {
    if (!c.contains("inconclusive")) continue;
    CHECK(c["status"] == "incomplete");
    CHECK_THAT(c["note"].get<std::string>(), Catch::StartsWith("Inconclusive: "));
    CHECK(!c["unproved"].empty());
    ++incomplete;
  }
  CHECK(incomplete > 0);
  auto md = test::run_cli({"report", "--timeout-ms", "1", "-o", "md", input});
  CHECK(md.exit_code == report::kExitInconclusive);
  CHECK(md.out.find("**Result: INCONCLUSIVE**") != std::string::npos);
}
