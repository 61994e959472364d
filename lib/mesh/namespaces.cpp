// The namespaces of the mesh: declared Namespace objects, the namespaces objects live in, and plain
// namespace names that AuthorizationPolicy sources name (so that witnesses can use real callers).
#include <cctype>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

// A Kubernetes namespace name is an RFC 1123 label: [a-z0-9-], at most 63, alphanumeric at both ends.
// Values with `*` (wildcards) or anything else are not names of one namespace and are not added.
bool is_namespace_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return s.front() != '-' && s.back() != '-';
}

NamespaceInfo& entry(Mesh& mesh, const std::string& name) {
  NamespaceInfo& info = mesh.namespaces[name];
  if (info.name.empty()) {
    info.name = name;
    info.is_root = name == mesh.config.root_namespace;
  }
  return info;
}

template <class T>
void add_objects(Mesh& mesh, const std::vector<T>& objects, bool holds_objects) {
  for (const T& o : objects) {
    NamespaceInfo& info = entry(mesh, effective_namespace(o));
    if (holds_objects) info.has_objects = true;
  }
}

void add_source_namespace(Mesh& mesh, const std::string& name) {
  if (!is_namespace_name(name)) return;
  entry(mesh, name).referenced_as_source = true;
}

// "td/ns/NS/sa/SA" (the principal form Istio matches, istio-semantics.md §5): NS when it is a plain name.
void add_from_principal(Mesh& mesh, const std::string& principal) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= principal.size(); ++i) {
    if (i == principal.size() || principal[i] == '/') {
      parts.push_back(principal.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() == 5 && parts[1] == "ns" && parts[3] == "sa") add_source_namespace(mesh, parts[2]);
}

// serviceAccounts values are "sa" (the policy's namespace) or "ns/sa" (istio-semantics.md §5).
void add_from_service_account(Mesh& mesh, const std::string& value) {
  size_t slash = value.find('/');
  if (slash != std::string::npos) add_source_namespace(mesh, value.substr(0, slash));
}

void add_sources(Mesh& mesh, const model::AuthorizationPolicy& p) {
  for (const model::Rule& rule : p.rules) {
    for (const model::Source& src : rule.from) {
      for (const auto* list : {&src.namespaces, &src.not_namespaces})
        for (const model::Str& v : list->items) add_source_namespace(mesh, v.value);
      for (const auto* list : {&src.principals, &src.not_principals})
        for (const model::Str& v : list->items) add_from_principal(mesh, v.value);
      for (const auto* list : {&src.service_accounts, &src.not_service_accounts})
        for (const model::Str& v : list->items) add_from_service_account(mesh, v.value);
    }
    for (const model::Condition& c : rule.when) {
      for (const auto* list : {&c.values, &c.not_values}) {
        for (const model::Str& v : list->items) {
          if (c.key.value == "source.namespace")
            add_source_namespace(mesh, v.value);
          else if (c.key.value == "source.principal")
            add_from_principal(mesh, v.value);
          else if (c.key.value == "source.serviceAccount")
            add_from_service_account(mesh, v.value);
        }
      }
    }
  }
}

}  // namespace

void collect_namespaces(const model::ResourceSet& rs, Mesh& mesh) {
  mesh.namespaces_declared = !rs.namespaces.empty();
  for (const model::Namespace& n : rs.namespaces) {
    if (n.meta.name.empty()) continue;  // a diagnostic already says so
    NamespaceInfo& info = entry(mesh, n.meta.name);
    if (!info.decl) {  // a duplicate Namespace is reported by validation; the first one counts
      info.decl = &n;
      info.labels = n.meta.labels;
    }
    info.has_objects = true;
  }
  add_objects(mesh, rs.workloads, true);
  add_objects(mesh, rs.services, true);
  add_objects(mesh, rs.authorization_policies, true);
  add_objects(mesh, rs.peer_authentications, true);
  add_objects(mesh, rs.request_authentications, true);
  add_objects(mesh, rs.service_accounts, false);
  add_objects(mesh, rs.gateways, false);
  add_objects(mesh, rs.virtual_services, false);
  add_objects(mesh, rs.destination_rules, false);
  add_objects(mesh, rs.service_entries, false);
  add_objects(mesh, rs.sidecars, false);
  add_objects(mesh, rs.telemetries, false);
  for (const model::AuthorizationPolicy& p : rs.authorization_policies) add_sources(mesh, p);
}

}  // namespace meshproof::mesh::detail
