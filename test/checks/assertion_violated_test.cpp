// assertion-violated end to end (deny / only / allow with counterexamples), the assertions file's errors
// (file:line:col), and the CLI's exit code 2 for a bad file.
#include <catch2/catch.hpp>

#include "checks/assertions.h"
#include "harness.h"

using namespace meshproof;

TEST_CASE("assertion-violated reports each violated assertion with a counterexample", "[checks][assertion-violated]") {
  test::RunOptions o({}, {"assertion-violated"});
  o.assertions_path = test::fixture("checks/assertion-violated/positive-assertions.yaml");
  auto run = test::run_fixture("checks/assertion-violated/positive.yaml", o);
  INFO("findings:" << run->dump());
  auto found = run->of("assertion-violated");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2012");
    CHECK(f->severity == Severity::Error);
    CHECK(f->resource.kind == "Deployment");
    CHECK(f->resource.name == "banking-api");
    CHECK(run->input->sources.describe(f->loc).find("positive-assertions.yaml:") != std::string::npos);
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->destination == "bank-core/banking-api");
    CHECK(f->witness->reproduce.find("--to bank-core/banking-api") != std::string::npos);
  }
  auto deny = run->where("assertion-violated", "kind", "deny");
  REQUIRE(deny.size() == 1);
  CHECK(deny[0]->witness->decision == "ALLOW");
  CHECK(deny[0]->witness->source_namespace == "bank-ops");
  CHECK(deny[0]->witness->path == "/admin/limits");
  CHECK(deny[0]->witness->decided_by == "bank-core/banking-api-access rule 1");

  auto only = run->where("assertion-violated", "kind", "only");
  REQUIRE(only.size() == 1);
  CHECK(only[0]->witness->decision == "ALLOW");
  CHECK(only[0]->witness->source_principal != "cluster.local/ns/bank-web/sa/web-frontend");

  auto allow = run->where("assertion-violated", "kind", "allow");
  REQUIRE(allow.size() == 1);
  CHECK(allow[0]->witness->decision == "DENY");
  CHECK(allow[0]->witness->method == "DELETE");
  CHECK(allow[0]->witness->port == 8080);
}

TEST_CASE("assertion-violated is quiet when every assertion holds", "[checks][assertion-violated]") {
  test::RunOptions o({}, {"assertion-violated"});
  o.assertions_path = test::fixture("checks/assertion-violated/negative-assertions.yaml");
  auto run = test::run_fixture("checks/assertion-violated/negative.yaml", o);
  INFO("findings:" << run->dump());
  CHECK(run->of("assertion-violated").empty());
}

TEST_CASE("assertions files: errors carry file:line:col", "[checks][assertion-violated]") {
  const std::string bad = test::write_temp(
      "assertions:\n"
      "  - deny:\n"
      "      form: {namespace: x}\n"                         // line 3: unknown key
      "      to: bank-core\n"                                // line 4: not NS/NAME
      "  - only: {to: a/b, principals: [p], port: 70000}\n"  // line 5: port out of range
      "  - allow: {to: a/b}\n"
      "    deny: {to: a/b}\n",  // item with two kinds
      "bad-assertions.yaml");
  SourceSet sources;
  std::vector<checks::AssertionError> errors;
  auto set = checks::load_assertions(bad, sources, errors);
  CHECK_FALSE(set.has_value());
  std::vector<std::string> where;
  for (const auto& e : errors) where.push_back(sources.describe(e.loc) + ": " + e.message);
  INFO(Catch::Detail::stringify(where));
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].loc.line == 3);
  CHECK(errors[0].message.find("did you mean 'from'") != std::string::npos);
  CHECK(errors[1].loc.line == 4);
  CHECK(errors[1].message.find("NAMESPACE/WORKLOAD") != std::string::npos);
  CHECK(errors[2].loc.line == 5);
  CHECK(errors[2].message.find("70000") != std::string::npos);
  CHECK(errors[3].message.find("exactly one of deny, allow, only") != std::string::npos);
}

TEST_CASE("check --assert: a violated assertion fails the run, a bad file exits 2",
          "[checks][assertion-violated][cli]") {
  const std::string dir = test::fixture("checks/assertion-violated");
  auto ok = test::run_cli({"check", dir + "/positive.yaml", "--assert", dir + "/positive-assertions.yaml", "--check",
                           "assertion-violated", "-o", "json"});
  INFO(ok.err);
  CHECK(ok.exit_code == 1);
  CHECK(ok.out.find("\"assertion-violated\"") != std::string::npos);
  CHECK(ok.out.find("meshproof query") != std::string::npos);

  auto quiet = test::run_cli({"check", dir + "/negative.yaml", "--assert", dir + "/negative-assertions.yaml", "--check",
                              "assertion-violated"});
  CHECK(quiet.exit_code == 0);

  const std::string unknown = test::write_temp("assertions:\n  - deny: {to: bank-core/banking-apii}\n", "unknown.yaml");
  auto bad = test::run_cli({"check", dir + "/positive.yaml", "--assert", unknown});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown.yaml:2:") != std::string::npos);
  CHECK(bad.err.find("did you mean 'bank-core/banking-api'") != std::string::npos);
}
