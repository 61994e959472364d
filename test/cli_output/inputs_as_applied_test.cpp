// Inputs as the cluster would hold them (issue #11 item 4), through the CLI: objects without
// metadata.namespace live in `--namespace` (default `default`) for every command, so a kustomize base's
// `serviceAccounts: ["sa"]` names the service account of that namespace; and namespaces the input does not
// show to exist are assumptions that `explain` lists.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using nlohmann::json;

namespace meshproof::test {
namespace {

// A kustomize base: nothing names a namespace.
const char* const kBase = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api:1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-sa
spec:
  selector:
    matchLabels: {app: api}
  rules:
  - from:
    - source:
        serviceAccounts: ["sa"]
    - source:
        namespaces: ["ghost"]
)";

json run_json(const std::vector<std::string>& args) {
  RunResult r = run_cli(args);
  INFO("meshproof " << args.front() << " stderr: " << r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  return json::parse(r.out);
}

std::string decision(const std::string& file, const std::vector<std::string>& extra, const std::string& to,
                     const std::string& principal) {
  std::vector<std::string> args{"query", file, "--to", to, "--principal", principal, "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_json(args)["decision"].get<std::string>();
}

TEST_CASE("objects without metadata.namespace live in --namespace, default 'default'", "[cli][namespace]") {
  auto dir = temp_dir("namespace-default");
  const std::string file = (dir / "base.yaml").string();
  write_file(file, kBase);

  CHECK(decision(file, {}, "default/api", "cluster.local/ns/default/sa/sa") == "ALLOW");
  CHECK(decision(file, {}, "default/api", "cluster.local/ns/other/sa/sa") == "DENY");
  CHECK(decision(file, {"--namespace", "team-a"}, "team-a/api", "cluster.local/ns/team-a/sa/sa") == "ALLOW");
  CHECK(decision(file, {"-n", "team-a"}, "team-a/api", "cluster.local/ns/default/sa/sa") == "DENY");

  // Findings name the objects in their namespace.
  json check = run_json({"check", file, "-n", "team-a", "-o", "json"});
  for (const auto& f : check["findings"])
    if (f["resource"]["kind"] == "AuthorizationPolicy") CHECK(f["resource"]["namespace"] == "team-a");

  // A bad namespace name is a usage error.
  RunResult bad = run_cli({"check", file, "--namespace", "Team_A"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("not a namespace name") != std::string::npos);
}

TEST_CASE("explain lists the namespace default and undeclared namespaces as assumptions", "[cli][namespace]") {
  auto dir = temp_dir("namespace-assumptions");
  const std::string file = (dir / "base.yaml").string();
  write_file(file, kBase);
  RunResult r = run_cli({"explain", file, "--workload", "default/api"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("  assumption: Deployment default/api has no metadata.namespace; it is taken to be in namespace "
                   "default (--namespace)\n") != std::string::npos);
  CHECK(r.out.find("  assumption: AuthorizationPolicy default/allow-sa has no metadata.namespace") !=
        std::string::npos);
  CHECK(r.out.find("  assumption: namespace \"ghost\" exists (AuthorizationPolicy default/allow-sa names it in "
                   "spec.rules[0].from[1].source.namespaces[0]; the input declares no such Namespace") !=
        std::string::npos);
  // The namespace default is not declared: the data plane (sidecar) is an assumption too.
  CHECK(r.out.find("  assumption: the workload's data plane is sidecar (assumed sidecar (namespace default is not "
                   "declared in the input)") != std::string::npos);
  json j = run_json({"explain", file, "--workload", "default/api", "-o", "json"});
  CHECK(j["assumptions"].size() == 4);
  CHECK(j["data_plane"]["assumed"] == true);

  // check reports none of them: the profile does not say the namespace list is complete.
  json check = run_json({"check", file, "-o", "json"});
  for (const auto& f : check["findings"]) CHECK(f["check"] != "selector-matches-nothing");

  // With --namespaces-complete, "ghost" is a finding and no longer an assumption.
  json complete = run_json({"check", file, "--namespaces-complete", "-o", "json"});
  std::vector<std::string> undeclared;
  for (const auto& f : complete["findings"])
    if (f["check"] == "selector-matches-nothing") undeclared.push_back(f["properties"]["namespace"]);
  CHECK(undeclared == std::vector<std::string>{"ghost"});
  json explained = run_json({"explain", file, "--workload", "default/api", "--namespaces-complete", "-o", "json"});
  CHECK(explained["assumptions"].size() == 3);
}

TEST_CASE("a policy without metadata.namespace is named default/NAME everywhere", "[cli][namespace]") {
  auto dir = temp_dir("namespace-less-name");
  write_file(dir / "input.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: default}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: mongo, ports: [{containerPort: 27017}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  selector: {app: db}
  ports: [{name: tcp-mongo, port: 27017}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-policy
spec:
  action: DENY
  rules:
  - to:
    - operation:
        methods: ["*"]
  - to:
    - operation:
        methods: ["GET"]
)");
  RunResult check = run_cli({"check", (dir / "input.yaml").string(), "-o", "json"});
  INFO(check.err);
  REQUIRE(check.exit_code <= 1);
  CHECK(check.out.find("\"/deny-policy") == std::string::npos);
  CHECK(check.out.find(" /deny-policy") == std::string::npos);
  RunResult q = run_cli(
      {"query", (dir / "input.yaml").string(), "--to", "default/db", "--port", "27017", "--plaintext", "-o", "json"});
  REQUIRE(q.exit_code == 0);
  json answer = json::parse(q.out);
  CHECK(answer["decided_by"]["policy"] == "default/deny-policy");
}

TEST_CASE("a namespace-less copy and a default copy are one object, and the later one is in force",
          "[cli][namespace]") {
  auto dir = temp_dir("namespace-less-duplicate");
  write_file(dir / "input.yaml", R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-all
spec:
  action: DENY
  rules:
  - {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: details-viewer
  namespace: default
spec:
  selector: {matchLabels: {app: details}}
  rules:
  - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: details, namespace: default}
spec:
  selector: {matchLabels: {app: details}}
  template:
    metadata: {labels: {app: details}}
    spec:
      containers: [{name: d, image: d, ports: [{containerPort: 9080}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-all
  namespace: default
spec: {}
)");
  RunResult check = run_cli({"check", (dir / "input.yaml").string(), "-o", "json"});
  INFO(check.out << check.err);
  REQUIRE(check.exit_code <= 1);
  json report = json::parse(check.out);
  int duplicates = 0, unreachable = 0;
  for (const json& f : report["findings"]) {
    duplicates += f["check"] == "duplicate-resource";
    unreachable += f["check"] == "unreachable-allow-rule";
  }
  CHECK(duplicates == 1);
  CHECK(unreachable == 0);  // the DENY copy is replaced by `spec: {}`, which denies nothing
}

}  // namespace
}  // namespace meshproof::test
