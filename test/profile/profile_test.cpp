// Profiles: reading rules/*.yaml with positions, every kind of error with its line:column, the built-in
// default, regulated-namespace selection and exception matching.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "profile/profile.h"
#include "test_support.h"

using namespace meshproof;
using profile::Profile;
using profile::ProfileError;

namespace {

// Writes `text` to a fresh file so that errors carry real positions.
std::string write_temp(const std::string& text, const std::string& name = "profile.yaml") {
  static int counter = 0;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("meshproof-profile-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / (std::to_string(counter++) + "-" + name);
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

struct Loaded {
  SourceSet sources;
  std::optional<Profile> profile;
  std::vector<ProfileError> errors;
};

std::unique_ptr<Loaded> load_text(const std::string& text) {
  auto l = std::make_unique<Loaded>();
  l->profile = profile::load_profile(write_temp(text), l->sources, l->errors);
  return l;
}

// "line:col: message" of every error, for readable failure output.
std::vector<std::string> rendered(const Loaded& l) {
  std::vector<std::string> out;
  for (const auto& e : l.errors)
    out.push_back(std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) + ": " + e.message);
  return out;
}

// Asserts that loading fails with an error at line:col whose message contains `needle`.
void require_error(const std::string& text, uint32_t line, uint32_t col, const std::string& needle) {
  auto l = load_text(text);
  INFO("profile:\n" << text);
  for (const auto& r : rendered(*l)) INFO(r);
  CHECK_FALSE(l->profile.has_value());
  bool found = false;
  for (const auto& e : l->errors)
    if (e.loc.line == line && e.loc.col == col && e.message.find(needle) != std::string::npos) found = true;
  if (!found) {
    std::string all;
    for (const auto& r : rendered(*l)) all += "\n  " + r;
    FAIL("no error at " << line << ":" << col << " containing '" << needle << "'; got:" << all);
  }
  // Every error names a place in the profile file.
  for (const auto& e : l->errors) CHECK(l->sources.describe(e.loc).find("profile.yaml") != std::string::npos);
}

}  // namespace

TEST_CASE("a profile with every key loads with all its fields", "[profile]") {
  SourceSet sources;
  std::vector<ProfileError> errors;
  auto p = profile::load_profile(test::fixture("profile/full.yaml"), sources, errors);
  for (const auto& e : errors) INFO(sources.describe(e.loc) << ": " << e.message);
  REQUIRE(errors.empty());
  REQUIRE(p.has_value());
  CHECK(p->name == "fixture-full");
  CHECK(p->title == "Every key of the profile schema");
  CHECK(p->file == test::fixture("profile/full.yaml"));
  CHECK(p->regulated_names == std::vector<std::string>{"payments", "billing"});
  REQUIRE(p->regulated_selectors.size() == 2);
  CHECK(p->regulated_selectors[0].match_labels == model::Labels{{"compliance.example.com/scope", "pci"}});
  CHECK(p->regulated_selectors[1].match_labels == model::Labels{{"team", "ledger"}, {"tier", "data"}});
  CHECK(p->regulated_selectors[1].loc.line == 9);

  REQUIRE(p->controls.size() == 2);
  CHECK(p->controls[0].id == "4.2.1");
  CHECK(p->controls[0].reference == "PCI DSS v4.0 requirement 4.2.1");
  CHECK(p->controls[0].checks == std::vector<std::string>{"mtls-not-strict"});
  // An unquoted id that YAML would read as a number keeps the text as written.
  CHECK(p->controls[1].id == "1.3.1");
  CHECK(p->controls[1].reference.empty());
  CHECK(p->controls[1].checks == std::vector<std::string>{"no-default-deny", "selector-matches-nothing"});
  REQUIRE(p->controls[1].check_locs.size() == 2);
  CHECK(p->controls[1].check_locs[1].line == 19);

  CHECK(p->severity_overrides.at("selector-matches-nothing") == Severity::Error);
  CHECK(p->severity_overrides.at("invalid-resource") == Severity::Warning);
  CHECK(p->severity_override_locs.at("invalid-resource").line == 22);

  REQUIRE(p->exceptions.size() == 2);
  const auto& e0 = p->exceptions[0];
  CHECK(e0.check == "mtls-not-strict");
  CHECK(e0.resource == "StatefulSet/payments/legacy-db");
  CHECK(e0.port == std::optional<uint32_t>(5432));
  CHECK(e0.approver == "Dana Whitfield (CISO)");
  CHECK(e0.expires == "2027-01-31");
  CHECK(e0.loc.line == 24);
  CHECK(sources.describe(e0.loc).find("full.yaml:24:5") != std::string::npos);
  const auto& e1 = p->exceptions[1];
  CHECK_FALSE(e1.port.has_value());
  CHECK(e1.expires.empty());
}

TEST_CASE("rules/default.yaml and the built-in default profile agree", "[profile]") {
  SourceSet sources;
  std::vector<ProfileError> errors;
  auto file = profile::load_profile(test::source_dir() + "/rules/default.yaml", sources, errors);
  for (const auto& e : errors) INFO(sources.describe(e.loc) << ": " << e.message);
  REQUIRE(file.has_value());
  Profile builtin = profile::default_profile();
  CHECK(file->name == builtin.name);
  CHECK(file->title == builtin.title);
  CHECK(file->regulated_names == builtin.regulated_names);
  REQUIRE(file->regulated_selectors.size() == builtin.regulated_selectors.size());
  for (size_t i = 0; i < builtin.regulated_selectors.size(); ++i)
    CHECK(file->regulated_selectors[i].match_labels == builtin.regulated_selectors[i].match_labels);
  REQUIRE(file->controls.size() == builtin.controls.size());
  for (size_t i = 0; i < builtin.controls.size(); ++i) {
    CHECK(file->controls[i].id == builtin.controls[i].id);
    CHECK(file->controls[i].title == builtin.controls[i].title);
    CHECK(file->controls[i].reference == builtin.controls[i].reference);
    CHECK(file->controls[i].checks == builtin.controls[i].checks);
  }
  CHECK(file->severity_overrides == builtin.severity_overrides);
  CHECK(file->exceptions.empty());
  CHECK(builtin.exceptions.empty());
}

TEST_CASE("namespaces: complete declares the namespace list complete", "[profile]") {
  auto complete = load_text("name: x\nnamespaces: complete\n");
  REQUIRE(complete->profile);
  CHECK(complete->profile->namespaces_complete);
  auto partial = load_text("name: x\nnamespaces: partial\n");
  REQUIRE(partial->profile);
  CHECK_FALSE(partial->profile->namespaces_complete);
  auto absent = load_text("name: x\n");
  REQUIRE(absent->profile);
  CHECK_FALSE(absent->profile->namespaces_complete);
  CHECK_FALSE(profile::default_profile().namespaces_complete);
  require_error("name: x\nnamespaces: all\n", 2, 13, "namespaces: unknown value 'all' (expected complete or partial)");
  require_error("name: x\nnamespaces: [a]\n", 2, 13, "regulated namespaces are listed under regulated.namespaces");
}

TEST_CASE("profile errors carry the position of the offending key or value", "[profile]") {
  SECTION("unknown top-level key, with a suggestion") {
    require_error("name: x\nregulatd:\n  namespaces: [a]\n", 2, 1,
                  "unknown key 'regulatd' in the profile; did you mean 'regulated'?");
  }
  SECTION("unknown key inside an exception") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n"
        "    justification: j\n    approver: a\n    expiry: 2027-01-01\n",
        7, 5, "unknown key 'expiry' in an exception");
  }
  SECTION("a list where a string list was expected") {
    require_error("name: x\nregulated:\n  namespaces: payments\n", 3, 15,
                  "regulated.namespaces: expected a list, found string (write a one-item list as [payments])");
  }
  SECTION("a map where a list was expected") {
    require_error("name: x\ncontrols:\n  id: a\n", 3, 3, "controls: expected a list, found map");
  }
  SECTION("a list where a string was expected") {
    require_error("name: x\ntitle: [a, b]\n", 2, 8, "title: expected a string, found list");
  }
  SECTION("the profile is not a map") { require_error("- name: x\n", 1, 1, "a profile is a map"); }
  SECTION("missing name") { require_error("title: no name\n", 1, 1, "the profile is missing 'name'"); }
  SECTION("exception without a justification") {
    require_error("name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n    approver: Dana\n",
                  3, 5, "an exception is missing 'justification'");
  }
  SECTION("exception with an empty justification") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n"
        "    justification: \"  \"\n    approver: Dana\n",
        5, 20, "exception justification must not be empty");
  }
  SECTION("exception without an approver") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n    justification: j\n", 3, 5,
        "an exception is missing 'approver'");
  }
  SECTION("impossible calendar date") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n"
        "    justification: j\n    approver: a\n    expires: 2026-02-29\n",
        7, 14, "bad date '2026-02-29' in expires: expected YYYY-MM-DD");
  }
  SECTION("date in another format") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n"
        "    justification: j\n    approver: a\n    expires: 31/01/2027\n",
        7, 14, "bad date '31/01/2027'");
  }
  SECTION("port written as a string") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n    port: \"5432\"\n"
        "    justification: j\n    approver: a\n",
        5, 11, "exception port: expected an integer port (1-65535), found string");
  }
  SECTION("port out of range") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/api\n    port: 70000\n"
        "    justification: j\n    approver: a\n",
        5, 11, "exception port 70000 is out of range");
  }
  SECTION("resource without a namespace") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: api\n    justification: j\n    approver: a\n",
        4, 15, "bad resource 'api': expected \"NAMESPACE/NAME\" or \"KIND/NAMESPACE/NAME\"");
  }
  SECTION("wildcard namespace in a resource") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: \"*/api\"\n    justification: j\n    "
        "approver: a\n",
        4, 15, "a wildcard is allowed only as the whole NAME");
  }
  SECTION("partial wildcard in a name") {
    require_error(
        "name: x\nexceptions:\n  - check: mtls-not-strict\n    resource: payments/legacy-*\n    justification: j\n"
        "    approver: a\n",
        4, 15, "partial wildcards such as \"legacy-*\" are not supported");
  }
  SECTION("unknown severity") {
    require_error("name: x\nseverity:\n  mtls-not-strict: critical\n", 3, 20,
                  "unknown severity 'critical' for check mtls-not-strict (expected one of: error, warning, note)");
  }
  SECTION("a severity key that is not a check name") {
    require_error("name: x\nseverity:\n  MTLS: warning\n", 3, 3, "'MTLS' is not a check name");
  }
  SECTION("duplicate control id") {
    require_error("name: x\ncontrols:\n  - {id: a, title: A}\n  - {id: a, title: B}\n", 4, 10,
                  "duplicate control id 'a'");
  }
  SECTION("control without a title") {
    require_error("name: x\ncontrols:\n  - id: a\n", 3, 5, "a control is missing 'title'");
  }
  SECTION("invalid namespace name") {
    require_error("name: x\nregulated:\n  namespaces: [Payments]\n", 3, 16, "'Payments' is not a valid namespace name");
  }
  SECTION("namespace selector without matchLabels") {
    require_error("name: x\nregulated:\n  selectors:\n    - matchExpressions: []\n", 4, 7,
                  "unknown key 'matchExpressions' in a namespace selector (only matchLabels is supported)");
  }
  SECTION("duplicate key (reported by the loader)") {
    require_error("name: x\nname: y\n", 2, 1, "duplicate key 'name'");
  }
  SECTION("two documents") { require_error("name: x\n---\nname: y\n", 3, 1, "a profile is one YAML document"); }
  SECTION("YAML syntax error") {
    auto l = load_text("name: x\nregulated: [a\n");
    CHECK_FALSE(l->profile.has_value());
    REQUIRE_FALSE(l->errors.empty());
    CHECK(l->errors[0].loc.line >= 2);
    CHECK(l->errors[0].message.find("cannot read profile") != std::string::npos);
  }
}

