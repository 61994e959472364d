// Parsing documents into typed resources: every kind, List expansion, skipped documents, Kubernetes
// typing of YAML scalars (with exact positions and field paths), unknown fields, duplicate keys, and the
// mesh config.
#include <catch2/catch.hpp>

#include "model/resource_merge.h"
#include "model_test_util.h"
#include "test_support.h"

using namespace meshproof;
using namespace meshproof::model;
using test::count;
using test::dump;
using test::find_diag;
using test::model_from;

TEST_CASE("workload kinds: pod template labels, annotations, service account, container ports", "[model][parse]") {
  auto r = model_from(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, version: v1}
      annotations: {sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: web-sa
      containers:
      - name: c
        ports:
        - {name: http, containerPort: 8080}
        - {containerPort: 9090, protocol: UDP}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: batch}}
        spec:
          serviceAccount: legacy-sa
          containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: pod}, annotations: {a: b}}
spec:
  containers: [{name: c, ports: [{containerPort: 80}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c}]}
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.workloads.size() == 4);
  const Workload& d = r->set.workloads[0];
  CHECK(d.kind == "Deployment");
  CHECK(d.meta.ns == "shop");
  CHECK(d.pod_labels == Labels{{"app", "web"}, {"version", "v1"}});
  CHECK(d.pod_annotations.at("sidecar.istio.io/inject") == "true");
  CHECK(d.service_account == "web-sa");
  CHECK(d.selector.match_labels == Labels{{"app", "web"}});
  REQUIRE(d.ports.size() == 2);
  CHECK(d.ports[0].name == "http");
  CHECK(d.ports[0].port == 8080);
  CHECK(d.ports[0].protocol == "TCP");
  CHECK(d.ports[1].port == 9090);
  CHECK(d.ports[1].protocol == "UDP");
  CHECK(d.ports[0].loc.line == 18);

  const Workload& cj = r->set.workloads[1];
  CHECK(cj.kind == "CronJob");
  CHECK(cj.pod_labels == Labels{{"app", "batch"}});
  CHECK(cj.service_account == "legacy-sa");  // the deprecated alias

  const Workload& pod = r->set.workloads[2];
  CHECK(pod.pod_labels == Labels{{"app", "pod"}});
  CHECK(pod.pod_annotations == Labels{{"a", "b"}});
  CHECK(pod.service_account == "default");
  REQUIRE(pod.ports.size() == 1);
  CHECK(pod.ports[0].port == 80);

  const Workload& sts = r->set.workloads[3];
  CHECK(sts.meta.ns == "");  // not defaulted here: the mesh layer resolves it
  CHECK(sts.service_account == "default");
}

TEST_CASE("Service: selector, ports, numeric and named targetPort, appProtocol", "[model][parse]") {
  auto r = model_from(R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080, appProtocol: http}
  - {name: grpc, port: 9000, targetPort: grpc-port}
  - {name: plain, port: 7000, protocol: UDP}
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.services.size() == 1);
  const Service& s = r->set.services[0];
  CHECK(s.has_selector);
  CHECK(s.selector == Labels{{"app", "web"}});
  REQUIRE(s.ports.size() == 3);
  CHECK(s.ports[0].port == 80);
  CHECK(s.ports[0].target_port_number == 8080);
  CHECK(s.ports[0].app_protocol == "http");
  CHECK(s.ports[1].target_port_name == "grpc-port");
  CHECK(s.ports[1].target_port_number == 0);
  CHECK(s.ports[2].target_port_number == 7000);  // absent targetPort = port
  CHECK(s.ports[2].protocol == "UDP");
}

TEST_CASE("Namespace and ServiceAccount", "[model][parse]") {
  auto r = model_from(R"(apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web-sa, namespace: shop}
)");
  REQUIRE(r->set.namespaces.size() == 1);
  CHECK(r->set.namespaces[0].meta.name == "shop");
  CHECK(r->set.namespaces[0].meta.labels.at("istio-injection") == "enabled");
  REQUIRE(r->set.service_accounts.size() == 1);
  CHECK(r->set.service_accounts[0].meta.ns == "shop");
}

