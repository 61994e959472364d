// What Istio's admission rejects or warns about for the three security kinds: the webhook
// (pkg/config/validation/validation.go, pkg/config/security/security.go) and the CRD schema and CEL rules
// (manifests/charts/base/files/crd-all.gen.yaml), as summarized in istio-semantics.md §9 (IS §9).
// Every rule is listed with its reference in docs/semantics.md §2.
#include "model/validate.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "model/istio_values.h"
#include "model/reader.h"
#include "model/validate_checker.h"

namespace meshproof::model {

using namespace detail;

namespace {

constexpr const char* kDryRun = "istio.io/dry-run";
constexpr const char* kAlwaysReject = "internal.istio.io/webhook-always-reject";

std::string idx(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }

// A field path built only when a diagnostic needs it (validation runs on every policy; errors are rare).
struct Path {
  const std::string& base;
  std::string_view leaf;
  std::string str() const {
    std::string s = base;
    s += '.';
    s += leaf;
    return s;
  }
};
std::string idx(const Path& p, size_t i) { return idx(p.str(), i); }

bool go_parse_bool(const std::string& s) {
  return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True" || s == "0" || s == "f" ||
         s == "F" || s == "false" || s == "FALSE" || s == "False";
}

// The suggestion for an enum value written in the wrong case or with a typo.
std::string enum_help(const std::string& v, std::initializer_list<const char*> values) {
  std::string upper;
  for (char c : v) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const char* e : values) {
    size_t d = edit_distance(upper, e);
    if (d < best_d) best_d = d, best = e;
  }
  std::string list;
  for (const char* e : values) list += std::string(list.empty() ? "" : ", ") + e;
  if (best_d <= 2) return "did you mean " + best + "? (enum values are case-sensitive: " + list + ")";
  return "use one of " + list;
}

// Annotations every Istio kind is checked for (validateMetadata in validation.go, IS §9).
void check_common_annotations(const ResourceBase& r, Checker& c, bool dry_run_allowed) {
  if (r.meta.annotations.count(kAlwaysReject)) {
    c.error(r.meta.loc, "metadata.annotations", std::string("\"") + kAlwaysReject + "\" annotation found, rejecting",
            "this annotation exists to test Istio's webhook; remove it");
  }
  if (!dry_run_allowed && r.meta.annotations.count(kDryRun)) {
    c.error(r.meta.loc, "metadata.annotations",
            r.kind + " has unsupported annotation " + kDryRun + ", please remove the annotation",
            "only AuthorizationPolicy supports dry-run");
  }
}

void check_selector(const Selector& sel, Checker& c) {
  if (!sel.present) return;
  const std::string field = "spec.selector.matchLabels";
  if (sel.match_labels.empty()) {
    // Valid, but it selects every workload in scope (IS §3).
    c.warning(sel.loc, "spec.selector", "workload selector specified without labels",
              "an empty selector matches every workload in the namespace (every workload in the mesh from the "
              "root namespace); remove `selector:` to say so explicitly, or add labels");
    return;
  }
  if (sel.match_labels.size() > 4096)
    c.error(sel.loc, field, "selector has more than 4096 labels", "the CRD limits matchLabels to 4096 entries");
  for (const auto& [k, v] : sel.match_labels) {
    if (k.empty())
      c.error(sel.loc, field, "empty key is not supported in selector: \"" + k + "=" + v + "\"",
              "give every label a key");
    if (k.find('*') != std::string::npos || v.find('*') != std::string::npos)
      c.error(sel.loc, field + "[" + k + "]", "wildcard is not supported in selector: \"" + k + "=" + v + "\"",
              "selectors match labels exactly; list the exact label values instead");
    if (v.size() > 63)
      c.error(
          sel.loc, field + "[" + k + "]",
          "label value of \"" + k + "\" is " + std::to_string(v.size()) + " characters long; at most 63 are allowed",
          "Kubernetes label values are at most 63 characters");
  }
}

void check_target_ref(const TargetRef& t, const std::string& field, Checker& c) {
  if (!t.has_name || t.name.empty())
    c.error(t.loc, field + ".name", "targetRef name must be set",
            "name the Service, ServiceEntry, Gateway or "
            "GatewayClass the policy attaches to");
  else if (t.name.size() > 253)
    c.error(t.loc, field + ".name", "targetRef name is longer than 253 characters");
  if (!t.ns.empty())
    c.error(t.loc, field + ".namespace",
            "targetRef namespace must not be set; cross namespace referencing is not currently supported",
            "remove `namespace:`; the target must be in the policy's own namespace");
  if (!t.has_kind) {
    c.error(t.loc, field + ".kind", "targetRef kind must be set");
    return;
  }
  if (!valid_ref_group(t.group))
    c.error(t.loc, field + ".group", "targetRef group \"" + t.group + "\" is not a valid API group name",
            "use \"\" (core), \"networking.istio.io\" or \"gateway.networking.k8s.io\"");
  if (!valid_ref_kind(t.kind))
    c.error(t.loc, field + ".kind", "targetRef kind \"" + t.kind + "\" is not a valid kind name");
  const std::string group = t.group.empty() ? "core" : t.group;
  bool allowed = (group == "core" && t.kind == "Service") ||
                 (group == "networking.istio.io" && t.kind == "ServiceEntry") ||
                 (group == "gateway.networking.k8s.io" && (t.kind == "Gateway" || t.kind == "GatewayClass"));
  if (!allowed)
    c.error(t.loc, field,
            "targetRef must be to one of core/Service, networking.istio.io/ServiceEntry, "
            "gateway.networking.k8s.io/Gateway, gateway.networking.k8s.io/GatewayClass but was " +
                t.group + "/" + t.kind,
            "Istio attaches policies only to those kinds");
}

// One of selector, targetRef, targetRefs; the targetRef checks.
template <class P>
void check_attachment(const P& p, Checker& c) {
  int set = (p.selector.present ? 1 : 0) + (p.has_target_ref_singular ? 1 : 0) + (p.has_target_refs_plural ? 1 : 0);
  if (set > 1)
    c.error(p.loc, "spec", "only one of targetRefs or selector can be set",
            "use either selector (sidecars) or targetRef/targetRefs (waypoints and gateways), not both");
  check_selector(p.selector, c);
  if (p.has_target_ref_singular) check_target_ref(p.target_ref, "spec.targetRef", c);
  if (p.has_target_refs_plural) {
    // target_refs may hold the folded singular; with targetRefs written it holds exactly those.
    if (p.target_refs.size() > 16)
      c.error(p.loc, "spec.targetRefs",
              "targetRefs has " + std::to_string(p.target_refs.size()) + " items; at most 16 are allowed");
    for (size_t i = 0; i < p.target_refs.size(); ++i) check_target_ref(p.target_refs[i], idx("spec.targetRefs", i), c);
  }
}

void check_not_empty(const StrList& l, const Path& field, Checker& c) {
  for (size_t i = 0; i < l.items.size(); ++i)
    if (l.items[i].value.empty())
      c.error(l.items[i].loc, idx(field, i), "empty value not allowed",
              "remove the empty string; an empty value matches nothing you intend");
}

void check_ips(const StrList& l, const Path& field, Checker& c) {
  for (size_t i = 0; i < l.items.size(); ++i) {
    const std::string& v = l.items[i].value;
    if (v.empty()) continue;  // reported as empty
    if (!valid_ip_or_cidr(v))
      c.error(l.items[i].loc, idx(field, i),
              (v.find('/') != std::string::npos ? "bad CIDR range (" : "bad IP address (") + v + ")",
              "write an IPv4/IPv6 address (1.2.3.4) or CIDR range (10.0.0.0/8)");
  }
}

void check_ports(const StrList& l, const Path& field, Checker& c) {
  for (size_t i = 0; i < l.items.size(); ++i) {
    const std::string& v = l.items[i].value;
    if (v.empty()) continue;
    if (!valid_port_string(v))
      c.error(l.items[i].loc, idx(field, i), "bad port (" + v + "): must be a number between 0 and 65535",
              "ports are plain decimal numbers such as \"8080\"; ranges and names are not supported");
  }
}

void check_service_accounts(const StrList& l, const Path& field, Checker& c) {
  if (l.items.size() > 16)
    c.error(l.loc, field.str(), std::to_string(l.items.size()) + " service accounts listed; at most 16 are allowed",
            "split the source into several `from` entries");
  for (size_t i = 0; i < l.items.size(); ++i) {
    std::string why = service_account_problem(l.items[i].value);
    if (why == "empty value")
      c.error(l.items[i].loc, idx(field, i), "empty value not allowed", "remove the empty string");
    else if (!why.empty())
      c.error(l.items[i].loc, idx(field, i), "invalid service account \"" + l.items[i].value + "\": " + why,
              "write \"name\" (the policy's namespace) or \"namespace/name\"");
  }
}

void check_trust_domains(const StrList& l, const Path& field, Checker& c) {
  for (size_t i = 0; i < l.items.size(); ++i) {
    std::string why = trust_domain_problem(l.items[i].value);
    if (why == "empty value")
      c.error(l.items[i].loc, idx(field, i), "empty value not allowed", "remove the empty string");
    else if (!why.empty())
      c.error(l.items[i].loc, idx(field, i), "invalid trust domain \"" + l.items[i].value + "\": " + why,
              "write a trust domain such as \"cluster.local\", optionally with one leading or trailing *");
  }
}

void check_paths(const StrList& l, const Path& field, Checker& c) {
  for (size_t i = 0; i < l.items.size(); ++i) {
    const std::string& v = l.items[i].value;
    if (!is_path_template(v)) continue;
    std::string why = path_template_problem(v);
    if (!why.empty())
      c.error(l.items[i].loc, idx(field, i), "invalid or unsupported path template \"" + v + "\": " + why,
              "a path with {*} or {**} is an Envoy URI template: {*} matches one segment, {**} any number of "
              "trailing ones; other segments must be literal");
  }
}

bool valid_action(const std::string& a) { return a == "ALLOW" || a == "DENY" || a == "AUDIT" || a == "CUSTOM"; }

// security.ValidateAttribute for one `when` condition (IS §6 table); "" when the key is valid.
std::string check_when_key(const std::string& key, std::string& help) {
  auto starts = [&](std::string_view p) { return key.compare(0, p.size(), p) == 0; };
  auto map_key = [&]() -> std::string {
    if (valid_map_key(key)) return "";
    help = "write it as name[key], e.g. request.headers[x-user]";
    return "bad key (" + key + "): should have format a[b]";
  };
  if (starts("request.headers")) return map_key();
  if (key == "source.ip" || key == "remote.ip" || key == "source.namespace" || key == "source.principal" ||
      key == "source.serviceAccount" || key == "source.trustDomain" || key == "request.auth.principal" ||
      key == "request.auth.audiences" || key == "request.auth.presenter" || key == "destination.ip" ||
      key == "destination.port" || key == "connection.sni")
    return "";
  if (starts("request.auth.claims")) return map_key();
  if (starts("experimental.envoy.filters.")) return map_key();
  if (key == "destination.namespace") {
    help = "a policy applies to workloads in its own namespace: put it in that namespace (metadata.namespace)";
    return "attribute destination.namespace is replaced by the metadata.namespace";
  }
  if (starts("destination.labels")) {
    help = "select the workloads with spec.selector.matchLabels instead";
    return "attribute " + key + " is replaced by the workload selector";
  }
  if (key == "destination.name" || key == "destination.user") {
    help = "select the workloads with spec.selector.matchLabels instead";
    return "deprecated attribute " + key + ": only supported in v1alpha1";
  }
  static const char* known[] = {"request.headers[]",
                                "source.ip",
                                "remote.ip",
                                "source.namespace",
                                "source.principal",
                                "source.serviceAccount",
                                "source.trustDomain",
                                "request.auth.principal",
                                "request.auth.audiences",
                                "request.auth.presenter",
                                "request.auth.claims[]",
                                "destination.ip",
                                "destination.port",
                                "connection.sni"};
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const char* k : known) {
    size_t d = edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  help = best_d <= 3 ? "did you mean " + best + "?" : "see the list of supported conditions in the Istio docs";
  return "unknown attribute: " + key;
}

void check_when_values(const std::string& key, const StrList& l, const Path& field, Checker& c) {
  check_not_empty(l, field, c);
  if (key == "source.ip" || key == "remote.ip" || key == "destination.ip")
    check_ips(l, field, c);
  else if (key == "destination.port")
    check_ports(l, field, c);
  else if (key == "source.serviceAccount")
    check_service_accounts(l, field, c);
  else if (key == "source.trustDomain")
    check_trust_domains(l, field, c);
}

// Which fields of a rule's `from` and `to` entries exist and work on TCP: Istio's trigger for the warning
// that a DENY rule denies all TCP traffic (validation.go; IS §7).
struct RuleFacts {
  bool from_exists = false, to_exists = false, tcp_in_from = false, tcp_in_to = false;
};

// The istio.io/dry-run annotation: only ALLOW and DENY take it, and its value must parse as a Go bool.
void check_dry_run(const AuthorizationPolicy& p, bool action_known, const std::string& action, Checker& c) {
  if (auto it = p.meta.annotations.find(kDryRun); it != p.meta.annotations.end()) {
    if (p.action == Action::Allow || p.action == Action::Deny) {
      if (action_known && !go_parse_bool(it->second))
        c.error(p.meta.loc, "metadata.annotations[istio.io/dry-run]",
                "annotation istio.io/dry-run has invalid value \"" + it->second + "\"", "use \"true\" or \"false\"");
    } else {
      c.error(p.meta.loc, "metadata.annotations[istio.io/dry-run]",
              "the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action " + action,
              "remove the annotation");
    }
  }
}

// What CUSTOM rules may not use: peer identity and JWT fields (the external authorizer runs first).
void check_custom_rules(const AuthorizationPolicy& p, Checker& c) {
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& rule = p.rules[i];
    if (rule.is_null) continue;
    const std::string rf = idx("spec.rules", i);
    for (size_t f = 0; f < rule.from.size(); ++f) {
      const Source& s = rule.from[f];
      if (!s.present) continue;
      const std::string sf = idx(rf + ".from", f) + ".source.";
      auto check = [&](const StrList& l, const char* name) {
        if (!l.empty())
          c.error(l.loc, sf + name, std::string(name) + " is currently not supported with CUSTOM action",
                  "the external authorizer runs before identity and JWT checks; use ipBlocks/remoteIpBlocks or "
                  "`to` fields, or let the external authorizer decide on identity");
      };
      check(s.namespaces, "namespaces");
      check(s.not_namespaces, "notNamespaces");
      check(s.service_accounts, "serviceAccounts");
      check(s.not_service_accounts, "notServiceAccounts");
      check(s.trust_domains, "trustDomains");
      check(s.not_trust_domains, "notTrustDomains");
      check(s.principals, "principals");
      check(s.not_principals, "notPrincipals");
      check(s.request_principals, "requestPrincipals");
      check(s.not_request_principals, "notRequestPrincipals");
    }
    for (size_t w = 0; w < rule.when.size(); ++w) {
      const Condition& cond = rule.when[w];
      if (cond.null_entry) continue;  // reported below
      const std::string& k = cond.key.value;
      if (k == "source.namespace" || k == "source.serviceAccount" || k == "source.trustDomain" ||
          k == "source.principal" || k.rfind("request.auth.", 0) == 0)
        c.error(cond.key.loc, idx(rf + ".when", w) + ".key", k + " is currently not supported with CUSTOM action",
                "CUSTOM policies cannot condition on peer identity or JWT claims");
    }
  }
}

