// Issue #17 item 3: a repository's .meshproof.yaml (found by walking up from the current directory, or
// named with --config) gives check and report their defaults; a flag on the command line wins; a wrong key
// or value is exit code 2 at its line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "app/config_file.h"
#include "cli_helpers.h"

namespace meshproof::test {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A repository whose config marks `patients` regulated and excludes its broken fixtures.
fs::path repo_with_config(const std::string& config) {
  fs::path dir = temp_dir("config-repo");
  fs::create_directories(dir / "manifests");
  fs::create_directories(dir / "fixtures");
  write_file(dir / "manifests/pa.yaml", kPermissivePatients);
  write_file(dir / "fixtures/broken.yaml", "kind: [\n");
  write_file(dir / ".meshproof.yaml", config);
  return dir;
}

TEST_CASE("config: --config gives regulated namespaces, exclude and fail-on, flags win", "[cli][config]") {
  fs::path dir = repo_with_config("regulated: [patients]\nexclude: ['fixtures/*']\nfail-on: never\n");
  const std::string config = (dir / ".meshproof.yaml").string();
  RunResult r = run_cli({"check", dir.string(), "--config", config});
  CHECK(r.exit_code == 0);  // fail-on never; the broken fixture excluded
  CHECK(has(r.out, "error[mtls-not-strict]"));
  CHECK(has(r.out, "regulated: patients"));
  RunResult flag_wins = run_cli({"check", dir.string(), "--config", config, "--fail-on", "error"});
  CHECK(flag_wins.exit_code == 1);
  RunResult other_ns = run_cli({"check", dir.string(), "--config", config, "--regulated", "billing"});
  CHECK_FALSE(has(other_ns.out, "regulated: patients"));
  RunResult none = run_cli({"check", dir.string(), "--no-config", "--exclude", "fixtures/*"});
  CHECK_FALSE(has(none.out, "regulated: patients"));
}

TEST_CASE("config: an unknown key or a wrong value is exit code 2 at its line, naming the nearest key",
          "[cli][config]") {
  fs::path dir = repo_with_config("regulatd: [patients]\n");
  RunResult typo = run_cli({"check", dir.string(), "--config", (dir / ".meshproof.yaml").string()});
  CHECK(typo.exit_code == 2);
  CHECK(has(typo.err, ".meshproof.yaml:1:1: error: config file: unknown key 'regulatd'; did you mean 'regulated'?"));
  write_file(dir / ".meshproof.yaml", "fail-on: sometimes\n");
  RunResult value = run_cli({"check", dir.string(), "--config", (dir / ".meshproof.yaml").string()});
  CHECK(value.exit_code == 2);
  CHECK(has(value.err, ".meshproof.yaml:1:10: error: config file: 'fail-on' is one of error, warning, note, never"));
  RunResult missing = run_cli({"check", dir.string(), "--config", (dir / "nope.yaml").string()});
  CHECK(missing.exit_code == 2);
}

TEST_CASE("config: linkerd-default-policy gives Linkerd's install value, the flag wins", "[cli][config]") {
  fs::path dir = temp_dir("config-linkerd");
  fs::copy_file(fixture("linkerd/install-default.yaml"), dir / "shop.yaml");
  write_file(dir / ".meshproof.yaml", "linkerd-default-policy: all-authenticated\n");
  const std::string config = (dir / ".meshproof.yaml").string();
  // The default all-unauthenticated accepts plaintext on the regulated pod's port; all-authenticated does not.
  RunResult assumed = run_cli({"check", dir.string(), "--no-config", "--check", "mtls-not-strict"});
  CHECK(has(assumed.out, "error[mtls-not-strict]"));
  RunResult from_file = run_cli({"check", dir.string(), "--config", config, "--check", "mtls-not-strict"});
  INFO(from_file.out << from_file.err);
  CHECK(from_file.exit_code == 0);
  CHECK_FALSE(has(from_file.out, "error[mtls-not-strict]"));
  RunResult flag_wins = run_cli({"check", dir.string(), "--config", config, "--check", "mtls-not-strict",
                                 "--linkerd-default-policy", "all-unauthenticated"});
  CHECK(has(flag_wins.out, "error[mtls-not-strict]"));
  write_file(dir / ".meshproof.yaml", "linkerd-default-policy: everyone\n");
  RunResult bad = run_cli({"check", dir.string(), "--config", config});
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, ".meshproof.yaml:1:25: error: config file: 'linkerd-default-policy' is one of all-unauthenticated"));
}

TEST_CASE("config: the nearest .meshproof.yaml from the current directory up is the one in force", "[cli][config]") {
  fs::path dir = temp_dir("config-walk");
  fs::create_directories(dir / "a/b/c");
  write_file(dir / ".meshproof.yaml", "fail-on: warning\n");
  write_file(dir / "a/b/.meshproof.yaml", "fail-on: note\n");
  CHECK(app::find_config_file((dir / "a/b/c").string()) == (dir / "a/b/.meshproof.yaml").string());
  CHECK(app::find_config_file((dir / "a").string()) == (dir / ".meshproof.yaml").string());
  SourceSet sources;
  std::vector<load::LoadError> errors;
  auto c = app::read_config_file((dir / "a/b/.meshproof.yaml").string(), sources, errors);
  REQUIRE(c);
  CHECK(c->fail_on == "note");
  write_file(dir / "a/b/.meshproof.yaml", "profile: ../rules/mine.yaml\nbaseline: base.json\nprofile-x: 1\n");
  c = app::read_config_file((dir / "a/b/.meshproof.yaml").string(), sources, errors);
  CHECK_FALSE(c);
  errors.clear();
  write_file(dir / "a/b/.meshproof.yaml", "profile: ../rules/mine.yaml\nbaseline: base.json\n");
  c = app::read_config_file((dir / "a/b/.meshproof.yaml").string(), sources, errors);
  REQUIRE(c);
  CHECK(c->profile == (dir / "a/rules/mine.yaml").string());  // relative to the config file
  CHECK(c->baseline == (dir / "a/b/base.json").string());
}

}  // namespace
}  // namespace meshproof::test