TEST_CASE("AuthorizationPolicy: every field as modelled", "[model][parse]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ap
  namespace: foo
  creationTimestamp: "2024-01-02T03:04:05Z"
  annotations: {istio.io/dry-run: "true"}
spec:
  selector:
    matchLabels: {app: httpbin}
  action: DENY
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/a/sa/b"]
        notNamespaces: ["x"]
        ipBlocks: ["10.0.0.0/8"]
    to:
    - operation:
        methods: ["GET"]
        paths: ["/admin*"]
        ports: ["8080"]
    when:
    - key: request.headers[x-id]
      values: ["a"]
      notValues: ["b"]
  - {}
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.authorization_policies.size() == 1);
  const AuthorizationPolicy& p = r->set.authorization_policies[0];
  CHECK(p.api_version == "security.istio.io/v1");
  CHECK(p.meta.creation_timestamp == "2024-01-02T03:04:05Z");
  CHECK(p.dry_run);
  CHECK(p.action == Action::Deny);
  CHECK(p.selector.present);
  CHECK(p.selector.match_labels == Labels{{"app", "httpbin"}});
  CHECK(p.rules_present);
  REQUIRE(p.rules.size() == 2);
  const Rule& r0 = p.rules[0];
  CHECK(r0.loc.line == 13);
  REQUIRE(r0.from.size() == 1);
  CHECK(r0.from[0].present);
  REQUIRE(r0.from[0].principals.items.size() == 1);
  CHECK(r0.from[0].principals.items[0].value == "cluster.local/ns/a/sa/b");
  CHECK(r0.from[0].principals.items[0].loc == Loc{1, 15, 22});
  CHECK(r0.from[0].not_namespaces.items[0].value == "x");
  CHECK(r0.from[0].ip_blocks.items[0].value == "10.0.0.0/8");
  REQUIRE(r0.to.size() == 1);
  CHECK(r0.to[0].methods.items[0].value == "GET");
  CHECK(r0.to[0].paths.items[0].value == "/admin*");
  CHECK(r0.to[0].ports.items[0].value == "8080");
  REQUIRE(r0.when.size() == 1);
  CHECK(r0.when[0].key.value == "request.headers[x-id]");
  CHECK(r0.when[0].values.items[0].value == "a");
  CHECK(r0.when[0].not_values.items[0].value == "b");
  const Rule& r1 = p.rules[1];
  CHECK_FALSE(r1.is_null);
  CHECK(r1.from.empty());
  CHECK_FALSE(r1.from_present);
}

TEST_CASE("AuthorizationPolicy: CUSTOM provider, targetRef folding, v1beta1", "[model][parse]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: foo}
spec:
  action: CUSTOM
  provider: {name: my-authz}
  targetRef: {kind: Service, group: "", name: web}
  rules: [{to: [{operation: {paths: ["/x"]}}]}]
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  const AuthorizationPolicy& p = r->set.authorization_policies.at(0);
  CHECK(p.action == Action::Custom);
  CHECK(p.provider == "my-authz");
  CHECK(p.provider_present);
  CHECK(p.has_target_ref_singular);
  CHECK_FALSE(p.has_target_refs_plural);
  REQUIRE(p.target_refs.size() == 1);  // folded in, as Istio's GetTargetRefs does
  CHECK(p.target_refs[0].kind == "Service");
  CHECK(p.target_refs[0].name == "web");
}

TEST_CASE("PeerAuthentication: mode, selector, port-level modes sorted by port", "[model][parse]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: pa, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  mtls: {mode: PERMISSIVE}
  portLevelMtls:
    9090: {mode: DISABLE}
    "8080": {mode: STRICT}
    7070: {}
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  const PeerAuthentication& p = r->set.peer_authentications.at(0);
  CHECK(p.mtls_present);
  CHECK(p.mode == MtlsMode::Permissive);
  CHECK(p.port_level_present);
  REQUIRE(p.port_level.size() == 3);
  CHECK(p.port_level[0].port == 7070);
  CHECK(p.port_level[0].mode == MtlsMode::Unset);
  CHECK(p.port_level[1].port == 8080);
  CHECK(p.port_level[1].mode == MtlsMode::Strict);
  CHECK(p.port_level[2].port == 9090);
  CHECK(p.port_level[2].mode == MtlsMode::Disable);
  CHECK(p.port_level[2].loc.line == 8);
}

