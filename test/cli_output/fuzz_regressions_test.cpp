// Inputs the fuzz targets found (docs/robustness.md, "Fuzzing"), each reduced to what shows the defect.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

using nlohmann::json;

bool printable_ascii(const std::string& s) {
  for (char ch : s)
    if (ch < ' ' || ch > '~') return false;
  return true;
}

// F2: a namespace pattern with `*` in the middle is matched as a glob, which the sequence theory solves; Z3
// chose the characters 0xFF for the witness's namespace, and the JSON writer threw on the invalid UTF-8
// (exit 3). Witness strings are now printable ASCII.
TEST_CASE("F2: a witness solved by the sequence theory is printable ASCII, and JSON output works",
          "[cli][robustness]") {
  const auto dir = temp_dir("f2-witness-chars");
  write_file(dir / "glob.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: portal, namespace: production}
spec:
  selector: {matchLabels: {app: portal}}
  template:
    metadata: {labels: {app: portal}}
    spec: {containers: [{name: app, image: portal:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: namespace-isolation, namespace: production}
spec:
  rules:
  - from: [{source: {namespaces: ["p*oduction"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin-users, namespace: production}
spec:
  action: DENY
  rules:
  - to: [{operation: {paths: ["/admin/users"], ports: ["8080"]}}]
)");
  RunResult run = run_cli({"check", (dir / "glob.yaml").string(), "-o", "json", "--fail-on", "never"});
  CHECK(run.err.find("internal error") == std::string::npos);
  REQUIRE(run.exit_code == 0);
  json result = json::parse(run.out);
  size_t witnesses = 0;
  for (const json& f : result["findings"]) {
    if (!f.contains("witness")) continue;
    ++witnesses;
    const std::string cmd = f["witness"].value("reproduce", "");
    INFO(cmd);
    CHECK(printable_ascii(cmd));
  }
  CHECK(witnesses > 0);
}

}  // namespace
}  // namespace meshproof::test
