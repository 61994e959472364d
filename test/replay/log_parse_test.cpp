// Issue #14 item 4: the access-log parsers of `meshproof replay` (lib/replay): each format's fields
// mapped to the query request, the observed decision, lines ignored, and malformed lines kept with why.
#include <catch2/catch.hpp>

#include "replay/log.h"
#include "replay/log_fields.h"

namespace meshproof::replay {

namespace {

const ParseOptions kJson{Format::EnvoyJson, ""};

// An inbound Istio JSON line with the extra keys of docs/replay.md, and `extra` spliced in.
std::string json_line(const std::string& extra = "") {
  return R"({"method":"POST","path":"/v1/charges?x=1","authority":"pay.payments:80","response_code":403,)"
         R"("response_code_details":"rbac_access_denied_matched_policy[none]","upstream_cluster":"inbound|8080||",)"
         R"("downstream_local_address":"10.0.0.2:8080","downstream_remote_address":"10.0.0.9:4000",)"
         R"("source_principal":"spiffe://cluster.local/ns/orders/sa/os","destination_namespace":"payments",)"
         R"("destination_workload":"pay","request_header.X-Tenant":"acme")" +
         extra + "}";
}

}  // namespace

TEST_CASE("replay: an Istio JSON line becomes the query request it records", "[replay]") {
  LineOutcome o = parse_envoy_json_line(json_line(), kJson);
  REQUIRE(o.kind == LineOutcome::Request);
  const auto& s = o.request.spec;
  CHECK(s.to == "payments/pay");
  CHECK(s.port == 8080);
  CHECK(s.protocol == "http");
  CHECK(s.request.principal == "cluster.local/ns/orders/sa/os");
  CHECK_FALSE(s.plaintext);
  CHECK(s.request.source_ip == "10.0.0.9");
  CHECK(s.request.destination_ip == "10.0.0.2");
  CHECK(s.request.method == "POST");
  CHECK(s.request.path == "/v1/charges");  // authorization matches the path without its query
  CHECK(s.request.host == "pay.payments:80");
  CHECK(s.request.headers == std::vector<std::string>{"x-tenant=acme"});
  CHECK(o.request.observed == Observed::Denied);
  CHECK(o.request.observed_detail == "403 rbac_access_denied_matched_policy[none]");
}

TEST_CASE("replay: Envoy JSON lines that cannot be rebuilt say why", "[replay]") {
  CHECK(parse_envoy_json_line("{\"method\":", kJson).reason == "not a JSON object");
  CHECK(parse_envoy_json_line("[1,2]", kJson).kind == LineOutcome::Unread);
  std::string no_identity = json_line();
  no_identity.replace(no_identity.find("\"source_principal\""), std::string("\"source_principal\"").size(),
                      "\"other\"");
  LineOutcome o = parse_envoy_json_line(no_identity, kJson);
  CHECK(o.kind == LineOutcome::Unread);
  CHECK(o.reason.find("no client identity") == 0);
  o = parse_envoy_json_line(R"({"source_principal":"-","downstream_local_address":"10.0.0.2:8080"})", kJson);
  CHECK(o.reason.find("no destination workload") == 0);
  o = parse_envoy_json_line(R"({"source_principal":"-","downstream_local_address":"-","response_code":200})",
                            {Format::EnvoyJson, "shop/cart"});
  CHECK(o.reason.find("no destination port") == 0);
  o = parse_envoy_json_line(R"({"source_principal":"x509:abc","downstream_local_address":"1.2.3.4:80"})",
                            {Format::EnvoyJson, "shop/cart"});
  CHECK(o.reason.find("is not one spiffe:// URI") != std::string::npos);
}

TEST_CASE("replay: client-side lines are ignored, plaintext and served are read", "[replay]") {
  LineOutcome o =
      parse_envoy_json_line(json_line(R"(,"upstream_cluster":"outbound|80||pay.payments.svc.cluster.local")"), kJson);
  // A duplicate key: nlohmann keeps the last one.
  CHECK(o.kind == LineOutcome::Ignored);
  o = parse_envoy_json_line(R"({"source_principal":"-","downstream_local_address":"10.0.0.2:9000","response_code":0,)"
                            R"("connection_termination_details":"-"})",
                            {Format::EnvoyJson, "shop/cart"});
  REQUIRE(o.kind == LineOutcome::Request);
  CHECK(o.request.spec.plaintext);
  CHECK(o.request.spec.protocol == "tcp");
  CHECK(o.request.observed == Observed::Served);
  o = parse_envoy_json_line(
      R"({"source_principal":"-","downstream_local_address":"10.0.0.2:9000","response_code":0,)"
      R"("connection_termination_details":"rbac_access_denied_matched_policy[ns[shop]-policy[d]-rule[0]]"})",
      {Format::EnvoyJson, "shop/cart"});
  REQUIRE(o.kind == LineOutcome::Request);
  CHECK(o.request.observed == Observed::Denied);
}

TEST_CASE("replay: Istio's default text format, with the identity appended", "[replay]") {
  const std::string base =
      R"([2026-12-01T09:00:01.112Z] "GET /v1/orders/42?a=b HTTP/1.1" 200 - via_upstream - "-" 0 12 3 2 "-" )"
      R"("curl/8.5" "5f1c-1" "order-service.orders:80" "10.8.1.14:8080" inbound|8080|| 127.0.0.6:41011 )"
      R"(10.8.1.14:8080 10.8.2.21:45822 outbound_.80_._.order-service.orders.svc.cluster.local default)";
  const ParseOptions to{Format::EnvoyText, "orders/order-service"};
  LineOutcome o = parse_envoy_text_line(base, to);
  CHECK(o.kind == LineOutcome::Unread);
  CHECK(o.reason.find("no client identity") == 0);
  o = parse_envoy_text_line(base + " spiffe://cluster.local/ns/payments/sa/ps", to);
  REQUIRE(o.kind == LineOutcome::Request);
  CHECK(o.request.spec.to == "orders/order-service");
  CHECK(o.request.spec.port == 8080);
  CHECK(o.request.spec.request.principal == "cluster.local/ns/payments/sa/ps");
  CHECK(o.request.spec.request.method == "GET");
  CHECK(o.request.spec.request.path == "/v1/orders/42");
  CHECK(o.request.spec.request.host == "order-service.orders:80");
  CHECK(o.request.spec.request.source_ip == "10.8.2.21");
  CHECK(o.request.observed == Observed::Served);
  CHECK(parse_envoy_text_line(base + " -", {Format::EnvoyText, ""}).reason.find("no destination workload") == 0);
  CHECK(parse_envoy_text_line("[x] \"GET / HTTP/1.1\" 200", to).reason.find("3 fields") == 0);
  CHECK(parse_envoy_text_line("[x] \"GET / HTTP/1.1", to).reason == "unterminated quote or bracket");
}

TEST_CASE("replay: Hubble flows: ingress only, the source workload as caller, policy drops", "[replay]") {
  const ParseOptions hubble{Format::HubbleJson, ""};
  const std::string flow =
      R"({"flow":{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","traffic_direction":"INGRESS",)"
      R"("IP":{"source":"10.8.7.12","destination":"10.8.1.14"},"l4":{"TCP":{"destination_port":8080}},)"
      R"("source":{"namespace":"batch","workloads":[{"name":"reporter","kind":"Deployment"}]},)"
      R"("destination":{"namespace":"orders","workloads":[{"name":"order-service","kind":"Deployment"}]},)"
      R"("l7":{"http":{"method":"GET","url":"http://order-service.orders/v1/orders?x=1"}}}})";
  LineOutcome o = parse_hubble_line(flow, hubble);
  REQUIRE(o.kind == LineOutcome::Request);
  CHECK(o.request.spec.to == "orders/order-service");
  CHECK(o.request.spec.from == "batch/reporter");
  CHECK(o.request.spec.port == 8080);
  CHECK(o.request.spec.request.path == "/v1/orders");
  CHECK(o.request.spec.request.host == "order-service.orders");
  CHECK(o.request.observed == Observed::Denied);
  CHECK(parse_hubble_line(R"({"traffic_direction":"EGRESS"})", hubble).kind == LineOutcome::Ignored);
  CHECK(parse_hubble_line(R"({"is_reply":true,"traffic_direction":"INGRESS"})", hubble).kind == LineOutcome::Ignored);
  std::string no_source = flow;
  no_source.replace(no_source.find("\"batch\""), 7, "\"\"");
  CHECK(parse_hubble_line(no_source, hubble).reason.find("no source workload") == 0);
  std::string udp = flow;
  udp.replace(udp.find("TCP"), 3, "UDP");
  CHECK(parse_hubble_line(udp, hubble).reason.find("not a TCP flow") == 0);
}

