// Issue #15 item 1 (first part): a workload Linkerd injects is not judged as an Istio workload
// (docs/semantics.md#linkerd LK2): no mtls-not-strict, no-default-deny, workload-outside-mesh or plaintext-hop
// finding from Istio's rules; its skip-inbound ports are a plaintext bypass (L17); it is listed as not analyzed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string emojivoto(const std::string& ns_annotations) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: emojivoto\n" + ns_annotations +
         R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: emojivoto}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {config.linkerd.io/skip-inbound-ports: "9090, 9091"}
    spec: {containers: [{name: web, image: x, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: other, namespace: other}
spec: {mtls: {mode: STRICT}}
)";
}

std::map<std::string, int> checks_of(const json& j) {
  std::map<std::string, int> n;
  for (const json& f : j["findings"]) ++n[f["check"].get<std::string>()];
  return n;
}

TEST_CASE("linkerd: an injected workload is judged by Linkerd's rules, and is not listed as not analyzed",
          "[cli][linkerd]") {
  fs::path dir = temp_dir("linkerd-injected");
  write_file(
      dir / "emojivoto.yaml",
      emojivoto("  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}\n"));
  RunResult r = run_cli({"check", dir.string(), "--regulated", "emojivoto", "-o", "json"});
  INFO(r.out << r.err);
  json j = json::parse(r.out);
  const std::map<std::string, int> n = checks_of(j);
  CHECK(n.count("no-default-deny") == 0);
  CHECK(n.count("plaintext-hop") == 0);
  REQUIRE(n.at("mtls-not-strict") == 2);        // 9090 and 9091, not 8080
  REQUIRE(n.at("workload-outside-mesh") == 1);  // the skipped ports run outside the mesh (LK29)
  int skip_ports = 0;
  for (const json& f : j["findings"]) {
    if (f["check"] == "mtls-not-strict") {
      CHECK(f["properties"]["level"] == "linkerd-skip-inbound-ports");
      CHECK(f["message"].get<std::string>().find("skip-inbound-ports sends that port past Linkerd's proxy") !=
            std::string::npos);
      skip_ports += f["properties"]["port"] == "9090" || f["properties"]["port"] == "9091";
    }
    if (f["check"] == "workload-outside-mesh") CHECK(f["properties"]["ports"] == "9090, 9091");
  }
  CHECK(skip_ports == 2);
  CHECK_FALSE(j.contains("not_analyzed"));  // Linkerd's policy is analyzed (docs/semantics.md#linkerd-checks)
  CHECK(r.exit_code == 1);  // the skip ports fail the run
}

TEST_CASE("linkerd: a tree of Linkerd policy alone is analyzed, not 'nothing analyzed'", "[cli][linkerd]") {
  fs::path dir = temp_dir("linkerd-only");
  // The tree without its Istio PeerAuthentication: only Linkerd's policy is left.
  const std::string tree =
      emojivoto("  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}\n");
  write_file(dir / "emojivoto.yaml", tree.substr(0, tree.find("---\napiVersion: security.istio.io")) +
                                          R"(---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web-http, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080}
)");
  RunResult r = run_cli({"check", dir.string(), "-o", "json"});
  INFO(r.out << r.err);
  CHECK(r.err.find("nothing was analyzed") == std::string::npos);
  json j = json::parse(r.out);
  CHECK_FALSE(j["summary"].contains("nothing_analyzed"));
  CHECK(r.exit_code != 2);
}

