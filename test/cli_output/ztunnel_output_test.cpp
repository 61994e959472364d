// query and explain on an ambient workload (docs/semantics.md#ztunnel): the JSON names the enforcement point
// ztunnel, the decision is ztunnel's (the ALLOW rule with `methods` is gone), and explain lists what ztunnel
// dropped, widened or never fires, and why.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.h"

using namespace meshproof;
using nlohmann::json;

namespace {
const std::string kFixture = test::fixture("checks/l7-rule-at-ztunnel/positive.yaml");
}

TEST_CASE("query -o json on an ambient workload: enforced by ztunnel, decided with ztunnel's lowering",
          "[cli][ztunnel]") {
  // A sidecar would allow this GET (allow-web-get rules[0]); ztunnel dropped that rule.
  auto r = test::run_cli({"query", kFixture, "--to", "pay/api", "--port", "8080", "--principal",
                          "cluster.local/ns/web/sa/web", "--method", "GET", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out);
  CHECK(j["enforced_by"] == "ztunnel");
  CHECK(j["decision"] == "DENY");
  CHECK(j["reason_code"] == "no-allow-matched");
  CHECK(j["protocol"] == "TCP");
  // deny-l7 rules[1] is widened to every connection from namespace evil on port 8080.
  auto evil = test::run_cli({"query", kFixture, "--to", "pay/api", "--port", "8080", "--principal",
                             "cluster.local/ns/evil/sa/x", "--path", "/public", "-o", "json"});
  REQUIRE(evil.exit_code == 0);
  json e = json::parse(evil.out);
  CHECK(e["decision"] == "DENY");
  CHECK(e["decided_by"]["policy"] == "pay/deny-l7");
}

TEST_CASE("explain on an ambient workload lists ztunnel's lowering and what it dropped", "[cli][ztunnel]") {
  auto r = test::run_cli({"explain", kFixture, "--workload", "pay/api"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("enforced by ztunnel") != std::string::npos);
  CHECK(r.out.find("at ztunnel (every port, L4 only):") != std::string::npos);
  CHECK(r.out.find("! rule-dropped rules[0].to[0].operation.methods: ztunnel has no L7 attributes") !=
        std::string::npos);
  CHECK(r.out.find("so this DENY rule never fires at ztunnel") != std::string::npos);
  CHECK(r.out.find("so this DENY rule denies more than written (widened)") != std::string::npos);
  auto j = test::run_cli({"explain", kFixture, "--workload", "pay/api", "-o", "json"});
  REQUIRE(j.exit_code == 0);
  json ex = json::parse(j.out);
  CHECK(ex["data_plane"]["enforced_by"] == "ztunnel");
  bool saw_ztunnel_lowering = false;
  for (const auto& p : ex["policies"]) saw_ztunnel_lowering |= p.contains("ztunnel") && p["enforced_by"] == "ztunnel";
  CHECK(saw_ztunnel_lowering);
}
