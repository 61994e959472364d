// deny-widened-on-tcp end to end: header-only, methods-only and partly widened DENY rules on a TCP port,
// each with a denied TCP connection as witness.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("deny-widened-on-tcp reports DENY rules widened on a TCP port with a denied connection",
          "[checks][deny-widened-on-tcp]") {
  auto run = test::run_fixture("checks/deny-widened-on-tcp/positive.yaml", {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << run->dump());
  auto found = run->of("deny-widened-on-tcp");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2004");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision == "DENY");
    CHECK(f->witness->port == 6379);
    CHECK(f->witness->port_protocol == "TCP");
    // deny-deletes (oldest by name) is widened to every connection, so it decides first for all three.
    CHECK(f->witness->decided_by == "production/deny-deletes rule 0");
    CHECK(f->witness->reproduce.find("--port 6379") != std::string::npos);
  }
  for (const Finding* f : found) {
    INFO(f->resource.name << ": " << f->message);
    if (f->resource.name == "deny-geo") {
      CHECK(f->properties.at("matches_every_connection") == "true");
      CHECK(f->message.find("admission warning ignores `when`") != std::string::npos);
      CHECK(f->message.find("production/deny-deletes rule 0 matches it first") != std::string::npos);
    } else if (f->resource.name == "deny-deletes") {
      CHECK(f->properties.at("matches_every_connection") == "true");
      CHECK(f->message.find("admission warning") == std::string::npos);  // Istio warns about this one
      CHECK(f->properties.at("dropped") == "rules[0].to[0].operation.methods");
    } else {
      CHECK(f->resource.name == "deny-untraced");
      // The namespace condition survives: only connections from staging are denied.
      CHECK(f->properties.at("matches_every_connection") == "false");
      CHECK(f->witness->source_namespace == "staging");
    }
  }
}

TEST_CASE("deny-widened-on-tcp is quiet when ports keep the rule off TCP ports or only TCP fields are used",
          "[checks][deny-widened-on-tcp]") {
  auto run = test::run_fixture("checks/deny-widened-on-tcp/negative.yaml", {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("deny-widened-on-tcp").empty());
}

// Realworld triage (docs/realworld.md, aws-samples istio-on-eks): a CUSTOM rule whose provider the mesh
// config does not define fails closed (IS §2), so on a TCP port its widened form denies connections; the
// message must say "denies", not "sends to the external authorizer". With a gRPC ext_authz provider the
// connections are delegated.
TEST_CASE("deny-widened-on-tcp says a fail-closed CUSTOM rule denies", "[checks][deny-widened-on-tcp]") {
  auto input = [](const std::string& provider) {
    return std::string(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |-
    extensionProviders:
    - name: )") +
           provider + R"(
      envoyExtAuthzGrpc: {service: opa.opa.svc.cluster.local, port: 9191}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: workshop}
spec:
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers: [{name: redis, image: redis:7, ports: [{containerPort: 6379}]}]
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: workshop}
spec:
  selector: {app: redis}
  ports: [{name: tcp-redis, port: 6379}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: productapp, namespace: workshop}
spec:
  action: CUSTOM
  provider: {name: opa-ext-authz-grpc}
  rules:
  - to: [{operation: {paths: ["*"]}}]
)";
  };
  auto closed = test::run_checks_on({test::write_temp(input("some-other-provider"), "custom-closed.yaml")},
                                    {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << closed->dump());
  auto c = closed->of("deny-widened-on-tcp");
  REQUIRE(c.size() == 1);
  CHECK(c[0]->message.find("it denies every connection on port 6379 (TCP)") != std::string::npos);
  CHECK(c[0]->message.find("sends to the external authorizer") == std::string::npos);
  CHECK(c[0]->message.find("Istio fails closed: provider \"opa-ext-authz-grpc\" is not defined") != std::string::npos);
  REQUIRE(c[0]->witness.has_value());
  CHECK(c[0]->witness->decision == "DENY");

  auto delegated = test::run_checks_on({test::write_temp(input("opa-ext-authz-grpc"), "custom-grpc.yaml")},
                                       {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << delegated->dump());
  auto d = delegated->of("deny-widened-on-tcp");
  REQUIRE(d.size() == 1);
  CHECK(d[0]->message.find("it sends to the external authorizer every connection") != std::string::npos);
  CHECK(d[0]->message.find("fails closed") == std::string::npos);
  REQUIRE(d[0]->witness.has_value());
  CHECK(d[0]->witness->decision == "DELEGATED");
}