TEST_CASE("PeerAuthentication without mtls inherits (UNSET)", "[model][parse]") {
  auto r =
      model_from("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d, namespace: x}\n");
  const PeerAuthentication& p = r->set.peer_authentications.at(0);
  CHECK_FALSE(p.mtls_present);
  CHECK(p.mode == MtlsMode::Unset);
  CHECK(count(r->set, Severity::Error) == 0);
}

TEST_CASE("RequestAuthentication: jwtRules fields", "[model][parse]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  jwtRules:
  - issuer: https://issuer.example
    audiences: [a, b]
    jwksUri: https://issuer.example/jwks.json
    forwardOriginalToken: true
    fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
    fromParams: [token]
    fromCookies: [session]
    outputClaimToHeaders: [{claim: sub, header: x-sub}]
    timeout: 5s
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  const RequestAuthentication& p = r->set.request_authentications.at(0);
  REQUIRE(p.jwt_rules.size() == 1);
  const JwtRule& j = p.jwt_rules[0];
  CHECK(j.issuer.value == "https://issuer.example");
  CHECK(j.audiences.items.size() == 2);
  CHECK(j.jwks_uri.value == "https://issuer.example/jwks.json");
  CHECK(j.forward_original_token);
  REQUIRE(j.from_header_names.size() == 1);
  CHECK(j.from_header_names[0].value == "x-jwt");
  CHECK(j.from_params.items[0].value == "token");
  CHECK(j.from_cookies.items[0].value == "session");
  REQUIRE(j.output_claim_to_headers.size() == 1);
  CHECK(j.output_claim_to_headers[0].first.value == "sub");
  CHECK(j.output_claim_to_headers[0].second.value == "x-sub");
  CHECK(j.timeout.value == "5s");
}

TEST_CASE("networking and telemetry kinds", "[model][parse]") {
  auto r = model_from(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["*.example.com"]
    tls: {mode: SIMPLE, credentialName: example-cert}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: vs}
spec: {hosts: [web], gateways: [ingress/gw], exportTo: ["."]}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: dr}
spec:
  host: web.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
    portLevelSettings:
    - port: {number: 8443}
      tls: {mode: ISTIO_MUTUAL}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress: [{hosts: ["./*", "istio-system/*"]}]
  ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:8080"}]
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: t, namespace: istio-system}
spec:
  accessLogging: [{providers: [{name: envoy}]}]
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.gateways.size() == 1);
  CHECK(r->set.gateways[0].selector == Labels{{"istio", "ingressgateway"}});
  REQUIRE(r->set.gateways[0].servers.size() == 1);
  CHECK(r->set.gateways[0].servers[0].port == 443);
  CHECK(r->set.gateways[0].servers[0].tls_mode == "SIMPLE");
  CHECK(r->set.virtual_services.at(0).gateways == std::vector<std::string>{"ingress/gw"});
  const DestinationRule& dr = r->set.destination_rules.at(0);
  CHECK(dr.traffic_policy.tls.present);
  CHECK(dr.traffic_policy.tls.mode == "DISABLE");
  REQUIRE(dr.port_level.size() == 1);
  CHECK(dr.port_level[0].port == 8443);
  CHECK(dr.port_level[0].tls.mode == "ISTIO_MUTUAL");
  CHECK(r->set.service_entries.at(0).resolution == "DNS");
  CHECK(r->set.service_entries.at(0).ports.at(0).number == 443);
  const Sidecar& sc = r->set.sidecars.at(0);
  CHECK(sc.outbound_traffic_policy == "REGISTRY_ONLY");
  CHECK(sc.egress_hosts.size() == 2);
  CHECK(sc.ingress.at(0).port == 9080);
  CHECK(sc.ingress.at(0).default_endpoint == "127.0.0.1:8080");
  CHECK(r->set.telemetries.at(0).access_logging);
  CHECK(r->set.telemetries.at(0).access_log_providers == std::vector<std::string>{"envoy"});
}

