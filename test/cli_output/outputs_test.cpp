// Issue #17: one run writes several formats (-o FORMAT[=FILE]), the report's format follows --out's
// extension, rendered Helm output keeps its template as the location, and the text output reads well in a
// terminal (headlines, one diagnostic per root cause, colour only when asked, -q, `meshproof checks`).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "cli_helpers.h"

namespace meshproof::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string hospital() { return source_dir() + "/samples/hospital"; }

// A rendered chart as `helm template` prints it: a PERMISSIVE PeerAuthentication and two workloads it
// governs, so that one cause (the mode line) gives several findings.
const std::string kHelmOutput = "---\n# Source: clinic/templates/peerauthentication.yaml\n" +
                                kPatientsPeerAuthentication + "---\n# Source: clinic/templates/api.yaml\n" +
                                kPatientsApiDeployment;

TEST_CASE("outputs: one run writes text to stdout and sarif, junit, json and md to files, as separate runs would",
          "[cli][outputs]") {
  fs::path dir = temp_dir("outputs-many");
  const std::string sarif = (dir / "m.sarif").string(), junit = (dir / "junit.xml").string();
  const std::string js = (dir / "f.json").string(), md = (dir / "summary.md").string();
  RunResult both = run_cli({"check", hospital(), "-o", "text", "-o", "sarif=" + sarif, "-o", "junit=" + junit, "-o",
                            "json=" + js, "-o", "md=" + md});
  RunResult text = run_cli({"check", hospital()});
  CHECK(both.exit_code == 1);
  CHECK(both.exit_code == text.exit_code);
  CHECK(both.out == text.out);
  CHECK(read_file(sarif) == run_cli({"check", hospital(), "-o", "sarif"}).out);
  CHECK(read_file(junit) == run_cli({"check", hospital(), "-o", "junit"}).out);
  CHECK(read_file(js) == run_cli({"check", hospital(), "-o", "json"}).out);
  const std::string summary = read_file(md);
  CHECK(has(summary, "## meshproof: failed"));
  CHECK(has(summary, "| error | `mtls-not-strict` | "));
  CHECK(has(summary, "| check | errors | warnings | notes | suppressed |"));
  CHECK(has(summary, "[mtls-not-strict]("));
  CHECK_FALSE(has(read_file(sarif), "\033["));  // files are never coloured
}

TEST_CASE("outputs: bad -o values are usage errors that write no file", "[cli][outputs]") {
  fs::path dir = temp_dir("outputs-bad");
  const std::string file = (dir / "x.sarif").string();
  RunResult two_stdout = run_cli({"check", hospital(), "-o", "text", "-o", "json", "-o", "sarif=" + file});
  CHECK(two_stdout.exit_code == 2);
  CHECK(has(two_stdout.err, "more than one output format goes to standard output"));
  CHECK_FALSE(fs::exists(file));
  RunResult unknown = run_cli({"check", hospital(), "-o", "yaml"});
  CHECK(unknown.exit_code == 2);
  CHECK(has(unknown.err, "'yaml' is not an output format"));
  RunResult same_file = run_cli({"check", hospital(), "-o", "json=" + file, "-o", "sarif=" + file});
  CHECK(same_file.exit_code == 2);
  CHECK(has(same_file.err, "two outputs write to"));
  CHECK_FALSE(fs::exists(file));
  // An input error: nothing is written either.
  fs::path bad = dir / "bad.yaml";
  write_file(bad, "apiVersion: v1\nkind: [\n");
  RunResult broken = run_cli({"check", bad.string(), "-o", "sarif=" + file});
  CHECK(broken.exit_code == 2);
  CHECK_FALSE(fs::exists(file));
}

