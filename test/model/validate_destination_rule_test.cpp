// DestinationRule validation as Istio's webhook (ValidateDestinationRule, agent.ValidateTLS) and CRD schema
// (tls.mode, loadBalancer.warmup); docs/semantics.md#client-tls. Each rule from a minimal DestinationRule.
#include <catch2/catch.hpp>

#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_from;

namespace {

std::vector<std::string> errors_of(const std::string& spec) {
  auto r = model_from(
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d, namespace: pay}\n"
      "spec: " +
      spec + "\n");
  REQUIRE(r);
  INFO(dump(r->set));
  std::vector<std::string> out;
  for (const Diagnostic& d : r->set.diagnostics)
    if (d.severity == Severity::Error) out.push_back(d.field + ": " + d.message);
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("DestinationRule: valid TLS settings have no diagnostics", "[model][validate][destinationrule]") {
  CHECK(errors_of("{host: api, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}").empty());
  CHECK(errors_of("{host: api.example.com, trafficPolicy: {tls: {mode: SIMPLE, credentialName: ca}}, "
                  "workloadSelector: {matchLabels: {app: a}}, exportTo: [.]}")
            .empty());
  CHECK(
      errors_of("{host: '*.example.com', trafficPolicy: {tls: {mode: MUTUAL, clientCertificate: /c, privateKey: /k}}, "
                "subsets: [{name: v1, labels: {v: '1'}}]}")
          .empty());
}

TEST_CASE("DestinationRule: what Istio rejects, with Istio's reason", "[model][validate][destinationrule]") {
  CHECK(errors_of("{host: api, trafficPolicy: {tls: {mode: MUTUAL}}}") ==
        V{"spec.trafficPolicy.tls.clientCertificate: client certificate required for mutual tls",
          "spec.trafficPolicy.tls.privateKey: private key required for mutual tls"});
  CHECK(errors_of("{host: api, trafficPolicy: {tls: {mode: SIMPLE, credentialName: c, caCertificates: /ca}}}") ==
        V{"spec.trafficPolicy.tls: cannot specify client certificates or CA certificate or CA CRL If credentialName is "
          "set"});
  CHECK(errors_of("{host: api, trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true, caCertificates: /ca}}}") ==
        V{"spec.trafficPolicy.tls: cannot specify CaCertificates or CredentialName or SubjectAltNames when "
          "InsecureSkipVerify is set true"});
  CHECK(errors_of("{host: api, trafficPolicy: {tls: {mode: STRICT}}}") ==
        V{"spec.trafficPolicy.tls.mode: Unsupported value: \"STRICT\""});
  CHECK(errors_of("{host: api, trafficPolicy: {}}") ==
        V{"spec.trafficPolicy: traffic policy must have at least one field"});
  CHECK(errors_of("{host: api, trafficPolicy: {portLevelSettings: [{tls: {mode: DISABLE}}, {port: {number: 80}}]}}") ==
        V{"spec.trafficPolicy.portLevelSettings[0].port: portTrafficPolicy must have valid port",
          "spec.trafficPolicy.portLevelSettings[1]: port traffic policy must have at least one field"});
  CHECK(errors_of("{host: 'a.*.com'}") == V{"spec.host: domain name \"a.*.com\" invalid (label \"*\" invalid)"});
  CHECK(errors_of("{host: api, subsets: [{name: v1}, {name: v1}, {name: V_2}]}") ==
        V{"spec.subsets[1].name: duplicate subset names: v1", "spec.subsets[2].name: subset name is invalid: V_2"});
  CHECK(errors_of("{host: api, workloadSelector: {matchLabels: {app: a}}, exportTo: ['*']}") ==
        V{"spec.exportTo: destination rule with workload selector cannot have exportTo beyond current namespace"});
  CHECK(errors_of("{host: api, exportTo: [pay, .]}") ==
        V{"spec.exportTo: duplicate entries in exportTo: . and current namespace pay"});
  CHECK(errors_of("{host: api, trafficPolicy: {loadBalancer: {warmup: {minimumPercent: 150}}}}") ==
        V{"spec.trafficPolicy.loadBalancer.warmup.duration: Required value",
          "spec.trafficPolicy.loadBalancer.warmup.minimumPercent: Invalid value: should be between 0 and 100"});
}
