// What the API server rejects for a gateway.networking.k8s.io Gateway: the CRD's OpenAPI schema (required
// fields, lengths, patterns, enums, ranges) and its CEL rules (x-kubernetes-validations), as
// kubernetes-sigs/gateway-api apis/v1/gateway_types.go and shared_types.go declare them (docs/semantics.md
// #gateway-api lists each rule). Istio's own checks of a waypoint (one HBONE listener on 15008) are status
// conditions, not admission: they belong to the waypoint model (mesh/waypoints.h), not here.
#include <regex>
#include <set>
#include <tuple>

#include "model/gateway_api.h"
#include "model/validate.h"
#include "model/validate_checker.h"
#include "model/validate_names.h"

namespace meshproof::model {

using detail::Checker;
using detail::in;

namespace {

// SectionName (listener names): a DNS-1123 subdomain, at most 253 characters.
bool section_name(const std::string& n) {
  static const std::regex re("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return !n.empty() && n.size() <= 253 && std::regex_match(n, re);
}

// ProtocolType: a core name, or a domain-prefixed one ("istio.io/PROXY"); 1..255 characters.
bool protocol_type(const std::string& p) {
  static const std::regex re(
      "^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/"
      "[A-Za-z0-9]+$");
  return !p.empty() && p.size() <= 255 && std::regex_search(p, re);
}

void check_tls(const gwapi::Listener& l, const std::string& f, Checker& c) {
  const gwapi::ListenerTls& t = l.tls;
  if (!t.present) return;
  if (in(l.protocol, {"HTTP", "TCP", "UDP"}))
    c.error(t.loc, f + ".tls", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
            "remove tls, or use protocol HTTPS or TLS");
  if (t.mode_written && !in(t.mode, {"Terminate", "Passthrough"}))
    c.error(t.mode_loc, f + ".tls.mode", "Unsupported value: \"" + t.mode + "\"",
            "supported values: \"Terminate\", \"Passthrough\"");
  if (l.protocol == "HTTPS" && t.mode != "Terminate")
    c.error(t.mode_loc, f + ".tls.mode", "tls mode must be Terminate for protocol HTTPS",
            "use protocol TLS for a passthrough listener");
  if (t.mode == "Terminate" && t.certificate_refs.empty() && !t.options_present)
    c.error(t.loc, f + ".tls", "certificateRefs or options must be specified when mode is Terminate",
            "add certificateRefs: [{name: <secret>}] naming the Secret with the listener's certificate");
  if (t.certificate_refs.size() > 64)
    c.error(t.loc, f + ".tls.certificateRefs",
            "Too many: " + std::to_string(t.certificate_refs.size()) + ": must have at most 64 items");
}

void check_allowed_routes(const gwapi::AllowedRoutes& a, const std::string& f, Checker& c) {
  if (a.from_written && !in(a.from, {"All", "Selector", "Same", "None"}))
    c.error(a.from_loc, f + ".allowedRoutes.namespaces.from", "Unsupported value: \"" + a.from + "\"",
            "supported values: \"All\", \"Selector\", \"Same\", \"None\"");
}

void check_listener(const gwapi::Listener& l, const std::string& f, Checker& c) {
  if (l.name.empty())
    c.error(l.loc, f + ".name", "Required value", "name the listener, e.g. name: http");
  else if (!section_name(l.name))
    c.error(l.name_loc, f + ".name", "Invalid value: \"" + l.name + "\": must be a lowercase RFC 1123 subdomain",
            "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
  if (!l.port_present) c.error(l.loc, f + ".port", "Required value", "add port: <1..65535>");
  if (l.protocol.empty())
    c.error(l.loc, f + ".protocol", "Required value", "add protocol: HTTP, HTTPS, TLS, TCP or UDP");
  else if (!protocol_type(l.protocol))
    c.error(l.protocol_loc, f + ".protocol",
            "Invalid value: \"" + l.protocol + "\": does not match the ProtocolType pattern",
            "use HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed protocol such as example.com/proto");
  if (l.hostname_present && !l.hostname.empty()) {
    if (!detail::gateway_api_hostname(l.hostname))
      c.error(l.hostname_loc, f + ".hostname", "Invalid value: \"" + l.hostname + "\": must be a lowercase hostname",
              "write a DNS name, optionally starting with \"*.\"; IP addresses and ports are not allowed");
    if (in(l.protocol, {"TCP", "UDP"}))
      c.error(l.hostname_loc, f + ".hostname", "hostname must not be specified for protocols ['TCP', 'UDP']");
  }
  check_tls(l, f, c);
  check_allowed_routes(l.allowed_routes, f, c);
}

// The CEL rules over the whole list: unique names, unique (port, protocol, hostname).
void check_listener_set(const gwapi::Gateway& g, Checker& c) {
  std::set<std::string> names;
  std::set<std::tuple<uint32_t, std::string, bool, std::string>> combos;
  for (size_t i = 0; i < g.listeners.size(); ++i) {
    const gwapi::Listener& l = g.listeners[i];
    const std::string f = "spec.listeners[" + std::to_string(i) + "]";
    if (!l.name.empty() && !names.insert(l.name).second)
      c.error(l.name_loc, f + ".name", "Listener name must be unique within the Gateway",
              "listener \"" + l.name + "\" is defined twice: rename one of them");
    if (!combos.insert({l.port, l.protocol, l.hostname_present, l.hostname}).second)
      c.error(l.loc, f, "Combination of port, protocol and hostname must be unique for each listener");
  }
}

void check_addresses(const gwapi::Gateway& g, Checker& c) {
  if (g.addresses.size() > 16)
    c.error(g.loc, "spec.addresses",
            "Too many: " + std::to_string(g.addresses.size()) + ": must have at most 16 items");
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < g.addresses.size(); ++i) {
    const gwapi::Address& a = g.addresses[i];
    const std::string f = "spec.addresses[" + std::to_string(i) + "]";
    if (a.type == "Hostname" && !a.value.empty() && !detail::gateway_api_hostname(a.value))
      c.error(a.loc, f + ".value", "Hostname value must only contain valid characters");
    if ((a.type == "IPAddress" || a.type == "Hostname") && !a.value.empty() && !seen.insert({a.type, a.value}).second)
      c.error(a.loc, f + ".value", a.type + " values must be unique");
  }
}

}  // namespace

void validate(const gwapi::Gateway& g, std::vector<Diagnostic>& out) {
  Checker c(out, g);
  if (!g.gateway_class_name_present || g.gateway_class_name.empty())
    c.error(g.gateway_class_name_loc, "spec.gatewayClassName", "Required value",
            "name the GatewayClass, e.g. gatewayClassName: istio (istio-waypoint for a waypoint)");
  else if (g.gateway_class_name.size() > 253)
    c.error(g.gateway_class_name_loc, "spec.gatewayClassName", "may not be more than 253 characters");
  if (g.listeners.empty())
    c.error(g.listeners_loc, "spec.listeners", g.listeners_present ? "should have at least 1 items" : "Required value",
            "add a listener, e.g. listeners: [{name: http, port: 80, protocol: HTTP}]");
  if (g.listeners.size() > 64)
    c.error(g.listeners_loc, "spec.listeners",
            "Too many: " + std::to_string(g.listeners.size()) + ": must have at most 64 items");
  for (size_t i = 0; i < g.listeners.size(); ++i)
    check_listener(g.listeners[i], "spec.listeners[" + std::to_string(i) + "]", c);
  check_listener_set(g, c);
  check_addresses(g, c);
  if (g.infrastructure_labels.size() > 8)
    c.error(g.infrastructure_loc, "spec.infrastructure.labels", "must have at most 8 properties");
  if (g.infrastructure_annotations.size() > 8)
    c.error(g.infrastructure_loc, "spec.infrastructure.annotations", "must have at most 8 properties");
}

}  // namespace meshproof::model