TEST_CASE("outputs: the report's format follows --out's extension unless -o says otherwise", "[cli][outputs]") {
  fs::path dir = temp_dir("outputs-report");
  const std::vector<std::string> base = {"report", hospital(), "--generated-at", "2026-12-01T00:00:00Z"};
  auto report_to = [&](const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = base;
    args.push_back("--out");
    args.push_back((dir / name).string());
    args.insert(args.end(), extra.begin(), extra.end());
    run_cli(args);
    return read_file(dir / name);
  };
  CHECK(report_to("r.md").rfind("# ", 0) == 0);
  CHECK(json::parse(report_to("r.json")).is_object());
  CHECK(has(report_to("r.html"), "<!DOCTYPE html>"));
  CHECK(has(report_to("r.HTM"), "<!DOCTYPE html>"));
  CHECK(has(report_to("forced.md", {"-o", "html"}), "<!DOCTYPE html>"));
  CHECK(has(report_to("r.txt"), "<!DOCTYPE html>"));  // no report format has .txt: the default
}

TEST_CASE("outputs: rendered Helm output names its template in text, JSON, SARIF and JUnit", "[cli][outputs]") {
  RunResult text = run_cli({"check", "-", "--regulated", "patients"}, kHelmOutput);
  CHECK(has(text.out, "clinic/templates/peerauthentication.yaml (<stdin>:10:11): error[mtls-not-strict]"));
  json j = json::parse(run_cli({"check", "-", "--regulated", "patients", "-o", "json"}, kHelmOutput).out);
  bool template_named = false;
  for (const json& f : j["findings"])
    if (f["check"] == "mtls-not-strict")
      template_named = f["location"]["template"] == "clinic/templates/peerauthentication.yaml";
  CHECK(template_named);
  json sarif = json::parse(run_cli({"check", "-", "--regulated", "patients", "-o", "sarif"}, kHelmOutput).out);
  for (const json& r : sarif["runs"][0]["results"]) {
    const json& loc = r["locations"][0];
    CHECK_THAT(loc["physicalLocation"]["artifactLocation"]["uri"].get<std::string>(),
               Catch::StartsWith("clinic/templates/"));
    CHECK_FALSE(loc["physicalLocation"].contains("region"));
    CHECK_THAT(loc["properties"]["renderedLocation"].get<std::string>(), Catch::StartsWith("<stdin>:"));
  }
  RunResult junit = run_cli({"check", "-", "--regulated", "patients", "-o", "junit"}, kHelmOutput);
  CHECK(has(junit.out, "file=\"clinic/templates/peerauthentication.yaml\""));
}

TEST_CASE("text: one diagnostic per root cause, short headlines, details and 'also' lines below", "[cli][text]") {
  RunResult r = run_cli({"check", "-", "--regulated", "patients", "--check", "mtls-not-strict"}, kHelmOutput);
  // Two findings (the Deployment and any other workload) share the mode line: one diagnostic.
  size_t headlines = 0;
  for (size_t at = r.out.find("error[mtls-not-strict]"); at != std::string::npos;
       at = r.out.find("error[mtls-not-strict]", at + 1))
    ++headlines;
  CHECK(headlines == 1);
  CHECK(has(r.out, "  = also: "));
  CHECK(has(r.out, "2 errors, 0 warnings, 0 notes"));
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (has(line, "error[")) CHECK(line.size() - line.find("error[") <= 150);
  CHECK(has(r.out, "\n  = its mTLS mode is PERMISSIVE"));
}

TEST_CASE("text: colour only when asked or on a terminal, -q prints the diagnostics only", "[cli][text]") {
  const std::string esc = "\033[";
  CHECK_FALSE(has(run_cli({"check", hospital()}).out, esc));  // not a terminal
  CHECK(has(run_cli({"check", hospital(), "--color", "always"}).out, esc + "1;31merror"));
  CHECK_FALSE(has(run_cli({"check", hospital(), "--color", "never"}).out, esc));
  RunResult quiet = run_cli({"check", hospital(), "-q"});
  RunResult loud = run_cli({"check", hospital()});
  CHECK(quiet.exit_code == loud.exit_code);
  CHECK(has(quiet.out, "error[mtls-not-strict]"));
  CHECK_FALSE(has(quiet.out, " errors, "));
  CHECK(has(loud.out, " errors, "));
  CHECK(has(loud.out, "check "));  // more than 10 findings: the per-check table
}

