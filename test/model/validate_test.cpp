// Validation: one case per rule of Istio's admission (IS §9) that meshproof mirrors.
#include <catch2/catch.hpp>

#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::count;
using test::dump;
using test::model_from;

namespace {

// An AuthorizationPolicy foo/p with `spec` (indented by two spaces by the caller) and extra metadata lines.
std::string ap(const std::string& spec, const std::string& meta = "") {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: foo\n" +
         meta + "spec:\n" + spec;
}
std::string pa(const std::string& spec, const std::string& meta = "") {
  return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n  namespace: foo\n" + meta +
         "spec:\n" + spec;
}
std::string ra(const std::string& spec) {
  return "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: p\n  namespace: foo\n"
         "spec:\n" +
         spec;
}

// The Error diagnostics whose message contains `text` (and, when given, whose field is `field`).
size_t errors_with(const ResourceSet& s, const std::string& text, const std::string& field = "") {
  size_t n = 0;
  for (const auto& d : s.diagnostics)
    if (d.severity == Severity::Error && d.message.find(text) != std::string::npos &&
        (field.empty() || d.field == field))
      ++n;
  return n;
}
size_t warnings_with(const ResourceSet& s, const std::string& text) {
  size_t n = 0;
  for (const auto& d : s.diagnostics)
    if (d.severity == Severity::Warning && d.message.find(text) != std::string::npos) ++n;
  return n;
}

#define EXPECT_ERROR(yaml, text, field)                    \
  do {                                                     \
    auto r_ = model_from(yaml);                            \
    INFO(yaml << "\n--- diagnostics:\n" << dump(r_->set)); \
    REQUIRE(r_->errors.empty());                           \
    CHECK(errors_with(r_->set, text, field) >= 1);         \
  } while (0)

#define EXPECT_VALID(yaml)                                                                \
  do {                                                                                    \
    auto r_ = model_from(yaml);                                                           \
    INFO(yaml << "\n--- diagnostics:\n" << dump(r_->set));                                \
    REQUIRE(r_->errors.empty());                                                          \
    REQUIRE(r_->set.authorization_policies.size() + r_->set.peer_authentications.size() + \
                r_->set.request_authentications.size() ==                                 \
            1);                                                                           \
    CHECK(count(r_->set, Severity::Error) == 0);                                          \
  } while (0)

}  // namespace

TEST_CASE("AP: a full, valid policy has no diagnostics", "[model][validate]") {
  auto r = model_from(ap(R"(  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/default/sa/sleep"], notRequestPrincipals: ["*"]}
    - source: {namespaces: ["test"], ipBlocks: ["10.0.0.0/8", "::1"], notRemoteIpBlocks: ["2001:db8::/32"]}
    - source: {serviceAccounts: ["ns/sa", "sa"], trustDomains: ["*.td", "td*"]}
    to:
    - operation: {methods: ["GET"], paths: ["/info*", "/api/{*}/x", "/{**}/y"], ports: ["8080"], hosts: ["a.com"]}
    when:
    - {key: "request.auth.claims[iss]", values: ["https://accounts.google.com"]}
    - {key: source.ip, notValues: ["1.2.3.4"]}
    - {key: destination.port, values: ["80"]}
    - {key: "experimental.envoy.filters.a.b[c]", values: ["x"]}
    - {key: source.serviceAccount, values: ["ns/sa"]}
    - {key: source.trustDomain, values: ["td*"]}
)"));
  INFO(dump(r->set));
  CHECK(r->set.diagnostics.empty());
}

TEST_CASE("AP: serviceAccounts cannot be combined with principals or namespaces", "[model][validate]") {
  EXPECT_ERROR(ap("  rules: [{from: [{source: {serviceAccounts: [a], namespaces: [b]}}]}]\n"),
               "Cannot set serviceAccounts with namespaces or principals", "spec.rules[0].from[0].source");
  EXPECT_ERROR(ap("  rules: [{from: [{source: {notServiceAccounts: [a], notPrincipals: [b]}}]}]\n"),
               "Cannot set serviceAccounts with namespaces or principals", "");
  EXPECT_VALID(ap("  rules: [{from: [{source: {serviceAccounts: [a]}}, {source: {namespaces: [b]}}]}]\n"));
}

