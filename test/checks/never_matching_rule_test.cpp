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

namespace {

// data/db serves only TCP port 5432, behind Service data/db port 15432; `rule` is the ALLOW rule under test.
std::string tcp_only_world(const std::string& rule) {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: data}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: pg, ports: [{containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 15432, targetPort: 5432}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-api, namespace: data}
spec:
  selector: {matchLabels: {app: db}}
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/app/sa/api"]}}]
)" + rule;
}

std::unique_ptr<test::CheckRun> run_yaml(const std::string& yaml) {
  return test::run_checks_on({test::write_temp(yaml, "world.yaml")}, {{}, {"never-matching-rule"}});
}

}  // namespace

TEST_CASE("never-matching-rule: HTTP-only fields on a TCP-only workload deny every connection",
          "[checks][never-matching-rule]") {
  auto run = run_yaml(tcp_only_world("    to: [{operation: {methods: [\"GET\"]}}]\n"));
  INFO("findings:" << run->dump());
  const Finding* f = rule_of(*run, "allow-api", "0");
  REQUIRE(f);
  CHECK(f->message.find("on any port that Deployment data/db declares") != std::string::npos);
  CHECK(f->message.find("Istio drops the rule") != std::string::npos);
  CHECK(f->message.find("this policy now denies every connection") != std::string::npos);
  CHECK(f->properties.at("proof") == "dropped");
}

TEST_CASE("never-matching-rule: `ports` naming the Service port says which workload port was meant",
          "[checks][never-matching-rule]") {
  auto run = run_yaml(tcp_only_world("    to: [{operation: {ports: [\"15432\"]}}]\n"));
  INFO("findings:" << run->dump());
  const Finding* f = rule_of(*run, "allow-api", "0");
  REQUIRE(f);
  CHECK(f->message.find("15432 is the port of Service data/db, which forwards to workload port 5432") !=
        std::string::npos);
  CHECK(f->help.find("container/target ports") != std::string::npos);

  auto right = run_yaml(tcp_only_world("    to: [{operation: {ports: [\"5432\"]}}]\n"));
  INFO("findings:" << right->dump());
  CHECK(rule_of(*right, "allow-api", "0") == nullptr);
}

TEST_CASE("never-matching-rule: a principal no identity can have is named, not called a contradiction",
          "[checks][never-matching-rule]") {
  std::string yaml = tcp_only_world("");
  const std::string good = "cluster.local/ns/app/sa/api";
  yaml.replace(yaml.find(good), good.size(), "spiffe-app-api");
  auto run = run_yaml(yaml);
  INFO("findings:" << run->dump());
  const Finding* f = rule_of(*run, "allow-api", "0");
  REQUIRE(f);
  CHECK(f->message.find("principal \"spiffe-app-api\" cannot match a mesh identity") != std::string::npos);
  CHECK(f->message.find("contradict") == std::string::npos);
  CHECK(f->help.find("TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT") != std::string::npos);
  CHECK(f->help.find("ports") == std::string::npos);
}

TEST_CASE("never-matching-rule: a `not...: [\"*\"]` is named as the cause, not the values beside it",
          "[checks][never-matching-rule]") {
  auto run = run_yaml(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow, namespace: cfg}
spec:
  rules:
  - from:
    - source:
        principals: ["principal", "*"]
        notPrincipals: ["not-principal", "*"]
)");
  INFO("findings:" << run->dump());
  const Finding* f = rule_of(*run, "allow", "0");
  REQUIRE(f);
  CHECK(f->message.find("`notPrincipals: [\"*\"]` excludes every request that has a peer identity") !=
        std::string::npos);
  CHECK(f->message.find("\"not-principal\"") == std::string::npos);  // a not* value excludes nothing
  CHECK(f->message.find("\"principal\" cannot match") == std::string::npos);
  CHECK(f->help.find("TRUST_DOMAIN") == std::string::npos);

  std::string methods = tcp_only_world("    to: [{operation: {notMethods: [\"*\"]}}]\n");
  methods.replace(methods.find("tcp-pg"), 6, "http-pg");
  auto http = run_yaml(methods);
  INFO("findings:" << http->dump());
  const Finding* m = rule_of(*http, "allow-api", "0");
  REQUIRE(m);
  CHECK(m->message.find("`notMethods: [\"*\"]` excludes every request that has a method") != std::string::npos);
  CHECK(m->help.find("remove the `not...: [\"*\"]` value") != std::string::npos);
}

TEST_CASE("never-matching-rule: a `when` on destination.port is named as written, a value cause comes first",
          "[checks][never-matching-rule]") {
  std::string yaml = tcp_only_world(R"(    to: [{operation: {methods: ["GET"]}}]
    when:
    - key: destination.port
      values: ["80"]
  - from: [{source: {requestPrincipals: ["bookinfo"]}}]
)");
  yaml.replace(yaml.find("tcp-pg"), 6, "http-pg");  // an HTTP port, where both rules are kept
  auto run = run_yaml(yaml);
  INFO("findings:" << run->dump());
  const Finding* port = rule_of(*run, "allow-api", "0");
  REQUIRE(port);
  CHECK(port->message.find("its `destination.port` condition (80) does not include the port") != std::string::npos);
  const Finding* sub = rule_of(*run, "allow-api", "1");
  REQUIRE(sub);
  CHECK(sub->help.find("ISSUER/SUBJECT") < sub->help.find("add a RequestAuthentication"));
}