TEST_CASE("checks: the list names every registered check, as text and JSON", "[cli][checks]") {
  RunResult text = run_cli({"checks"});
  CHECK(text.exit_code == 0);
  json list = json::parse(run_cli({"checks", "-o", "json"}).out);
  CHECK(list.size() == checks::all_checks().size());
  for (const auto& c : checks::all_checks()) {
    CHECK(has(text.out, c->info().name));
    CHECK(has(text.out, c->info().id));
  }
  for (const json& c : list) CHECK(fs::exists(source_dir() + "/" + c["doc"].get<std::string>()));
  RunResult typo = run_cli({"check", hospital(), "--check", "mtls-not-stric"});
  CHECK(typo.exit_code == 2);
  CHECK(has(typo.err, "did you mean 'mtls-not-strict'?"));
}

}  // namespace
}  // namespace meshproof::test

namespace meshproof::test {
namespace {

// A repository with one good manifest and one broken file, and a fixtures folder to exclude.
std::filesystem::path broken_repo() {
  fs::path dir = temp_dir("broken-repo");
  fs::create_directories(dir / "prod");
  fs::create_directories(dir / "test/fixtures");
  write_file(dir / "prod/pa.yaml", kPermissivePatients);
  write_file(dir / "test/fixtures/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n");
  return dir;
}

TEST_CASE("input: an unparsable file is reported and left out, the rest analyzed, exit code 2", "[cli][input]") {
  fs::path dir = broken_repo();
  const std::string sarif_file = (dir / "out.sarif").string();
  RunResult r = run_cli({"check", dir.string(), "--regulated", "patients", "-o", "text", "-o", "sarif=" + sarif_file});
  CHECK(r.exit_code == 2);
  CHECK(has(r.out, "error[mtls-not-strict]"));  // the good file was analyzed
  CHECK(has(r.err, "test/fixtures/broken.yaml:4:1: error: YAML syntax error"));
  CHECK(has(r.err, "1 file was left out because it could not be read"));
  json sarif = json::parse(read_file(sarif_file));
  CHECK(sarif["runs"][0]["invocations"][0]["executionSuccessful"] == false);
  CHECK(sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].size() == 1);
  json j = json::parse(run_cli({"check", dir.string(), "--regulated", "patients", "-o", "json"}).out);
  REQUIRE(j["input_errors"].size() == 1);
  CHECK_THAT(j["input_errors"][0]["location"]["file"].get<std::string>(), Catch::EndsWith("broken.yaml"));
  RunResult junit = run_cli({"check", dir.string(), "--regulated", "patients", "-o", "junit"});
  CHECK(has(junit.out, "<testsuite name=\"meshproof-input\""));
  CHECK(has(junit.out, "<error message="));
  // query answers about the same world (so check's witnesses replay), and exits 2 as well.
  RunResult q = run_cli({"query", dir.string(), "--to", "patients/api", "--port", "8080", "--plaintext", "-o", "json"});
  CHECK(q.exit_code == 2);
  CHECK(json::parse(q.out)["decision"] == "ALLOW");
  CHECK(has(q.err, "1 file was left out"));
}

TEST_CASE("input: --exclude leaves files out on purpose, by relative path or by name", "[cli][input]") {
  fs::path dir = broken_repo();
  RunResult by_path = run_cli({"check", dir.string(), "--regulated", "patients", "--exclude", "test/*"});
  CHECK(by_path.exit_code == 1);
  CHECK(by_path.err.empty());
  CHECK(has(by_path.out, "in 1 file;"));
  RunResult by_name = run_cli({"check", dir.string(), "--regulated", "patients", "--exclude", "broken.yaml"});
  CHECK(by_name.exit_code == 1);
  RunResult everything = run_cli({"check", dir.string(), "--exclude", "*.yaml"});
  CHECK(everything.exit_code == 2);
  CHECK(has(everything.err, "no Kubernetes object in the input"));
}

}  // namespace
}  // namespace meshproof::test
