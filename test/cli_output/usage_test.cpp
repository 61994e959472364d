// Issue #17 (input honesty, terminal): what a new user types first. `meshproof`, `meshproof help` and
// `--version` answer instead of failing; a mistyped command or flag names the nearest one; an input
// without any Kubernetes object (an empty directory, a docs folder, a file that is not a manifest) is an
// input error, never a clean pass, unless --allow-empty says so; dates are validated.
#include <catch2/catch.hpp>

#include <string>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("usage: no arguments, help and --version answer with exit code 0", "[cli][usage]") {
  RunResult none = run_cli({});
  CHECK(none.exit_code == 0);
  CHECK(has(none.out, "Usage:"));
  CHECK(has(none.out, "check"));
  RunResult help = run_cli({"help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out == none.out);
  RunResult help_check = run_cli({"help", "check"});
  CHECK(help_check.exit_code == 0);
  CHECK(has(help_check.out, "--fail-on"));
  RunResult version = run_cli({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == run_cli({"version"}).out);
  CHECK(has(version.out, "meshproof "));
}

TEST_CASE("usage: a mistyped command or flag is exit code 2 naming the nearest one", "[cli][usage]") {
  RunResult cmd = run_cli({"chek", "."});
  CHECK(cmd.exit_code == 2);
  CHECK(has(cmd.err, "unknown command 'chek'; did you mean 'check'?"));
  RunResult far = run_cli({"frobnicate"});
  CHECK(far.exit_code == 2);
  CHECK(has(far.err, "unknown command 'frobnicate'"));
  CHECK_FALSE(has(far.err, "did you mean"));
  RunResult help_far = run_cli({"help", "qeury"});
  CHECK(help_far.exit_code == 2);
  CHECK(has(help_far.err, "did you mean 'query'?"));
  RunResult flag = run_cli({"check", source_dir() + "/samples/bank", "--thread", "2"});
  CHECK(flag.exit_code == 2);
  CHECK(has(flag.err, "unknown flag --thread for `meshproof check`; did you mean --threads?"));
  CHECK(flag.out.empty());
}

TEST_CASE("usage: an input without Kubernetes objects is an input error unless --allow-empty", "[cli][usage]") {
  auto empty = temp_dir("usage-empty");
  auto docs = temp_dir("usage-docs");
  write_file(docs / "README.md", "# not manifests\n");
  write_file(docs / "values.yaml", "replicas: 3\nimage: {tag: latest}\n");
  write_file(docs / "list.yaml", "- a\n- b\n");
  for (const auto& [path, what] : {std::pair<std::string, std::string>{empty.string(), "no YAML or JSON file"},
                                   {docs.string(), "the 2 files read hold no document with apiVersion and kind"},
                                   {(docs / "values.yaml").string(), "the 1 file read holds no document"}}) {
    INFO(path);
    RunResult r = run_cli({"check", path, "-o", "json"});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "error: no Kubernetes object in the input: " + what));
    CHECK(has(r.err, "--allow-empty"));
    CHECK(r.out.empty());
    RunResult allowed = run_cli({"check", path, "--allow-empty"});
    CHECK(allowed.exit_code == 0);
    CHECK(has(allowed.out, "0 workloads"));
  }
  // One object of any kind is an input meshproof reads (what it does not model is listed, not an error).
  write_file(docs / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n");
  CHECK(run_cli({"check", docs.string()}).exit_code == 0);
}

TEST_CASE("usage: --today must be a calendar date", "[cli][usage]") {
  const std::string bank = source_dir() + "/samples/bank";
  for (const char* bad : {"2024-13-01", "2024-02-30", "tomorrow", "2024-1-1"}) {
    INFO(bad);
    RunResult r = run_cli({"check", bank, "--today", bad});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "is not a date written YYYY-MM-DD"));
  }
  CHECK(run_cli({"check", bank, "--today", "2024-02-29"}).exit_code != 2);
}

}  // namespace
}  // namespace meshproof::test
