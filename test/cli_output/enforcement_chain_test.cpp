// query and explain follow the enforcement chain of an ambient workload (docs/semantics.md#enforcement-chain):
// an ambient caller passes the Service's waypoint, whose targetRefs policy decides with Envoy's (L7) semantics,
// then the destination's ztunnel, which sees the waypoint's identity (A12); a sidecar caller and a caller
// dialing the pod IP go around the waypoint (A11). waypoint-bypass's witness replays with --from.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

using namespace meshproof;
using nlohmann::json;

namespace {

const std::string kFixture = test::fixture("chain/waypoint-callers.yaml");

json query(std::vector<std::string> extra) {
  std::vector<std::string> args{"query", kFixture, "--to", "pay/api", "--port", "8080", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = test::run_cli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

struct CheckWitness {
  std::string reproduce, decision;
};

// The witness of the (last) finding of `check` that `meshproof check` reports on `fixture`.
CheckWitness witness_of(const std::string& fixture, const std::string& check) {
  json j = json::parse(test::run_cli({"check", fixture, "-o", "json"}).out);
  CheckWitness w;
  for (const auto& f : j["findings"])
    if (f["check"] == check) w = {f["witness"]["reproduce"], f["witness"]["decision"]};
  return w;
}

// The witness's `meshproof query ...` command run with JSON output.
json replay(const std::string& reproduce) {
  std::vector<std::string> args;
  std::istringstream words(reproduce.substr(std::string("meshproof ").size()));
  for (std::string w; words >> w;) args.push_back(w);
  args.insert(args.end(), {"-o", "json"});
  return json::parse(test::run_cli(args).out);
}

}  // namespace

TEST_CASE("query --from an ambient caller: the waypoint decides first, ztunnel sees the waypoint's identity",
          "[cli][chain]") {
  json get = query({"--from", "pay/client", "--method", "GET"});
  CHECK(get["decision"] == "ALLOW");
  CHECK(get["enforced_by"] == "ztunnel");
  CHECK(get["caller"] == "ambient workload pay/client");
  REQUIRE(get["chain"]["decisions"].size() == 2);
  CHECK(get["chain"]["decisions"][0]["point"] == "waypoint pay/waypoint");
  CHECK(get["chain"]["decisions"][0]["decided_by"]["policy"] == "pay/api-get-only");
  CHECK(get["chain"]["decisions"][1]["source_principal"] == "cluster.local/ns/pay/sa/waypoint");
  // The waypoint lowers the targetRefs policy with Envoy's HTTP semantics: POST is not allowed.
  json post = query({"--from", "pay/client", "--method", "POST"});
  CHECK(post["decision"] == "DENY");
  CHECK(post["enforced_by"] == "waypoint pay/waypoint");
  CHECK(post["protocol"] == "HTTP");
  CHECK(post["chain"]["decisions"].size() == 1);
}

TEST_CASE("query: callers that go around the waypoint meet ztunnel alone with their own identity", "[cli][chain]") {
  json sidecar = query({"--from", "shop/web", "--method", "POST"});
  CHECK(sidecar["decision"] == "ALLOW");
  CHECK(sidecar["enforced_by"] == "ztunnel");
  CHECK(sidecar["chain"]["points"] == json::array({"ztunnel"}));
  CHECK(sidecar["chain"]["decisions"][0]["source_principal"] == "cluster.local/ns/shop/sa/web");
  json pod_ip = query({"--from", "pay/client", "--pod-ip", "--method", "POST"});
  CHECK(pod_ip["decision"] == "ALLOW");
  CHECK(pod_ip["chain"]["points"] == json::array({"ztunnel"}));
  json plaintext = query({"--plaintext"});
  CHECK(plaintext["decision"] == "REJECTED");
  CHECK(plaintext["caller"] == "a workload outside the mesh (plaintext)");
  // Without --from an mTLS caller is an ambient workload calling the Service.
  json assumed = query({"--principal", "cluster.local/ns/shop/sa/web"});
  CHECK(assumed["decision"] == "DENY");
  CHECK(assumed["enforced_by"] == "waypoint pay/waypoint");
}

TEST_CASE("query --from conflicts with --principal, and names a workload of the input", "[cli][chain]") {
  auto both = test::run_cli(
      {"query", kFixture, "--to", "pay/api", "--from", "pay/client", "--principal", "cluster.local/ns/pay/sa/client"});
  CHECK(both.exit_code == 2);
  auto none = test::run_cli({"query", kFixture, "--to", "pay/api", "--from", "pay/nothing"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("--from:") != std::string::npos);
}

TEST_CASE("waypoint-bypass's witness replays through the chain with --from", "[cli][chain]") {
  auto r = test::run_cli({"check", kFixture, "-o", "json"});
  json j = json::parse(r.out);
  std::string reproduce, decision;
  for (const auto& f : j["findings"])
    if (f["check"] == "waypoint-bypass") {
      reproduce = f["witness"]["reproduce"];
      decision = f["witness"]["decision"];
    }
  REQUIRE(reproduce == "meshproof query " + kFixture + " --to pay/api --port 8080 --from shop/web");
  std::vector<std::string> args;
  std::istringstream words(reproduce.substr(std::string("meshproof ").size()));
  for (std::string w; words >> w;) args.push_back(w);
  args.push_back("-o");
  args.push_back("json");
  auto q = test::run_cli(args);
  REQUIRE(q.exit_code == 0);
  CHECK(json::parse(q.out)["decision"] == decision);
}

TEST_CASE("explain lists the chain: the waypoint's policies as lowered there, then ztunnel", "[cli][chain]") {
  auto r = test::run_cli({"explain", kFixture, "--workload", "pay/api"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Service pay/api (port 8080): waypoint pay/waypoint -> ztunnel") != std::string::npos);
  CHECK(r.out.find("bypassed by sidecar:") != std::string::npos);
  CHECK(r.out.find("bypassed by ambient (pod IP):") != std::string::npos);
  CHECK(r.out.find("ALLOW pay/api-get-only at") != std::string::npos);
  CHECK(r.out.find("attached by targetRef Service pay/api") != std::string::npos);
  CHECK(r.out.find("on HTTP (Envoy semantics):") != std::string::npos);
  CHECK(r.out.find("then at ztunnel, as cluster.local/ns/pay/sa/waypoint") != std::string::npos);
  CHECK(r.out.find("not modelled yet") == std::string::npos);
  auto j = test::run_cli({"explain", kFixture, "--workload", "pay/api", "-o", "json"});
  json ex = json::parse(j.out);
  REQUIRE(ex["enforcement_chain"].size() == 1);
  CHECK(ex["enforcement_chain"][0]["points"] == json::array({"waypoint pay/waypoint", "ztunnel"}));
  CHECK(ex["enforcement_chain"][0]["waypoint_policies"][0]["attached_by"] == "Service pay/api");
}

TEST_CASE("query --caller states the caller's data plane without naming a workload", "[cli][chain]") {
  // A sidecar caller goes around the waypoint: ztunnel alone decides, with the caller's own identity.
  json sidecar = query({"--principal", "cluster.local/ns/shop/sa/web", "--caller", "sidecar", "--method", "POST"});
  CHECK(sidecar["decision"] == "ALLOW");
  CHECK(sidecar["chain"]["points"] == json::array({"ztunnel"}));
  CHECK(sidecar["chain"]["decisions"][0]["source_principal"] == "cluster.local/ns/shop/sa/web");
  CHECK(sidecar["caller"] == "a sidecar workload (--caller sidecar)");
  // --caller ambient is what an mTLS caller is taken to be without it.
  json ambient = query({"--principal", "cluster.local/ns/shop/sa/web", "--caller", "ambient"});
  CHECK(ambient["enforced_by"] == "waypoint pay/waypoint");
  const std::vector<std::vector<std::string>> wrong = {
      {"--principal", "cluster.local/ns/shop/sa/web", "--caller", "none"},   // outside the mesh: no identity
      {"--plaintext", "--caller", "sidecar"},                                // a sidecar sends mTLS
      {"--principal", "cluster.local/ns/shop/sa/web", "--caller", "envoy"},  // not a data plane
      {"--from", "pay/client", "--caller", "sidecar"},                       // --from names the data plane
  };
  for (const auto& extra : wrong) {
    std::vector<std::string> args{"query", kFixture, "--to", "pay/api", "--port", "8080"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_cli(args);
    INFO(extra[extra.size() - 1]);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--caller") != std::string::npos);
  }
}

TEST_CASE("a check's witness on a waypoint-bound ambient workload replays: it names a sidecar caller", "[cli][chain]") {
  const std::string fixture = test::fixture("chain/ztunnel-witness.yaml");
  const auto [reproduce, decision] = witness_of(fixture, "unreachable-allow-rule");
  REQUIRE(reproduce == "meshproof query " + fixture +
                           " --to pay/api --port 8080 --principal cluster.local/ns/shop/sa/web --caller sidecar");
  json q = replay(reproduce);
  CHECK(q["decision"] == decision);
  CHECK(q["enforced_by"] == "ztunnel");
}

TEST_CASE("a check's witness on a waypoint program replays through the waypoint", "[cli][chain]") {
  // redundant-rule judges pay/waypoint's targetRefs policy; its witness is sent by an ambient caller (query's
  // default for --principal), so it crosses the waypoint, and ztunnel (seeing the waypoint) decides last.
  const std::string fixture = test::fixture("chain/waypoint-rules.yaml");
  const auto [reproduce, decision] = witness_of(fixture, "redundant-rule");
  REQUIRE(reproduce == "meshproof query " + fixture +
                           " --to pay/api --port 8080 --principal cluster.local/ns/pay/sa/client --method GET --path "
                           "/health");
  json q = replay(reproduce);
  CHECK(q["decision"] == decision);
  CHECK(q["chain"]["points"] == json::array({"waypoint pay/waypoint", "ztunnel"}));
  CHECK(q["chain"]["decisions"][0]["decision"] == "ALLOW");
}

TEST_CASE("a RequestAuthentication attached to the waypoint validates tokens there", "[cli][chain]") {
  const std::string fixture = test::fixture("chain/waypoint-jwt.yaml");
  auto ask = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"query",  fixture,      "--to",     "pay/api", "--port", "8080",
                                  "--from", "pay/client", "--method", "GET",     "-o",     "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  json with_token = ask({"--request-principal", "https://idp.example/alice"});
  CHECK(with_token["decision"] == "ALLOW");
  CHECK(with_token["chain"]["decisions"][0]["decided_by"]["policy"] == "pay/api-token-required");
  json without = ask({});
  CHECK(without["decision"] == "DENY");
  CHECK(without["enforced_by"] == "waypoint pay/waypoint");
  json invalid = ask({"--invalid-token"});
  CHECK(invalid["decision"] == "REJECTED");
  CHECK(invalid["enforced_by"] == "waypoint pay/waypoint");

  auto r = test::run_cli({"explain", fixture, "--workload", "pay/api", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json chains = json::parse(r.out)["enforcement_chain"];
  REQUIRE(chains.size() == 1);
  REQUIRE(chains[0]["waypoint_request_authentications"].size() == 1);
  CHECK(chains[0]["waypoint_request_authentications"][0]["request_authentication"] == "pay/api-jwt");
  CHECK(chains[0]["waypoint_request_authentications"][0]["issuers"][0] == "https://idp.example");
}