TEST_CASE("AP: CUSTOM rules", "[model][validate]") {
  EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {name: ext}\n"), "CUSTOM action without `rules`", "spec.rules");
  EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {name: ext}\n  rules: []\n"), "CUSTOM action without `rules`", "");
  EXPECT_ERROR(ap("  action: CUSTOM\n  rules: [{}]\n"), "`provider.name` must not be empty", "spec.provider.name");
  EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {}\n  rules: [{}]\n"), "`provider.name` must not be empty", "");
  for (const char* field :
       {"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
        "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains"}) {
    EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {name: ext}\n  rules: [{from: [{source: {" + std::string(field) +
                    ": [x]}}]}]\n"),
                 std::string(field) + " is currently not supported with CUSTOM action",
                 "spec.rules[0].from[0].source." + std::string(field));
  }
  for (const char* key : {"source.namespace", "source.principal", "source.serviceAccount", "source.trustDomain",
                          "request.auth.principal", "request.auth.claims[iss]"}) {
    EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {name: ext}\n  rules: [{when: [{key: \"" + std::string(key) +
                    "\", values: [x]}]}]\n"),
                 std::string(key) + " is currently not supported with CUSTOM action", "spec.rules[0].when[0].key");
  }
  EXPECT_VALID(
      ap("  action: CUSTOM\n  provider: {name: ext}\n  rules: [{from: [{source: {ipBlocks: [1.2.3.4]}}], "
         "to: [{operation: {paths: [/admin]}}], when: [{key: \"request.headers[x]\", values: [val]}]}]\n"));
}

TEST_CASE("AP: provider with a non-CUSTOM action", "[model][validate]") {
  EXPECT_ERROR(ap("  provider: {name: ext}\n  rules: [{}]\n"),
               "`provider` must not be with non CUSTOM action, found ALLOW", "spec.provider");
  EXPECT_ERROR(ap("  action: DENY\n  provider: {name: ext}\n  rules: [{}]\n"), "found DENY", "spec.provider");
}

TEST_CASE("AP: DENY needs rules, ALLOW and AUDIT do not", "[model][validate]") {
  EXPECT_ERROR(ap("  action: DENY\n"), "DENY action without `rules` is meaningless", "spec.rules");
  EXPECT_ERROR(ap("  action: DENY\n  rules: []\n"), "DENY action without `rules` is meaningless", "spec.rules");
  EXPECT_VALID(ap("  action: ALLOW\n"));
  EXPECT_VALID(ap("  action: AUDIT\n"));
  EXPECT_VALID(ap("  {}\n"));
  EXPECT_VALID("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: nn, namespace: x}\n");
}

TEST_CASE("AP: action outside the enum", "[model][validate]") {
  auto r = model_from(ap("  action: DENNY\n  rules: [{}]\n"));
  INFO(dump(r->set));
  REQUIRE(errors_with(r->set, "Unsupported value: \"DENNY\"", "spec.action") == 1);
  CHECK(test::find_diag(r->set, "Unsupported value")->help.find("did you mean DENY?") == 0);
  CHECK(test::find_diag(r->set, "Unsupported value")->loc.line == 7);
  EXPECT_ERROR(ap("  action: deny\n  rules: [{}]\n"), "Unsupported value: \"deny\"", "spec.action");
}

TEST_CASE("AP: the istio.io/dry-run annotation", "[model][validate]") {
  auto meta = [](const std::string& v) { return "  annotations: {istio.io/dry-run: \"" + v + "\"}\n"; };
  EXPECT_VALID(ap("  rules: [{}]\n", meta("true")));
  EXPECT_VALID(ap("  action: DENY\n  rules: [{}]\n", meta("F")));
  EXPECT_ERROR(ap("  action: DENY\n  rules: [{}]\n", meta("maybe")), "istio.io/dry-run has invalid value \"maybe\"",
               "metadata.annotations[istio.io/dry-run]");
  EXPECT_ERROR(ap("  action: AUDIT\n  rules: [{}]\n", meta("true")),
               "only supports action ALLOW/DENY, found action AUDIT", "");
  EXPECT_ERROR(ap("  action: CUSTOM\n  provider: {name: x}\n  rules: [{}]\n", meta("false")),
               "only supports action ALLOW/DENY, found action CUSTOM", "");
  EXPECT_ERROR(pa("  mtls: {mode: STRICT}\n", meta("true")), "unsupported annotation istio.io/dry-run",
               "metadata.annotations");
  EXPECT_ERROR(ap("  rules: [{}]\n", "  annotations: {internal.istio.io/webhook-always-reject: \"\"}\n"),
               "annotation found, rejecting", "");
}

TEST_CASE("AP: selector rules", "[model][validate]") {
  EXPECT_ERROR(ap("  selector: {matchLabels: {\"\": x}}\n"), "empty key is not supported in selector", "");
  EXPECT_ERROR(ap("  selector: {matchLabels: {app: \"web*\"}}\n"), "wildcard is not supported in selector",
               "spec.selector.matchLabels[app]");
  EXPECT_ERROR(ap("  selector: {matchLabels: {\"app*\": web}}\n"), "wildcard is not supported in selector", "");
  EXPECT_ERROR(ap("  selector: {matchLabels: {app: " + std::string(64, 'a') + "}}\n"), "at most 63 are allowed", "");
  EXPECT_VALID(ap("  selector: {matchLabels: {app: " + std::string(63, 'a') + "}}\n"));
  for (const char* empty : {"  selector: {}\n", "  selector: {matchLabels: {}}\n"}) {
    auto r = model_from(ap(empty));
    INFO(empty << dump(r->set));
    CHECK(count(r->set, Severity::Error) == 0);
    CHECK(warnings_with(r->set, "workload selector specified without labels") == 1);
  }
}

TEST_CASE("AP: only one of selector, targetRef, targetRefs", "[model][validate]") {
  const std::string sel = "  selector: {matchLabels: {a: b}}\n";
  const std::string ref = "  targetRef: {kind: Service, group: \"\", name: s}\n";
  const std::string refs = "  targetRefs: [{kind: Service, group: \"\", name: s}]\n";
  EXPECT_ERROR(ap(sel + ref), "only one of targetRefs or selector can be set", "spec");
  EXPECT_ERROR(ap(sel + refs), "only one of targetRefs or selector can be set", "spec");
  EXPECT_ERROR(ap(ref + refs), "only one of targetRefs or selector can be set", "spec");
  EXPECT_VALID(ap(ref));
  EXPECT_VALID(ap(refs));
  EXPECT_VALID(
      ap("  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: g}, "
         "{kind: ServiceEntry, group: networking.istio.io, name: se}, "
         "{kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint}]\n"));
}

TEST_CASE("AP/RA: targetRef rules", "[model][validate]") {
  EXPECT_ERROR(ap("  targetRef: {kind: Service, group: \"\"}\n"), "targetRef name must be set", "spec.targetRef.name");
  EXPECT_ERROR(ap("  targetRef: {kind: Service, group: \"\", name: s, namespace: bar}\n"),
               "cross namespace referencing is not currently supported", "spec.targetRef.namespace");
  EXPECT_ERROR(ap("  targetRefs: [{kind: Service, group: \"__\", name: s}]\n"), "is not a valid API group name",
               "spec.targetRefs[0].group");
  EXPECT_ERROR(ap("  targetRef: {kind: Serv_ice, group: \"\", name: s}\n"), "is not a valid kind name",
               "spec.targetRef.kind");
  EXPECT_ERROR(ap("  targetRef: {kind: Deployment, group: apps, name: s}\n"), "targetRef must be to one of",
               "spec.targetRef");
  EXPECT_ERROR(ap("  targetRef: {group: \"\", name: s}\n"), "targetRef kind must be set", "spec.targetRef.kind");
  std::string many = "  targetRefs:\n";
  for (int i = 0; i < 17; ++i) many += "  - {kind: Service, group: \"\", name: s" + std::to_string(i) + "}\n";
  EXPECT_ERROR(ap(many), "at most 16 are allowed", "spec.targetRefs");
}

TEST_CASE("AP: from/to/source/operation presence", "[model][validate]") {
  // `from: []` decodes to an absent list in Istio's protobuf types, so it is not rejected.
  EXPECT_VALID(ap("  rules: [{from: [], to: []}]\n"));
  EXPECT_ERROR(ap("  rules: [{from: [{}]}]\n"), "`from.source` must not be nil", "spec.rules[0].from[0].source");
  EXPECT_ERROR(ap("  rules: [{from: [{source: {}}]}]\n"), "`from.source` must not be empty",
               "spec.rules[0].from[0].source");
  EXPECT_ERROR(ap("  rules: [{from: [~]}]\n"), "`from` must not be nil", "spec.rules[0].from[0]");
  EXPECT_ERROR(ap("  rules: [{to: [{}]}]\n"), "`to.operation` must not be nil", "spec.rules[0].to[0].operation");
  EXPECT_ERROR(ap("  rules: [{to: [{operation: {}}]}]\n"), "`to.operation` must not be empty", "");
  EXPECT_ERROR(ap("  rules: [{to: [~]}]\n"), "`to` must not be nil", "spec.rules[0].to[0]");
  EXPECT_ERROR(ap("  rules: [~]\n"), "`rule` must not be nil", "spec.rules[0]");
  EXPECT_ERROR(ap("  rules: [{}, {when: [~]}]\n"), "when field cannot be nil", "spec.rules[1].when[0]");
  // a source with only trust domains is not empty
  EXPECT_VALID(ap("  rules: [{from: [{source: {notTrustDomains: [x]}}]}]\n"));
}

TEST_CASE("AP: empty strings in any value list", "[model][validate]") {
  const char* source_fields[] = {"principals",     "notPrincipals",     "requestPrincipals", "notRequestPrincipals",
                                 "namespaces",     "notNamespaces",     "ipBlocks",          "notIpBlocks",
                                 "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts",   "notServiceAccounts",
                                 "trustDomains",   "notTrustDomains"};
  for (const char* f : source_fields)
    EXPECT_ERROR(ap("  rules: [{from: [{source: {" + std::string(f) + ": [\"\"]}}]}]\n"), "empty value not allowed",
                 "spec.rules[0].from[0].source." + std::string(f) + "[0]");
  const char* op_fields[] = {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"};
  for (const char* f : op_fields)
    EXPECT_ERROR(ap("  rules: [{to: [{operation: {" + std::string(f) + ": [ok, \"\"]}}]}]\n"),
                 "empty value not allowed", "spec.rules[0].to[0].operation." + std::string(f) + "[1]");
  EXPECT_ERROR(ap("  rules: [{when: [{key: \"request.headers[x]\", values: [\"\"]}]}]\n"), "empty value not allowed",
               "spec.rules[0].when[0].values[0]");
  EXPECT_ERROR(ap("  rules: [{when: [{key: source.namespace, notValues: [\"\"]}]}]\n"), "empty value not allowed",
               "spec.rules[0].when[0].notValues[0]");
}

TEST_CASE("AP: IPs and CIDRs parse as Go's netip does", "[model][validate]") {
  for (const char* bad : {"1.2.3.4/33", "999.1.1.1", "01.2.3.4", "1.2.3", "::1/129", "fe80::1%eth0/64", "1.2.3.4/08",
                          "10.0.0.0/", "a.b.c.d", "1:2:3:4:5:6:7:8:9", "1::2::3", "localhost"}) {
    EXPECT_ERROR(ap("  rules: [{from: [{source: {ipBlocks: [\"" + std::string(bad) + "\"]}}]}]\n"), "bad ",
                 "spec.rules[0].from[0].source.ipBlocks[0]");
  }
  for (const char* good : {"1.2.3.4", "0.0.0.0/0", "10.0.0.1/8", "::", "::1", "::ffff:1.2.3.4", "2001:db8::/32",
                           "fe80::1%eth0", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4/128"}) {
    EXPECT_VALID(ap("  rules: [{from: [{source: {remoteIpBlocks: [\"" + std::string(good) + "\"]}}]}]\n"));
  }
  EXPECT_ERROR(ap("  rules: [{when: [{key: destination.ip, values: [\"300.0.0.1\"]}]}]\n"), "bad IP address",
               "spec.rules[0].when[0].values[0]");
  EXPECT_ERROR(ap("  rules: [{when: [{key: remote.ip, notValues: [\"1.1.1.1/40\"]}]}]\n"), "bad CIDR range",
               "spec.rules[0].when[0].notValues[0]");
}

TEST_CASE("AP: ports are unsigned integers up to 65535", "[model][validate]") {
  for (const char* bad : {"65536", "-1", "+80", "80-90", "http", " 80", "1_000", "0x50"})
    EXPECT_ERROR(ap("  rules: [{to: [{operation: {ports: [\"" + std::string(bad) + "\"]}}]}]\n"), "bad port",
                 "spec.rules[0].to[0].operation.ports[0]");
  EXPECT_VALID(ap("  rules: [{to: [{operation: {ports: [\"0\", \"65535\"], notPorts: [\"080\"]}}]}]\n"));
  EXPECT_ERROR(ap("  rules: [{when: [{key: destination.port, values: [\"x\"]}]}]\n"), "bad port", "");
}

TEST_CASE("AP: serviceAccounts and trustDomains formats", "[model][validate]") {
  for (const char* bad : {"*", "ns/*", "a/b/c", "/b", "a/"})
    EXPECT_ERROR(ap("  rules: [{from: [{source: {serviceAccounts: [\"" + std::string(bad) + "\"]}}]}]\n"),
                 "invalid service account", "spec.rules[0].from[0].source.serviceAccounts[0]");
  EXPECT_ERROR(ap("  rules: [{from: [{source: {serviceAccounts: [\"" + std::string(321, 's') + "\"]}}]}]\n"),
               "longer than 320", "");
  std::string many = "[";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + "sa" + std::to_string(i);
  EXPECT_ERROR(ap("  rules: [{from: [{source: {notServiceAccounts: " + many + "]}}]}]\n"), "at most 16 are allowed",
               "spec.rules[0].from[0].source.notServiceAccounts");
  EXPECT_ERROR(ap("  rules: [{when: [{key: source.serviceAccount, values: [\"a/*\"]}]}]\n"), "invalid service account",
               "spec.rules[0].when[0].values[0]");
  for (const char* bad : {"a*b", "**", "*a*", "td/x"})
    EXPECT_ERROR(ap("  rules: [{from: [{source: {trustDomains: [\"" + std::string(bad) + "\"]}}]}]\n"),
                 "invalid trust domain", "spec.rules[0].from[0].source.trustDomains[0]");
  EXPECT_ERROR(ap("  rules: [{when: [{key: source.trustDomain, notValues: [\"a*b\"]}]}]\n"), "invalid trust domain",
               "");
  EXPECT_VALID(ap("  rules: [{from: [{source: {trustDomains: [\"*\", \"*.td\", \"td*\", cluster.local]}}]}]\n"));
}

TEST_CASE("AP: path templates", "[model][validate]") {
  for (const char* bad :
       {"/a/{*}.txt", "/{**}/{*}", "/{**}/{**}", "/a/*/{*}", "/{name}/{*}", "/a//{*}", "/x/{*}/", "/{*}/b{*}"})
    EXPECT_ERROR(ap("  rules: [{to: [{operation: {paths: [\"" + std::string(bad) + "\"]}}]}]\n"),
                 "invalid or unsupported path template", "spec.rules[0].to[0].operation.paths[0]");
  EXPECT_ERROR(ap("  rules: [{to: [{operation: {notPaths: [\"/a/{*}/{name}\"]}}]}]\n"),
               "invalid or unsupported path template", "spec.rules[0].to[0].operation.notPaths[0]");
  // Without {*} or {**} a path is a plain exact/prefix/suffix value, whatever it contains.
  EXPECT_VALID(
      ap("  rules: [{to: [{operation: {paths: [\"/a/{*}/b\", \"/{**}/x\", \"/a/{**}\", \"/{*}\", \"/a/*\", "
         "\"/{name}\", \"*/x/*\", \"/v1/{*}/items:list@x=1\"]}}]}]\n"));
}

TEST_CASE("AP: when conditions", "[model][validate]") {
  EXPECT_ERROR(ap("  rules: [{when: [{key: \"\", values: [x]}]}]\n"), "`key` must not be empty",
               "spec.rules[0].when[0].key");
  EXPECT_ERROR(ap("  rules: [{when: [{values: [x]}]}]\n"), "`key` must not be empty", "");
  EXPECT_ERROR(ap("  rules: [{when: [{key: source.ip}]}]\n"), "at least one of `values` or `notValues` must be set",
               "spec.rules[0].when[0]");
  EXPECT_ERROR(ap("  rules: [{when: [{key: source.ip, values: []}]}]\n"), "at least one of `values`", "");
  EXPECT_ERROR(ap("  rules: [{when: [{key: custom.time_of_day, values: [x]}]}]\n"),
               "unknown attribute: custom.time_of_day", "spec.rules[0].when[0].key");
  EXPECT_ERROR(ap("  rules: [{when: [{key: \"destination.labels[app]\", values: [x]}]}]\n"),
               "is replaced by the workload selector", "");
  EXPECT_ERROR(ap("  rules: [{when: [{key: destination.namespace, values: [x]}]}]\n"),
               "replaced by the metadata.namespace", "");
  EXPECT_ERROR(ap("  rules: [{when: [{key: destination.user, values: [x]}]}]\n"), "only supported in v1alpha1", "");
  EXPECT_ERROR(ap("  rules: [{when: [{key: destination.name, values: [x]}]}]\n"), "only supported in v1alpha1", "");
  for (const char* bad : {"request.headers", "request.headers[]", "[x]", "request.auth.claims", "request.auth.claims[a",
                          "experimental.envoy.filters.a"})
    EXPECT_ERROR(ap("  rules: [{when: [{key: \"" + std::string(bad) + "\", values: [x]}]}]\n"),
                 "invalid `when` condition", "");
  // Istio tests the prefix only: this passes validation (the builder then rejects it, IS §6).
  EXPECT_VALID(ap("  rules: [{when: [{key: \"request.headersX[y]\", values: [x]}]}]\n"));
  for (const char* good : {"source.namespace", "source.principal", "request.auth.principal", "request.auth.audiences",
                           "request.auth.presenter", "connection.sni", "request.auth.claims[a][b]"})
    EXPECT_VALID(ap("  rules: [{when: [{key: \"" + std::string(good) + "\", values: [x]}]}]\n"));
}

TEST_CASE("AP: the DENY warning for rules with only HTTP attributes, with Istio's exact trigger", "[model][validate]") {
  const std::string w = "will deny all traffic to TCP ports";
  auto warns = [&](const std::string& rules, const std::string& action = "DENY") {
    auto r = model_from(ap("  action: " + action + "\n  rules:\n" + rules));
    INFO(rules << dump(r->set));
    CHECK(count(r->set, Severity::Error) == 0);
    return warnings_with(r->set, w);
  };
  CHECK(warns("  - from: [{source: {requestPrincipals: [\"*\"]}}]\n") == 1);  // L7DenyWithFrom
  CHECK(warns("  - to: [{operation: {methods: [GET]}}]\n") == 1);             // L7DenyWithTo
  CHECK(warns("  - from: [{source: {requestPrincipals: [a]}}]\n    to: [{operation: {methods: [GET]}}]\n") == 1);
  CHECK(warns("  - from: [{source: {requestPrincipals: [a]}}]\n    to: [{operation: {methods: [GET], ports: "
              "[\"80\"]}}]\n") == 0);  // L7DenyWithFromAndToWithPort
  CHECK(warns("  - from: [{source: {namespaces: [a]}}]\n") == 0);
  CHECK(warns("  - from: [{source: {namespaces: [a]}}]\n    to: [{operation: {paths: [/x]}}]\n") == 1);
  // Istio's TCP-field list leaves out trustDomains, and the trigger ignores `when` (IS §7).
  CHECK(warns("  - from: [{source: {trustDomains: [td]}}]\n") == 1);
  CHECK(warns("  - when: [{key: \"request.headers[x]\", values: [val]}]\n") == 0);
  CHECK(warns("  - {}\n") == 0);
  CHECK(warns("  - to: [{operation: {methods: [GET]}}]\n", "ALLOW") == 0);
  CHECK(warns("  - to: [{operation: {methods: [GET]}}]\n  - to: [{operation: {hosts: [a]}}]\n") == 2);
}

TEST_CASE("PA: rules", "[model][validate]") {
  EXPECT_VALID(
      pa("  selector: {matchLabels: {app: a}}\n  mtls: {mode: PERMISSIVE}\n  portLevelMtls: {80: {mode: STRICT}}\n"));
  EXPECT_ERROR(pa("  mtls: {mode: BLAH}\n"), "Unsupported value: \"BLAH\"", "spec.mtls.mode");
  EXPECT_ERROR(pa("  mtls: {mode: strict}\n"), "Unsupported value: \"strict\"", "spec.mtls.mode");
  EXPECT_ERROR(pa("  portLevelMtls: {80: {mode: STRICT}}\n"), "portLevelMtls requires selector", "spec.portLevelMtls");
  EXPECT_ERROR(pa("  selector: {}\n  portLevelMtls: {80: {mode: STRICT}}\n"), "portLevelMtls requires selector", "");
  EXPECT_ERROR(pa("  selector: {matchLabels: {}}\n  portLevelMtls: {80: {mode: STRICT}}\n"), "requires selector", "");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: b}}\n  portLevelMtls: {}\n"), "must have at least one port", "");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: b}}\n  portLevelMtls: {acd: {mode: STRICT}}\n"),
               "type conversion error from \"acd\"", "spec.portLevelMtls[acd]");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: b}}\n  portLevelMtls: {0: {mode: STRICT}}\n"),
               "port must be between 1-65535", "spec.portLevelMtls[0]");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: b}}\n  portLevelMtls: {65536: {mode: STRICT}}\n"),
               "port must be between 1-65535", "");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: b}}\n  portLevelMtls: {80: {mode: Strict}}\n"),
               "Unsupported value: \"Strict\"", "spec.portLevelMtls[80].mode");
  EXPECT_ERROR(pa("  selector: {matchLabels: {a: \"*\"}}\n"), "wildcard is not supported in selector", "");
  auto r = model_from(pa("  selector: {}\n  mtls: {mode: STRICT}\n"));
  CHECK(count(r->set, Severity::Error) == 0);
  CHECK(warnings_with(r->set, "workload selector specified without labels") == 1);
}