// One `from` entry of rule i, at field path ff.
void check_source(const Source& s, size_t i, const std::string& ff, Checker& c, RuleFacts& facts) {
  if (s.null_entry) {
    c.error(s.loc, ff, "`from` must not be nil, found at rule " + std::to_string(i), "remove the empty list item");
    return;
  }
  if (!s.present) {
    c.error(s.loc, ff + ".source", "`from.source` must not be nil, found at rule " + std::to_string(i),
            "every `from` entry needs a `source:` with at least one field");
    return;
  }
  facts.from_exists = true;
  const std::string sf = ff + ".source";
  if ((!s.principals.empty() || !s.not_principals.empty() || !s.namespaces.empty() || !s.not_namespaces.empty()) &&
      (!s.service_accounts.empty() || !s.not_service_accounts.empty()))
    c.error(s.loc, sf, "Cannot set serviceAccounts with namespaces or principals",
            "put serviceAccounts in a separate `from` entry (entries are OR-ed)");
  const StrList* all[] = {&s.principals,       &s.not_principals,      &s.request_principals, &s.not_request_principals,
                          &s.namespaces,       &s.not_namespaces,      &s.service_accounts,   &s.not_service_accounts,
                          &s.trust_domains,    &s.not_trust_domains,   &s.ip_blocks,          &s.not_ip_blocks,
                          &s.remote_ip_blocks, &s.not_remote_ip_blocks};
  bool any = false;
  for (const StrList* l : all) any |= !l->empty();
  if (!any)
    c.error(s.loc, sf, "`from.source` must not be empty, found at rule " + std::to_string(i),
            "add at least one field to the source, or remove the `from` entry");
  check_ips(s.ip_blocks, Path{sf, "ipBlocks"}, c);
  check_ips(s.not_ip_blocks, Path{sf, "notIpBlocks"}, c);
  check_ips(s.remote_ip_blocks, Path{sf, "remoteIpBlocks"}, c);
  check_ips(s.not_remote_ip_blocks, Path{sf, "notRemoteIpBlocks"}, c);
  check_not_empty(s.principals, Path{sf, "principals"}, c);
  check_not_empty(s.request_principals, Path{sf, "requestPrincipals"}, c);
  check_not_empty(s.namespaces, Path{sf, "namespaces"}, c);
  check_service_accounts(s.service_accounts, Path{sf, "serviceAccounts"}, c);
  check_trust_domains(s.trust_domains, Path{sf, "trustDomains"}, c);
  check_not_empty(s.ip_blocks, Path{sf, "ipBlocks"}, c);
  check_not_empty(s.remote_ip_blocks, Path{sf, "remoteIpBlocks"}, c);
  check_not_empty(s.not_principals, Path{sf, "notPrincipals"}, c);
  check_not_empty(s.not_request_principals, Path{sf, "notRequestPrincipals"}, c);
  check_not_empty(s.not_namespaces, Path{sf, "notNamespaces"}, c);
  check_service_accounts(s.not_service_accounts, Path{sf, "notServiceAccounts"}, c);
  check_trust_domains(s.not_trust_domains, Path{sf, "notTrustDomains"}, c);
  check_not_empty(s.not_ip_blocks, Path{sf, "notIpBlocks"}, c);
  check_not_empty(s.not_remote_ip_blocks, Path{sf, "notRemoteIpBlocks"}, c);
  // Istio's list of fields that also work on TCP, for the DENY warning below (trust domains are not in
  // it, IS §7).
  facts.tcp_in_from |= !s.principals.empty() || !s.not_principals.empty() || !s.ip_blocks.empty() ||
                       !s.not_ip_blocks.empty() || !s.namespaces.empty() || !s.not_namespaces.empty() ||
                       !s.remote_ip_blocks.empty() || !s.not_remote_ip_blocks.empty() || !s.service_accounts.empty() ||
                       !s.not_service_accounts.empty();
}

