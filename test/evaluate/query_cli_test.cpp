// `meshproof query` and `meshproof explain` end to end, on the seed story (test/fixtures/ir/bank):
// banking-api is callable only by web-frontend, with a bank JWT whose `role` claim is `teller`.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.h"

using meshproof::test::fixture;
using meshproof::test::run_cli;

namespace {
const std::string kFrontend = "cluster.local/ns/web/sa/frontend";

nlohmann::json query_json(std::vector<std::string> extra) {
  std::vector<std::string> args{"query", fixture("ir/bank"), "--to", "bank/banking-api", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}
}  // namespace

TEST_CASE("query: the seed story — frontend with a teller JWT is allowed", "[cli][query]") {
  auto j = query_json({"--principal", kFrontend, "--path", "/accounts/42", "--request-principal",
                       "https://idp.bank.example/alice", "--claim", "role=teller"});
  CHECK(j["decision"] == "ALLOW");
  REQUIRE(j["decided_by"].is_object());
  CHECK(j["decided_by"]["policy"] == "bank/banking-api-allow");
  CHECK(j["decided_by"]["action"] == "ALLOW");
  CHECK(j["decided_by"]["rule"] == 0);
  CHECK(j["mtls"] == "STRICT");
  CHECK(j["port"] == 8080);
  CHECK(j["port_protocol"] == "HTTP");
}

TEST_CASE("query: the seed story — everything else is refused, each for its reason", "[cli][query]") {
  // Right caller, wrong claim.
  auto j = query_json(
      {"--principal", kFrontend, "--request-principal", "https://idp.bank.example/bob", "--claim", "role=customer"});
  CHECK(j["decision"] == "DENY");
  CHECK(j["decided_by"].is_null());
  CHECK(j["reason_code"] == "no-allow-matched");
  // Right caller, no token at all: passes authentication, then no ALLOW rule matches (IS §12).
  CHECK(query_json({"--principal", kFrontend})["decision"] == "DENY");
  // Another workload with a valid teller token.
  j = query_json({"--principal", "cluster.local/ns/web/sa/other", "--request-principal",
                  "https://idp.bank.example/alice", "--claim", "role=teller"});
  CHECK(j["decision"] == "DENY");
  // Plaintext on a STRICT namespace.
  j = query_json({"--plaintext"});
  CHECK(j["decision"] == "REJECTED");
  CHECK(j["reason_code"] == "plaintext-on-strict");
  // A token from another issuer is rejected by jwt_authn before RBAC.
  j = query_json(
      {"--principal", kFrontend, "--request-principal", "https://evil.example/alice", "--claim", "role=teller"});
  CHECK(j["decision"] == "REJECTED");
  CHECK(j["reason_code"] == "issuer-not-accepted");
  j = query_json({"--principal", kFrontend, "--invalid-token"});
  CHECK(j["reason_code"] == "invalid-token");
}

TEST_CASE("query: text output names the decision, the rule and its location", "[cli][query]") {
  auto r = run_cli({"query", fixture("ir/bank"), "--to", "bank/banking-api", "--principal", kFrontend,
                    "--request-principal", "https://idp.bank.example/alice", "--claim", "role=teller"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("ALLOW  bank/banking-api port 8080", 0) == 0);
  CHECK(r.out.find("bank/banking-api-allow rules[0] (ALLOW) at ") != std::string::npos);
  CHECK(r.out.find("bank.yaml:") != std::string::npos);
}

TEST_CASE("query: a workload known only by labels", "[cli][query]") {
  // Labels of a declared workload resolve to it.
  auto r = run_cli({"query", fixture("ir/bank"), "--to", "bank/app=banking-api", "--plaintext", "-o", "json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["workload"] == "bank/banking-api");
  // Unknown labels: a pod with them is assumed; only namespace-wide policies (STRICT) apply to it.
  r = run_cli({"query", fixture("ir/bank"), "--to", "bank/app=batch", "--port", "9090", "--plaintext", "-o", "json"});
  REQUIRE(r.exit_code == 0);
  auto k = nlohmann::json::parse(r.out);
  CHECK(k["decision"] == "REJECTED");
  CHECK(k.contains("note"));
  r = run_cli({"query", fixture("ir/bank"), "--to", "bank/app=batch", "--port", "9090", "--principal", kFrontend, "-o",
               "json"});
  CHECK(nlohmann::json::parse(r.out)["decision"] == "ALLOW");
}

TEST_CASE("query: bad input is exit code 2 with a clear message", "[cli][query]") {
  auto r = run_cli({"query", fixture("ir/bank"), "--to", "bank/nope"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no workload \"bank/nope\"") != std::string::npos);
  CHECK(r.err.find("bank/banking-api") != std::string::npos);
  r = run_cli({"query", fixture("ir/bank"), "--to", "bank/banking-api", "--principal", "frontend"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--principal") != std::string::npos);
  r = run_cli({"query", fixture("ir/bank"), "--to", "bank/banking-api", "--source-ip", "10.0.0.999"});
  CHECK(r.exit_code == 2);
  r = run_cli({"query", fixture("ir/bank"), "--to", "bank/banking-api", "--principal", kFrontend, "--plaintext"});
  CHECK(r.exit_code == 2);
  r = run_cli({"query", fixture("ir/broken"), "--to", "bank/banking-api"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.yaml:") != std::string::npos);
  CHECK(r.err.find("error") != std::string::npos);
}

TEST_CASE("explain: mTLS per port, the policies as lowered, JWT issuers", "[cli][explain]") {
  auto r = run_cli({"explain", fixture("ir/bank"), "--workload", "bank/banking-api"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("8080 (http)  HTTP  mTLS STRICT  by PeerAuthentication bank/default") != std::string::npos);
  CHECK(r.out.find("issuer \"https://idp.bank.example\"") != std::string::npos);
  CHECK(r.out.find("ALLOW policies:") != std::string::npos);
  CHECK(r.out.find("peer.namespace == \"web\"") != std::string::npos);
  CHECK(r.out.find("request.auth.claims[role] contains \"teller\"") != std::string::npos);
  auto j = run_cli({"explain", fixture("ir/bank"), "--workload", "bank/banking-api", "-o", "json"});
  REQUIRE(j.exit_code == 0);
  auto e = nlohmann::json::parse(j.out);
  CHECK(e["workload"] == "bank/banking-api");
  CHECK(e["policies"].size() == 1);
  CHECK(e["policies"][0]["http"]["rules"][0]["rule"] == 0);
  // On the undeclared (sniffed) ports the requestPrincipals/claims rule is dropped on TCP: say so.
  bool dropped = false;
  for (const auto& d : e["policies"][0]["tcp"]["drops"]) dropped |= d["kind"] == "rule-dropped";
  CHECK(dropped);
  auto bad = run_cli({"explain", fixture("ir/bank"), "--workload", "nope"});
  CHECK(bad.exit_code == 2);
}
