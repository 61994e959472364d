// `meshproof query --gateway` and `explain --gateway` (docs/query.md#gateway): a request from the edge is
// followed through the Gateway API listener, the HTTPRoute rule, the hop to the backend, and decided at the
// gateway's own AuthorizationPolicy and then at the backend. Input: the Gateway API fixture of the checks.
#include <algorithm>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace meshproof::test;

namespace {

const std::string kFile = fixture("checks/gateway-api/positive.yaml");

nlohmann::json trace(std::vector<std::string> extra) {
  std::vector<std::string> args{"query", kFile, "--gateway", "edge/public", "--host", "api.example.com", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("query --gateway: the gateway's own DENY policy decides first", "[cli][query][gateway]") {
  auto j = trace({"--path", "/v1/admin/users"});
  CHECK(j["listener"]["name"] == "listener https (port 443, HTTPS)");
  CHECK(j["gateway_decision"]["decision"] == "DENY");
  CHECK(j["gateway_decision"]["decided_by"] == "AuthorizationPolicy edge/block-admin rule 0");
  CHECK(j["outcome"] == "DENY at the gateway");
  CHECK(j["principal"] == "cluster.local/ns/edge/sa/public-istio");
}

TEST_CASE("query --gateway: route rule, plaintext hop and the backend's decision", "[cli][query][gateway]") {
  auto j = trace({"--path", "/v1/pay", "--method", "POST"});
  CHECK(j["gateway_decision"]["decision"] == "ALLOW");
  CHECK(j["route"] == "HTTPRoute payments/api rule 0 match 0");
  REQUIRE(j["backends"].size() == 1);
  CHECK(j["backends"][0]["service"] == "Service payments/api");
  REQUIRE(j["backends"][0]["hops"].size() == 1);
  CHECK(j["backends"][0]["hops"][0]["transport"] == "plaintext");
  CHECK(j["backends"][0]["hops"][0]["decision"]["source"] == "plaintext");
  // No rule takes /other: the gateway answers 404.
  CHECK(trace({"--path", "/other"})["route"] == "");
  // Text output names every hop.
  auto text = run_cli({"query", kFile, "--gateway", "edge/public", "--host", "api.example.com", "--path", "/v1/pay"});
  CHECK(text.out.find("4. route     HTTPRoute payments/api rule 0 match 0") != std::string::npos);
  CHECK(text.out.find("hop -> Deployment payments/api port 8080: plaintext") != std::string::npos);
}

TEST_CASE("query --gateway: bad gateway or host is exit 2", "[cli][query][gateway]") {
  CHECK(run_cli({"query", kFile, "--gateway", "edge/nope", "--host", "a.example.com"}).exit_code == 2);
  CHECK(run_cli({"query", kFile, "--gateway", "edge/public"}).exit_code == 2);
  CHECK(run_cli({"query", kFile}).exit_code == 2);
}

TEST_CASE("explain --gateway lists listeners, routes and backends", "[cli][explain][gateway]") {
  auto r = run_cli({"explain", kFile, "--gateway", "edge/public", "-o", "json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["listeners"].size() == 4);
  CHECK(j["listeners"][0]["routes"][0]["route"] == "HTTPRoute payments/api");
  CHECK(j["listeners"][0]["routes"][0]["backends"][0] == "Service payments/api port 8080");
  CHECK(j["listeners"][2]["problem"].get<std::string>().find("RefNotPermitted") != std::string::npos);
}

namespace {

const std::string kVsFile = fixture("gateway_trace/vs_matches.yaml");

nlohmann::json vs_trace(std::vector<std::string> extra) {
  std::vector<std::string> args{"query", kVsFile, "--gateway", "istio-system/public", "--host", "shop.example.com",
                                "-o",    "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

std::vector<std::string> services_of(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& b : j["backends"]) out.push_back(b["service"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("query --gateway: a VirtualService route is chosen by its matches, first match wins",
          "[cli][query][gateway]") {
  // uri exact with ignoreUriCase.
  auto admin = vs_trace({"--path", "/ADMIN"});
  CHECK(admin["route"] == "VirtualService shop/shop http[1] match[0] (uri exact /admin)");
  CHECK(services_of(admin) == std::vector<std::string>{"Service shop/admin"});
  // A header match comes before the prefix route that would also take the request.
  auto canary = vs_trace({"--path", "/api/v1/items", "--header", "x-canary=yes"});
  CHECK(canary["route"] == "VirtualService shop/shop http[2] match[0] (uri prefix /api/, header x-canary exact yes)");
  CHECK(services_of(canary) == std::vector<std::string>{"Service shop/api-canary"});
  // uri regex and method.
  CHECK(services_of(vs_trace({"--path", "/api/v2/items", "--method", "POST"})) ==
        std::vector<std::string>{"Service shop/api-write"});
  // Neither the header nor POST: the prefix route, both weighted destinations.
  auto api = vs_trace({"--path", "/api/v2/items"});
  CHECK(api["route"] == "VirtualService shop/shop http[4] match[0] (uri prefix /api/)");
  CHECK(services_of(api) == std::vector<std::string>{"Service shop/api", "Service shop/api-canary"});
  CHECK(api["backends"][1]["weight"] == 10);
  // No match anywhere: the route without match takes it.
  auto rest = vs_trace({"--path", "/catalog"});
  CHECK(rest["route"] == "VirtualService shop/shop http[5] (no match: every request)");
  CHECK(services_of(rest) == std::vector<std::string>{"Service shop/web"});
  // The regex route was tried on the way; it is valid RE2, so nothing is noted.
  CHECK(rest["route_note"].get<std::string>().empty());
  CHECK(admin["route_note"] ==
        "the backends see Host admin.internal and path /internal/admin (the route's rewrite "
        "applied)");
}

TEST_CASE("query --gateway: a redirect route on the plain HTTP server forwards nothing", "[cli][query][gateway]") {
  auto j = vs_trace({"--path", "/api/v1/items", "--port", "80"});
  CHECK(j["route"] == "VirtualService shop/shop http[0] match[0] (scheme exact http)");
  CHECK(j["backends"].empty());
  CHECK(j["outcome"] == "the gateway answers with a redirect to https (the route forwards nothing)");
}

TEST_CASE("query --gateway: Gateway API redirect and rewrite filters, frontend client certificates",
          "[cli][query][gateway]") {
  const std::string file = fixture("gateway_trace/api_filters.yaml");
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"query", file, "--gateway", "edge/public", "--host", "app.example.com", "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(args);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  };
  auto redirect = run({"--port", "80", "--path", "/app/x"});
  CHECK(redirect["outcome"] == "the gateway answers with a redirect to https (the route forwards nothing)");
  CHECK(redirect["backends"][0]["problem"] == "Redirected");
  auto https = run({"--path", "/app/orders"});
  CHECK(https["listener"]["tls"] == "MUTUAL: TLS terminated at the gateway");
  CHECK(https["route_note"] == "the backends see Host app.internal and path /orders (the rule's filters applied)");
  // The redirect-only HTTP listener forwards nothing in plaintext.
  auto check = nlohmann::json::parse(run_cli({"check", file, "-o", "json"}).out);
  for (const auto& f : check["findings"]) CHECK(f["check"] != "gateway-plaintext-listener");
}

namespace {

const std::string kDelegateFile = fixture("gateway_trace/vs_delegate_regex.yaml");

nlohmann::json delegate_trace(const std::string& path) {
  auto r = run_cli({"query", kDelegateFile, "--gateway", "istio-system/public", "--host", "shop.example.com", "--path",
                    path, "-o", "json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

std::string first_hop_decision(const nlohmann::json& j) {
  if (j["backends"].empty() || j["backends"][0]["hops"].empty()) return "";
  return j["backends"][0]["hops"][0]["decision"]["decision"].get<std::string>();
}

}  // namespace

TEST_CASE("query --gateway: a delegate VirtualService's routes replace the root route, matches merged",
          "[cli][query][gateway]") {
  // /reviews/v2/...: the delegate's first route (its match is inside the root's /reviews), the path rewritten
  // by the RE2 uriRegexRewrite; reviews-v2's policy allows /v2/* and sees the rewritten path.
  auto v2 = delegate_trace("/reviews/v2/list");
  CHECK(v2["route"] ==
        "VirtualService shop/root http[0] delegated to VirtualService reviews/reviews-routes http[0] merged "
        "match[0] (uri prefix /reviews/v2)");
  CHECK(services_of(v2) == std::vector<std::string>{"Service reviews/reviews-v2"});
  CHECK(first_hop_decision(v2) == "ALLOW");
  // The rewrite replaces every match in the path and keeps the query string (Envoy's regex_rewrite).
  auto query = delegate_trace("/reviews/v2/list?x=1");
  CHECK(query["route_note"].get<std::string>().find(
            "the backends see Host shop.example.com and path /v2/list?x=1 (the route's rewrite applied)") !=
        std::string::npos);
  // The delegate's route without match takes the root route's match: any other /reviews... goes to reviews
  // (a short name, resolved in the delegate's namespace).
  auto other = delegate_trace("/reviews/all");
  CHECK(other["route"] ==
        "VirtualService shop/root http[0] delegated to VirtualService reviews/reviews-routes http[2] merged "
        "match[0] (uri prefix /reviews)");
  CHECK(services_of(other) == std::vector<std::string>{"Service reviews/reviews"});
  // The delegate's /other route is not inside /reviews: Istio drops it, so /other falls through to web; the
  // missing delegate of /broken drops that route too.
  auto dropped = delegate_trace("/other");
  CHECK(services_of(dropped) == std::vector<std::string>{"Service shop/web"});
  const std::string note = dropped["route_note"].get<std::string>();
  CHECK(note.find("VirtualService reviews/reviews-routes http[1]: its match is not inside http[0]'s match") !=
        std::string::npos);
  CHECK(note.find("http[1] delegates to VirtualService shop/missing, which the input does not declare") !=
        std::string::npos);
  CHECK(services_of(delegate_trace("/broken/x")) == std::vector<std::string>{"Service shop/web"});
}

TEST_CASE("query --gateway: regexes are RE2, matched against the whole path", "[cli][query][gateway]") {
  // An inline flag (RE2, not ECMAScript): /ADMIN/users takes the admin route.
  auto admin = delegate_trace("/ADMIN/users");
  CHECK(admin["route"] == "VirtualService shop/root http[2] match[0] (uri regex (?i)/admin(/.*)?)");
  CHECK(services_of(admin) == std::vector<std::string>{"Service shop/admin"});
  // A full match, not a search: /exact matches "/exact", /exact/more does not.
  CHECK(services_of(delegate_trace("/exact")) == std::vector<std::string>{"Service shop/admin"});
  CHECK(services_of(delegate_trace("/exact/more")) == std::vector<std::string>{"Service shop/web"});
}

TEST_CASE("explain --gateway and the gateway checks count a delegate's backends", "[cli][explain][gateway]") {
  auto r = run_cli({"explain", kDelegateFile, "--gateway", "istio-system/public", "-o", "json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> backends;
  for (const auto& b : j["listeners"][0]["routes"][0]["backends"]) backends.push_back(b.get<std::string>());
  CHECK(std::find(backends.begin(), backends.end(), "Service reviews/reviews-v2") != backends.end());
  CHECK(std::find(backends.begin(), backends.end(), "Service reviews/reviews") != backends.end());
  // The plaintext listener reaches the regulated namespace only through the delegate.
  auto check = run_cli({"check", kDelegateFile, "--regulated", "reviews", "-o", "json"});
  bool plaintext_listener = false;
  const auto findings = nlohmann::json::parse(check.out);  // kept: the loop below refers into it
  for (const auto& f : findings["findings"])
    if (f["check"] == "gateway-plaintext-listener" &&
        f["message"].get<std::string>().find("reviews/reviews-v2") != std::string::npos)
      plaintext_listener = true;
  CHECK(plaintext_listener);
}

TEST_CASE("query --gateway: an HTTP server with httpsRedirect answers 301 before any route", "[cli][query][gateway]") {
  const std::string file = fixture("gateway_trace/https_redirect.yaml");
  auto run = [&](const std::string& port) {
    auto r = run_cli({"query", file, "--gateway", "istio-system/public", "--host", "shop.example.com", "--port", port,
                      "-o", "json"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  };
  const auto plain = run("80");
  CHECK(plain["listener"]["tls"].get<std::string>() == "plaintext, httpsRedirect");  // not the omitted mode
  CHECK(plain["outcome"].get<std::string>() ==
        "the gateway answers with a 301 redirect to HTTPS (tls.httpsRedirect) (the route forwards nothing)");
  CHECK(plain["backends"].empty());
  const auto tls = run("443");
  REQUIRE(tls["backends"].size() == 1);
  CHECK(tls["backends"][0]["service"].get<std::string>() == "Service shop/web");
}
