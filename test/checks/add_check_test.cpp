// scripts/add_check.py, the recipe for adding a check as a script: run into a temporary copy of the files it
// reads and edits, it writes every file the recipe lists, registers the check once, and refuses a name or
// id that is taken; --dry-run changes nothing.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace meshproof;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

// A temporary tree with what the script reads and edits: lib/checks (registry.cpp, the ids in use) and
// docs/checks/README.md (the index).
struct ScratchTree {
  fs::path root;
  ScratchTree() {
    root = fs::temp_directory_path() / ("meshproof-add-check-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "lib");
    fs::create_directories(root / "docs" / "checks");
    fs::copy(fs::path(test::source_dir()) / "lib" / "checks", root / "lib" / "checks");
    fs::copy_file(fs::path(test::source_dir()) / "docs" / "checks" / "README.md",
                  root / "docs" / "checks" / "README.md");
  }
  ~ScratchTree() { fs::remove_all(root); }

  // Whether a generated source compiles against the project's headers (syntax and types only): a template
  // that calls something the library does not have is caught here, not by the next person who uses it.
  bool compiles(const std::string& rel) const {
    const std::string cmd = "${CXX:-c++} -std=c++20 -fsyntax-only -I'" + test::source_dir() + "/lib' '" +
                            (root / rel).string() + "' > '" + (root / "compile.log").string() + "' 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  // Exit status of `add_check.py ARGS --root ROOT`, output in `out`.
  int run(const std::string& args, std::string* out = nullptr) const {
    const fs::path log = root / "add_check.log";
    std::string cmd = "python3 '" + test::source_dir() + "/scripts/add_check.py' " + args + " --root '" +
                      root.string() + "' > '" + log.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    if (out) *out = slurp(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

}  // namespace

TEST_CASE("add_check.py writes the files of a new check and registers it once", "[checks][add-check]") {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) {
    WARN("skipped: python3 is not available");
    return;
  }
  ScratchTree t;
  const fs::path& r = t.root;
  const std::string registry_before = slurp(r / "lib/checks/registry.cpp");

  SECTION("a plain check") {
    std::string out;
    REQUIRE(t.run("demo-thing --id MP2999 --severity warning", &out) == 0);
    INFO(out);
    const std::string source = slurp(r / "lib/checks/demo_thing.cpp");
    CHECK(source.find("class DemoThing final : public Check") != std::string::npos);
    CHECK(source.find("\"demo-thing\", \"MP2999\", Severity::Warning") != std::string::npos);
    CHECK(source.find("std::unique_ptr<Check> make_demo_thing_check()") != std::string::npos);
    CHECK(t.compiles("lib/checks/demo_thing.cpp"));
    const std::string registry = slurp(r / "lib/checks/registry.cpp");
    // Appended after the last registered check (admin_priority_tie), continuing the macro.
    CHECK(std::regex_search(registry, std::regex("X\\(admin_priority_tie\\) *\\\\\n  X\\(demo_thing\\)\n")));
    const std::string doc = slurp(r / "docs/checks/demo-thing.md");
    CHECK(doc.find("# demo-thing") == 0);
    CHECK(doc.find("MP2999") != std::string::npos);
    CHECK(slurp(r / "docs/checks/README.md").find("| [demo-thing](demo-thing.md) | MP2999 | warning |") !=
          std::string::npos);
    CHECK(fs::exists(r / "test/fixtures/checks/demo-thing/positive.yaml"));
    CHECK(fs::exists(r / "test/fixtures/checks/demo-thing/negative.yaml"));
    CHECK(slurp(r / "test/checks/demo_thing_test.cpp").find("checks/demo-thing/positive.yaml") != std::string::npos);

    // A second run with the same name, or another name with a taken id, is refused.
    CHECK(t.run("demo-thing --id MP2998 --severity warning") != 0);
    CHECK(t.run("other-thing --id MP2001 --severity warning") != 0);
    CHECK_FALSE(fs::exists(r / "lib/checks/other_thing.cpp"));
  }

  SECTION("a symbolic check") {
    REQUIRE(t.run("demo-proof --id MP2999 --severity note --symbolic") == 0);
    const std::string source = slurp(r / "lib/checks/demo_proof.cpp");
    CHECK(source.find("class DemoProof final : public gaps::SymbolicCheck") != std::string::npos);
    CHECK(source.find("class DemoProofAnalyzer final : public gaps::Analyzer") != std::string::npos);
    CHECK(source.find("Severity::Note") != std::string::npos);
    CHECK(t.compiles("lib/checks/demo_proof.cpp"));
    CHECK(slurp(r / "lib/checks/registry.cpp").find("  X(demo_proof)\n") != std::string::npos);
  }

  SECTION("--dry-run prints every file and writes none") {
    std::string out;
    REQUIRE(t.run("demo-thing --id MP2999 --severity error --dry-run", &out) == 0);
    for (const char* file : {"lib/checks/demo_thing.cpp", "lib/checks/registry.cpp", "docs/checks/demo-thing.md",
                             "docs/checks/README.md", "test/fixtures/checks/demo-thing/positive.yaml",
                             "test/fixtures/checks/demo-thing/negative.yaml", "test/checks/demo_thing_test.cpp"})
      CHECK(out.find(std::string("=== ") + file + "\n") != std::string::npos);
    CHECK_FALSE(fs::exists(r / "lib/checks/demo_thing.cpp"));
    CHECK(slurp(r / "lib/checks/registry.cpp") == registry_before);
  }
}
