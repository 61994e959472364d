// Baselines round trip (write, accept, a new finding still fails) and expired profile exceptions.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace meshproof;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A second regulated namespace with a plaintext workload: findings the baseline has never seen.
const char* kNewNamespace = R"(apiVersion: v1
kind: Namespace
metadata:
  name: cards
  labels: {istio-injection: enabled,
    compliance.meshproof.dev/regulated: "true"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vault
  namespace: cards
spec:
  selector: {matchLabels: {app: vault}}
  template:
    metadata: {labels: {app: vault}}
    spec:
      containers: [{name: vault, image: v, ports: [{containerPort: 8200}]}]
)";

}  // namespace

TEST_CASE("baseline: write, then every finding is baseline and the run passes, a new finding still fails") {
  fs::path dir = test::temp_dir("baseline");
  fs::path manifests = dir / "manifests";
  fs::create_directories(manifests);
  fs::copy_file(test::fixture("report/failing/payments.yaml"), manifests / "payments.yaml");
  const std::string baseline = (dir / "b.json").string();

  auto first = test::run_cli({"check", manifests.string(), "--write-baseline", baseline});
  CHECK(first.exit_code == 1);  // writing a baseline does not hide this run's findings
  REQUIRE(fs::exists(baseline));
  json b = json::parse(test::read_file(baseline));
  CHECK(b["meshproof_baseline"] == 1);
  REQUIRE(!b["findings"].empty());

  for (const std::string& format : {"text", "json", "sarif", "junit"}) {
    auto again = test::run_cli({"check", manifests.string(), "--baseline", baseline, "-o", format});
    INFO(format << "\n" << again.err);
    CHECK(again.exit_code == 0);
  }
  json accepted = json::parse(test::run_cli({"check", manifests.string(), "--baseline", baseline, "-o", "json"}).out);
  REQUIRE(!accepted["findings"].empty());
  for (const json& f : accepted["findings"]) CHECK(f["suppression"] == "baseline");
  CHECK(accepted["summary"]["suppressed"] == accepted["findings"].size());
  CHECK(accepted["summary"]["errors"] == 0);

  // An unrelated edit above the resources keeps fingerprints stable.
  test::write_file(manifests / "payments.yaml",
                   "# reviewed 2026-06\n\n" + test::read_file(manifests / "payments.yaml"));
  CHECK(test::run_cli({"check", manifests.string(), "--baseline", baseline}).exit_code == 0);

  // A new finding fails, and only the new findings are unsuppressed.
  test::write_file(manifests / "cards.yaml", kNewNamespace);
  auto later = test::run_cli({"check", manifests.string(), "--baseline", baseline, "-o", "json"});
  CHECK(later.exit_code == 1);
  json l = json::parse(later.out);
  size_t fresh = 0;
  for (const json& f : l["findings"]) {
    // About cards: its objects, and the Namespace itself (egress-unrestricted and access-logging-off notes).
    const bool about_cards = f["resource"]["namespace"] == "cards" ||
                             (f["resource"]["kind"] == "Namespace" && f["resource"]["name"] == "cards");
    if (about_cards) {
      CHECK_FALSE(f.contains("suppression"));
      ++fresh;
    } else {
      CHECK(f["suppression"] == "baseline");
    }
  }
  CHECK(fresh > 0);
  auto sarif = json::parse(test::run_cli({"check", manifests.string(), "--baseline", baseline, "-o", "sarif"}).out);
  for (const json& r : sarif["runs"][0]["results"]) CHECK(r.contains("baselineState"));
}

TEST_CASE("baseline: a file that is not a baseline is exit 2 with a message") {
  fs::path dir = test::temp_dir("bad-baseline");
  test::write_file(dir / "b.json", "{\"findings\": 3}");
  auto r = test::run_cli({"check", test::fixture("report/failing"), "--baseline", (dir / "b.json").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("not a meshproof baseline"));
  CHECK(r.out.empty());
  auto missing = test::run_cli({"check", test::fixture("report/failing"), "--baseline", (dir / "nope.json").string()});
  CHECK(missing.exit_code == 2);
}

TEST_CASE("exceptions: an expired exception suppresses nothing and is reported, a valid one suppresses") {
  const std::string profile = test::fixture("report/profiles/expired.yaml");
  auto r = test::run_cli(
      {"check", test::fixture("report/failing"), "--profile", profile, "--today", "2026-06-01", "-o", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  json j = json::parse(r.out);
  bool expired_reported = false, api_open = false, other_excepted = false;
  for (const json& f : j["findings"]) {
    if (f["check"] == "expired-exception") {
      expired_reported = true;
      CHECK_THAT(f["location"]["file"].get<std::string>(), Catch::EndsWith("profiles/expired.yaml"));
      CHECK_THAT(f["message"].get<std::string>(), Catch::Contains("2026-01-31"));
    }
    if (f["check"] == "mtls-not-strict" && f["resource"]["name"] == "api") api_open = !f.contains("suppression");
    if (f["check"] == "no-default-deny" && f["resource"]["kind"] == "Workload") {
      REQUIRE(f.contains("suppression"));
      CHECK_THAT(f["suppression"].get<std::string>(),
                 Catch::StartsWith("exception: Namespace-wide deny is rolled out with ticket SEC-77"));
      other_excepted = true;
    }
  }
  CHECK(expired_reported);
  CHECK(api_open);
  CHECK(other_excepted);

  // The day before expiry the same exception still applies, and nothing is reported about it.
  auto before = test::run_cli(
      {"check", test::fixture("report/failing"), "--profile", profile, "--today", "2026-01-31", "-o", "json"});
  json jb = json::parse(before.out);
  for (const json& f : jb["findings"]) {
    CHECK(f["check"] != "expired-exception");
    if (f["check"] == "mtls-not-strict" && f["resource"]["name"] == "api") CHECK(f.contains("suppression"));
  }
}
