// run_checks and regulated_namespaces: regulated selection (profile names and selectors, command-line
// names and selectors), severity overrides, exceptions (suppress, expire, port-specific), `only`,
// profile check-name validation, de-duplication and determinism.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "harness.h"

using namespace meshproof;

namespace {
const char* const kNamespaces = R"(
apiVersion: v1
kind: Namespace
metadata:
  name: cards
  labels: {istio-injection: enabled,
    scope: pci}
---
apiVersion: v1
kind: Namespace
metadata:
  name: records
  labels: {istio-injection: enabled,
    scope: hipaa,
    tier: data}
---
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels: {istio-injection: enabled,
    compliance.meshproof.dev/regulated: "true"}
---
apiVersion: v1
kind: Namespace
metadata: {labels: {istio-injection: enabled},
  name: tools}
)";
}  // namespace

TEST_CASE("regulated_namespaces is the union of profile and command line, names and selectors", "[checks][run]") {
  auto input = test::load_yaml(kNamespaces);
  REQUIRE(input);
  const mesh::Mesh& m = input->mesh;

  profile::Profile def = profile::default_profile();
  CHECK(checks::regulated_namespaces(m, def, {}, {}) == std::vector<std::string>{"web"});

  profile::Profile named;
  named.regulated_names = {"tools", "absent"};  // a name the input does not hold is still regulated
  CHECK(checks::regulated_namespaces(m, named, {}, {}) == std::vector<std::string>{"absent", "tools"});

  profile::Profile by_label;
  by_label.regulated_selectors.push_back({{{"scope", "hipaa"}, {"tier", "data"}}, Loc{}});
  CHECK(checks::regulated_namespaces(m, by_label, {}, {}) == std::vector<std::string>{"records"});

  // Profile selector + CLI name + CLI selector, de-duplicated and sorted.
  CHECK(checks::regulated_namespaces(m, def, {"tools", "web"}, {"scope=pci"}) ==
        std::vector<std::string>{"cards", "tools", "web"});
  // A CLI selector with two labels needs both.
  CHECK(checks::regulated_namespaces(m, named, {}, {"scope=hipaa,tier=data"}) ==
        std::vector<std::string>{"absent", "records", "tools"});
  CHECK(checks::regulated_namespaces(m, named, {}, {"scope=hipaa,tier=web"}) ==
        std::vector<std::string>{"absent", "tools"});

  CHECK_THROWS_AS(checks::regulated_namespaces(m, def, {}, {"scope"}), std::invalid_argument);
  CHECK_THROWS_AS(checks::regulated_namespaces(m, def, {}, {"=pci"}), std::invalid_argument);
  CHECK_THROWS_WITH(checks::regulated_namespaces(m, def, {}, {"a=b=c"}), Catch::Contains("only key=value equality"));
}

TEST_CASE("parse_label_selector", "[checks][run]") {
  CHECK(checks::parse_label_selector("a=b") == model::Labels{{"a", "b"}});
  CHECK(checks::parse_label_selector(" a = b , c=d ") == model::Labels{{"a", "b"}, {"c", "d"}});
  CHECK(checks::parse_label_selector("a=") == model::Labels{{"a", ""}});
  CHECK_THROWS(checks::parse_label_selector("a=b,a=c"));
  CHECK_THROWS(checks::parse_label_selector("a!=b"));
  CHECK_THROWS(checks::parse_label_selector(""));
}

TEST_CASE("severity overrides from the profile apply to a check's findings", "[checks][run]") {
  const std::string prof = test::write_temp(R"(name: strict-selectors
regulated:
  selectors:
    - matchLabels:
        compliance.meshproof.dev/regulated: "true"
severity:
  selector-matches-nothing: error
  mtls-not-strict: note
)",
                                            "severity.yaml");
  auto base = test::run_fixture("checks/selector-matches-nothing/positive.yaml");
  auto over = test::run_fixture("checks/selector-matches-nothing/positive.yaml", {prof});
  REQUIRE_FALSE(base->of("selector-matches-nothing").empty());
  REQUIRE(base->of("selector-matches-nothing").size() == over->of("selector-matches-nothing").size());
  for (const Finding* f : base->of("selector-matches-nothing")) CHECK(f->severity == Severity::Warning);
  for (const Finding* f : over->of("selector-matches-nothing")) CHECK(f->severity == Severity::Error);

  auto mtls = test::run_fixture("checks/mtls-not-strict/positive.yaml", {prof});
  REQUIRE_FALSE(mtls->of("mtls-not-strict").empty());
  for (const Finding* f : mtls->of("mtls-not-strict")) CHECK(f->severity == Severity::Note);
}

