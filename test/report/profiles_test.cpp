// The shipped compliance profiles (rules/*.yaml): every one loads without errors, every check a control
// names exists in the registry (so a typo fails here), and every registered check is mapped by a framework
// or is one of the few that docs/profiles.md#unmapped-checks says no control is about.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "checks/check.h"
#include "profile/profile.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace meshproof;

namespace {

bool known_check(const std::string& name) { return checks::find_check(name) != nullptr; }

std::vector<std::string> rule_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(test::source_dir() + "/rules"))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

profile::Profile load_rules(const std::string& path) {
  SourceSet sources;
  std::vector<profile::ProfileError> errors;
  auto p = profile::load_profile(path, sources, errors);
  for (const auto& e : errors) FAIL_CHECK(sources.describe(e.loc) << ": " << e.message);
  REQUIRE(p);
  return *p;
}

bool has_control(const profile::Profile& p, const std::string& id) {
  return std::any_of(p.controls.begin(), p.controls.end(), [&](const profile::Control& c) { return c.id == id; });
}

}  // namespace

TEST_CASE("profiles: every rules/*.yaml loads and names only known checks") {
  auto files = rule_files();
  REQUIRE(files.size() >= 5);  // default + hipaa + pci-dss-4 + nist-800-207 + soc2
  for (const std::string& path : files) {
    INFO(path);
    profile::Profile p = load_rules(path);
    CHECK(!p.name.empty());
    CHECK(!p.title.empty());
    CHECK(!p.controls.empty());
    for (const profile::Control& c : p.controls) {
      INFO("control " << c.id);
      CHECK(!c.title.empty());
      for (const std::string& check : c.checks) {
        INFO("check " << check);
        CHECK(known_check(check));
      }
    }
    // Severity overrides and exceptions change real findings: they must name registered checks.
    for (const auto& [check, sev] : p.severity_overrides) {
      INFO("severity override for " << check);
      CHECK(checks::find_check(check) != nullptr);
    }
    for (const profile::Exception& e : p.exceptions) CHECK(checks::find_check(e.check) != nullptr);
  }
}

TEST_CASE("profiles: the framework profiles carry the controls they are for") {
  const std::string rules = test::source_dir() + "/rules/";
  auto hipaa = load_rules(rules + "hipaa.yaml");
  for (const char* id : {"164.312(a)(1)", "164.312(b)", "164.312(d)", "164.312(e)(1)"}) CHECK(has_control(hipaa, id));
  auto pci = load_rules(rules + "pci-dss-4.yaml");
  for (const char* id : {"1.3", "1.4", "4.2.1", "7.2", "8.3.1", "10.2"}) CHECK(has_control(pci, id));
  auto nist = load_rules(rules + "nist-800-207.yaml");
  for (const char* id : {"2.1-tenet-2", "2.1-tenet-3", "2.1-tenet-4", "2.1-tenet-6"}) CHECK(has_control(nist, id));
  auto soc2 = load_rules(rules + "soc2.yaml");
  for (const char* id : {"CC6.1", "CC6.6", "CC6.7", "CC7.2"}) CHECK(has_control(soc2, id));
  // Every control has a reference that names its framework.
  for (const profile::Profile* p : {&hipaa, &pci, &nist, &soc2})
    for (const profile::Control& c : p->controls) CHECK(!c.reference.empty());
  // Transmission controls are backed by the mTLS check in every framework.
  auto maps = [](const profile::Profile& p, const std::string& id, const std::string& check) {
    for (const auto& c : p.controls)
      if (c.id == id) return std::find(c.checks.begin(), c.checks.end(), check) != c.checks.end();
    return false;
  };
  CHECK(maps(hipaa, "164.312(e)(1)", "mtls-not-strict"));
  CHECK(maps(pci, "4.2.1", "mtls-not-strict"));
  CHECK(maps(nist, "2.1-tenet-2", "mtls-not-strict"));
  CHECK(maps(soc2, "CC6.7", "mtls-not-strict"));
}

TEST_CASE("profiles: the known-check predicate rejects a typo") {
  // The guard above is only useful if it fails on a misspelt name.
  CHECK_FALSE(known_check("mtls-not-strit"));
  CHECK_FALSE(known_check("overly-permisive-rule"));
  CHECK(known_check("mtls-not-strict"));
  CHECK(known_check("overly-permissive-rule"));
}

// A new check has to be placed in the frameworks (or its absence explained in docs/profiles.md): otherwise its
// findings land under "Not mapped to a control" in every auditor report, however serious they are.
TEST_CASE("profiles: every registered check is mapped by a framework profile or documented as unmapped") {
  // Findings about connections that fail (availability), or about meshproof's own annotations: none of the
  // four frameworks' mapped controls is about them. Keep in step with docs/profiles.md#unmapped-checks.
  const std::set<std::string> not_a_control = {"client-tls-conflict", "hbone-blocked", "invalid-suppression",
                                               "waypoint-identity-denied"};
  std::set<std::string> mapped;
  for (const char* file : {"hipaa.yaml", "pci-dss-4.yaml", "nist-800-207.yaml", "soc2.yaml"})
    for (const profile::Control& c : load_rules(test::source_dir() + "/rules/" + file).controls)
      mapped.insert(c.checks.begin(), c.checks.end());
  for (const auto& check : checks::all_checks()) {
    const std::string& name = check->info().name;
    INFO("check " << name);
    CHECK(mapped.count(name) + not_a_control.count(name) == 1);
  }
}
