// never-matching-rule end to end: the causes it names, and what it leaves alone.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

namespace {
const Finding* rule_of(const test::CheckRun& run, const std::string& policy, const std::string& rule) {
  for (const Finding* f : run.where("never-matching-rule", "rule", rule))
    if (f->resource.name == policy) return f;
  return nullptr;
}
}  // namespace

TEST_CASE("never-matching-rule proves rules dead and names why", "[checks][never-matching-rule]") {
  auto run = test::run_fixture("checks/never-matching-rule/positive.yaml", {{}, {"never-matching-rule"}});
  INFO("findings:" << run->dump());
  REQUIRE(run->of("never-matching-rule").size() == 4);
  for (const Finding* f : run->of("never-matching-rule")) {
    CHECK(f->id == "MP2003");
    CHECK(f->severity == Severity::Warning);
  }

  const Finding* tls = rule_of(*run, "payments-access", "0");
  REQUIRE(tls);
  CHECK(tls->message.find("on port 8443 (TCP)") != std::string::npos);
  CHECK(tls->message.find("Istio drops the rule") != std::string::npos);
  CHECK(tls->message.find("`ports` (8443) do not include the port") != std::string::npos);
  CHECK(tls->help.find("HTTP-only fields") != std::string::npos);

  const Finding* contradiction = rule_of(*run, "payments-access", "1");
  REQUIRE(contradiction);
  CHECK(contradiction->message.find("contradict") != std::string::npos);
  CHECK(contradiction->properties.at("proof") == "unsat");

  const Finding* subjectless = rule_of(*run, "payments-access", "2");
  REQUIRE(subjectless);
  CHECK(subjectless->message.find("has no '/'") != std::string::npos);
  CHECK(subjectless->help.find("ISSUER/SUBJECT") != std::string::npos);

  const Finding* disable = rule_of(*run, "metrics-scrape", "0");
  REQUIRE(disable);
  CHECK(disable->message.find("DISABLE") != std::string::npos);
  CHECK(disable->message.find("allows nothing") != std::string::npos);

  CHECK(rule_of(*run, "payments-access", "3") == nullptr);
}

TEST_CASE("never-matching-rule is quiet on rules that match somewhere and on spec: {}",
          "[checks][never-matching-rule]") {
  auto run = test::run_fixture("checks/never-matching-rule/negative.yaml", {{}, {"never-matching-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("never-matching-rule").empty());
}