TEST_CASE("kind: List and typed *List documents are expanded", "[model][parse]") {
  auto r = model_from(R"(apiVersion: v1
kind: List
items:
- apiVersion: security.istio.io/v1
  kind: AuthorizationPolicy
  metadata: {name: a, namespace: n}
- apiVersion: v1
  kind: Service
  metadata: {name: s, namespace: n}
- just a string
---
apiVersion: security.istio.io/v1
kind: PeerAuthenticationList
items:
- metadata: {name: typed, namespace: n}
  spec: {mtls: {mode: STRICT}}
)");
  INFO(dump(r->set));
  CHECK(r->set.authorization_policies.size() == 1);
  CHECK(r->set.services.size() == 1);
  REQUIRE(r->set.peer_authentications.size() == 1);  // kind inferred from the list kind
  CHECK(r->set.peer_authentications[0].meta.name == "typed");
  CHECK(r->set.peer_authentications[0].mode == MtlsMode::Strict);
  REQUIRE(r->set.notes.size() == 1);
  CHECK(r->set.notes[0].second.find("not a Kubernetes object") != std::string::npos);
  CHECK(r->set.notes[0].first.line == 10);
}

TEST_CASE("documents that are not Kubernetes objects are noted and skipped", "[model][parse]") {
  auto r = model_from("just: a map\n---\n- a\n- list\n---\nplain scalar\n---\n---\napiVersion: v1\n");
  INFO(dump(r->set));
  CHECK(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.notes.size() == 4);  // the empty document is skipped silently
  CHECK(r->set.notes[0].second == "document has no apiVersion or kind; not a Kubernetes object; skipped");
  CHECK(r->set.notes[0].first.line == 1);
  CHECK(r->set.notes[1].second == "document is a list, not a Kubernetes object; skipped");
  CHECK(r->set.notes[2].second == "document is a string, not a Kubernetes object; skipped");
  CHECK(r->set.notes[3].second == "document has no kind; not a Kubernetes object; skipped");
}

TEST_CASE("kinds outside the model: silent, except unknown or retired Istio kinds", "[model][parse]") {
  auto r = model_from(R"(apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: x}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: ef}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicyy
metadata: {name: typo}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: old}
)");
  INFO(dump(r->set));
  CHECK(count(r->set, Severity::Error) == 0);
  REQUIRE(r->set.notes.size() == 2);
  CHECK(r->set.notes[0].second.find("AuthorizationPolicyy is not a kind of Istio's security API") != std::string::npos);
  CHECK(r->set.notes[0].first.line == 13);
  CHECK(r->set.notes[1].second.find("retired Istio API") != std::string::npos);
}

TEST_CASE("a security kind in a version Istio does not serve is an error", "[model][parse]") {
  auto r = model_from("apiVersion: security.istio.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: a}\n");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "no matches for kind \"AuthorizationPolicy\" in version");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->field == "apiVersion");
}

TEST_CASE("typing: a number where the CRD wants a string", "[model][types]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ports, namespace: foo}
spec:
  rules:
  - to:
    - operation:
        ports: [8080, "9090"]
)");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "expected string, found integer");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->loc == Loc{1, 8, 17});
  CHECK(d->field == "spec.rules[0].to[0].operation.ports[0]");
  CHECK(d->help.find("quote it: \"8080\"") != std::string::npos);
  CHECK(d->resource.kind == "AuthorizationPolicy");
  CHECK(d->resource.name == "ports");
  CHECK(count(r->set, Severity::Error) == 1);  // "9090" is fine, and no follow-on errors
}

TEST_CASE("typing: YAML 1.1 booleans and floats in labels and annotations", "[model][types]") {
  auto r = model_from(R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    version: 1.10
    enabled: yes
  annotations:
    istio.io/dry-run: true
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) == 3);
  const Diagnostic* f = find_diag(r->set, "expected string, found number");
  REQUIRE(f);
  CHECK(f->loc == Loc{1, 6, 14});
  CHECK(f->field == "metadata.labels[version]");
  CHECK(f->help.find("\"1.10\"") != std::string::npos);
  const Diagnostic* b = find_diag(r->set, "expected string, found boolean");
  REQUIRE(b);
  CHECK(b->loc == Loc{1, 7, 14});
  CHECK(b->help.find("YAML 1.1 reads yes as a boolean") != std::string::npos);
  // the value is still kept as written, so later stages see the intent
  CHECK(r->set.workloads.at(0).pod_labels.at("version") == "1.10");
}

