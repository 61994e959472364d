#include "model/resources.h"

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

void ResourceSet::merge(ResourceSet&& o) {
  append(namespaces, std::move(o.namespaces));
  append(service_accounts, std::move(o.service_accounts));
  append(workloads, std::move(o.workloads));
  append(services, std::move(o.services));
  append(peer_authentications, std::move(o.peer_authentications));
  append(authorization_policies, std::move(o.authorization_policies));
  append(request_authentications, std::move(o.request_authentications));
  append(gateways, std::move(o.gateways));
  append(virtual_services, std::move(o.virtual_services));
  append(destination_rules, std::move(o.destination_rules));
  append(service_entries, std::move(o.service_entries));
  append(sidecars, std::move(o.sidecars));
  append(telemetries, std::move(o.telemetries));
  append(gateway_api_gateways, std::move(o.gateway_api_gateways));
  append(gateway_api_routes, std::move(o.gateway_api_routes));
  append(reference_grants, std::move(o.reference_grants));
  append(secrets, std::move(o.secrets));
  append(diagnostics, std::move(o.diagnostics));
  append(overrides, std::move(o.overrides));
  append(notes, std::move(o.notes));
  detail::adopt_mesh_config(*this, std::move(o.mesh));
}

}  // namespace meshproof::model