// One `to` entry of rule i, at field path tf.
void check_operation(const Operation& op, size_t i, const std::string& tf, Checker& c, RuleFacts& facts) {
  if (op.null_entry) {
    c.error(op.loc, tf, "`to` must not be nil, found at rule " + std::to_string(i), "remove the empty list item");
    return;
  }
  if (!op.present) {
    c.error(op.loc, tf + ".operation", "`to.operation` must not be nil, found at rule " + std::to_string(i),
            "every `to` entry needs an `operation:` with at least one field");
    return;
  }
  facts.to_exists = true;
  const std::string of = tf + ".operation";
  if (op.ports.empty() && op.methods.empty() && op.paths.empty() && op.hosts.empty() && op.not_ports.empty() &&
      op.not_methods.empty() && op.not_paths.empty() && op.not_hosts.empty())
    c.error(op.loc, of, "`to.operation` must not be empty, found at rule " + std::to_string(i),
            "add at least one field to the operation, or remove the `to` entry");
  check_ports(op.ports, Path{of, "ports"}, c);
  check_ports(op.not_ports, Path{of, "notPorts"}, c);
  check_not_empty(op.ports, Path{of, "ports"}, c);
  check_not_empty(op.methods, Path{of, "methods"}, c);
  check_not_empty(op.paths, Path{of, "paths"}, c);
  check_not_empty(op.hosts, Path{of, "hosts"}, c);
  check_not_empty(op.not_ports, Path{of, "notPorts"}, c);
  check_not_empty(op.not_methods, Path{of, "notMethods"}, c);
  check_not_empty(op.not_paths, Path{of, "notPaths"}, c);
  check_not_empty(op.not_hosts, Path{of, "notHosts"}, c);
  check_paths(op.paths, Path{of, "paths"}, c);
  check_paths(op.not_paths, Path{of, "notPaths"}, c);
  facts.tcp_in_to |= !op.ports.empty() || !op.not_ports.empty();
}