TEST_CASE("typing: a name that YAML 1.1 reads as a boolean, an unquoted IP address is a string", "[model][types]") {
  auto r = model_from(
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: n, namespace: x}\n"
      "spec:\n  rules: [{from: [{source: {ipBlocks: [1.2.3.4, 10.0.0.0/8]}}]}]\n");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "expected string, found boolean");
  REQUIRE(d);
  CHECK(d->field == "metadata.name");
  CHECK(d->help.find("quote it: \"n\"") != std::string::npos);
  CHECK(count(r->set, Severity::Error) == 1);  // go-yaml reads 1.2.3.4 as a string, not a float
}

TEST_CASE("typing: mode: 7 is an integer, not a mode", "[model][types]") {
  auto r = model_from(
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: x}\n"
      "spec:\n  mtls:\n    mode: 7\n");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "expected string, found integer");
  REQUIRE(d);
  CHECK(d->loc == Loc{1, 6, 11});
  CHECK(d->field == "spec.mtls.mode");
}

TEST_CASE("typing: a list where a map belongs, a map where a list belongs, a scalar where a list belongs",
          "[model][types]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shapes, namespace: foo}
spec:
  selector:
  - matchLabels: {app: a}
  rules:
    from:
    - source: {principals: ["a"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: scalar, namespace: foo}
spec:
  rules:
  - from:
    - source:
        principals: cluster.local/ns/a/sa/b
)");
  INFO(dump(r->set));
  const Diagnostic* m = find_diag(r->set, "expected map, found list");
  REQUIRE(m);
  CHECK(m->field == "spec.selector");
  CHECK(m->loc == Loc{1, 6, 3});
  const Diagnostic* l = find_diag(r->set, "expected list of rules, found map");
  REQUIRE(l);
  CHECK(l->field == "spec.rules");
  CHECK(l->loc.line == 8);
  const Diagnostic* s = find_diag(r->set, "expected list of strings, found string");
  REQUIRE(s);
  CHECK(s->field == "spec.rules[0].from[0].source.principals");
  CHECK(s->loc == Loc{1, 18, 21});
  CHECK(s->help == "write it as a list: [\"cluster.local/ns/a/sa/b\"]");
}

TEST_CASE("typing: integers for ports, quoted numbers are errors, targetPort strings need a letter", "[model][types]") {
  auto r = model_from(R"(apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - {port: "80"}
  - {port: 81, targetPort: "8080"}
  - {port: 70000}
  - {port: 82.0}
)");
  INFO(dump(r->set));
  const Diagnostic* q = find_diag(r->set, "expected integer, found string");
  REQUIRE(q);
  CHECK(q->field == "spec.ports[0].port");
  CHECK(q->help == "write the number without quotes");
  const Diagnostic* t = find_diag(r->set, "targetPort \"8080\" is a string without a letter");
  REQUIRE(t);
  CHECK(t->field == "spec.ports[1].targetPort");
  const Diagnostic* o = find_diag(r->set, "out of range");
  REQUIRE(o);
  CHECK(o->field == "spec.ports[2].port");
  CHECK(count(r->set, Severity::Error) == 3);  // 82.0 converts to the integer 82 (YAML → JSON)
  REQUIRE(r->set.services.at(0).ports.size() == 2);
  CHECK(r->set.services[0].ports[1].port == 82);
}

TEST_CASE("typing: null list items are errors, null fields are absent", "[model][types]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: nulls, namespace: foo}
spec:
  selector: ~
  rules:
  - from:
    - source:
        principals: [a, ~]
        namespaces: ~
)");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "expected string, found null");
  REQUIRE(d);
  CHECK(d->field == "spec.rules[0].from[0].source.principals[1]");
  const AuthorizationPolicy& p = r->set.authorization_policies.at(0);
  CHECK_FALSE(p.selector.present);
  CHECK_FALSE(p.rules[0].from[0].namespaces.present);
  CHECK(count(r->set, Severity::Error) == 1);
}

