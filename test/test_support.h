// Helpers shared by the tests: paths to fixtures and the shared corpus, and running the CLI.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/pipeline.h"

namespace meshproof::test {

std::string source_dir();                     // the project root
std::string fixture(const std::string& rel);  // test/fixtures/<rel>
// ../shared/<rel>, or "" when the shared corpus is absent (the caller skips with a message).
std::string shared_path(const std::string& rel);
bool shared_available();

// Whether the input stage takes the objects Istio's admission rejects out of the world (as every command
// does), or keeps them: tests of the lowering check how Istio's builder treats values that admission would
// normally stop (Istio's own builder goldens include such inputs).
enum class Admission { Apply, Skip };

// Loads YAML text (one or more documents) through the input stage, as if read from a file.
std::unique_ptr<app::Input> load_yaml(const std::string& yaml, const std::string& name = "test.yaml",
                                      Admission admission = Admission::Apply);
std::unique_ptr<app::Input> load_paths(const std::vector<std::string>& paths, Admission admission = Admission::Apply);

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs the built meshproof binary with arguments (shell-quoted here), optional stdin text.
RunResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace meshproof::test

// Catch2 v2 has no SKIP: print why and leave the test case.
#define MESHPROOF_REQUIRE_SHARED()                                                       \
  do {                                                                                   \
    if (!::meshproof::test::shared_available()) {                                        \
      WARN("skipped: ../shared (the Istio corpus) is not present beside this checkout"); \
      return;                                                                            \
    }                                                                                    \
  } while (0)
