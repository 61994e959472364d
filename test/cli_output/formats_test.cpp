// Exit codes are the same in every output format; bad input is exit 2 with file:line:column; progress
// never reaches a redirected stderr; suppressed findings are listed on request.
#include <catch2/catch.hpp>

#include <regex>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "load/loader.h"

namespace fs = std::filesystem;

using namespace meshproof;

namespace {

const std::vector<std::string> kCheckFormats = {"text", "json", "sarif", "junit"};
const std::vector<std::string> kReportFormats = {"html", "md", "json"};

int check_exit(const std::string& path, const std::string& format, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"check", path, "-o", format};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  INFO("check -o " << format << ": " << r.err);
  return r.exit_code;
}

int report_exit(const std::string& path, const std::string& format, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"report", path, "-o", format, "--generated-at", "2026-06-01T08:00:00Z"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  INFO("report -o " << format << ": " << r.err);
  return r.exit_code;
}

}  // namespace

TEST_CASE("cli output: exit codes are identical across formats on a failing and a passing input") {
  const std::string failing = test::fixture("report/failing");
  const std::string passing = test::fixture("report/passing");
  for (const std::string& f : kCheckFormats) {
    INFO("format " << f);
    CHECK(check_exit(failing, f) == 1);
    CHECK(check_exit(passing, f) == 0);
    CHECK(check_exit(failing, f, {"--fail-on", "never"}) == 0);
  }
  for (const std::string& f : kReportFormats) {
    INFO("report format " << f);
    CHECK(report_exit(failing, f) == 1);
    CHECK(report_exit(passing, f) == 0);
    CHECK(report_exit(failing, f, {"--fail-on", "never"}) == 0);
  }
}

TEST_CASE("cli output: unreadable input is exit 2 with file:line:column in every format") {
  const std::string bad = test::fixture("report/bad/broken.yaml");
  for (const std::string& f : kCheckFormats) {
    auto r = test::run_cli({"check", bad, "-o", f});
    INFO("format " << f << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("broken.yaml:4:17:"));
  }
  for (const std::string& f : kReportFormats) {
    auto r = test::run_cli({"report", bad, "-o", f});
    INFO("report format " << f << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("broken.yaml:4:17:"));
  }
}

TEST_CASE("cli output: no progress text when stderr is not a terminal") {
  // run_cli redirects stderr to a file, as CI does.
  for (const std::string& f : kCheckFormats) {
    auto r = test::run_cli({"check", test::fixture("report/failing"), "-o", f});
    INFO("format " << f);
    CHECK(r.err.empty());
  }
  auto r = test::run_cli({"report", test::fixture("report/failing"), "-o", "json"});
  CHECK(r.err.empty());
  CHECK(r.out.find("analyzing") == std::string::npos);
  CHECK(r.out.find("loaded") == std::string::npos);
}

TEST_CASE("cli output: suppressed findings are counted, and listed with --show-suppressed") {
  const std::string dir = test::fixture("report/suppress");
  auto plain = test::run_cli({"check", dir});
  CHECK_THAT(plain.out, Catch::Contains("suppressed)"));
  CHECK(plain.out.find("nightly export job") == std::string::npos);

  auto shown = test::run_cli({"check", dir, "--show-suppressed"});
  CHECK(shown.exit_code == plain.exit_code);
  CHECK_THAT(shown.out, Catch::Contains("suppressed (2):"));
  CHECK_THAT(
      shown.out,
      Catch::Contains("suppressed: annotation: nightly export job, plaintext until the vendor client supports mTLS"));
  CHECK_THAT(shown.out, Catch::Contains("warning[invalid-suppression]"));

  auto json = nlohmann::json::parse(test::run_cli({"check", dir, "-o", "json"}).out);
  size_t with_reason = 0;
  for (const auto& f : json["findings"])
    if (f.contains("suppression") && f["suppression"].get<std::string>().rfind("annotation: ", 0) == 0) ++with_reason;
  CHECK(with_reason == 2);
  CHECK(json["summary"]["suppressed"] == 2);
}

