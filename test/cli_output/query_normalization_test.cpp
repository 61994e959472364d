// `meshproof query` decides a raw path as the proxy would (docs/query.md, docs/semantics.md 5.1): the mesh's
// pathNormalization is applied before `paths` match, the answer shows the normalized path, and header
// names and pseudo-headers are read as Envoy reads them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace meshproof::test;

namespace {

const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules:
  - to: [{operation: {paths: ["/admin"]}}]
  - when: [{key: "request.headers[:method]", values: ["DELETE"]}]
  - when: [{key: "request.headers[X-Role]", values: ["intruder"]}]
)";

std::string write_manifest(const std::string& name, const std::string& extra) {
  auto dir = temp_dir(name);
  write_file(dir / "m.yaml", std::string(kManifest) + extra);
  return (dir / "m.yaml").string();
}

nlohmann::json query(const std::string& file, std::vector<std::string> extra) {
  std::vector<std::string> args{"query", file, "--to", "foo/web", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("query: raw paths are normalized as the mesh's pathNormalization says", "[cli][query][normalization]") {
  const std::string base = write_manifest("norm-base", "");
  for (const char* p : {"/x/../admin", "/./admin", "/%2e%2e/admin"}) {
    INFO(p);
    auto j = query(base, {"--path", p});
    CHECK(j["decision"] == "DENY");
    CHECK(j["normalized_path"] == "/admin");
    CHECK(j["path_normalization"] == "BASE");
    CHECK(j["request"].get<std::string>().find(std::string("--path ") + p) != std::string::npos);
  }
  auto plain = query(base, {"--path", "/admin"});
  CHECK(plain["decision"] == "DENY");
  CHECK_FALSE(plain.contains("normalized_path"));
  CHECK(query(base, {"--path", "//admin"})["decision"] == "ALLOW");
  auto rejected = query(base, {"--path", "\\admin"});
  CHECK(rejected["decision"] == "REJECTED");
  CHECK(rejected["reason_code"] == "path-rejected");
  // Text output names the normalized path.
  auto t = run_cli({"query", base, "--to", "foo/web", "--path", "/x/../admin"});
  CHECK(t.out.find("GET /x/../admin (normalized to /admin by BASE)") != std::string::npos);

  const std::string merge = write_manifest("norm-merge", R"(---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    pathNormalization:
      normalization: MERGE_SLASHES
)");
  CHECK(query(merge, {"--path", "//admin"})["decision"] == "DENY");
  CHECK(query(merge, {"--path", "/%2Fadmin"})["decision"] == "ALLOW");
  const std::string decode = write_manifest("norm-decode", R"(---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    pathNormalization:
      normalization: DECODE_AND_MERGE_SLASHES
)");
  CHECK(query(decode, {"--path", "/%2Fadmin"})["decision"] == "DENY");
  CHECK(query(decode, {"--path", "/%5Cadmin"})["decision"] == "DENY");
}

TEST_CASE("query: header names in any case, pseudo-headers", "[cli][query][headers]") {
  const std::string file = write_manifest("headers", "");
  CHECK(query(file, {"--header", "X-ROLE=intruder"})["decision"] == "DENY");
  CHECK(query(file, {"--method", "DELETE"})["decision"] == "DENY");
  CHECK(query(file, {"--header", ":method=DELETE"})["decision"] == "DENY");
  CHECK(query(file, {"--header", ":path=/x/../admin"})["decision"] == "DENY");
  CHECK(query(file, {"--method", "GET"})["decision"] == "ALLOW");
}
