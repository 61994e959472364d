// Reading Linkerd's policy kinds and what Linkerd's admission webhook rejects (model/linkerd_policy.h;
// docs/semantics.md#linkerd-policy LK5-LK9).
#include <catch2/catch.hpp>

#include <memory>

#include "load/loader.h"
#include "model/linkerd_policy.h"
#include "test_support.h"
#include "app/pipeline.h"

using namespace meshproof;

namespace {

struct LinkerdRun {
  SourceSet sources;
  model::LinkerdPolicySet set;
};

std::unique_ptr<LinkerdRun> linkerd_from(const std::string& yaml) {
  auto r = std::make_unique<LinkerdRun>();
  uint32_t id = r->sources.add(SourceFile{"t.yaml", "t.yaml", std::make_shared<const std::string>(yaml)});
  load::Loader loader(r->sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  loader.parse_text(
      id, yaml, [&](load::Document&& d) { model::add_linkerd_document(d, r->set, "default"); }, errors, notes);
  REQUIRE(errors.empty());
  return r;
}

std::vector<std::string> linkerd_errors(const std::string& yaml) {
  const auto run = linkerd_from(yaml);
  std::vector<std::string> out;
  for (const auto& d : run->set.diagnostics)
    if (d.severity == Severity::Error) out.push_back(d.field + ": " + d.message);
  return out;
}

const char* kValid = R"(apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web, namespace: ns, labels: {tier: front}}
spec:
  podSelector: {matchLabels: {app: web}}
  port: http
  proxyProtocol: HTTP/1
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: web-public, namespace: ns}
spec:
  server: {selector: {matchLabels: {tier: front}}}
  client:
    meshTLS: {serviceAccounts: [{name: api}], identities: ["*.ns.serviceaccount.identity.linkerd.cluster.local"]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: web-authz, namespace: ns}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: web}
  requiredAuthenticationRefs:
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: meshed}
  - {group: policy.linkerd.io, kind: NetworkAuthentication, name: pods}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: meshed, namespace: ns}
spec: {identityRefs: [{kind: Namespace, name: ns}, {kind: ServiceAccount, name: web, namespace: other}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: pods}
spec: {networks: [{cidr: 10.0.0.0/8, except: [10.0.66.0/24]}]}
)";

}  // namespace

TEST_CASE("model: Linkerd policy kinds are read with their fields", "[model][linkerd]") {
  const auto run = linkerd_from(kValid);
  const model::LinkerdPolicySet& s = run->set;
  INFO(s.diagnostics.size());
  CHECK(s.diagnostics.empty());
  REQUIRE(s.servers.size() == 1);
  CHECK(s.servers[0].port_name == "http");
  CHECK(s.servers[0].access_policy == "deny");  // the CRD's default (L4)
  CHECK(s.servers[0].pod_selector.matches({{"app", "web"}, {"x", "y"}}));
  CHECK(s.servers[0].meta.loc.line == 3);
  REQUIRE(s.server_authorizations.size() == 1);
  CHECK(s.server_authorizations[0].server_selector.matches(s.servers[0].meta.labels));
  REQUIRE(s.server_authorizations[0].service_accounts.size() == 1);
  CHECK(s.server_authorizations[0].service_accounts[0].ns == "ns");  // defaults to the object's namespace
  REQUIRE(s.authorization_policies.size() == 1);
  CHECK(s.authorization_policies[0].authentications.size() == 2);
  REQUIRE(s.meshtls_authentications.size() == 1);
  CHECK(s.meshtls_authentications[0].identity_refs.size() == 2);
  REQUIRE(s.network_authentications.size() == 1);
  CHECK(s.network_authentications[0].meta.ns == "default");
  CHECK(s.network_authentications[0].networks[0].except[0].value == "10.0.66.0/24");
  CHECK(s.object_count() == 5);
}

TEST_CASE("model: Linkerd admission rejects what admission.rs rejects", "[model][linkerd]") {
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web, namespace: ns}
spec: {podSelector: {}, port: 8080, accessPolicy: allow-all})") ==
        std::vector<std::string>{
            "spec.accessPolicy: Invalid 'accessPolicy' field: \"allow-all\" is not a default policy"});
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: a, namespace: ns}
spec:
  targetRef: {kind: Namespace, name: other}
  requiredAuthenticationRefs:
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: m1}
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: m2})") ==
        std::vector<std::string>{"spec.targetRef.name: cannot target another namespace: other",
                                 "spec.requiredAuthenticationRefs: only a single MeshTLSAuthentication may be set"});
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: a, namespace: ns}
spec:
  targetRef: {group: apps, kind: Deployment, name: web}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: a}, {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: m}])") ==
        std::vector<std::string>{
            "spec.targetRef: unsupported authorization target type: apps/Deployment",
            "spec.requiredAuthenticationRefs: a MeshTLSAuthentication and ServiceAccount may not be set together"});
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: nets, namespace: ns}
spec: {networks: [{cidr: 10.0.0.0/16, except: [10.1.0.0/24]}, {cidr: 10.0.0.0/24, except: [10.0.0.0/8]}]})") ==
        std::vector<std::string>{
            "spec.networks[0].except[0]: cidr '10.0.0.0/16' does not include exception '10.1.0.0/24'",
            "spec.networks[1].except[0]: cidr '10.0.0.0/24' is completely negated by exception '10.0.0.0/8'"});
  CHECK(
      linkerd_errors(R"(apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: m, namespace: ns}
spec: {identities: ["system.local.*", "spiffe://td/ns/a/sa/b"], identityRefs: [{kind: Namespace, name: x, namespace: other}]})") ==
      std::vector<std::string>{
          "spec: a MeshTLSAuthentication needs exactly one of identities and identityRefs, not empty",
          "spec.identities[0]: id system.local.* is invalid: identity must be a valid SPIFFE id or a DNS SAN, matching "
          "the regex: ^(\\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
          "spec.identityRefs: Namespace identity_ref is cluster-scoped and cannot have a namespace"});
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: s, namespace: ns}
spec: {server: {name: web}, client: {unauthenticated: true, meshTLS: {unauthenticatedTLS: true, identities: ["*"]}}})") ==
        std::vector<std::string>{
            "spec.client.unauthenticated: `unauthenticated` must be false if `mesh_tls` is specified",
            "spec.client.meshTLS.unauthenticatedTLS: `unauthenticatedTLS` be false if any "
            "`identities` or `service_accounts` is specified"});
}