// explain on a workload Linkerd serves shows Linkerd's policy, and none of the Istio lines that would be wrong for it
// ("no sidecar", "No AuthorizationPolicy applies: every request that passes mTLS is allowed").
TEST_CASE("linkerd: explain of a Linkerd workload speaks of Linkerd's policy only", "[cli][linkerd]") {
  fs::path dir = temp_dir("linkerd-explain");
  const std::string tree =
      emojivoto("  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}\n");
  write_file(dir / "emojivoto.yaml", tree.substr(0, tree.find("---\napiVersion: security.istio.io")));
  RunResult r = run_cli({"explain", dir.string(), "--workload", "emojivoto/web"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Linkerd inbound policy") != std::string::npos);
  CHECK(r.out.find("No AuthorizationPolicy applies") == std::string::npos);
  CHECK(r.out.find("no sidecar:") == std::string::npos);
}

// docs/semantics.md#linkerd-policy LK14, LK15: the default inbound policy of ports without a Server.
TEST_CASE("linkerd: the default inbound policy decides mtls-not-strict and no-default-deny", "[cli][linkerd]") {
  const std::pair<const char*, std::pair<int, int>> cases[] = {
      // annotation value → (mtls-not-strict without the two skip ports, no-default-deny), for web and the other pods
      {"", {2, 2}},  // Linkerd's install default all-unauthenticated
      {"all-unauthenticated", {2, 2}},
      {"cluster-unauthenticated", {2, 2}},
      {"all-authenticated", {0, 2}},
      {"cluster-authenticated", {0, 2}},
      {"not-a-policy", {2, 2}},  // ignored: the install default applies
      {"deny", {0, 0}}};
  for (const auto& [policy, want] : cases) {
    fs::path dir = temp_dir("linkerd-default");
    const std::string annotation =
        *policy ? std::string(", config.linkerd.io/default-inbound-policy: \"") + policy + "\"" : std::string();
    write_file(dir / "emojivoto.yaml", emojivoto("  annotations: {linkerd.io/inject: enabled" + annotation + "}\n"));
    RunResult r = run_cli({"check", dir.string(), "--regulated", "emojivoto", "-o", "json"});
    INFO(policy << "\n" << r.out << r.err);
    json j = json::parse(r.out);
    int mtls = 0, deny = 0;
    for (const json& f : j["findings"]) {
      if (f["check"] == "mtls-not-strict" && f["properties"]["level"] == "linkerd-default-inbound-policy") ++mtls;
      if (f["check"] == "no-default-deny") {
        ++deny;
        CHECK(f["message"].get<std::string>().find("default inbound policy") != std::string::npos);
      }
    }
    CHECK(mtls == want.first);
    CHECK(deny == want.second);
  }
}

TEST_CASE("linkerd: without the inject annotation the same workload is judged by Istio's rules", "[cli][linkerd]") {
  fs::path dir = temp_dir("linkerd-not-injected");
  write_file(dir / "emojivoto.yaml", emojivoto(""));
  json j = json::parse(run_cli({"check", dir.string(), "--regulated", "emojivoto", "-o", "json"}).out);
  const std::map<std::string, int> n = checks_of(j);
  // web and the namespace's other pods (no sidecar in a declared namespace without Istio's labels)
  CHECK(n.at("no-default-deny") == 1 + 1);
  CHECK(n.at("workload-outside-mesh") == 1);
  CHECK(n.at("mtls-not-strict") == 2 + 1);  // web's two container ports, and every port of the other pods
  CHECK_FALSE(j.contains("not_analyzed"));
}

// Issue #15 item 1: route-level authorization (docs/semantics.md#linkerd-routes LK30-LK35). The negative routes
// fixture: Server web-http with HTTPRoutes api (GET PathPrefix /api) and health (Exact /healthz), each authorized
// for the client's identity only.
TEST_CASE("linkerd: query decides by HTTPRoute: the route's authorization, another caller (403), no route (404)",
          "[cli][linkerd]") {
  const std::string fixture = "test/fixtures/checks/linkerd/routes/negative.yaml";
  const std::string client = "client.shop.serviceaccount.identity.linkerd.cluster.local";
  auto query = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"query", fixture, "--to", "shop/web", "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = run_cli(args);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  json allow = query({"--principal", client, "--path", "/api/orders", "--method", "GET"});
  CHECK(allow["decision"].get<std::string>() == "ALLOW");
  CHECK(allow["protocol"].get<std::string>() == "HTTP");
  CHECK(allow["decided_by"]["policy"].get<std::string>() == "shop/api-from-client (HTTPRoute api)");
  CHECK(allow["enforced_by"].get<std::string>() == "Linkerd proxy");

  json other = query({"--principal", "web.shop.serviceaccount.identity.linkerd.cluster.local", "--path", "/healthz"});
  CHECK(other["decision"].get<std::string>() == "DENY");
  CHECK(other["decided_by"].is_null());
  CHECK(other["reason"].get<std::string>().find("route is HTTPRoute health") != std::string::npos);
  CHECK(other["reason"].get<std::string>().find("403") != std::string::npos);

  json none = query({"--principal", client, "--path", "/api/orders", "--method", "DELETE"});
  CHECK(none["decision"].get<std::string>() == "DENY");
  CHECK(none["decided_by"]["policy"].get<std::string>() == "shop/Server web-http: no HTTPRoute matches (404)");
  CHECK(none["reason"].get<std::string>() ==
        "no HTTPRoute of Server shop/web-http matches the request, so Linkerd's proxy answers 404 before "
        "authorization");

  RunResult explain = run_cli({"explain", fixture, "--workload", "shop/web"});
  INFO(explain.out << explain.err);
  CHECK(explain.out.find("HTTP requests are decided by route: HTTPRoute health, api") != std::string::npos);
}

// Issue #15: the Linkerd checks list the Linkerd objects they examined, so a clean one is a passing JUnit case.
TEST_CASE("linkerd: clean Linkerd objects are passing JUnit cases of the checks that examined them", "[cli][linkerd]") {
  RunResult r = run_cli({"check", "test/fixtures/checks/linkerd/routes/negative.yaml", "-o", "junit"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  for (const std::string& c :
       {std::string("<testcase classname=\"never-matching-rule\" name=\"AuthorizationPolicy shop/api-from-client"),
        std::string("<testcase classname=\"overly-permissive-rule\" name=\"AuthorizationPolicy shop/health-open"),
        std::string("<testcase classname=\"selector-matches-nothing\" name=\"HTTPRoute shop/health"),
        std::string("<testcase classname=\"selector-matches-nothing\" name=\"Server shop/web-http")})
    CHECK(r.out.find(c) != std::string::npos);
}

}  // namespace
}  // namespace meshproof::test
