// The checks on Linkerd's inbound policy (issue #15; docs/semantics.md#linkerd-checks LK24-LK29): each check's
// positive fixture under test/fixtures/checks/linkerd/<check>/ gives the findings its comment names, the negative
// one none. Witnesses replay through `query` in cli_output/witness_replay_test.cpp (every positive.yaml).
#include <catch2/catch.hpp>

#include <set>

#include "harness.h"

using namespace meshproof;

namespace {

std::set<std::string> names_of(const std::vector<const Finding*>& found) {
  std::set<std::string> out;
  for (const Finding* f : found) out.insert(f->resource.kind + " " + f->resource.name);
  return out;
}

std::unique_ptr<test::CheckRun> run_linkerd(const std::string& check, const std::string& which) {
  return test::run_fixture("checks/linkerd/" + check + "/" + which + ".yaml", {{}, {check}});
}

}  // namespace

TEST_CASE("linkerd: redundant-rule reports an authorization another one covers", "[checks][linkerd]") {
  auto run = run_linkerd("redundant-rule", "positive");
  INFO("findings:" << run->dump());
  auto found = run->of("redundant-rule");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->resource.name == "web-from-api");
  CHECK(found[0]->properties.at("covered_by") == "AuthorizationPolicy shop/web-from-shop");
  REQUIRE(found[0]->witness.has_value());
  CHECK(found[0]->witness->decision == "ALLOW");
  CHECK(found[0]->witness->source_principal == "cluster.local/ns/shop/sa/api");
  CHECK(found[0]->message.find("proven by Z3") != std::string::npos);

  auto negative = run_linkerd("redundant-rule", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->of("redundant-rule").empty());
}

TEST_CASE("linkerd: never-matching-rule reports a foreign identity and an unresolvable policy",
          "[checks][linkerd]") {
  auto run = run_linkerd("never-matching-rule", "positive");
  INFO("findings:" << run->dump());
  auto found = run->of("never-matching-rule");
  CHECK(names_of(found) == std::set<std::string>{"AuthorizationPolicy web-from-partner", "AuthorizationPolicy web-from-ops"});
  for (const Finding* f : found) {
    if (f->resource.name == "web-from-partner")
      CHECK(f->message.find("spiffe://partner.example/ns/shop/sa/api") != std::string::npos);
    if (f->resource.name == "web-from-ops") CHECK(f->properties.at("missing") == "MeshTLSAuthentication shop/ops-clients");
  }

  auto negative = run_linkerd("never-matching-rule", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->of("never-matching-rule").empty());
}

TEST_CASE("linkerd: overly-permissive-rule reports any caller, a network as identity, any meshed identity",
          "[checks][linkerd]") {
  auto run = run_linkerd("overly-permissive-rule", "positive");
  INFO("findings:" << run->dump());
  auto found = run->of("overly-permissive-rule");
  REQUIRE(found.size() == 3);
  std::map<std::string, std::string> kinds;
  for (const Finding* f : found) {
    kinds[f->resource.name] = f->properties.at("kind");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision == "ALLOW");
  }
  CHECK(kinds["web-from-anyone"] == "any-caller");
  CHECK(kinds["api-from-office"] == "ip-as-identity");
  CHECK(kinds["api-any-meshed"] == "any-identity");
  for (const Finding* f : found) {
    if (f->resource.name == "web-from-anyone") CHECK_FALSE(f->witness->mtls);  // plaintext is admitted
    if (f->resource.name == "api-any-meshed") CHECK(f->witness->mtls);
  }

  auto negative = run_linkerd("overly-permissive-rule", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->of("overly-permissive-rule").empty());
}

TEST_CASE("linkerd: selector-matches-nothing reports Servers and references that match nothing",
          "[checks][linkerd]") {
  auto run = run_linkerd("selector-matches-nothing", "positive");
  INFO("findings:" << run->dump());
  CHECK(names_of(run->of("selector-matches-nothing")) ==
        std::set<std::string>{"Server web-typo", "Server api-grpc", "ServerAuthorization web-public",
                              "AuthorizationPolicy api-from-web"});

  auto negative = run_linkerd("selector-matches-nothing", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->of("selector-matches-nothing").empty());
}

