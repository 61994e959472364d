// Which DestinationRule a client proxy uses for a host (docs/semantics.md#client-tls, T4), as Istio's
// PushContext.destinationRule and SidecarScope.DestinationRule choose it: the client's namespace, then the
// Service's namespace, then the root namespace; in each, the most specific host; no merging across
// namespaces; within a namespace the oldest rule's trafficPolicy wins and workloadSelector rules are private
// and outbound-only.
#include <algorithm>

#include "mesh/client_tls.h"

namespace meshproof::mesh {

std::string resolve_rule_host(const std::string& host, const std::string& ns) {
  if (host.empty() || host == "*" || host.find('.') != std::string::npos) return host;
  return host + "." + ns + ".svc.cluster.local";
}

bool istio_host_matches(const std::string& pattern, const std::string& host) {
  if (pattern == host || pattern == "*") return true;
  if (pattern.size() < 2 || pattern[0] != '*') return false;
  const std::string suffix = pattern.substr(1);  // ".example.com"
  return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// exportTo as Istio reads it for a rule (selector rules are private: exportTo forced to ".").
struct Visibility {
  bool empty = false, everyone = false, private_ = false;
  std::vector<std::string> names;
};

Visibility visibility_of(const model::DestinationRule& d, const std::string& ns) {
  Visibility v;
  if (d.has_workload_selector) {
    v.private_ = true;
    return v;
  }
  v.empty = d.export_to.empty();
  for (const std::string& e : d.export_to) {
    if (e == "*")
      v.everyone = true;
    else if (e == "." || e == ns)
      v.private_ = true;
    else
      v.names.push_back(e);
  }
  return v;
}

// setDestinationRules: in the namespace-local index (a client of the same namespace sees it).
bool namespace_local(const Visibility& v) { return v.empty || v.everyone || v.private_; }
// Not private-only: in the exported index of its namespace (default exportTo is "*").
bool exported(const Visibility& v) { return !(v.private_ && !v.everyone && v.names.empty()); }
// getExportedDestinationRuleFromNamespace's filter for a client namespace.
bool visible_in(const Visibility& v, const std::string& client_ns) {
  return v.empty || v.everyone || has(v.names, client_ns);
}

struct Candidate {
  const model::DestinationRule* rule;
  std::string host;  // resolved
};

// MostSpecificHostMatch: an exact host first, else the longest matching wildcard.
std::vector<Candidate> most_specific(const std::vector<Candidate>& in, const std::string& host) {
  const Candidate* best = nullptr;
  for (const Candidate& c : in) {
    if (!istio_host_matches(c.host, host)) continue;
    if (c.host == host) {
      best = &c;
      break;
    }
    if (!best || c.host.size() > best->host.size()) best = &c;
  }
  std::vector<Candidate> out;
  if (!best) return out;
  for (const Candidate& c : in)
    if (c.host == best->host) out.push_back(c);
  return out;
}

// SidecarScope.DestinationRule: a selector rule of the client's namespace that matches the client, else the
// selector-less rules merged (the oldest trafficPolicy wins: the oldest rule that has one).
const model::DestinationRule* pick(std::vector<Candidate> drs, const std::string& client_ns,
                                   const model::Labels& labels) {
  std::sort(drs.begin(), drs.end(),
            [](const Candidate& a, const Candidate& b) { return istio_older(*a.rule, *b.rule); });
  for (const Candidate& c : drs) {
    if (c.rule->has_workload_selector && effective_namespace(*c.rule) == client_ns &&
        labels_subset(c.rule->workload_selector, labels))
      return c.rule;
  }
  const model::DestinationRule* first = nullptr;
  for (const Candidate& c : drs) {
    if (c.rule->has_workload_selector) continue;
    if (!first) first = c.rule;
    if (c.rule->traffic_policy.present) return c.rule;
  }
  return first;
}

}  // namespace

DrChoice choose_destination_rule(const Mesh& mesh, const std::string& client_ns, const model::Labels& client_labels,
                                 const std::string& host) {
  const std::string& root = mesh.root_namespace();
  const std::string service_ns = [&] {
    // name.ns.svc.cluster.local
    size_t a = host.find('.');
    size_t b = a == std::string::npos ? a : host.find('.', a + 1);
    return b == std::string::npos ? std::string() : host.substr(a + 1, b - a - 1);
  }();
  std::vector<Candidate> local, root_local, svc_exported, root_exported;
  for (const model::DestinationRule& d : mesh.resources->destination_rules) {
    const std::string ns = effective_namespace(d);
    const Visibility v = visibility_of(d, ns);
    Candidate c{&d, resolve_rule_host(d.host, ns)};
    if (ns == client_ns && namespace_local(v)) local.push_back(c);
    if (ns == root && !exported(v)) root_local.push_back(c);
    if (ns == service_ns && exported(v)) svc_exported.push_back(c);
    if (ns == root && exported(v)) root_exported.push_back(c);
  }
  DrChoice out;
  auto settle = [&](std::vector<Candidate> drs, const char* scope) {
    out.rule = pick(std::move(drs), client_ns, client_labels);
    if (out.rule) out.scope = scope;
  };
  std::vector<Candidate> m = most_specific(client_ns != root ? local : root_local, host);
  if (!m.empty()) {
    settle(std::move(m), "client namespace");
  } else {
    for (auto [pool, scope] :
         {std::pair{&svc_exported, "service namespace"}, std::pair{&root_exported, "root namespace"}}) {
      std::vector<Candidate> found;
      for (const Candidate& c : most_specific(*pool, host))
        if (visible_in(visibility_of(*c.rule, effective_namespace(*c.rule)), client_ns)) found.push_back(c);
      if (!found.empty()) {
        settle(std::move(found), scope);
        break;
      }
    }
  }
  // Rules for this host that a later step would have found: the winner hides them (no merging, T4).
  if (out.rule) {
    for (const std::vector<Candidate>* pool : {&svc_exported, &root_exported}) {
      for (const Candidate& c : most_specific(*pool, host))
        if (effective_namespace(*c.rule) != effective_namespace(*out.rule) &&
            std::find(out.hidden.begin(), out.hidden.end(), c.rule) == out.hidden.end())
          out.hidden.push_back(c.rule);
    }
  }
  return out;
}

}  // namespace meshproof::mesh