TEST_CASE("unknown fields in security specs are errors with a suggestion", "[model][types]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: typo, namespace: foo}
spec:
  action: DENY
  rules:
  - from:
    - source:
        notPrinciples: ["cluster.local/ns/a/sa/b"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa, namespace: foo}
spec:
  mTLS: {mode: STRICT}
)");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "unknown field \"notPrinciples\"");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->loc == Loc{1, 9, 9});
  CHECK(d->field == "spec.rules[0].from[0].source.notPrinciples");
  CHECK(d->help.find("did you mean \"notPrincipals\"?") == 0);
  const Diagnostic* m = find_diag(r->set, "unknown field \"mTLS\"");
  REQUIRE(m);
  CHECK(m->help.find("did you mean \"mtls\"?") == 0);
}

TEST_CASE("duplicate keys reported by the loader become errors", "[model][types]") {
  auto r = model_from(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: dup, namespace: foo}
spec:
  action: ALLOW
  action: DENY
)");
  INFO(dump(r->set));
  REQUIRE(count(r->set, Severity::Error) >= 1);
  const Diagnostic& d = *test::diags(r->set, Severity::Error).at(0);
  CHECK(d.loc.line == 6);
  CHECK(d.resource.name == "dup");
  CHECK(d.message.find("action") != std::string::npos);
}

TEST_CASE("missing metadata.name is an error", "[model][types]") {
  auto r = model_from("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nspec: {}\n");
  const Diagnostic* d = find_diag(r->set, "metadata.name is missing");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
}

TEST_CASE("mesh config from the istio ConfigMap, positioned inside the embedded text", "[model][mesh]") {
  auto r = model_from(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    rootNamespace: mesh-root
    trustDomain: td1
    trustDomainAliases: [old-td]
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
    pathNormalization: {normalization: MERGE_SLASHES}
    extensionProviders:
    - name: ext-http
      envoyExtAuthzHttp: {service: a, port: 80}
    - name: ext-grpc
      envoyExtAuthzGrpc: {service: b, port: 90}
    - name: otel
      opentelemetry: {service: c, port: 4317}
    defaultConfig:
      discoveryAddress: 7
  meshNetworks: "networks: {}"
)");
  INFO(dump(r->set));
  const MeshConfig& m = r->set.mesh;
  CHECK(m.from_input);
  CHECK(m.source.kind == "ConfigMap");
  CHECK(m.source.name == "istio");
  CHECK(m.root_namespace == "mesh-root");
  CHECK(m.trust_domain == "td1");
  CHECK(m.trust_domain_aliases == std::vector<std::string>{"old-td"});
  CHECK(m.outbound_traffic_policy == "REGISTRY_ONLY");
  CHECK(m.path_normalization == "MERGE_SLASHES");
  REQUIRE(m.extension_providers.size() == 3);
  CHECK(m.extension_providers[0].name == "ext-http");
  CHECK(m.extension_providers[0].type == "envoyExtAuthzHttp");
  CHECK(m.extension_providers[1].type == "envoyExtAuthzGrpc");
  CHECK(m.extension_providers[2].type == "opentelemetry");
  CHECK(count(r->set, Severity::Error) == 0);  // fields meshproof does not read are not typed
}

TEST_CASE("mesh config: an error inside the embedded YAML points at its line in the file", "[model][mesh]") {
  auto r = model_from(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data:
  mesh: |
    rootNamespace: root
    trustDomain: [not, a, string]
)");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "expected string, found list");
  REQUIRE(d);
  CHECK(d->loc == Loc{1, 7, 18});
  CHECK(d->field == "data.mesh.trustDomain");
  CHECK(r->set.mesh.root_namespace == "root");
  CHECK(r->set.mesh.trust_domain == "cluster.local");  // default kept
}

