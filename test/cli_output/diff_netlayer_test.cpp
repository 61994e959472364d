// Issue #15 item 2: the L3/L4 layer in `meshproof diff` (docs/diff.md#the-l3l4-layer) on
// test/fixtures/netlayer: trees that differ only in NetworkPolicies show the connections newly admitted and
// newly blocked with the deciding policy before and after, count for the exit code, --fail-on wider and
// --expect, and replay through `meshproof query`.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "witness_replay.h"

namespace meshproof::test {

namespace {

using nlohmann::json;

const std::string kNlBefore = "test/fixtures/netlayer/before";
const std::string kNlAfter = "test/fixtures/netlayer/after";
const std::string kNlBlocked = "test/fixtures/netlayer/blocked";


const json* nl_change(const json& d, const std::string& source, const std::string& destination) {
  for (const json& c : d["network"]["changes"])
    if (c["source"].get<std::string>() == source && c["destination"].get<std::string>() == destination) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("diff netlayer: a NetworkPolicy-only change that opens one connection and blocks another", "[cli][diff]") {
  RunResult r = run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "-o", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // a decision change, at the default --fail-on any
  const json d = json::parse(r.out);
  CHECK(d["changes"].empty());  // no AuthorizationPolicy changed
  REQUIRE(d["network"]["changes"].size() == 2);
  CHECK(d["summary"]["newly_admitted"].get<int>() == 1);
  CHECK(d["summary"]["newly_blocked"].get<int>() == 1);
  CHECK(d["network"]["connections_compared"].get<int>() > 10);

  const json* store = nl_change(d, "pod amb/client", "amb/store");
  REQUIRE(store);
  CHECK((*store)["direction"].get<std::string>() == "newly-admitted");
  CHECK((*store)["port"].get<int>() == 9000);
  CHECK((*store)["wire_port"].get<int>() == 15008);  // ambient: the layer sees HBONE
  CHECK((*store)["before"]["verdict"].get<std::string>() == "blocked");
  CHECK((*store)["before"]["policy"].get<std::string>() == "NetworkPolicy amb/store-ingress");
  CHECK((*store)["after"]["verdict"].get<std::string>() == "admitted");
  CHECK((*store)["after"]["location"].get<std::string>() == "test/fixtures/netlayer/after/netpol.yaml:18:7");

  const json* outside = nl_change(d, "outside address 10.2.0.0/32", "web/api");
  REQUIRE(outside);
  CHECK((*outside)["direction"].get<std::string>() == "newly-blocked");
  CHECK((*outside)["before"]["location"].get<std::string>() == "test/fixtures/netlayer/before/netpol.yaml:9:7");
  CHECK((*outside)["after"]["verdict"].get<std::string>() == "blocked");
  CHECK((*outside)["after"]["tier"].get<std::string>() == "NetworkPolicy");

  // Both sides' commands give the stated verdict of the layer.
  for (const json* c : {store, outside})
    for (const char* side : {"before", "after"}) {
      const json q = replay::query_json((*c)[side]["reproduce"].get<std::string>());
      INFO((*c)[side]["reproduce"].get<std::string>());
      REQUIRE(q.contains("network_layer"));
      CHECK(q["network_layer"]["allowed"].get<bool>() == ((*c)[side]["verdict"].get<std::string>() == "admitted"));
      CHECK(q["network_layer"]["port"].get<int>() == (*c)["wire_port"].get<int>());
    }
}

TEST_CASE("diff netlayer: exit codes and --expect count the layer's changes", "[cli][diff]") {
  // Opening a connection is wider: --fail-on wider fails, --expect narrower is contradicted.
  CHECK(run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "--fail-on", "wider"}).exit_code == 1);
  RunResult narrower = run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "--expect", "narrower"});
  CHECK(narrower.exit_code == 1);
  CHECK(narrower.out.find("  !+ NEWLY ADMITTED  from pod amb/client to port 9000 (tcp-store) TCP") != std::string::npos);
  CHECK(narrower.out.find("not proven: 1 counterexample class (marked !)") != std::string::npos);
  RunResult nj = run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "--expect", "narrower", "-o", "json"});
  const json d = json::parse(nj.out);
  CHECK_FALSE(d["expect"]["proven"].get<bool>());
  CHECK(nl_change(d, "pod amb/client", "amb/store")->at("counterexample").get<bool>());
  CHECK_FALSE(nl_change(d, "outside address 10.2.0.0/32", "web/api")->at("counterexample").get<bool>());
  // Only blocking: narrower is proven, --fail-on wider passes, the default gate fails on the change.
  CHECK(run_cli({"diff", kNlBefore, kNlBlocked, "--no-findings", "--expect", "narrower"}).exit_code == 0);
  CHECK(run_cli({"diff", kNlBefore, kNlBlocked, "--no-findings", "--expect", "equivalent"}).exit_code == 1);
  CHECK(run_cli({"diff", kNlBefore, kNlBlocked, "--no-findings", "--fail-on", "wider"}).exit_code == 0);
  RunResult blocked = run_cli({"diff", kNlBefore, kNlBlocked, "--no-findings"});
  CHECK(blocked.exit_code == 1);
  CHECK(blocked.out.find("- NEWLY BLOCKED   from outside address 10.2.0.0/32 to port 8080 (http) TCP") !=
        std::string::npos);
  CHECK(blocked.out.find("L3/L4 layer: ") != std::string::npos);
  // The same tree: nothing changes.
  RunResult same = run_cli({"diff", kNlBefore, kNlBefore, "--no-findings", "--expect", "equivalent"});
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("0 newly admitted, 0 newly blocked") != std::string::npos);
}