// One `when` condition, at field path wf.
void check_condition(const Condition& cond, const std::string& wf, Checker& c) {
  if (cond.null_entry) {
    c.error(cond.loc, wf, "when field cannot be nil", "remove the empty list item");
    return;
  }
  const std::string& key = cond.key.value;
  if (key.empty()) {
    c.error(cond.loc, wf + ".key", "`key` must not be empty", "name the attribute, e.g. request.headers[x-user]");
    return;
  }
  if (cond.values.empty() && cond.not_values.empty()) {
    c.error(cond.loc, wf, "at least one of `values` or `notValues` must be set for key " + key,
            "add values: [...] or notValues: [...]");
    return;
  }
  std::string help;
  std::string why = check_when_key(key, help);
  if (!why.empty()) {
    c.error(cond.key.loc, wf + ".key", "invalid `when` condition: " + why, help);
    return;
  }
  check_when_values(key, cond.values, Path{wf, "values"}, c);
  check_when_values(key, cond.not_values, Path{wf, "notValues"}, c);
}

void check_rule(const AuthorizationPolicy& p, bool action_known, size_t i, Checker& c) {
  const Rule& rule = p.rules[i];
  const std::string rf = idx("spec.rules", i);
  if (rule.is_null) {
    c.error(rule.loc, rf, "`rule` must not be nil, found at rule " + std::to_string(i),
            "remove the empty list item, or write `{}` for a rule that matches every request");
    return;
  }
  if (rule.from.size() > 512)
    c.error(rule.loc, rf + ".from", std::to_string(rule.from.size()) + " `from` entries; at most 512 are allowed");
  RuleFacts facts;
  for (size_t f = 0; f < rule.from.size(); ++f) check_source(rule.from[f], i, idx(rf + ".from", f), c, facts);
  for (size_t t = 0; t < rule.to.size(); ++t) check_operation(rule.to[t], i, idx(rf + ".to", t), c, facts);
  for (size_t w = 0; w < rule.when.size(); ++w) check_condition(rule.when[w], idx(rf + ".when", w), c);
  // Istio's warning, with its exact trigger (validation.go; IS §7): it looks at from/to only.
  if (action_known && p.action == Action::Deny &&
      ((facts.from_exists && !facts.to_exists && !facts.tcp_in_from) || (facts.to_exists && !facts.tcp_in_to)))
    c.warning(rule.loc, rf,
              "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of "
              "only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port",
              "on a TCP port the HTTP-only fields of a DENY rule are dropped and the rest matches every "
              "connection; add `ports` to the operation to limit the rule to HTTP ports");
}

}  // namespace