TEST_CASE("a profile reports every error in one pass", "[profile]") {
  auto l = load_text(
      "name: x\n"
      "colour: blue\n"
      "severity:\n"
      "  mtls-not-strict: loud\n"
      "exceptions:\n"
      "  - check: mtls-not-strict\n"
      "    resource: payments/api\n"
      "    approver: a\n"
      "    expires: someday\n");
  CHECK_FALSE(l->profile.has_value());
  std::vector<uint32_t> lines;
  for (const auto& e : l->errors) lines.push_back(e.loc.line);
  std::sort(lines.begin(), lines.end());
  CHECK(lines == std::vector<uint32_t>{2, 4, 6, 9});
}

TEST_CASE("an empty, missing or directory profile is an error", "[profile]") {
  SECTION("empty") {
    auto l = load_text("# nothing but a comment\n");
    CHECK_FALSE(l->profile.has_value());
    REQUIRE(l->errors.size() == 1);
    CHECK(l->errors[0].message.find("is empty") != std::string::npos);
  }
  SECTION("missing") {
    SourceSet sources;
    std::vector<ProfileError> errors;
    CHECK_FALSE(profile::load_profile("/nonexistent/meshproof-profile.yaml", sources, errors).has_value());
    REQUIRE_FALSE(errors.empty());
    CHECK(errors[0].message.find("cannot read profile") != std::string::npos);
  }
  SECTION("directory") {
    SourceSet sources;
    std::vector<ProfileError> errors;
    CHECK_FALSE(profile::load_profile(test::fixture("profile"), sources, errors).has_value());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("is a directory") != std::string::npos);
  }
}