TEST_CASE("replay: parse_log numbers lines, counts ignored ones and keeps unread ones", "[replay]") {
  const std::string log = json_line() + "\n\n{oops\n" +
                          json_line(R"(,"upstream_cluster":"outbound|80||pay.payments.svc.cluster.local")") + "\n";
  ParsedLog p = parse_log(log, kJson);
  REQUIRE(p.requests.size() == 1);
  CHECK(p.requests[0].line == 1);
  REQUIRE(p.unread.size() == 1);
  CHECK(p.unread[0].line == 3);
  CHECK(p.unread[0].text == "{oops");
  REQUIRE(p.ignored.size() == 1);
  CHECK(p.ignored.begin()->second == 1);
}

TEST_CASE("replay: field helpers", "[replay]") {
  CHECK(parse_log_address("[fd00::1]:8080")->ip == "fd00::1");
  CHECK(parse_log_address("[fd00::1]:8080")->port == 8080);
  CHECK(parse_log_address("10.0.0.1")->port == 0);
  CHECK_FALSE(parse_log_address("10.0.0.1:99999"));
  CHECK_FALSE(parse_log_address("-"));
  CHECK(*principal_of_uri_san("spiffe://td/ns/a/sa/b") == "td/ns/a/sa/b");
  CHECK_FALSE(principal_of_uri_san("spiffe://td/ns/a/sa/b,spiffe://td/ns/c/sa/d"));
  CHECK(path_without_query("/a?b#c") == "/a");
  CHECK(format_named("hubble-json") == Format::HubbleJson);
  CHECK_FALSE(format_named("ztunnel"));
}

}  // namespace meshproof::replay