void validate(const AuthorizationPolicy& p, std::vector<Diagnostic>& out) {
  Checker c(out, p);
  check_common_annotations(p, c, /*dry_run_allowed=*/true);
  check_attachment(p, c);

  const bool action_known = p.action_written.empty() || valid_action(p.action_written);
  if (!action_known)
    c.error(p.action_loc, "spec.action", "Unsupported value: \"" + p.action_written + "\"",
            enum_help(p.action_written, {"ALLOW", "DENY", "AUDIT", "CUSTOM"}));
  const std::string action = action_known ? to_string(p.action) : p.action_written;

  check_dry_run(p, action_known, action, c);

  // Istio decodes into protobuf, where `rules: []` is the same as no rules (golang/protobuf#1348).
  const bool no_rules = p.rules.empty();
  if (action_known && p.action == Action::Custom) {
    if (no_rules) {
      c.error(p.rules_present ? p.rules_loc : p.loc, "spec.rules",
              "CUSTOM action without `rules` is meaningless as it will never be triggered",
              "add an empty rule `{}` if you want it to be triggered for every request");
    } else if (p.provider.empty()) {
      c.error(p.provider_present ? p.provider_loc : p.loc, "spec.provider.name", "`provider.name` must not be empty",
              "name an extension provider from meshConfig.extensionProviders");
    }
    check_custom_rules(p, c);
  }
  if (action_known && p.provider_present && p.action != Action::Custom)
    c.error(p.provider_loc, "spec.provider", "`provider` must not be with non CUSTOM action, found " + action,
            "set `action: CUSTOM`, or remove `provider`");
  if (action_known && p.action == Action::Deny && no_rules)
    c.error(p.rules_present ? p.rules_loc : p.loc, "spec.rules",
            "DENY action without `rules` is meaningless as it will never be triggered",
            "add an empty rule `{}` if you want to deny every request");
  if (p.rules.size() > 512)
    c.error(p.rules_loc, "spec.rules", std::to_string(p.rules.size()) + " rules; at most 512 are allowed");

  for (size_t i = 0; i < p.rules.size(); ++i) check_rule(p, action_known, i, c);
}