TEST_CASE("diff netlayer: the solver proves unchanged layers equivalent and finds a change on an undeclared port",
          "[cli][diff]") {
  const json same = json::parse(run_cli({"diff", kNlBefore, kNlBefore, "--no-findings", "-o", "json"}).out);
  CHECK(same["network"]["solver"].get<std::string>() == "equivalent");
  const json after = json::parse(run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "-o", "json"}).out);
  CHECK(after["network"]["solver"].get<std::string>() == "differs");
  for (const json& c : after["network"]["changes"]) CHECK_FALSE(c["found_by_solver"].get<bool>());
  // Port 7000 is declared by no pod: the enumeration cannot see it, the solver does.
  RunResult r = run_cli({"diff", kNlBefore, "test/fixtures/netlayer/undeclared", "--no-findings", "-o", "json"});
  CHECK(r.exit_code == 1);
  const json d = json::parse(r.out);
  CHECK(d["network"]["solver"].get<std::string>() == "differs");
  REQUIRE(d["network"]["changes"].size() == 1);
  const json& c = d["network"]["changes"][0];
  CHECK(c["found_by_solver"].get<bool>());
  CHECK(c["direction"].get<std::string>() == "newly-admitted");
  CHECK(c["destination"].get<std::string>() == "web/api");
  CHECK(c["port"].get<int>() == 7000);
  CHECK(c["protocol"].get<std::string>() == "TCP");
  CHECK(c["after"]["location"].get<std::string>() == "test/fixtures/netlayer/undeclared/netpol.yaml:7:7");
}

TEST_CASE("diff netlayer: Markdown and SARIF show the connections", "[cli][diff]") {
  RunResult md = run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "-o", "md"});
  CHECK(md.out.find("L3/L4: 1 connections newly admitted, 1 newly blocked") != std::string::npos);
  CHECK(md.out.find("| pod amb/client → amb/store | 9000 TCP | ➕ admitted |") != std::string::npos);
  RunResult sarif = run_cli({"diff", kNlBefore, kNlAfter, "--no-findings", "-o", "sarif"});
  const json s = json::parse(sarif.out);
  std::vector<std::string> rules;
  for (const json& res : s["runs"][0]["results"]) rules.push_back(res["ruleId"].get<std::string>());
  std::sort(rules.begin(), rules.end());
  CHECK(rules == std::vector<std::string>{"network-newly-admitted", "network-newly-blocked"});
}

TEST_CASE("diff netlayer: trees without L3/L4 policies have no network part", "[cli][diff]") {
  RunResult r = run_cli({"diff", "samples/change-review/before", "samples/change-review/after", "--no-findings", "-o",
                         "json"});
  const json d = json::parse(r.out);
  CHECK_FALSE(d.contains("network"));
  CHECK_FALSE(d["summary"].contains("newly_admitted"));
}

}  // namespace meshproof::test