TEST_CASE("is_valid_date knows the calendar", "[profile]") {
  CHECK(profile::is_valid_date("2024-02-29"));
  CHECK(profile::is_valid_date("2000-02-29"));
  CHECK_FALSE(profile::is_valid_date("1900-02-29"));
  CHECK_FALSE(profile::is_valid_date("2026-02-29"));
  CHECK(profile::is_valid_date("2026-12-31"));
  CHECK_FALSE(profile::is_valid_date("2026-04-31"));
  CHECK_FALSE(profile::is_valid_date("2026-13-01"));
  CHECK_FALSE(profile::is_valid_date("2026-00-10"));
  CHECK_FALSE(profile::is_valid_date("2026-1-10"));
  CHECK_FALSE(profile::is_valid_date("2026/01/10"));
  CHECK_FALSE(profile::is_valid_date(""));
}

TEST_CASE("is_regulated matches names and label selectors", "[profile]") {
  Profile p;
  p.regulated_names = {"payments"};
  p.regulated_selectors.push_back({{{"scope", "pci"}, {"tier", "data"}}, Loc{}});
  mesh::NamespaceInfo payments{"payments", {}, nullptr};
  mesh::NamespaceInfo both{"ledger", {{"scope", "pci"}, {"tier", "data"}, {"team", "x"}}, nullptr};
  mesh::NamespaceInfo partial{"cards", {{"scope", "pci"}}, nullptr};
  mesh::NamespaceInfo wrong_value{"cards2", {{"scope", "pci"}, {"tier", "web"}}, nullptr};
  CHECK(p.is_regulated(payments));
  CHECK(p.is_regulated(both));
  CHECK_FALSE(p.is_regulated(partial));  // a selector needs every label
  CHECK_FALSE(p.is_regulated(wrong_value));
  CHECK(profile::default_profile().is_regulated(
      mesh::NamespaceInfo{"x", {{"compliance.meshproof.dev/regulated", "true"}}, nullptr}));
  CHECK_FALSE(profile::default_profile().is_regulated(
      mesh::NamespaceInfo{"x", {{"compliance.meshproof.dev/regulated", "false"}}, nullptr}));
}

