// Issue #14 item 3: `meshproof map` on the change-review sample: the edges, every edge's witness replayed
// through `meshproof query` (ALLOW by the stated rule), the text formats, and the HTML page rendered by
// headless Chromium with its graph present.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>

#include "../cli_output/witness_replay.h"
#include "test_support.h"

namespace meshproof::test {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kAfter = "samples/change-review/after";

json map_json() {
  RunResult r = run_cli({"map", kAfter, "--regulated", "payments", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

const json* find_edge(const json& m, const std::string& caller, const std::string& workload) {
  for (const json& e : m["edges"])
    if (e["caller"] == caller && e["workload"] == workload) return &e;
  return nullptr;
}

std::string map_chromium() {
  for (const char* b : {"chromium", "chromium-browser", "google-chrome"})
    if (have_command(b)) return b;
  return "";
}

}  // namespace

TEST_CASE("map: who may call the payments service, with what", "[cli][map]") {
  const json m = map_json();
  CHECK(m["schema"] == "meshproof.map/v1");
  bool regulated = false;
  for (const json& w : m["workloads"])
    if (w["name"] == "payments/payment-service") regulated = w["regulated"].get<bool>();
  CHECK(regulated);
  // The split rule: order-service may call anything, anyone may POST charges.
  const json* os = find_edge(m, "principals: [cluster.local/ns/orders/sa/order-service]", "payments/payment-service");
  REQUIRE(os);
  CHECK((*os)["admissions"][0]["rule"] == "payments/allow-order-to-payment rules[0]");
  const json* anyone = find_edge(m, "any caller", "payments/payment-service");
  REQUIRE(anyone);
  const json& post = (*anyone)["admissions"][0];
  CHECK(post["rule"] == "payments/allow-order-to-payment rules[1]");
  CHECK(post["conditions"] == json::array({"methods: [POST]", "paths: [/v1/charges, /v1/charges/*]"}));
  // STRICT orders: no plaintext caller edge to order-service.
  for (const json& e : m["edges"])
    if (e["workload"] == "orders/order-service") CHECK(e["caller"].get<std::string>().find("plaintext") != 0);
  CHECK(m["incomplete"].empty());
}

TEST_CASE("map: every edge's witness replays through query as ALLOW by the stated rule", "[cli][map]") {
  const json m = map_json();
  int replayed = 0;
  for (const json& e : m["edges"])
    for (const json& a : e["admissions"]) {
      std::vector<std::string> args = replay::shell_split(a["query"].get<std::string>());
      REQUIRE(args.at(0) == "meshproof");
      args.erase(args.begin());
      args.insert(args.end(), {"-o", "json"});
      RunResult q = run_cli(args);
      INFO(a["query"].get<std::string>() << "\n" << q.err);
      REQUIRE(q.exit_code == 0);
      const json answer = json::parse(q.out);
      CHECK(answer["decision"] == "ALLOW");
      const json& by = answer["decided_by"];
      if (a["rule"].is_null())
        CHECK(by.is_null());
      else
        CHECK(by["location"] == a["location"]);
      ++replayed;
    }
  CHECK(replayed >= 4);
}

TEST_CASE("map: witnesses to ambient workloads replay through query too", "[cli][map]") {
  // The view of an ambient workload is its ztunnel's; without `--caller sidecar` query would send an mTLS
  // witness through the waypoint first and answer DENY for the waypoint-only edges.
  RunResult r = run_cli({"map", "samples/ambient", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json m = json::parse(r.out);
  int replayed = 0;
  for (const json& e : m["edges"])
    for (const json& a : e["admissions"]) {
      std::vector<std::string> args = replay::shell_split(a["query"].get<std::string>());
      args.erase(args.begin());
      args.insert(args.end(), {"-o", "json"});
      RunResult q = run_cli(args);
      INFO(a["query"].get<std::string>() << "\n" << q.err);
      REQUIRE(q.exit_code == 0);
      CHECK(json::parse(q.out)["decision"] == "ALLOW");
      ++replayed;
    }
  CHECK(replayed >= 10);
}

TEST_CASE("map: dot and mermaid", "[cli][map]") {
  RunResult dot = run_cli({"map", kAfter});
  CHECK(dot.exit_code == 0);
  CHECK(dot.out.rfind("digraph meshproof_map {", 0) == 0);
  CHECK(dot.out.find("\"workload:payments/payment-service\"") != std::string::npos);
  RunResult mm = run_cli({"map", kAfter, "-o", "mermaid"});
  CHECK(mm.out.rfind("flowchart LR\n", 0) == 0);
  CHECK(mm.out.find("-->|") != std::string::npos);
  CHECK(run_cli({"map", "no-such-dir"}).exit_code == 2);
}

TEST_CASE("map: the HTML page renders in headless Chromium with its graph and filter", "[cli][map][chromium]") {
  const fs::path dir = fs::temp_directory_path() / ("meshproof-map-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path html = dir / "map.html";
  RunResult r = run_cli({"map", kAfter, "--regulated", "payments", "-o", "html=" + html.string()});
  REQUIRE(r.exit_code == 0);
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(page.find("<script src") == std::string::npos);  // self-contained
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
  const std::string browser = map_chromium();
  if (browser.empty()) {
    WARN("no chromium installed: the rendering part of this test is skipped");
    return;
  }
  const fs::path dom = dir / "dom.html";
  const std::string cmd = "timeout 300 " + browser +
                          " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
                          " --disable-component-update --disable-sync --user-data-dir='" +
                          (dir / "profile").string() + "' --dump-dom 'file://" + html.string() + "' >'" + dom.string() +
                          "' 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream d(dom);
  const std::string rendered((std::istreambuf_iterator<char>(d)), std::istreambuf_iterator<char>());
  CHECK(rendered.find("data-ready=\"1\"") != std::string::npos);  // the filter script ran without an error
  CHECK(rendered.find("<svg id=\"graph\"") != std::string::npos);
  const json m = map_json();
  const auto count = [&](const std::string& pattern) {
    std::regex re(pattern);
    return std::distance(std::sregex_iterator(rendered.begin(), rendered.end(), re), std::sregex_iterator());
  };
  CHECK(count("<g class=\"edge\"") == static_cast<long>(m["edges"].size()));
  CHECK(count("<g class=\"node workload regulated\"") == 2);  // payment-service and payments/*
  CHECK(count("class=\"[^\"]*hidden") == 0);                  // an empty filter hides nothing
  fs::remove_all(dir);
}

}  // namespace meshproof::test