TEST_CASE("model: a rejected Linkerd object leaves the set with file:line:col", "[model][linkerd]") {
  auto run = linkerd_from(std::string(kValid) + R"(---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: bad, namespace: ns}
spec: {podSelector: {}, port: 80, accessPolicy: nope})");
  for (const auto& d : run->set.diagnostics) UNSCOPED_INFO(run->sources.describe(d.loc) << " " << d.message);
  REQUIRE(run->set.diagnostics.size() == 1);
  CHECK(run->sources.describe(run->set.diagnostics[0].loc) == "t.yaml:39:35");
  model::LinkerdPolicySet rejected = model::take_rejected_linkerd(run->set);
  CHECK(rejected.servers.size() == 1);
  CHECK(run->set.servers.size() == 1);
  CHECK(run->set.servers[0].meta.name == "web");
}

TEST_CASE("model: Linkerd identity syntax follows validation.rs", "[model][linkerd]") {
  CHECK(model::is_linkerd_policy_kind("policy.linkerd.io", "Server"));
  CHECK(model::is_linkerd_policy_kind("policy.linkerd.io", "HTTPRoute"));  // LK30
  CHECK_FALSE(model::is_linkerd_policy_kind("policy.linkerd.io", "EgressNetwork"));
  CHECK(model::valid_linkerd_default_policy("cluster-authenticated"));
  CHECK_FALSE(model::valid_linkerd_default_policy("allow"));
}

TEST_CASE("model: Linkerd HTTPRoutes of both groups are read, and admission rejects bad matches (LK30)",
          "[model][linkerd]") {
  auto run = linkerd_from(R"(apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: a, namespace: ns}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web}]
  rules: [{matches: [{path: {type: Exact, value: /x}, method: GET, queryParams: [{name: q, value: v}]}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: ns}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: istio-route, namespace: ns}
spec:
  parentRefs: [{name: gw}])");
  REQUIRE(run->set.http_routes.size() == 2);  // the Gateway-parented route is Istio's, not Linkerd's
  CHECK(run->set.http_routes[0].rules[0].matches[0].path_value == "/x");
  CHECK(run->set.http_routes[0].query_param_matches.size() == 1);
  CHECK(run->set.http_routes[1].rules.size() == 1);  // the CRD default rule: PathPrefix "/"
  CHECK(run->set.diagnostics.empty());
  CHECK(linkerd_errors(R"(apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: bad, namespace: ns}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: api}
      method: FETCH
    - path: {type: RegularExpression, value: "/a(b"}
      headers: [{name: x, type: RegularExpression, value: "("}])") ==
        std::vector<std::string>{
            "spec.rules[0].matches[0].path.value: HttpPathMatch paths must be absolute (begin with `/`); \"api\" is "
            "not an absolute path",
            "spec.rules[0].matches[0].method: method \"FETCH\" is not an HTTP method the CRD allows",
            "spec.rules[0].matches[1].path.value: path regex \"/a(b\" does not compile: missing ): /a(b",
            "spec.rules[0].matches[1].headers[0].value: header regex \"(\" does not compile: missing ): ("});
}

TEST_CASE("model: an HTTPRoute's hostnames and queryParams are listed as not analyzed, with their location",
          "[model][linkerd]") {
  auto in = test::load_yaml(R"(apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: web-http}]
  hostnames: [api.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}, queryParams: [{name: v, value: "2"}]}]}]
)");
  REQUIRE(in->not_analyzed.size() == 2);
  CHECK(in->not_analyzed[0].part.rfind("spec.hostnames: not modelled", 0) == 0);
  CHECK(in->not_analyzed[0].loc.line == 6);
  CHECK(in->not_analyzed[1].part.rfind("queryParams: not modelled", 0) == 0);
  CHECK(in->not_analyzed[1].loc.line == 7);
  CHECK(in->not_analyzed[1].system == "Linkerd");
}
