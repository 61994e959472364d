#include "checks/policy_values.h"

#include <string_view>

namespace meshproof::checks {

namespace {

// The values of one written list, as `prefix` + `name`. Most lists are empty, so the field's text is made
// only for one that has values, and once for all of them.
void each(const model::StrList& list, const std::string& prefix, std::string_view name, std::string_view family,
          bool negated, const std::function<void(const PolicyValue&)>& fn) {
  if (list.items.empty()) return;
  PolicyValue pv;
  pv.field.reserve(prefix.size() + name.size());
  pv.field.append(prefix).append(name);
  pv.family = family;
  pv.negated = negated;
  for (const model::Str& s : list.items) {
    pv.value = &s;
    fn(pv);
  }
}

// "request.headers[x-a]" → "request.headers"; "request.auth.claims[a][b]" → "request.auth.claims".
std::string key_family(const std::string& key) {
  size_t b = key.find('[');
  return b == std::string::npos ? key : key.substr(0, b);
}

}  // namespace

void for_each_value(const model::AuthorizationPolicy& p, const std::function<void(const PolicyValue&)>& fn) {
  for (size_t r = 0; r < p.rules.size(); ++r) {
    const model::Rule& rule = p.rules[r];
    std::string rp = "rules[" + std::to_string(r) + "]";
    for (size_t i = 0; i < rule.from.size(); ++i) {
      const model::Source& s = rule.from[i];
      std::string f = rp + ".from[" + std::to_string(i) + "].source.";
      each(s.principals, f, "principals", "principals", false, fn);
      each(s.not_principals, f, "notPrincipals", "principals", true, fn);
      each(s.request_principals, f, "requestPrincipals", "requestPrincipals", false, fn);
      each(s.not_request_principals, f, "notRequestPrincipals", "requestPrincipals", true, fn);
      each(s.namespaces, f, "namespaces", "namespaces", false, fn);
      each(s.not_namespaces, f, "notNamespaces", "namespaces", true, fn);
      each(s.service_accounts, f, "serviceAccounts", "serviceAccounts", false, fn);
      each(s.not_service_accounts, f, "notServiceAccounts", "serviceAccounts", true, fn);
      each(s.trust_domains, f, "trustDomains", "trustDomains", false, fn);
      each(s.not_trust_domains, f, "notTrustDomains", "trustDomains", true, fn);
      each(s.ip_blocks, f, "ipBlocks", "ipBlocks", false, fn);
      each(s.not_ip_blocks, f, "notIpBlocks", "ipBlocks", true, fn);
      each(s.remote_ip_blocks, f, "remoteIpBlocks", "ipBlocks", false, fn);
      each(s.not_remote_ip_blocks, f, "notRemoteIpBlocks", "ipBlocks", true, fn);
    }
    for (size_t i = 0; i < rule.to.size(); ++i) {
      const model::Operation& o = rule.to[i];
      std::string f = rp + ".to[" + std::to_string(i) + "].operation.";
      each(o.hosts, f, "hosts", "hosts", false, fn);
      each(o.not_hosts, f, "notHosts", "hosts", true, fn);
      each(o.ports, f, "ports", "ports", false, fn);
      each(o.not_ports, f, "notPorts", "ports", true, fn);
      each(o.methods, f, "methods", "methods", false, fn);
      each(o.not_methods, f, "notMethods", "methods", true, fn);
      each(o.paths, f, "paths", "paths", false, fn);
      each(o.not_paths, f, "notPaths", "paths", true, fn);
    }
    for (size_t i = 0; i < rule.when.size(); ++i) {
      const model::Condition& c = rule.when[i];
      std::string f = rp + ".when[" + std::to_string(i) + "] " + c.key.value;
      std::string family = "when:" + key_family(c.key.value);
      each(c.values, f, ".values", family, false, fn);
      each(c.not_values, f, ".notValues", family, true, fn);
    }
  }
}

}  // namespace meshproof::checks
