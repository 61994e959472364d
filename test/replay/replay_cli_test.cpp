// Issue #14 item 4: `meshproof replay` on the change-review sample: the classes found, every reported
// decision equal to `meshproof query`'s on the same request, lines not replayed, formats and exit codes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "../cli_output/cli_helpers.h"
#include "../cli_output/witness_replay.h"
#include "test_support.h"

namespace meshproof::test {

namespace {

using nlohmann::json;

const std::string kAfter = "samples/change-review/after";
const std::string kBefore = "samples/change-review/before";
const std::string kLog = "samples/change-review/access-log.jsonl";

// Runs a class's `query` command and requires the class's decision and deciding rule.
void require_query_agrees(const json& cls) {
  std::vector<std::string> args = replay::shell_split(cls["query"].get<std::string>());
  REQUIRE(args.at(0) == "meshproof");
  args.erase(args.begin());
  args.insert(args.end(), {"-o", "json"});
  RunResult q = run_cli(args);
  INFO(cls["query"].get<std::string>() << "\n" << q.err);
  REQUIRE(q.exit_code == 0);
  const json answer = json::parse(q.out);
  const json& d = cls["decision"];
  CHECK(answer["decision"] == d["verdict"]);
  const json& by = answer["decided_by"];
  CHECK((by.is_null() ? json(nullptr) : by["location"]) == d["location"]);
  if (!by.is_null())
    CHECK(by["policy"].get<std::string>() + " rules[" + std::to_string(by["rule"].get<int>()) + "]" == d["rule"].get<std::string>());
}

}  // namespace

TEST_CASE("replay: the sample log against the after tree: what would break, what would be allowed", "[cli][replay]") {
  RunResult r = run_cli({"replay", kAfter, "--log", kLog, "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);  // plaintext callers of orders would break under STRICT
  const json out = json::parse(r.out);
  CHECK(out["schema"] == "meshproof.replay/v1");
  REQUIRE(out["would_break"].size() == 1);
  const json& brk = out["would_break"][0];
  CHECK(brk["to"] == "orders/order-service");
  CHECK(brk["count"] == 2);
  CHECK(brk["lines"] == json::array({5, 6}));
  CHECK(brk["decision"]["verdict"] == "REJECTED");
  CHECK(brk["decision"]["reason"] == "plaintext-on-strict");
  REQUIRE(out["would_allow"].size() == 2);
  CHECK(out["would_allow"][0]["count"] == 2);  // order-service's GETs, now allowed by rules[0]
  CHECK(out["would_allow"][0]["decision"]["rule"] == "payments/allow-order-to-payment rules[0]");
  CHECK(out["would_allow"][1]["decision"]["rule"] == "payments/allow-order-to-payment rules[1]");
  CHECK(out["summary"]["replayed"] == 7);
  CHECK(out["summary"]["agreeing"] == 2);
  // Lines 9 (no identity), 10 (cut off), 11 (a workload the tree does not have): shown, never guessed.
  REQUIRE(out["not_replayed"].size() == 3);
  CHECK(out["not_replayed"][0]["line"] == 9);
  CHECK(out["not_replayed"][0]["reason"].get<std::string>().find("no client identity") == 0);
  CHECK(out["not_replayed"][1]["line"] == 10);
  CHECK(out["not_replayed"][2]["line"] == 11);
  CHECK(out["ignored"].size() == 1);  // line 8, the client side of a call
}

TEST_CASE("replay: every reported decision is the one meshproof query gives", "[cli][replay]") {
  int checked = 0;
  for (const std::string& tree : {kAfter, kBefore}) {
    RunResult r = run_cli({"replay", tree, "--log", kLog, "-o", "json"});
    const json out = json::parse(r.out);
    for (const char* key : {"would_break", "would_allow"})
      for (const json& cls : out[key]) {
        require_query_agrees(cls);
        ++checked;
      }
  }
  CHECK(checked == 3);  // the log was recorded under `before`: nothing disagrees there
}

TEST_CASE("replay: against the tree it was recorded under, nothing would break", "[cli][replay]") {
  RunResult r = run_cli({"replay", kBefore, "--log", kLog});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("WOULD") == std::string::npos);
  CHECK(r.out.find("NOT REPLAYED (3 lines)") != std::string::npos);
  CHECK(r.out.find("access-log.jsonl:10: not a JSON object") != std::string::npos);
}

TEST_CASE("replay: text and md outputs, bad input exits 2", "[cli][replay]") {
  RunResult r = run_cli({"replay", kAfter, "--log", kLog, "-o", "text", "-o", "md=/dev/null"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("WOULD BREAK: served in the log, denied under the policies\n  2 requests to orders/order-service "
                   "port 8080") != std::string::npos);
  CHECK(run_cli({"replay", kAfter, "--log", "no-such.log"}).exit_code == 2);
  CHECK(run_cli({"replay", kAfter, "--log", kLog, "--format", "ztunnel"}).exit_code == 2);
  // No line rebuilt: text lines name no destination and no identity.
  RunResult t = run_cli({"replay", kAfter, "--log", kLog, "--format", "envoy-text"});
  CHECK(t.exit_code == 2);
  CHECK(t.err.find("no line of") != std::string::npos);
}

TEST_CASE("replay: SARIF, one result per class, valid against the SARIF 2.1.0 schema", "[cli][replay]") {
  auto dir = temp_dir("replay-sarif");
  const std::string sarif = (dir / "replay.sarif").string();
  RunResult r = run_cli({"replay", kAfter, "--log", kLog, "-o", "json", "-o", "sarif=" + sarif});
  REQUIRE(r.exit_code == 1);
  const json classes = json::parse(r.out);
  const json s = json::parse(read_file(sarif));
  CHECK(s["version"] == "2.1.0");
  const json& results = s["runs"][0]["results"];
  REQUIRE(results.size() == classes["would_break"].size() + classes["would_allow"].size());
  size_t breaking = 0, at_rule = 0, at_log = 0;
  for (const json& res : results) {
    INFO(res.dump());
    const std::string rule = res["ruleId"].get<std::string>();
    CHECK((rule == "would-break" || rule == "would-allow"));
    CHECK(res["level"].get<std::string>() == (rule == "would-break" ? "error" : "warning"));
    breaking += rule == "would-break";
    const std::string uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].get<std::string>();
    const int line = res["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>();
    CHECK(line > 0);
    if (res["properties"]["rule"].get<std::string>().empty()) {
      CHECK(uri == kLog);  // no rule decided: the class's first line in the log
      CHECK(line == res["properties"]["lines"][0].get<int>());
      ++at_log;
    } else {
      CHECK(uri.rfind(kAfter + "/", 0) == 0);
      ++at_rule;
    }
  }
  CHECK(breaking == classes["would_break"].size());
  CHECK(at_log > 0);   // the STRICT rejections: no rule decides them
  CHECK(at_rule > 0);  // the split payments rule
  if (!std::filesystem::exists(sarif_schema())) {
    WARN("skipped schema validation: ../shared (schemas/sarif-schema-2.1.0.json) is not present");
    return;
  }
  ScriptResult v = run_script("validate_sarif.py", {sarif_schema(), sarif});
  if (v.exit_code == 77) {
    WARN(v.err);
  } else {
    INFO(v.err);
    CHECK(v.exit_code == 0);
  }
}

}  // namespace meshproof::test