TEST_CASE("mesh config: invalid embedded YAML is an error at its line", "[model][mesh]") {
  auto r = model_from(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    rootNamespace: root
    trustDomain: [unclosed
)");
  INFO(dump(r->set));
  const Diagnostic* d = find_diag(r->set, "the mesh config is not valid YAML");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->loc.line >= 7);
}

TEST_CASE("mesh config from IstioOperator, the ConfigMap `istio` wins over it", "[model][mesh]") {
  const std::string iop = R"(apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: iop, namespace: istio-system}
spec:
  meshConfig:
    trustDomain: from-iop
    extensionProviders: [{name: x, envoyExtAuthzGrpc: {service: s, port: 1}}]
)";
  auto only = model_from(iop);
  CHECK(only->set.mesh.trust_domain == "from-iop");
  CHECK(only->set.mesh.source.kind == "IstioOperator");
  CHECK(only->set.mesh.extension_providers.at(0).type == "envoyExtAuthzGrpc");

  auto both = model_from(iop +
                         "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n"
                         "data:\n  mesh: \"trustDomain: from-cm\"\n");
  INFO(dump(both->set));
  CHECK(both->set.mesh.trust_domain == "from-cm");
  CHECK(both->set.mesh.source.kind == "ConfigMap");
  REQUIRE(both->set.notes.size() == 1);
  CHECK(both->set.notes[0].second.find("several mesh configs") != std::string::npos);
}

TEST_CASE("other ConfigMaps are not mesh configs", "[model][mesh]") {
  auto r = model_from(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data: {values: "x"}
)");
  CHECK_FALSE(r->set.mesh.from_input);
  CHECK(r->set.mesh.root_namespace == "istio-system");
  CHECK(r->set.notes.empty());
}

TEST_CASE("merge keeps input order and the preferred mesh config", "[model][parse]") {
  auto a =
      model_from("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a, namespace: n}\n");
  auto b = model_from(
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: b, namespace: n}\n"
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata: {mesh: \"rootNamespace: r\"}\n");
  ResourceSet all;
  all.merge(std::move(a->set));
  all.merge(std::move(b->set));
  REQUIRE(all.authorization_policies.size() == 2);
  CHECK(all.authorization_policies[0].meta.name == "a");
  CHECK(all.authorization_policies[1].meta.name == "b");
  CHECK(all.mesh.root_namespace == "r");
}

// The input stage merges its per-file sets with merge_in_order (one reserve per list): the result must be
// the one file-by-file merges give, objects, diagnostics, notes and the mesh config alike.
TEST_CASE("merge_in_order gives what merging the sets one by one gives", "[model][parse]") {
  const std::vector<std::string> files = {
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a, namespace: n}\n"
      "spec: {action: NOPE}\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-canary}\ndata: {mesh: \"rootNamespace: c\"}\n"
      "---\nkind: Nothing\n",
      "",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata: {mesh: \"rootNamespace: r\"}\n---\n"
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: b, namespace: n}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\n"
      "spec: {template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c}]}}}\n"};
  ResourceSet one_by_one, in_order;
  std::vector<std::unique_ptr<test::ModelRun>> parts;
  std::vector<ResourceSet*> pointers;
  for (const std::string& f : files) {
    one_by_one.merge(std::move(model_from(f)->set));
    parts.push_back(model_from(f));
    pointers.push_back(&parts.back()->set);
  }
  merge_in_order(in_order, pointers);
  REQUIRE(in_order.authorization_policies.size() == 2);
  CHECK(in_order.authorization_policies[0].meta.name == "a");
  CHECK(in_order.authorization_policies[1].meta.name == "b");
  CHECK(in_order.workloads.size() == 1);
  CHECK(in_order.mesh.root_namespace == "r");
  CHECK_FALSE(in_order.notes.empty());
  CHECK_FALSE(in_order.diagnostics.empty());
  CHECK(dump(in_order) == dump(one_by_one));
  CHECK(parts[0]->set.authorization_policies.empty());
}