TEST_CASE("linkerd: workload-outside-mesh reports skipped ports and uninjected pods, not opt-outs",
          "[checks][linkerd]") {
  auto run = run_linkerd("workload-outside-mesh", "positive");
  INFO("findings:" << run->dump());
  auto found = run->of("workload-outside-mesh");
  CHECK(names_of(found) == std::set<std::string>{"Deployment metrics", "Deployment loader"});
  for (const Finding* f : found) {
    if (f->resource.name == "metrics") {
      CHECK(f->properties.at("ports") == "9090");
      CHECK(f->severity == Severity::Error);  // shop is regulated
    }
    if (f->resource.name == "loader") {
      CHECK(f->severity == Severity::Warning);
      CHECK(f->message.find("nor does Linkerd inject its proxy") != std::string::npos);
    }
  }

  auto negative = run_linkerd("workload-outside-mesh", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->of("workload-outside-mesh").empty());
}

TEST_CASE("linkerd: mtls-not-strict reports a Server port with an unauthenticated authorization",
          "[checks][linkerd]") {
  auto run = run_linkerd("mtls-not-strict", "positive");
  INFO("findings:" << run->dump());
  auto found = run->where("mtls-not-strict", "level", "linkerd-server");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->resource.name == "web");
  CHECK(found[0]->properties.at("port") == "8080");
  CHECK(found[0]->message.find("ServerAuthorization shop/web-probes") != std::string::npos);

  auto negative = run_linkerd("mtls-not-strict", "negative");
  INFO("negative:" << negative->dump());
  CHECK(negative->where("mtls-not-strict", "level", "linkerd-server").empty());
}

TEST_CASE("linkerd: --linkerd-default-policy sets the install value the default inbound policy falls back to",
          "[checks][linkerd]") {
  // Namespace shop of the fixtures says deny; a Namespace without the annotation takes the install value.
  const std::string file = test::fixture("linkerd/install-default.yaml");
  for (const auto& [install, want] : std::vector<std::pair<std::string, size_t>>{
           {"", 1}, {"all-unauthenticated", 1}, {"all-authenticated", 0}, {"deny", 0}}) {
    analysis::Options ao;
    ao.input.paths = {file};
    ao.input.linkerd_default_policy = install;
    ao.only_checks = {"mtls-not-strict"};
    ao.today = test::kFixtureToday;
    auto a = analysis::run(ao);
    REQUIRE_FALSE(a->failed());
    size_t n = 0;
    for (const Finding& f : a->findings)
      if (f.check == "mtls-not-strict" && f.resource.name == "web") {
        ++n;
        CHECK(f.message.find(install.empty() ? "assumed: --linkerd-default-policy" : "--linkerd-default-policy") !=
              std::string::npos);
      }
    INFO("install value '" << install << "'");
    CHECK(n == want);
  }
}

TEST_CASE("linkerd: HTTPRoutes: an open route, a shadowed route's policy, missing targets, an invalid route",
          "[checks][linkerd]") {
  auto run = test::run_fixture("checks/linkerd/routes/positive.yaml",
                               {{}, {"overly-permissive-rule", "never-matching-rule", "selector-matches-nothing",
                                     "invalid-resource", "redundant-rule", "mtls-not-strict"}});
  INFO("findings:" << run->dump());
  auto open = run->of("overly-permissive-rule");
  REQUIRE(open.size() == 1);
  CHECK(open[0]->resource.name == "health-open");
  REQUIRE(open[0]->witness.has_value());
  CHECK(open[0]->witness->decision == "ALLOW");
  CHECK(open[0]->witness->path == "/healthz");  // the route's path: other paths are not its requests
  auto never = run->of("never-matching-rule");
  REQUIRE(never.size() == 1);
  CHECK(never[0]->resource.name == "api-copy-from-ops");
  CHECK(never[0]->message.find("better (or equal and older) match of another route") != std::string::npos);
  CHECK(names_of(run->of("selector-matches-nothing")) ==
        std::set<std::string>{"AuthorizationPolicy ops-to-missing", "HTTPRoute orphan"});
  auto invalid = run->of("invalid-resource");
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0]->resource.name == "bad-path");
  CHECK(invalid[0]->loc.line == 100);
  CHECK(run->of("redundant-rule").empty());

  auto negative = test::run_fixture("checks/linkerd/routes/negative.yaml",
                                    {{}, {"overly-permissive-rule", "never-matching-rule", "selector-matches-nothing",
                                          "invalid-resource", "redundant-rule"}});
  INFO("negative:" << negative->dump());
  CHECK(negative->findings.empty());
}
