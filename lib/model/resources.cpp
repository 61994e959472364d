#include "model/resources.h"

#include "model/resource_merge.h"

#include <iterator>

#include "base/vectors.h"
#include "model/parse_internal.h"

namespace meshproof::model {

const char* to_string(MtlsMode m) {
  switch (m) {
    case MtlsMode::Unset:
      return "UNSET";
    case MtlsMode::Disable:
      return "DISABLE";
    case MtlsMode::Permissive:
      return "PERMISSIVE";
    case MtlsMode::Strict:
      return "STRICT";
  }
  return "UNSET";
}

const char* to_string(Action a) {
  switch (a) {
    case Action::Allow:
      return "ALLOW";
    case Action::Deny:
      return "DENY";
    case Action::Audit:
      return "AUDIT";
    case Action::Custom:
      return "CUSTOM";
  }
  return "ALLOW";
}

bool Selector::matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

namespace {

// Calls f(a_list, b_list) for each object list of two sets (and the diagnostics, overrides and notes), in
// declaration order. The mesh config is not a list: merges adopt it (detail::adopt_mesh_config).
template <class F>
void for_each_resource_list(ResourceSet& a, ResourceSet& b, F&& f) {
  f(a.namespaces, b.namespaces);
  f(a.service_accounts, b.service_accounts);
  f(a.workloads, b.workloads);
  f(a.services, b.services);
  f(a.peer_authentications, b.peer_authentications);
  f(a.authorization_policies, b.authorization_policies);
  f(a.request_authentications, b.request_authentications);
  f(a.gateways, b.gateways);
  f(a.virtual_services, b.virtual_services);
  f(a.destination_rules, b.destination_rules);
  f(a.service_entries, b.service_entries);
  f(a.sidecars, b.sidecars);
  f(a.telemetries, b.telemetries);
  f(a.gateway_api_gateways, b.gateway_api_gateways);
  f(a.gateway_api_routes, b.gateway_api_routes);
  f(a.reference_grants, b.reference_grants);
  f(a.secrets, b.secrets);
  f(a.diagnostics, b.diagnostics);
  f(a.overrides, b.overrides);
  f(a.notes, b.notes);
}

}  // namespace

void ResourceSet::merge(ResourceSet&& o) {
  for_each_resource_list(*this, o, [](auto& to, auto& from) { append(to, std::move(from)); });
  detail::adopt_mesh_config(*this, std::move(o.mesh));
}

void merge_in_order(ResourceSet& into, const std::vector<ResourceSet*>& parts) {
  std::vector<size_t> sizes;  // per list, in for_each_resource_list's order
  for (ResourceSet* part : parts) {
    size_t list = 0;
    for_each_resource_list(into, *part, [&](auto& to, auto& from) {
      if (sizes.size() <= list) sizes.push_back(to.size());
      sizes[list++] += from.size();
    });
  }
  size_t list = 0;
  for_each_resource_list(into, into, [&](auto& to, auto&) {
    if (list < sizes.size()) to.reserve(sizes[list]);
    ++list;
  });
  for (ResourceSet* part : parts) {
    for_each_resource_list(into, *part, [](auto& to, auto& from) {
      std::move(from.begin(), from.end(), std::back_inserter(to));
      from.clear();
    });
    detail::adopt_mesh_config(into, std::move(part->mesh));
  }
}

}  // namespace meshproof::model
