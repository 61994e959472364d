// The registry and the recipe for adding a check: every registered check has a unique kebab-case name,
// a unique MPnnnn id, a doc page, a line in docs/checks/README.md, and positive/negative fixtures that
// it reports on and stays quiet on, end to end.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "checks/gap_pass.h"
#include "checks/run.h"
#include "harness.h"

using namespace meshproof;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}
}  // namespace

TEST_CASE("registered checks have unique, well-formed names and ids", "[checks][registry]") {
  const auto& all = checks::all_checks();
  REQUIRE(all.size() >= 5);
  std::set<std::string> names, ids;
  for (const auto& c : all) {
    const checks::CheckInfo& info = c->info();
    INFO(info.name);
    CHECK(std::regex_match(info.name, std::regex("[a-z][a-z0-9]*(-[a-z0-9]+)*")));
    CHECK(std::regex_match(info.id, std::regex("MP[0-9]{4}")));
    CHECK(names.insert(info.name).second);
    CHECK(ids.insert(info.id).second);
    CHECK_FALSE(info.summary.empty());
    CHECK_FALSE(info.description.empty());
    CHECK(checks::find_check(info.name) == c.get());
  }
  CHECK(checks::find_check("no-such-check") == nullptr);
}

TEST_CASE("the foundation checks keep their public names, ids and severities", "[checks][registry]") {
  struct Expected {
    const char* name;
    const char* id;
    Severity severity;
  };
  for (const Expected& e :
       {Expected{"invalid-resource", "MP1001", Severity::Error}, Expected{"mtls-not-strict", "MP1002", Severity::Error},
        Expected{"selector-matches-nothing", "MP1003", Severity::Warning},
        Expected{"no-default-deny", "MP1004", Severity::Error},
        Expected{"expired-exception", "MP1005", Severity::Error}}) {
    const checks::Check* c = checks::find_check(e.name);
    REQUIRE(c != nullptr);
    CHECK(c->info().id == e.id);
    CHECK(c->info().severity == e.severity);
    CHECK(c->info().doc() == std::string("docs/checks/") + e.name + ".md");
  }
}

TEST_CASE("the symbolic checks come from the registry, in its order", "[checks][registry]") {
  std::vector<std::string> symbolic;
  for (const auto& c : checks::all_checks())
    if (const auto* s = dynamic_cast<const checks::gaps::SymbolicCheck*>(c.get())) symbolic.push_back(s->info().name);
  CHECK(symbolic == std::vector<std::string>{"unreachable-allow-rule", "redundant-rule", "never-matching-rule",
                                             "deny-widened-on-tcp", "plaintext-deny-bypass", "overly-permissive-rule",
                                             "token-optional", "path-normalization-bypass", "assertion-violated"});
}

TEST_CASE("every check has a doc page and a line in the checks index", "[checks][registry]") {
  const std::string readme = slurp(test::source_dir() + "/docs/checks/README.md");
  REQUIRE_FALSE(readme.empty());
  for (const auto& c : checks::all_checks()) {
    const checks::CheckInfo& info = c->info();
    INFO(info.name);
    const std::string page = slurp(test::source_dir() + "/" + info.doc());
    REQUIRE_FALSE(page.empty());
    CHECK(page.find("# " + info.name) != std::string::npos);
    CHECK(page.find(info.id) != std::string::npos);
    // The index row names the check (linked), its id and its default severity.
    std::regex row("\\|[^\\n]*\\[" + info.name + "\\]\\(" + info.name + "\\.md\\)[^\\n]*\\|[^\\n]*" + info.id +
                   "[^\\n]*\\|[^\\n]*" + to_string(info.severity));
    CHECK(std::regex_search(readme, row));
  }
}

// Each check reports on its positive fixture and stays quiet on its negative one. A fixture may come
// with a profile: <fixture>-profile.yaml beside it, and with an assertions file (check --assert):
// <fixture>-assertions.yaml.
TEST_CASE("every check reports its positive fixture and not its negative one", "[checks][registry][e2e]") {
  for (const auto& c : checks::all_checks()) {
    const std::string name = c->info().name;
    for (const char* kind : {"positive", "negative"}) {
      const std::string rel = "checks/" + name + "/" + kind + ".yaml";
      INFO(rel);
      REQUIRE(std::filesystem::exists(test::fixture(rel)));
      test::RunOptions o;
      std::string profile = test::fixture("checks/" + name + "/" + kind + "-profile.yaml");
      if (std::filesystem::exists(profile)) o.profile_path = profile;
      std::string assertions = test::fixture("checks/" + name + "/" + kind + "-assertions.yaml");
      if (std::filesystem::exists(assertions)) o.assertions_path = assertions;
      auto run = test::run_fixture(rel, o);
      INFO("findings:" << run->dump());
      size_t active = 0;
      for (const Finding* f : run->of(name))
        if (f->suppression.empty()) ++active;
      if (std::string(kind) == "positive")
        CHECK(active > 0);
      else
        CHECK(active == 0);
    }
  }
}