TEST_CASE("the pipeline types documents through the model layer", "[model][pipeline]") {
  auto in = test::load_yaml(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec:
  rules: [{to: [{operation: {ports: [80]}}]}]
)");
  REQUIRE(in);
  // Typed, then rejected by admission: the object is kept apart from the world, its diagnostic stays.
  REQUIRE(in->resources.authorization_policies.empty());
  REQUIRE(in->rejected.authorization_policies.size() == 1);
  const Diagnostic* d = find_diag(in->resources, "expected string, found integer");
  REQUIRE(d);
  CHECK(d->loc.line == 5);
  CHECK(d->loc.col == 38);
}

TEST_CASE("Argo Rollout and ReplicationController are workloads", "[model][parse]") {
  auto r = model_from(R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro, namespace: a}
spec:
  template:
    metadata: {labels: {app: ro}}
    spec: {serviceAccountName: ro-sa, containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc, namespace: a}
spec:
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c}]}
)");
  INFO(dump(r->set));
  REQUIRE(r->set.workloads.size() == 2);
  CHECK(r->set.workloads[0].kind == "Rollout");
  CHECK(r->set.workloads[0].pod_labels == Labels{{"app", "ro"}});
  CHECK(r->set.workloads[0].service_account == "ro-sa");
  CHECK(r->set.workloads[0].ports.at(0).port == 8080);
  CHECK(r->set.workloads[1].selector.match_labels == Labels{{"app", "rc"}});
}

TEST_CASE("mesh config without source text: positions assume two-space indentation", "[model][mesh]") {
  const std::string yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n"
      "data:\n  mesh: |\n    trustDomain: 7\n";
  SourceSet sources;
  uint32_t id = sources.add(SourceFile{"m.yaml", "m.yaml", std::make_shared<const std::string>(yaml)});
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  ResourceSet set;
  loader.parse_text(
      id, yaml, [&](load::Document&& d) { add_document(d, set); }, errors, notes);
  INFO(dump(set));
  const Diagnostic* d = find_diag(set, "expected string, found integer");
  REQUIRE(d);
  CHECK(d->loc == Loc{id, 6, 18});
  CHECK(d->field == "data.mesh.trustDomain");
}

TEST_CASE("Telemetry access logging on and off", "[model][parse]") {
  auto r = model_from(R"(apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: logs-off, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  accessLogging: [{disabled: true}]
)");
  INFO(dump(r->set));
  REQUIRE(r->set.telemetries.size() == 1);
  CHECK(r->set.telemetries[0].selector.present);
  CHECK(r->set.telemetries[0].access_logging_disabled);
  CHECK_FALSE(r->set.telemetries[0].access_logging);
}

TEST_CASE("istio-proxy: a gateway runs it as `proxy router` or alone, an injected pod as `proxy sidecar`",
          "[model][parse]") {
  auto r = model_from(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: ratings, namespace: prod, annotations: {sidecar.istio.io/status: "{}"}}
  spec:
    containers:
    - {name: ratings, image: ratings, ports: [{containerPort: 9080}]}
    - {name: istio-proxy, image: proxyv2, args: [proxy, sidecar, --domain, prod.svc.cluster.local]}
- apiVersion: v1
  kind: Pod
  metadata: {name: ingress, namespace: istio-system}
  spec:
    containers:
    - {name: istio-proxy, image: proxyv2, args: [proxy, router, --domain, istio-system.svc.cluster.local]}
- apiVersion: v1
  kind: Pod
  metadata: {name: gateway-template, namespace: istio-system}
  spec:
    containers:
    - {name: istio-proxy, image: auto}
- apiVersion: v1
  kind: Pod
  metadata: {name: no-args-beside-app, namespace: prod}
  spec:
    containers:
    - {name: app, image: app}
    - {name: istio-proxy, image: proxyv2}
)");
  auto pod = [&](const std::string& name) -> const model::Workload& {
    for (const model::Workload& w : r->set.workloads)
      if (w.meta.name == name) return w;
    FAIL("no pod " << name);
    throw;
  };
  CHECK_FALSE(pod("ratings").runs_proxy_as_gateway);  // a pod listing of injected pods is not a list of gateways
  CHECK(pod("ingress").runs_proxy_as_gateway);
  CHECK(pod("gateway-template").runs_proxy_as_gateway);
  CHECK_FALSE(pod("no-args-beside-app").runs_proxy_as_gateway);
}