TEST_CASE("exception_for matches check, resource pattern, port and expiry", "[profile]") {
  Profile p;
  profile::Exception db;
  db.check = "mtls-not-strict";
  db.resource = "statefulset/payments/legacy-db";  // kinds compare case-insensitively
  db.port = 5432;
  db.justification = "legacy client";
  db.approver = "Dana";
  db.expires = "2026-06-30";
  profile::Exception any_in_billing;
  any_in_billing.check = "no-default-deny";
  any_in_billing.resource = "billing/*";
  any_in_billing.justification = "migration";
  any_in_billing.approver = "Sam";
  p.exceptions = {db, any_in_billing};

  ResourceRef legacy{"StatefulSet", "payments", "legacy-db", {}, ""};
  ResourceRef legacy_deploy{"Deployment", "payments", "legacy-db", {}, ""};
  const std::string today = "2026-06-01";

  CHECK(p.exception_for("mtls-not-strict", legacy, 5432, today) == &p.exceptions[0]);
  CHECK(p.exception_for("mtls-not-strict", legacy, 8080, today) == nullptr);          // other port
  CHECK(p.exception_for("mtls-not-strict", legacy, std::nullopt, today) == nullptr);  // workload-level
  CHECK(p.exception_for("no-default-deny", legacy, 5432, today) == nullptr);          // other check
  CHECK(p.exception_for("mtls-not-strict", legacy_deploy, 5432, today) == nullptr);   // other kind
  // Valid through its expiry date, not after.
  CHECK(p.exception_for("mtls-not-strict", legacy, 5432, "2026-06-30") == &p.exceptions[0]);
  CHECK(p.exception_for("mtls-not-strict", legacy, 5432, "2026-07-01") == nullptr);
  CHECK(p.exceptions[0].matches("mtls-not-strict", legacy, 5432));  // matching ignores expiry
  CHECK(p.exceptions[0].expired_on("2026-07-01"));
  CHECK_FALSE(p.exceptions[0].expired_on("2026-06-30"));

  // NS/* covers every resource of the namespace, any kind, any port, and never expires.
  CHECK(p.exception_for("no-default-deny", ResourceRef{"Deployment", "billing", "api", {}, ""}, std::nullopt,
                        "2099-01-01") == &p.exceptions[1]);
  CHECK(p.exception_for("no-default-deny", ResourceRef{"Workload", "billing", "*", {}, ""}, 80, today) ==
        &p.exceptions[1]);
  CHECK(p.exception_for("no-default-deny", ResourceRef{"Deployment", "billing2", "api", {}, ""}, std::nullopt, today) ==
        nullptr);
  CHECK(p.exceptions[0].describe() == "mtls-not-strict on statefulset/payments/legacy-db port 5432");
}
