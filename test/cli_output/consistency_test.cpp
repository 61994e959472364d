// Every command sees the same world (issue #10): an object Istio's admission rejects does not exist for
// `check`, `query`, `explain` or `compile`, and of two objects with the same kind, namespace and name the
// same copy is in force for all of them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using nlohmann::json;

namespace meshproof::test {
namespace {

// shop/api on port 8080 (HTTP). Two AuthorizationPolicies named shop/allow-get (each admits another
// caller), and a DENY on /admin that the API server rejects (port "http" is not a number).
const char* const kWorld = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api:1
        ports:
        - containerPort: 8080
          name: http
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-get
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/web/sa/first"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-get
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/web/sa/second"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-admin
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  action: DENY
  rules:
  - to:
    - operation:
        ports: ["http"]
        paths: ["/admin"]
)";

json run_json(const std::vector<std::string>& args) {
  RunResult r = run_cli(args);
  INFO("meshproof " << args.front() << " stderr: " << r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  return json::parse(r.out);
}

json query(const std::string& file, const std::string& principal, const std::string& path) {
  return run_json({"query", file, "--to", "shop/api", "--principal", principal, "--path", path, "-o", "json"});
}

TEST_CASE("check, query, explain and compile agree on rejected and duplicated objects") {
  auto dir = temp_dir("consistency");
  const std::string file = (dir / "world.yaml").string();
  write_file(file, kWorld);

  // check: the rejected DENY and one copy of allow-get are invalid-resource findings, nothing else is said
  // about the DENY.
  json check = run_json({"check", file, "-o", "json"});
  std::vector<std::string> invalid;
  for (const auto& f : check["findings"]) {
    if (f["resource"]["name"] == "deny-admin") REQUIRE(f["check"] == "invalid-resource");
    if (f["check"] == "invalid-resource")
      invalid.push_back(f["location"]["line"].dump() + " " + f["resource"]["name"].get<std::string>());
  }
  INFO(check.dump(2));
  REQUIRE(invalid.size() == 2);

  // explain: one allow-get (the copy check did not reject), no deny-admin.
  json explain = run_json({"explain", file, "--workload", "shop/api", "-o", "json"});
  REQUIRE(explain["policies"].size() == 1);
  REQUIRE(explain["policies"][0]["policy"] == "shop/allow-get");
  // Which copy is in force, as explain shows it: the principal its rule names.
  const std::string from = explain["policies"][0]["http"]["rules"][0]["from"][0].get<std::string>();
  const bool first_in_force = from.find("\"first\"") != std::string::npos;
  REQUIRE(first_in_force != (from.find("\"second\"") != std::string::npos));
  const std::string admitted = first_in_force ? "cluster.local/ns/web/sa/first" : "cluster.local/ns/web/sa/second";
  const std::string other = first_in_force ? "cluster.local/ns/web/sa/second" : "cluster.local/ns/web/sa/first";

  // query: the copy in force decides, the other copy does not exist, and neither does the rejected DENY.
  json allowed = query(file, admitted, "/admin");
  REQUIRE(allowed["decision"] == "ALLOW");
  REQUIRE(allowed["decided_by"]["policy"] == "shop/allow-get");
  json denied = query(file, other, "/");
  REQUIRE(denied["decision"] == "DENY");

  // compile: the table of shop/api holds the admitted copy only (and no DENY filter).
  const std::string out = (dir / "rbac").string();
  RunResult c = run_cli({"compile", file, "--out", out});
  INFO(c.out << c.err);
  REQUIRE(c.exit_code == 0);
  std::string tables;
  for (const auto& e : std::filesystem::directory_iterator(out))
    if (e.path().filename() != "manifest.json") tables += read_file(e.path());
  REQUIRE(tables.find(admitted.substr(std::string("cluster.local/").size())) != std::string::npos);
  REQUIRE(tables.find(other.substr(std::string("cluster.local/").size())) == std::string::npos);
  REQUIRE(tables.find("/admin") == std::string::npos);
}

}  // namespace
}  // namespace meshproof::test

TEST_CASE("findings cite only what a user can open: the project's docs or istio.io", "[consistency]") {
  for (const char* sample : {"bank", "fintech", "hospital", "payments"}) {
    meshproof::test::RunResult r =
        meshproof::test::run_cli({"check", meshproof::test::source_dir() + "/samples/" + sample, "-o", "json"});
    INFO(sample << ": " << r.err);
    REQUIRE(r.exit_code <= 1);
    CHECK(r.out.find("IS §") == std::string::npos);
    CHECK(r.out.find("../shared") == std::string::npos);
    CHECK(r.out.find("docs/semantics.md#") != std::string::npos);  // the citations are still there
  }
}
