// What Istio's admission rejects or warns about for ServiceEntry, Sidecar and Telemetry: the CRD schema's CEL
// rules where the API server answers first (their messages are what `kubectl apply` prints), then
// ValidateServiceEntry, ValidateSidecar and ValidateTelemetry of pkg/config/validation/validation.go at
// istio/istio 86c9f01f (docs/semantics.md §12 lists each rule). Only the fields meshproof reads are checked.
#include <set>

#include "base/text.h"
#include "model/validate.h"
#include "model/validate_checker.h"
#include "model/validate_names.h"

namespace meshproof::model {

using detail::Checker;
using detail::dns_label;
using detail::in;
using detail::known_protocol;

namespace {

bool port_in_range(uint32_t p) { return p >= 1 && p <= 65535; }

// agent.ValidateWildcardDomain exactly: the first label may be "*" or a DNS-1123 label with a "*" or "*-"
// prefix (labels.IsWildcardDNS1123Label), the other labels DNS-1123 labels. A partial wildcard such as "*x" is
// therefore valid here (ServiceEntry only warns about it; Gateway validation rejects it separately).
std::string istio_wildcard_domain_problem(const std::string& host) {
  if (host.empty()) return "empty domain name not allowed";
  if (host.size() > 255) return "domain name \"" + host + "\" too long (max 255)";
  std::vector<std::string> labels = split(host, '.');
  const std::string& first = labels[0];
  std::string bare = first.rfind("*-", 0) == 0 ? first.substr(2) : first.rfind('*', 0) == 0 ? first.substr(1) : first;
  if (first != "*" && !dns_label(bare)) return "domain name \"" + host + "\" invalid (label \"" + first + "\" invalid)";
  for (size_t i = 1; i < labels.size(); ++i)
    if (!dns_label(labels[i])) return "domain name \"" + host + "\" invalid (label \"" + labels[i] + "\" invalid)";
  return "";
}

void check_se_hosts(const ServiceEntry& se, Checker& c) {
  if (se.hosts.empty()) c.error(se.loc, "spec.hosts", "Required value", "list the external host names");
  for (size_t i = 0; i < se.hosts.size(); ++i) {
    const std::string& h = se.hosts[i];
    const Loc loc = i < se.host_locs.size() ? se.host_locs[i] : se.loc;
    const std::string f = "spec.hosts[" + std::to_string(i) + "]";
    if (h == "*") {
      c.error(loc, f, "hostname cannot be wildcard",
              "name the external hosts, or a domain wildcard such as *.example.com");
      continue;
    }
    if (std::string p = istio_wildcard_domain_problem(h); !p.empty()) c.error(loc, f, p);
    if (se.resolution != "DYNAMIC_DNS" && h.find('*') != std::string::npos && h.rfind("*.", 0) != 0)
      c.warning(loc, f, "partial wildcard \"" + h + "\" not allowed");
  }
}

void check_se_ports(const ServiceEntry& se, Checker& c) {
  std::set<std::string> names;
  std::set<uint32_t> numbers;
  for (size_t i = 0; i < se.ports.size(); ++i) {
    const ServiceEntryPort& p = se.ports[i];
    const std::string f = "spec.ports[" + std::to_string(i) + "]";
    const Loc loc = p.loc.known() ? p.loc : se.loc;
    if (!names.insert(p.name).second)
      c.error(loc, f + ".name", "Duplicate value: service entry port name \"" + p.name + "\" already defined");
    if (!numbers.insert(p.number).second)
      c.error(loc, f + ".number", "port number cannot be duplicated: " + std::to_string(p.number));
    if (!port_in_range(p.number)) c.error(loc, f + ".number", "port must be between 1-65535");
    if (p.target_port != 0 && !port_in_range(p.target_port))
      c.error(loc, f + ".targetPort", "port must be between 1-65535");
    if (!p.name.empty() && !dns_label(p.name)) c.error(loc, f + ".name", "invalid port name: " + p.name);
    if (!p.protocol.empty() && !known_protocol(p.protocol))
      c.error(loc, f + ".protocol", "unsupported protocol: " + p.protocol);
  }
}

void check_se_resolution(const ServiceEntry& se, Checker& c) {
  const std::string& r = se.resolution;
  const Loc loc = se.resolution_loc.known() ? se.resolution_loc : se.loc;
  bool cidr = false;
  for (const std::string& a : se.addresses) cidr |= a.find('/') != std::string::npos;
  if (cidr && !r.empty() && r != "NONE" && r != "STATIC")
    c.error(loc, "spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
  if ((r.empty() || r == "NONE") && se.endpoints > 0) c.error(loc, "spec.endpoints", "NONE mode cannot set endpoints");
  if (r == "DNS_ROUND_ROBIN" && se.endpoints > 1)
    c.error(loc, "spec.endpoints", "DNS_ROUND_ROBIN mode cannot have multiple endpoints");
  if (r == "DYNAMIC_DNS") {
    for (const std::string& h : se.hosts)
      if (h.rfind("*", 0) != 0) c.error(loc, "spec.hosts", "host must be wildcarded for resolution mode DYNAMIC_DNS");
    if (!se.addresses.empty())
      c.error(loc, "spec.addresses", "addresses cannot be set for resolution type DYNAMIC_DNS");
    if (se.endpoints > 0) c.error(loc, "spec.endpoints", "endpoints cannot be set for resolution type DYNAMIC_DNS");
  }
  if (!r.empty() && !in(r, {"NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"}))
    c.error(loc, "spec.resolution", "Unsupported value: \"" + r + "\"");
  if (!se.location.empty() && !in(se.location, {"MESH_EXTERNAL", "MESH_INTERNAL"}))
    c.error(se.location_loc, "spec.location", "Unsupported value: \"" + se.location + "\"");
}

// agent.ValidateNamespaceSlashWildcardHostname for a Sidecar egress host.
std::string sidecar_host_problem(const std::string& host) {
  size_t slash = host.find('/');
  if (slash == std::string::npos) return "host must be of form namespace/dnsName";
  std::string ns = host.substr(0, slash), name = host.substr(slash + 1);
  if (ns.empty() || name.empty()) return "config namespace and dnsName in host entry cannot be empty";
  std::string bare = ns[0] == '~' ? ns.substr(1) : ns;
  if (!bare.empty() && bare != "*" && bare != "." && !dns_label(bare))
    return "invalid namespace value \"" + ns + "\" in sidecar";
  if (name != "*" && name.find('.') == std::string::npos) return "short names (non FQDN) are not allowed";
  if (std::string p = istio_wildcard_domain_problem(name); !p.empty()) return p;
  if (name.find('*') != std::string::npos && name.size() != 1 && name.rfind("*.", 0) != 0)
    return "partial wildcard \"" + name + "\" not allowed";
  return "";
}

}  // namespace

void validate(const ServiceEntry& se, std::vector<Diagnostic>& out) {
  Checker c(out, se);
  if (se.has_workload_selector && se.endpoints > 0)
    c.error(se.loc, "spec", "only one of WorkloadSelector or Endpoints can be set");
  for (const auto& [k, v] : se.workload_selector)
    if (k.find('*') != std::string::npos || v.find('*') != std::string::npos)
      c.error(se.loc, "spec.workloadSelector.labels[" + k + "]",
              "wildcard is not supported in selector: \"" + k + "=" + v + "\"");
  check_se_hosts(se, c);
  check_se_ports(se, c);
  check_se_resolution(se, c);
}

void validate(const Sidecar& sc, std::vector<Diagnostic>& out) {
  Checker c(out, sc);
  for (size_t i = 0; i < sc.egress_hosts.size(); ++i)
    if (std::string p = sidecar_host_problem(sc.egress_hosts[i]); !p.empty())
      c.error(i < sc.egress_host_locs.size() ? sc.egress_host_locs[i] : sc.loc, "spec.egress.hosts", p,
              "write hosts as namespace/dnsName: \"./*\", \"istio-system/*\", \"*/api.example.com\"");
  std::set<uint32_t> ports;
  for (const Sidecar::Ingress& in : sc.ingress) {
    if (in.port == 0)
      c.error(in.loc, "spec.ingress.port", "sidecar: port is required for ingress listeners");
    else if (!ports.insert(in.port).second)
      c.error(in.loc, "spec.ingress.port", "sidecar: ports on IP bound listeners must be unique");
  }
  const std::string& m = sc.outbound_traffic_policy;
  if (m == "ALLOW_ANY_DYNAMIC_DNS")
    c.error(sc.outbound_traffic_policy_loc, "spec.outboundTrafficPolicy.mode",
            "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource");
  else if (!m.empty() && m != "ALLOW_ANY" && m != "REGISTRY_ONLY")
    c.error(sc.outbound_traffic_policy_loc, "spec.outboundTrafficPolicy.mode", "Unsupported value: \"" + m + "\"");
}

void validate(const Telemetry& t, std::vector<Diagnostic>& out) {
  Checker c(out, t);
  if (t.selector.present && t.has_target_refs)
    c.error(t.selector.loc, "spec", "only one of targetRefs or workloadSelector can be set");
  for (size_t i = 0; i < t.access_log_entries.size(); ++i) {
    const TelemetryAccessLogging& e = t.access_log_entries[i];
    const std::string f = "spec.accessLogging[" + std::to_string(i) + "]";
    for (size_t p = 0; p < e.providers.size(); ++p)
      if (e.providers[p].value.empty())
        c.error(e.providers[p].loc.known() ? e.providers[p].loc : e.loc,
                f + ".providers[" + std::to_string(p) + "].name", "providers.name may not be empty");
    if (!e.mode.value.empty() && !in(e.mode.value, {"CLIENT_AND_SERVER", "CLIENT", "SERVER"}))
      c.error(e.mode.loc, f + ".match.mode", "Unsupported value: \"" + e.mode.value + "\"",
              "use CLIENT_AND_SERVER, CLIENT or SERVER");
  }
}

}  // namespace meshproof::model