void validate(const PeerAuthentication& p, std::vector<Diagnostic>& out) {
  Checker c(out, p);
  check_common_annotations(p, c, /*dry_run_allowed=*/false);
  check_selector(p.selector, c);
  static const std::initializer_list<const char*> modes = {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"};
  auto valid_mode = [](const std::string& m) {
    return m.empty() || m == "UNSET" || m == "DISABLE" || m == "PERMISSIVE" || m == "STRICT";
  };
  if (!valid_mode(p.mode_written))
    c.error(p.mode_loc, "spec.mtls.mode", "Unsupported value: \"" + p.mode_written + "\"",
            enum_help(p.mode_written, modes));
  const bool empty_selector = !p.selector.present || p.selector.match_labels.empty();
  if (p.port_level_present) {
    if (p.port_level.empty())
      c.error(p.port_level_loc, "spec.portLevelMtls", "portLevelMtls must have at least one port",
              "remove `portLevelMtls: {}` or add a port");
    if (empty_selector)
      c.error(p.port_level_loc, "spec.portLevelMtls",
              "portLevelMtls requires selector: mesh/namespace peer authentication cannot have port level mTLS",
              "add a selector with labels, or move the port settings to a workload-level PeerAuthentication");
    for (const PortMtls& pm : p.port_level) {
      const std::string f = "spec.portLevelMtls[" + pm.port_written + "]";
      bool numeric = !pm.port_written.empty() && pm.port_written.size() <= 10 &&
                     pm.port_written.find_first_not_of("0123456789") == std::string::npos &&
                     std::stoull(pm.port_written) <= UINT32_MAX;
      if (!numeric)
        c.error(pm.loc, f, "type conversion error from \"" + pm.port_written + "\": port keys must be numbers",
                "use the workload's port number as the key, e.g. 8080:");
      else if (pm.port == 0 || pm.port > 65535)
        c.error(pm.loc, f, "port must be between 1-65535", "use the workload (container) port number");
      if (!valid_mode(pm.mode_written))
        c.error(pm.mode_loc, f + ".mode", "Unsupported value: \"" + pm.mode_written + "\"",
                enum_help(pm.mode_written, modes));
    }
  }
}

namespace {

// The JWKS checks of validateJwtRule: it must parse as a JSON Web Key (Set); private keys draw a warning.
void check_jwks(const Str& jwks, const std::string& field, Checker& c) {
  nlohmann::json doc = nlohmann::json::parse(jwks.value, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    c.error(jwks.loc, field, "jwks parse error: not a JSON object", "paste the JSON Web Key Set ({\"keys\": [...]})");
    return;
  }
  std::vector<const nlohmann::json*> keys;
  if (auto it = doc.find("keys"); it != doc.end()) {
    if (!it->is_array()) {
      c.error(jwks.loc, field, "jwks parse error: \"keys\" is not a list");
      return;
    }
    for (const auto& k : *it) keys.push_back(&k);
  } else {
    keys.push_back(&doc);
  }
  bool private_key = false;
  for (const nlohmann::json* k : keys) {
    if (!k->is_object()) {
      c.error(jwks.loc, field, "jwks parse error: a key is not a JSON object");
      return;
    }
    auto kty = k->find("kty");
    if (kty == k->end() || !kty->is_string()) {
      c.error(jwks.loc, field, "jwks parse error: a key has no \"kty\"");
      return;
    }
    const std::string t = kty->get<std::string>();
    if (t != "RSA" && t != "EC" && t != "OKP" && t != "oct") {
      c.error(jwks.loc, field, "jwks parse error: unsupported key type \"" + t + "\"");
      return;
    }
    // "d" is the private exponent/scalar of RSA, EC and OKP keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037).
    private_key |= k->contains("d");
  }
  if (private_key)
    c.warning(jwks.loc, field, "jwks contains private key material (a key with \"d\")",
              "publish only the public keys; anyone who can read this object can mint valid tokens");
}

}  // namespace

void validate(const RequestAuthentication& p, std::vector<Diagnostic>& out) {
  Checker c(out, p);
  check_common_annotations(p, c, /*dry_run_allowed=*/false);
  check_attachment(p, c);
  if (p.jwt_rules.size() > 4096) c.error(p.loc, "spec.jwtRules", "more than 4096 jwtRules");
  for (size_t i = 0; i < p.jwt_rules.size(); ++i) {
    const JwtRule& j = p.jwt_rules[i];
    const std::string jf = idx("spec.jwtRules", i);
    if (j.null_entry) {
      c.error(j.loc, jf, "jwtRules item must be an object, found null", "remove the empty list item");
      continue;
    }
    if (j.issuer.loc.known() && j.issuer.value.empty())
      c.error(j.issuer.loc, jf + ".issuer", "issuer must not be empty", "remove `issuer: \"\"` or give the issuer");
    if (j.issuer.value.empty() && j.jwks_uri.value.empty())
      c.error(j.loc, jf, "issuer or jwksUri must be non-empty string", "set the token issuer (`iss` claim)");
    check_not_empty(j.audiences, Path{jf, "audiences"}, c);
    if (j.jwks_uri.loc.known()) {
      std::string why = jwks_uri_problem(j.jwks_uri.value);
      if (!why.empty())
        c.error(j.jwks_uri.loc, jf + ".jwksUri", "invalid jwksUri \"" + j.jwks_uri.value + "\": " + why,
                "use an http:// or https:// URL");
    }
    if (j.jwks_fields > 1)
      c.error(j.loc, jf, "only one of jwks or jwksUri can be set", "keep either the inline keys or the URL");
    if (!j.jwks.value.empty()) check_jwks(j.jwks, jf + ".jwks", c);
    for (size_t h = 0; h < j.from_header_names.size(); ++h)
      if (j.from_header_names[h].value.empty())
        c.error(j.from_header_names[h].loc, idx(jf + ".fromHeaders", h) + ".name",
                "location header name must be non-empty string", "name the header that carries the token");
    check_not_empty(j.from_params, Path{jf, "fromParams"}, c);
    check_not_empty(j.from_cookies, Path{jf, "fromCookies"}, c);
    check_not_empty(j.space_delimited_claims, Path{jf, "spaceDelimitedClaims"}, c);
    for (size_t h = 0; h < j.output_claim_to_headers.size(); ++h) {
      const auto& [claim, header] = j.output_claim_to_headers[h];
      const std::string hf = idx(jf + ".outputClaimToHeaders", h);
      if (claim.value.empty() || header.value.empty()) {
        c.error(claim.value.empty() ? claim.loc : header.loc, hf + (claim.value.empty() ? ".claim" : ".header"),
                "outputClaimToHeaders header and claim value must be non-empty string");
        continue;
      }
      if (!valid_header_name(header.value))
        c.error(header.loc, hf + ".header", "header name " + header.value + " is not a valid header name",
                "use letters, digits, '-' and '_' only");
    }
    if (j.timeout.loc.known()) {
      int64_t ns = 0;
      if (!go_parse_duration(j.timeout.value, ns) || ns < 1000000)
        c.error(j.timeout.loc, jf + ".timeout",
                "timeout \"" + j.timeout.value + "\" must be a valid duration greater than 1ms",
                "write a duration such as \"5s\" or \"500ms\"");
      else if (ns % 1000000 != 0)
        c.error(j.timeout.loc, jf + ".timeout", "only durations to ms precision are supported");
    }
    if (j.presence.loc.known() && j.presence.value != "OPTIONAL" && j.presence.value != "REQUIRED")
      c.error(j.presence.loc, jf + ".presence", "Unsupported value: \"" + j.presence.value + "\"",
              enum_help(j.presence.value, {"OPTIONAL", "REQUIRED"}));
  }
}

void validate_all(ResourceSet& set) {
  for (const AuthorizationPolicy& p : set.authorization_policies) validate(p, set.diagnostics);
  for (const PeerAuthentication& p : set.peer_authentications) validate(p, set.diagnostics);
  for (const RequestAuthentication& p : set.request_authentications) validate(p, set.diagnostics);
  for (const Gateway& g : set.gateways) validate(g, set.diagnostics);
  for (const VirtualService& v : set.virtual_services) validate(v, set.diagnostics);
  for (const DestinationRule& d : set.destination_rules) validate(d, set.diagnostics);
  for (const ServiceEntry& se : set.service_entries) validate(se, set.diagnostics);
  for (const Sidecar& sc : set.sidecars) validate(sc, set.diagnostics);
  for (const Telemetry& t : set.telemetries) validate(t, set.diagnostics);
  for (const gwapi::Gateway& g : set.gateway_api_gateways) validate(g, set.diagnostics);
  for (const gwapi::Route& route : set.gateway_api_routes) validate(route, set.diagnostics);
  for (const gwapi::ReferenceGrant& grant : set.reference_grants) validate(grant, set.diagnostics);
}

}  // namespace meshproof::model