TEST_CASE("a valid exception suppresses exactly the findings it names", "[checks][run][exceptions]") {
  SECTION("port-specific exception from the fixture profile") {
    auto run = test::run_fixture("checks/expired-exception/negative.yaml",
                                 {test::fixture("checks/expired-exception/negative-profile.yaml")});
    INFO("findings:" << run->dump());
    auto db = run->where("mtls-not-strict", "workload", "payments/legacy-db");
    REQUIRE(db.size() == 1);
    CHECK(db[0]->properties.at("port") == "5432");
    CHECK(db[0]->suppression ==
          "exception: The legacy billing client cannot present a mesh certificate until it is replaced. "
          "(approved by Dana Whitfield (CISO), expires 2027-01-31)");
    REQUIRE_FALSE(db[0]->related.empty());
    CHECK(run->input->sources.describe(db[0]->related.back().loc).find("negative-profile.yaml:") != std::string::npos);
    CHECK(run->of("expired-exception").empty());
  }
  SECTION("an exception for another port does not suppress, a namespace wildcard without port does") {
    const std::string prof = test::write_temp(R"(name: ports
regulated:
  namespaces: [payments, reports]
exceptions:
  - check: mtls-not-strict
    resource: Deployment/payments/api
    port: 9999
    justification: Not the port that is PERMISSIVE.
    approver: Dana
  - check: mtls-not-strict
    resource: reports/*
    justification: Reports are public summaries.
    approver: Sam
    expires: 2026-12-31
)",
                                              "ports.yaml");
    auto run = test::run_fixture("checks/mtls-not-strict/positive.yaml", {prof, {"mtls-not-strict"}});
    INFO("findings:" << run->dump());
    auto api = run->where("mtls-not-strict", "workload", "payments/api");
    REQUIRE(api.size() == 1);
    CHECK(api[0]->suppression.empty());
    size_t reports = 0;
    for (const Finding* f : run->of("mtls-not-strict")) {
      if (f->resource.ns == "reports") {
        ++reports;
        CHECK(f->suppression == "exception: Reports are public summaries. (approved by Sam, expires 2026-12-31)");
      } else {
        CHECK(f->suppression.empty());
      }
    }
    CHECK(reports == 2);  // reports/worker and any other workload in reports
  }
}

TEST_CASE("an expired exception does not suppress and is itself a finding at its position",
          "[checks][run][exceptions]") {
  const std::string profile_path = test::fixture("checks/expired-exception/positive-profile.yaml");
  auto run = test::run_fixture("checks/expired-exception/positive.yaml", {profile_path});
  INFO("findings:" << run->dump());
  auto db = run->where("mtls-not-strict", "workload", "payments/legacy-db");
  REQUIRE(db.size() == 1);
  CHECK(db[0]->suppression.empty());

  auto expired = run->of("expired-exception");
  REQUIRE(expired.size() == 1);
  const Finding& e = *expired[0];
  CHECK(e.id == "MP1005");
  CHECK(e.severity == Severity::Error);
  CHECK(e.suppression.empty());
  CHECK(run->where_is(e) == profile_path + ":" + std::to_string(test::line_of(profile_path, "- check:")) + ":5");
  CHECK(e.message ==
        "the exception for mtls-not-strict on StatefulSet/payments/legacy-db port 5432 in profile expired-fixture "
        "expired on 2026-01-31 (approved by Dana Whitfield (CISO): \"The legacy billing client cannot present a "
        "mesh certificate until it is replaced.\"); it no longer suppresses findings");
  CHECK(e.properties.at("exception_check") == "mtls-not-strict");
  CHECK(e.properties.at("expires") == "2026-01-31");

  // The same profile on 2026-01-31 (the last valid day): no expiry finding, and the port is suppressed.
  test::RunOptions on_last_day{profile_path};
  on_last_day.today = "2026-01-31";
  auto valid = test::run_fixture("checks/expired-exception/positive.yaml", on_last_day);
  CHECK(valid->of("expired-exception").empty());
  REQUIRE(valid->where("mtls-not-strict", "workload", "payments/legacy-db").size() == 1);
  CHECK_FALSE(valid->where("mtls-not-strict", "workload", "payments/legacy-db")[0]->suppression.empty());
}

TEST_CASE("only runs the named checks, plus expiry findings for their exceptions", "[checks][run]") {
  const std::string profile_path = test::fixture("checks/expired-exception/positive-profile.yaml");
  auto mtls_only = test::run_fixture("checks/expired-exception/positive.yaml", {profile_path, {"mtls-not-strict"}});
  INFO("findings:" << mtls_only->dump());
  for (const Finding& f : mtls_only->findings) CHECK((f.check == "mtls-not-strict" || f.check == "expired-exception"));
  CHECK(mtls_only->of("expired-exception").size() == 1);

  auto deny_only = test::run_fixture("checks/expired-exception/positive.yaml", {profile_path, {"no-default-deny"}});
  INFO("findings:" << deny_only->dump());
  CHECK(deny_only->of("expired-exception").empty());  // the exception is about mtls-not-strict
  CHECK(deny_only->of("mtls-not-strict").empty());

  auto input = test::load_paths({test::fixture("checks/mtls-not-strict/positive.yaml")});
  profile::Profile prof = profile::default_profile();
  checks::Options options;
  options.today = test::kFixtureToday;
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {}};
  CHECK_THROWS_WITH(checks::run_checks(ctx, {"mtls-not-stric"}),
                    "unknown check 'mtls-not-stric'; did you mean 'mtls-not-strict'?");
}

TEST_CASE("validate_profile_checks names unknown checks at their position", "[checks][run]") {
  SourceSet sources;
  std::vector<profile::ProfileError> errors;
  const std::string path = test::write_temp(R"(name: typos
controls:
  - id: c1
    title: Transport
    checks: [mtls-not-strict, mtls-not-strikt]
severity:
  no-default-denied: warning
exceptions:
  - check: selector-matches-nothin
    resource: payments/api
    justification: j
    approver: a
)",
                                            "typos.yaml");
  auto p = profile::load_profile(path, sources, errors);
  REQUIRE(p.has_value());
  checks::validate_profile_checks(*p, errors);
  REQUIRE(errors.size() == 3);
  std::vector<std::string> got;
  for (const auto& e : errors)
    got.push_back(std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) + " " + e.message);
  std::sort(got.begin(), got.end());
  CHECK(got[0] == "5:31 unknown check 'mtls-not-strikt'; did you mean 'mtls-not-strict'? in control c1");
  CHECK(got[1] == "7:3 unknown check 'no-default-denied'; did you mean 'no-default-deny'? in severity");
  CHECK(got[2] ==
        "9:12 unknown check 'selector-matches-nothin'; did you mean 'selector-matches-nothing'? in an exception");

  std::vector<profile::ProfileError> none;
  checks::validate_profile_checks(profile::default_profile(), none);
  CHECK(none.empty());
}

TEST_CASE("run_checks removes exact duplicates", "[checks][run]") {
  // Two identical diagnostics (as two validators reporting the same field would produce) give one finding.
  SourceSet sources;
  model::ResourceSet rs;
  model::Diagnostic d;
  d.severity = Severity::Error;
  d.message = "`key` must not be empty";
  d.field = "spec.rules[0].when[0].key";
  d.resource = ResourceRef{"AuthorizationPolicy", "payments", "p", Loc{0, 3, 1}, ""};
  d.loc = Loc{0, 12, 9};
  rs.diagnostics = {d, d};
  mesh::Mesh m = mesh::resolve(rs);
  profile::Profile prof = profile::default_profile();
  checks::Options options;
  options.today = test::kFixtureToday;
  checks::Context ctx{sources, rs, m, prof, options, {}};
  auto findings = checks::run_checks(ctx, {"invalid-resource"});
  CHECK(findings.size() == 1);
  rs.diagnostics[1].message = "another problem";
  CHECK(checks::run_checks(ctx, {"invalid-resource"}).size() == 2);
}

TEST_CASE("run_checks is deterministic and sorted", "[checks][run]") {
  std::vector<std::string> paths;
  for (const char* name : {"mtls-not-strict", "no-default-deny", "selector-matches-nothing", "invalid-resource"})
    paths.push_back(test::fixture(std::string("checks/") + name + "/positive.yaml"));
  test::RunOptions o{test::fixture("checks/expired-exception/positive-profile.yaml")};
  auto a = test::run_checks_on(paths, o);
  auto b = test::run_checks_on(paths, o);
  REQUIRE(a->findings.size() == b->findings.size());
  REQUIRE(a->findings.size() > 15);
  for (size_t i = 0; i < a->findings.size(); ++i) {
    const Finding& x = a->findings[i];
    const Finding& y = b->findings[i];
    CHECK(x.check == y.check);
    CHECK(x.message == y.message);
    CHECK(x.loc == y.loc);
    CHECK(x.fingerprint == y.fingerprint);
    CHECK(x.severity == y.severity);
    CHECK(x.properties == y.properties);
    CHECK(x.suppression == y.suppression);
  }
  for (size_t i = 1; i < a->findings.size(); ++i)
    CHECK_FALSE(finding_less(a->findings[i], a->findings[i - 1], a->input->sources));
}

TEST_CASE("fingerprints tell the findings of one input apart", "[checks][run]") {
  for (const char* name : {"mtls-not-strict", "no-default-deny", "selector-matches-nothing", "invalid-resource"}) {
    auto run = test::run_fixture(std::string("checks/") + name + "/positive.yaml");
    INFO(name << " findings:" << run->dump());
    std::set<std::string> fps;
    for (const Finding& f : run->findings) CHECK(fps.insert(f.fingerprint).second);
  }
}

// Every shipped profile loads and names only registered checks, so a framework profile (hipaa, pci, ...)
// cannot map a control to a check that does not exist.
TEST_CASE("every profile under rules/ loads and names only registered checks", "[checks][run][profile]") {
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() + "/rules")) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    INFO(entry.path().string());
    SourceSet sources;
    std::vector<profile::ProfileError> errors;
    auto p = profile::load_profile(entry.path().string(), sources, errors);
    if (p) checks::validate_profile_checks(*p, errors);
    for (const auto& e : errors) FAIL_CHECK(sources.describe(e.loc) << ": " << e.message);
    CHECK(p.has_value());
  }
  CHECK(seen >= 1);
}
