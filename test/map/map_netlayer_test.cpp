// Issue #15 item 2: the L3/L4 layer in `meshproof map` (docs/map.md#the-l3l4-layer) on
// test/fixtures/netlayer/before: an edge the layer blocks for every source pod is shown blocked by the
// NetworkPolicy (name, tier, rule location), an admitted one admitted, an ambient destination judged on HBONE
// 15008, outside callers per CIDR region; every command the map prints replays through `meshproof query` with
// the decision the map states.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "../cli_output/witness_replay.h"
#include "test_support.h"

namespace meshproof::test {

namespace {

using nlohmann::json;

const std::string kNetBefore = "test/fixtures/netlayer/before";

json netlayer_map(const std::string& dir) {
  RunResult r = run_cli({"map", dir, "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// The admission of `caller` to `workload` on `port` with `protocol`.
const json* netlayer_admission(const json& m, const std::string& caller, const std::string& workload, int port,
                               const std::string& protocol) {
  for (const json& e : m["edges"])
    if (e["caller"].get<std::string>() == caller && e["workload"].get<std::string>() == workload)
      for (const json& a : e["admissions"])
        if (a["port"].get<int>() == port && a["protocol"].get<std::string>() == protocol) return &a;
  return nullptr;
}


}  // namespace

TEST_CASE("map netlayer: an edge the NetworkPolicy blocks for every source pod is shown blocked", "[cli][map]") {
  const json m = netlayer_map(kNetBefore);
  const json* batch = netlayer_admission(m, "principals: [cluster.local/ns/web/sa/batch]", "web/api", 8080, "HTTP");
  REQUIRE(batch);
  CHECK((*batch)["rule"].get<std::string>() == "web/api-callers rules[1]");  // the mesh admits it
  const json& net = (*batch)["network"];
  CHECK(net["blocked"].get<bool>());
  REQUIRE(net["sources"].size() == 1);
  const json& s = net["sources"][0];
  CHECK(s["source"].get<std::string>() == "pod web/batch");
  CHECK(s["verdict"].get<std::string>() == "blocked");
  CHECK(s["policy"].get<std::string>() == "NetworkPolicy web/api-ingress");
  CHECK(s["tier"].get<std::string>() == "NetworkPolicy");
  CHECK(s["location"].get<std::string>() == "test/fixtures/netlayer/before/netpol.yaml:1:1");
  CHECK((*batch)["query"].get<std::string>().find("--from web/batch") != std::string::npos);
  // The dot edge is drawn blocked, with the policy in its label.
  RunResult dot = run_cli({"map", kNetBefore});
  REQUIRE(dot.exit_code == 0);
  CHECK(dot.out.find("\"caller:principals: [cluster.local/ns/web/sa/batch]\" -> \"workload:web/api\" [label=\"port 8080 "
                     "HTTP (web/api-callers rules[1]); BLOCKED at L3/L4 by NetworkPolicy web/api-ingress") !=
        std::string::npos);
  CHECK(dot.out.find("style=dashed, color=gray") != std::string::npos);
}

TEST_CASE("map netlayer: an admitted edge names the admitting rule of the layer", "[cli][map]") {
  const json m = netlayer_map(kNetBefore);
  const json* fe = netlayer_admission(m, "principals: [cluster.local/ns/web/sa/frontend]", "web/api", 8080, "HTTP");
  REQUIRE(fe);
  const json& net = (*fe)["network"];
  CHECK_FALSE(net["blocked"].get<bool>());
  REQUIRE(net["sources"].size() == 1);
  CHECK(net["sources"][0]["verdict"].get<std::string>() == "admitted");
  CHECK(net["sources"][0]["location"].get<std::string>() == "test/fixtures/netlayer/before/netpol.yaml:7:7");
  // Outside callers on /public: admitted from 10.0.0.0/8 except 10.1.0.0/16 only, one address per region.
  const json* pub = netlayer_admission(m, "any caller", "web/api", 8080, "HTTP");
  REQUIRE(pub);
  std::vector<std::string> admitted, blocked;
  for (const json& s : (*pub)["network"]["sources"])
    (s["verdict"].get<std::string>() == "admitted" ? admitted : blocked).push_back(s["source"].get<std::string>());
  CHECK(admitted == std::vector<std::string>{"outside address 10.0.0.0/32", "outside address 10.2.0.0/32"});
  CHECK(blocked == std::vector<std::string>{"outside address 9.255.255.255/32", "outside address 10.1.0.0/32",
                                            "outside address 11.0.0.0/32"});
  CHECK((*pub)["query"].get<std::string>().find("--source-ip 10.0.0.0") != std::string::npos);
}

TEST_CASE("map netlayer: an ambient destination is judged on HBONE 15008", "[cli][map]") {
  const json before = netlayer_map(kNetBefore);
  const json* store = netlayer_admission(before, "principals: [cluster.local/ns/amb/sa/client]", "amb/store", 9000, "TCP");
  REQUIRE(store);
  CHECK((*store)["network"]["blocked"].get<bool>());
  CHECK((*store)["network"]["sources"][0]["port"].get<int>() == 15008);
  // The change that admits 15008 unblocks it.
  const json after = netlayer_map("test/fixtures/netlayer/after");
  store = netlayer_admission(after, "principals: [cluster.local/ns/amb/sa/client]", "amb/store", 9000, "TCP");
  REQUIRE(store);
  CHECK_FALSE((*store)["network"]["blocked"].get<bool>());
  CHECK((*store)["network"]["sources"][0]["port"].get<int>() == 15008);
  CHECK((*store)["network"]["sources"][0]["verdict"].get<std::string>() == "admitted");
}

TEST_CASE("map netlayer: every command replays through query with the map's decision", "[cli][map]") {
  for (const std::string dir : {kNetBefore, std::string("samples/netpol-layer"), std::string("samples/cilium-layer")}) {
    const json m = netlayer_map(dir);
    int replayed = 0, blocked = 0;
    for (const json& e : m["edges"])
      for (const json& a : e["admissions"]) {
        REQUIRE(a.contains("network"));
        // The admission's command: ALLOW, or DENY by the layer when the edge is blocked.
        const json answer = replay::query_json(a["query"].get<std::string>());
        const bool is_blocked = a["network"]["blocked"].get<bool>();
        CHECK(answer["decision"].get<std::string>() == (is_blocked ? "DENY" : "ALLOW"));
        if (is_blocked) CHECK(answer["enforced_by"].get<std::string>() == "networkpolicy");
        blocked += is_blocked;
        // Each source's command: the layer's verdict, the port it saw, the deciding policy.
        for (const json& s : a["network"]["sources"]) {
          const json q = replay::query_json(s["query"].get<std::string>());
          INFO(s["query"].get<std::string>());
          REQUIRE(q.contains("network_layer"));
          CHECK(q["network_layer"]["allowed"].get<bool>() == (s["verdict"].get<std::string>() == "admitted"));
          CHECK(q["network_layer"]["port"].get<int>() == s["port"].get<int>());
          CHECK(q["decision"].get<std::string>() == (s["verdict"].get<std::string>() == "admitted" ? "ALLOW" : "DENY"));
          ++replayed;
        }
      }
    INFO(dir);
    CHECK(replayed >= 3);
    if (dir != "samples/cilium-layer") CHECK(blocked >= 2);
  }
}

TEST_CASE("map netlayer: inputs without L3/L4 policies carry no network part", "[cli][map]") {
  const json m = netlayer_map("samples/change-review/after");
  for (const json& e : m["edges"])
    for (const json& a : e["admissions"]) CHECK_FALSE(a.contains("network"));
}

}  // namespace meshproof::test