TEST_CASE("RA: selector and targetRef rules", "[model][validate]") {
  EXPECT_ERROR(ra("  targetRefs: [{group: \"\", kind: Service, name: foo}]\n  targetRef: {group: \"\", kind: Service, "
                  "name: foo}\n"),
               "only one of targetRefs or selector can be set", "spec");
  EXPECT_ERROR(ra("  selector: {matchLabels: {a: b}}\n  targetRef: {group: \"\", kind: Service, name: foo}\n"),
               "only one of targetRefs or selector can be set", "spec");
  EXPECT_ERROR(ra("  targetRef: {group: \"\", kind: Service}\n"), "targetRef name must be set", "spec.targetRef.name");
  EXPECT_ERROR(ra("  selector: {matchLabels: {\"\": b}}\n"), "empty key", "");
}

TEST_CASE("RA: jwtRules", "[model][validate]") {
  EXPECT_VALID(ra("  jwtRules:\n  - issuer: example.com\n    jwksUri: HTTPS://example.com/jwks\n    timeout: 1m\n"));
  EXPECT_VALID(ra("  jwtRules: [{jwksUri: \"http://example.com:8080/jwks\"}]\n"));  // jwksUri alone is enough
  EXPECT_ERROR(ra("  jwtRules:\n  -\n"), "jwtRules item must be an object", "spec.jwtRules[0]");
  EXPECT_ERROR(ra("  jwtRules: [{audiences: [a]}]\n"), "issuer or jwksUri must be non-empty string",
               "spec.jwtRules[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: \"\", jwksUri: \"https://x\"}]\n"), "issuer must not be empty",
               "spec.jwtRules[0].issuer");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, audiences: [\"\"]}]\n"), "empty value not allowed",
               "spec.jwtRules[0].audiences[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwksUri: \"hTPp\\\\\\\\blah\"}]\n"), "url must have scheme",
               "spec.jwtRules[0].jwksUri");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwksUri: \"ftp://x/jwks\"}]\n"), "URI scheme \"ftp\" is not supported", "");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwksUri: \"https://x:abc/jwks\"}]\n"), "invalid port", "");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwksUri: \"https://x\", jwks: \"{}\"}]\n"), "only one of jwks or jwksUri",
               "spec.jwtRules[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwksUri: \"https://x\", jwks_uri: \"https://x\"}]\n"),
               "only one of jwks or jwksUri", "");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwks: \"not json\"}]\n"), "jwks parse error", "spec.jwtRules[0].jwks");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, jwks: '{\"keys\": [{\"kty\": \"XYZ\"}]}'}]\n"), "unsupported key type", "");
  {
    auto r =
        model_from(ra("  jwtRules: [{issuer: a, jwks: '{\"keys\": [{\"kty\": \"RSA\", \"n\": \"x\", \"e\": \"AQAB\", "
                      "\"d\": \"secret\"}]}'}]\n"));
    INFO(dump(r->set));
    CHECK(count(r->set, Severity::Error) == 0);
    CHECK(warnings_with(r->set, "private key material") == 1);
  }
  EXPECT_VALID(
      ra("  jwtRules: [{issuer: a, jwks: '{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"a\", "
         "\"y\": \"b\"}]}'}]\n"));
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, fromHeaders: [{prefix: baz}]}]\n"),
               "location header name must be non-empty", "spec.jwtRules[0].fromHeaders[0].name");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, fromHeaders: [{name: \"\"}]}]\n"), "location header name", "");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, fromParams: [\"\"]}]\n"), "empty value not allowed",
               "spec.jwtRules[0].fromParams[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, fromCookies: [\"\"]}]\n"), "empty value not allowed",
               "spec.jwtRules[0].fromCookies[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, spaceDelimitedClaims: [\"\"]}]\n"), "empty value not allowed",
               "spec.jwtRules[0].spaceDelimitedClaims[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, outputClaimToHeaders: [~]}]\n"), "expected map, found null",
               "spec.jwtRules[0].outputClaimToHeaders[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, fromHeaders: [~]}]\n"), "expected map, found null",
               "spec.jwtRules[0].fromHeaders[0]");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, outputClaimToHeaders: [{claim: \"\", header: h}]}]\n"),
               "header and claim value must be non-empty", "spec.jwtRules[0].outputClaimToHeaders[0].claim");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, outputClaimToHeaders: [{claim: x, header: \"\"}]}]\n"),
               "header and claim value must be non-empty", "spec.jwtRules[0].outputClaimToHeaders[0].header");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, outputClaimToHeaders: [{claim: x, header: \":authority\"}]}]\n"),
               "is not a valid header name", "spec.jwtRules[0].outputClaimToHeaders[0].header");
  for (const char* bad : {"apple", "0.5ms", "0s", "-1s", "5"})
    EXPECT_ERROR(ra("  jwtRules: [{issuer: a, timeout: \"" + std::string(bad) + "\"}]\n"),
                 "must be a valid duration greater than 1ms", "spec.jwtRules[0].timeout");
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, timeout: 1500us}]\n"), "only durations to ms precision", "");
  for (const char* good : {"5s", "300ms", "1.5s", "1h2m", "1ms"})
    EXPECT_VALID(ra("  jwtRules: [{issuer: a, timeout: \"" + std::string(good) + "\"}]\n"));
  EXPECT_ERROR(ra("  jwtRules: [{issuer: a, presence: MANDATORY}]\n"), "Unsupported value: \"MANDATORY\"",
               "spec.jwtRules[0].presence");
  EXPECT_VALID(ra("  jwtRules: [{issuer: a, presence: OPTIONAL}]\n"));
}

// Objects defined twice are not invalid: the last copy is in force (model/apply.h, test/model/apply_test.cpp).
TEST_CASE("an object defined twice is not a validation error", "[model][validate]") {
  auto r = model_from(ap("  {}\n") + "---\n" + ap("  {}\n"));
  INFO(dump(r->set));
  CHECK(r->set.diagnostics.empty());
  CHECK(r->set.authorization_policies.size() == 2);
}
