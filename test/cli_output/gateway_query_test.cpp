// `meshproof query --gateway` and `explain --gateway` (docs/query.md#gateway): a request from the edge is
// followed through the Gateway API listener, the HTTPRoute rule, the hop to the backend, and decided at the
// gateway's own AuthorizationPolicy and then at the backend. Input: the Gateway API fixture of the checks.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace meshproof::test;

namespace {

const std::string kFile = fixture("checks/gateway-api/positive.yaml");

nlohmann::json trace(std::vector<std::string> extra) {
  std::vector<std::string> args{"query", kFile, "--gateway", "edge/public", "--host", "api.example.com", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("query --gateway: the gateway's own DENY policy decides first", "[cli][query][gateway]") {
  auto j = trace({"--path", "/v1/admin/users"});
  CHECK(j["listener"]["name"] == "listener https (port 443, HTTPS)");
  CHECK(j["gateway_decision"]["decision"] == "DENY");
  CHECK(j["gateway_decision"]["decided_by"] == "AuthorizationPolicy edge/block-admin rule 0");
  CHECK(j["outcome"] == "DENY at the gateway");
  CHECK(j["principal"] == "cluster.local/ns/edge/sa/public-istio");
}

TEST_CASE("query --gateway: route rule, plaintext hop and the backend's decision", "[cli][query][gateway]") {
  auto j = trace({"--path", "/v1/pay", "--method", "POST"});
  CHECK(j["gateway_decision"]["decision"] == "ALLOW");
  CHECK(j["route"] == "HTTPRoute payments/api rule 0 match 0");
  REQUIRE(j["backends"].size() == 1);
  CHECK(j["backends"][0]["service"] == "Service payments/api");
  REQUIRE(j["backends"][0]["hops"].size() == 1);
  CHECK(j["backends"][0]["hops"][0]["transport"] == "plaintext");
  CHECK(j["backends"][0]["hops"][0]["decision"]["source"] == "plaintext");
  // No rule takes /other: the gateway answers 404.
  CHECK(trace({"--path", "/other"})["route"] == "");
  // Text output names every hop.
  auto text = run_cli({"query", kFile, "--gateway", "edge/public", "--host", "api.example.com", "--path", "/v1/pay"});
  CHECK(text.out.find("4. route     HTTPRoute payments/api rule 0 match 0") != std::string::npos);
  CHECK(text.out.find("hop -> Deployment payments/api port 8080: plaintext") != std::string::npos);
}

TEST_CASE("query --gateway: bad gateway or host is exit 2", "[cli][query][gateway]") {
  CHECK(run_cli({"query", kFile, "--gateway", "edge/nope", "--host", "a.example.com"}).exit_code == 2);
  CHECK(run_cli({"query", kFile, "--gateway", "edge/public"}).exit_code == 2);
  CHECK(run_cli({"query", kFile}).exit_code == 2);
}

TEST_CASE("explain --gateway lists listeners, routes and backends", "[cli][explain][gateway]") {
  auto r = run_cli({"explain", kFile, "--gateway", "edge/public", "-o", "json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["listeners"].size() == 4);
  CHECK(j["listeners"][0]["routes"][0]["route"] == "HTTPRoute payments/api");
  CHECK(j["listeners"][0]["routes"][0]["backends"][0] == "Service payments/api port 8080");
  CHECK(j["listeners"][2]["problem"].get<std::string>().find("RefNotPermitted") != std::string::npos);
}