TEST_CASE("cli output: .pre-commit-hooks.yaml declares the meshproof-check hook") {
  const std::string path = test::source_dir() + "/.pre-commit-hooks.yaml";
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  std::vector<load::Document> docs;
  uint32_t id = sources.add(SourceFile{path, path, nullptr});
  REQUIRE(loader.parse_text(
      id, test::read_file(path), [&](load::Document&& d) { docs.push_back(std::move(d)); }, errors, notes));
  REQUIRE(errors.empty());
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].root.is_seq());
  const load::Node* hook = nullptr;
  for (const load::Node& h : docs[0].root.items)
    if (const load::Node* idn = h.find("id"); idn && idn->scalar == "meshproof-check") hook = &h;
  REQUIRE(hook);
  CHECK(hook->find("entry")->scalar == "meshproof check");
  CHECK(hook->find("language")->scalar == "system");
  CHECK(hook->find("files"));
  CHECK(hook->find("name"));
}

namespace {

// The fenced code blocks of a Markdown file with the given info string ("json", "yaml").
std::vector<std::string> code_blocks(const std::string& md, const std::string& lang) {
  std::vector<std::string> out;
  const std::string open = "```" + lang + "\n";
  for (size_t pos = md.find(open); pos != std::string::npos; pos = md.find(open, pos)) {
    size_t start = pos + open.size();
    size_t end = md.find("\n```", start);
    if (end == std::string::npos) break;
    out.push_back(md.substr(start, end - start + 1));
    pos = end + 4;
  }
  return out;
}

}  // namespace

TEST_CASE("cli output: -o json matches the JSON Schema documented in docs/output.md") {
  const std::string md = test::read_file(test::source_dir() + "/docs/output.md");
  std::string schema;
  for (const std::string& block : code_blocks(md, "json"))
    if (block.find("\"$schema\"") != std::string::npos) schema = block;
  REQUIRE(!schema.empty());
  fs::path dir = test::temp_dir("json-schema");
  test::write_file(dir / "schema.json", schema);
  for (const std::string& fixture : {"report/failing", "report/suppress", "report/passing"}) {
    auto r = test::run_cli({"check", test::fixture(fixture), "-o", "json"});
    test::write_file(dir / "out.json", r.out);
    auto v = test::run_script("validate_json.py", {(dir / "schema.json").string(), (dir / "out.json").string()});
    if (v.exit_code == 77) {
      WARN(v.err);
      return;
    }
    INFO(fixture << "\n" << v.err);
    CHECK(v.exit_code == 0);
  }
}

TEST_CASE("cli output: the CI snippets in docs/ci.md are valid YAML") {
  const std::string md = test::read_file(test::source_dir() + "/docs/ci.md");
  auto blocks = code_blocks(md, "yaml");
  REQUIRE(blocks.size() >= 3);  // GitHub workflow, GitLab job, pre-commit config
  bool github = false, github_steps = false, gitlab = false;
  for (const std::string& block : blocks) {
    SourceSet sources;
    load::Loader loader(sources);
    std::vector<load::LoadError> errors;
    std::vector<load::LoadNote> notes;
    std::vector<load::Document> docs;
    uint32_t id = sources.add(SourceFile{"ci.md", "ci.md", nullptr});
    loader.parse_text(
        id, block, [&](load::Document&& d) { docs.push_back(std::move(d)); }, errors, notes);
    INFO(block);
    for (const auto& e : errors) FAIL_CHECK(sources.describe(e.loc) << ": " << e.message);
    REQUIRE(docs.size() == 1);
    const load::Node& root = docs[0].root;
    if (root.find("jobs") && root.find("on")) {
      // The workflow uses the action (action.yml), pinned by a full commit SHA.
      github = true;
      CHECK(std::regex_search(block, std::regex("uses: meshproof/meshproof@[0-9a-f]{40}")));
    }
    if (block.find("github/codeql-action/upload-sarif") != std::string::npos) {
      // The steps without the action: one run that writes the SARIF it uploads (check, or replay of a log).
      const bool check = block.find("meshproof check") != std::string::npos;
      const bool replay = block.find("meshproof replay") != std::string::npos;
      CHECK(check != replay);
      if (check) github_steps = true;
      CHECK(block.find(check ? "sarif=meshproof.sarif" : "sarif=meshproof-replay.sarif") != std::string::npos);
      CHECK(block.find(check ? "sarif_file: meshproof.sarif" : "sarif_file: meshproof-replay.sarif") !=
            std::string::npos);
    }
    if (const load::Node* job = root.find("meshproof"); job && job->find("artifacts")) {
      gitlab = true;
      CHECK(job->find("artifacts")->find("reports")->find("junit"));
    }
  }
  CHECK(github);
  CHECK(github_steps);
  CHECK(gitlab);
}
