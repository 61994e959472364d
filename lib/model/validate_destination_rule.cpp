// What Istio's admission rejects for networking.istio.io DestinationRule: ValidateDestinationRule,
// validateTrafficPolicy, validatePortTrafficPolicies, validateSubset, validateExportTo of
// pkg/config/validation/validation.go, agent.ValidateTLS of pkg/config/validation/agent/validation.go, and the
// CRD's schema for tls.mode and loadBalancer.warmup (docs/semantics.md#client-tls lists each rule).
#include <set>

#include "model/validate.h"
#include "model/validate_checker.h"
#include "model/validate_names.h"

namespace meshproof::model {

using detail::Checker;

namespace {

const char* kTlsHelp =
    "see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings";

// agent.ValidateTLS.
void check_tls(const TlsSettings& t, const std::string& f, Checker& c) {
  if (!t.present) return;
  const std::string& m = t.mode;
  if (!m.empty() && m != "DISABLE" && m != "SIMPLE" && m != "MUTUAL" && m != "ISTIO_MUTUAL")
    c.error(t.mode_loc, f + ".mode", "Unsupported value: \"" + m + "\"",
            "supported values: \"DISABLE\", \"SIMPLE\", \"MUTUAL\", \"ISTIO_MUTUAL\"");
  if (t.insecure_skip_verify && m == "SIMPLE" &&
      (!t.ca_certificates.empty() || !t.credential_name.empty() || t.subject_alt_names_present))
    c.error(t.loc, f,
            "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
            kTlsHelp);
  if (t.insecure_skip_verify && m == "MUTUAL" && (!t.ca_certificates.empty() || t.subject_alt_names_present))
    c.error(t.loc, f, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true", kTlsHelp);
  if ((m == "SIMPLE" || m == "MUTUAL") && !t.credential_name.empty()) {
    if (!t.client_certificate.empty() || !t.ca_certificates.empty() || !t.private_key.empty() || !t.ca_crl.empty())
      c.error(t.loc, f, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set",
              "use either credentialName or the certificate file fields");
    return;
  }
  if (m == "MUTUAL") {
    if (t.client_certificate.empty())
      c.error(t.loc, f + ".clientCertificate", "client certificate required for mutual tls",
              "set clientCertificate and privateKey, or credentialName");
    if (t.private_key.empty())
      c.error(t.loc, f + ".privateKey", "private key required for mutual tls",
              "set clientCertificate and privateKey, or credentialName");
  }
}

// The CRD schema of loadBalancer.warmup.
void check_warmup(const TrafficPolicy& p, const std::string& f, Checker& c) {
  if (!p.warmup_present) return;
  const std::string wf = f + ".loadBalancer.warmup";
  if (!p.warmup_duration) c.error(p.warmup_loc, wf + ".duration", "Required value", "set warmup.duration, e.g. 300s");
  if (p.warmup_minimum_percent && (*p.warmup_minimum_percent < 0 || *p.warmup_minimum_percent > 100))
    c.error(p.warmup_loc, wf + ".minimumPercent", "Invalid value: should be between 0 and 100");
  if (p.warmup_aggression && *p.warmup_aggression < 0)
    c.error(p.warmup_loc, wf + ".aggression", "Invalid value: should be greater than or equal to 0");
}

// validatePortTrafficPolicies.
void check_port_level(const std::vector<TrafficPolicy>& ports, const std::string& f, Checker& c) {
  for (size_t i = 0; i < ports.size(); ++i) {
    const TrafficPolicy& p = ports[i];
    const std::string pf = f + ".portLevelSettings[" + std::to_string(i) + "]";
    if (!p.port_present) c.error(p.loc, pf + ".port", "portTrafficPolicy must have valid port", "set port.number");
    if (p.fields == 0) {
      c.error(p.loc, pf, "port traffic policy must have at least one field",
              "set tls, loadBalancer, connectionPool or outlierDetection, or remove the entry");
      continue;
    }
    check_warmup(p, pf, c);
    check_tls(p.tls, pf + ".tls", c);
  }
}

// validateTrafficPolicy.
void check_policy(const TrafficPolicy& p, const std::vector<TrafficPolicy>& ports, const std::string& f, Checker& c) {
  if (!p.present) return;
  if (p.fields == 0) {
    c.error(p.loc, f, "traffic policy must have at least one field", "remove the empty trafficPolicy");
    return;
  }
  if (p.tunnel && p.proxy_protocol) {
    c.error(p.loc, f, "tunnel and proxyProtocol must not be set together");
    return;
  }
  check_warmup(p, f, c);
  check_tls(p.tls, f + ".tls", c);
  check_port_level(ports, f, c);
}

void check_subsets(const DestinationRule& d, Checker& c) {
  std::set<std::string> names;
  for (size_t i = 0; i < d.subsets.size(); ++i) {
    const DestinationRuleSubset& s = d.subsets[i];
    const std::string f = "spec.subsets[" + std::to_string(i) + "]";
    if (!names.insert(s.name).second)
      c.error(s.loc, f + ".name", "duplicate subset names: " + s.name, "give each subset its own name");
    if (s.name.empty())
      c.error(s.loc, f + ".name", "subset name cannot be empty", "name the subset, e.g. v1");
    else if (!detail::dns_label(s.name))
      c.error(s.loc, f + ".name", "subset name is invalid: " + s.name, "use a DNS-1123 label, e.g. v1");
    check_policy(s.traffic_policy, s.port_level, f + ".trafficPolicy", c);
  }
}

// validateExportTo for a DestinationRule.
void check_export_to(const DestinationRule& d, Checker& c) {
  if (d.export_to.empty()) return;
  const std::string ns = d.meta.ns.empty() ? "default" : d.meta.ns;
  std::set<std::string> seen;
  for (const std::string& e : d.export_to) {
    const std::string key = e == "." ? ns : e;
    if (seen.count(key)) {
      c.error(d.export_to_loc, "spec.exportTo",
              key != e ? "duplicate entries in exportTo: . and current namespace " + ns
                       : "duplicate entries in exportTo for entry " + e);
    } else if (key == "~") {
      c.error(d.export_to_loc, "spec.exportTo", "exportTo ~ (none) is not allowed for Istio configuration objects");
    } else if (key != "*" && !detail::dns_label(key)) {
      c.error(d.export_to_loc, "spec.exportTo", "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
    } else {
      seen.insert(key);
    }
  }
  if (d.has_workload_selector && !seen.empty()) {
    if (!seen.count(ns))
      c.error(d.export_to_loc, "spec.exportTo",
              "destination rule with workload selector cannot have exportTo beyond current namespace");
    else if (seen.size() > 1)
      c.error(d.export_to_loc, "spec.exportTo",
              "destination rule with workload selector cannot have multiple entries in exportTo");
  }
  if (seen.count("*") && d.export_to.size() > 1)
    c.error(d.export_to_loc, "spec.exportTo",
            "cannot have both public (*) and non-public exportTo values for a resource");
}

}  // namespace

void validate(const DestinationRule& d, std::vector<Diagnostic>& out) {
  Checker c(out, d);
  if (std::string p = detail::wildcard_domain_problem(d.host); !p.empty())
    c.error(d.host_loc, "spec.host", p, "name the Service, e.g. reviews or reviews.prod.svc.cluster.local");
  check_policy(d.traffic_policy, d.port_level, "spec.trafficPolicy", c);
  check_subsets(d, c);
  check_export_to(d, c);
}

}  // namespace meshproof::model
