#include "checks/namespace_refs.h"

#include <algorithm>
#include <set>

#include "base/text.h"
#include "ir/ir.h"
#include "model/admission.h"

namespace meshproof::checks {

namespace {

// The namespace of a principal "<trust-domain>/ns/<namespace>/sa/<service-account>" (IS §5), or "".
std::string principal_namespace(const std::string& value) {
  std::vector<std::string> parts = split(value, '/');
  if (parts.size() == 5 && parts[1] == "ns" && parts[3] == "sa" && !parts[2].empty() &&
      parts[2].find('*') == std::string::npos)
    return parts[2];
  return "";
}

// The namespace of a service account "<namespace>/<sa>"; "" for "<sa>" (the policy's own namespace).
std::string service_account_namespace(const std::string& value) {
  std::vector<std::string> parts = split(value, '/');
  return parts.size() == 2 && !parts[0].empty() ? parts[0] : "";
}

enum class Form { Namespace, Principal, ServiceAccount };

void add_list(Form form, bool negated, const model::StrList& list, const std::string& field,
              std::vector<NamespaceRef>& out) {
  for (size_t k = 0; k < list.items.size(); ++k) {
    const model::Str& v = list.items[k];
    std::string ns = form == Form::Namespace   ? v.value
                     : form == Form::Principal ? principal_namespace(v.value)
                                               : service_account_namespace(v.value);
    if (ns.empty()) continue;
    out.push_back(NamespaceRef{ns, form == Form::Namespace, negated, field + "[" + std::to_string(k) + "]", &v});
  }
}

void add_source(const model::Source& s, const std::string& sp, std::vector<NamespaceRef>& out) {
  add_list(Form::Namespace, false, s.namespaces, sp + "namespaces", out);
  add_list(Form::Namespace, true, s.not_namespaces, sp + "notNamespaces", out);
  add_list(Form::Principal, false, s.principals, sp + "principals", out);
  add_list(Form::Principal, true, s.not_principals, sp + "notPrincipals", out);
  add_list(Form::ServiceAccount, false, s.service_accounts, sp + "serviceAccounts", out);
  add_list(Form::ServiceAccount, true, s.not_service_accounts, sp + "notServiceAccounts", out);
}

void add_condition(const model::Condition& c, const std::string& cp, std::vector<NamespaceRef>& out) {
  Form form;
  if (c.key.value == "source.namespace")
    form = Form::Namespace;
  else if (c.key.value == "source.principal")
    form = Form::Principal;
  else if (c.key.value == "source.serviceAccount")
    form = Form::ServiceAccount;
  else
    return;
  add_list(form, false, c.values, cp + ".values", out);
  add_list(form, true, c.not_values, cp + ".notValues", out);
}

}  // namespace

std::vector<NamespaceRef> namespace_refs(const model::AuthorizationPolicy& p) {
  std::vector<NamespaceRef> out;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const model::Rule& rule = p.rules[i];
    const std::string rp = "spec.rules[" + std::to_string(i) + "]";
    for (size_t j = 0; j < rule.from.size(); ++j)
      add_source(rule.from[j], rp + ".from[" + std::to_string(j) + "].source.", out);
    for (size_t c = 0; c < rule.when.size(); ++c)
      add_condition(rule.when[c], rp + ".when[" + std::to_string(c) + "]", out);
  }
  return out;
}

KnownNamespaces::KnownNamespaces(const mesh::Mesh& mesh, const model::ResourceSet& resources) {
  std::set<std::string> all;
  for (const auto& [name, info] : mesh.namespaces)
    if (info.decl) declared_.push_back(name);
  all.insert(declared_.begin(), declared_.end());
  model::for_each_object_list(resources, [&](const auto& list) {
    for (const auto& o : list)
      if (!o.meta.ns.empty()) all.insert(o.meta.ns);
  });
  for (const std::string& always : {mesh.config.root_namespace, std::string("default"), std::string("kube-system"),
                                    std::string("kube-public"), std::string("kube-node-lease")})
    all.insert(always);
  all_.assign(all.begin(), all.end());
}

bool KnownNamespaces::covers(const NamespaceRef& ref) const {
  // Istio turns every `*` of a `namespaces` value into `.*` and matches the whole name (IS §5).
  if (ref.pattern)
    return std::any_of(all_.begin(), all_.end(), [&](const std::string& k) { return ir::glob_match(ref.ns, k); });
  return std::binary_search(all_.begin(), all_.end(), ref.ns);
}

}  // namespace meshproof::checks
