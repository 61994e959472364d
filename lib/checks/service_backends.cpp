#include "checks/service_backends.h"

namespace meshproof::checks {

ServiceBackends::ServiceBackends(const mesh::Mesh& mesh) {
  for (const mesh::Workload& w : mesh.workloads) {
    if (w.origin != mesh::WorkloadOrigin::Declared) continue;
    for (const mesh::WorkloadPort& p : w.ports)
      for (const std::string& id : p.services) {  // "ns/name:port"
        std::vector<Backend>& list = by_service_[id.substr(0, id.rfind(':'))];
        if (list.empty() || list.back().port != &p) list.push_back({&w, &p});  // a port once per Service
      }
  }
}

const std::vector<ServiceBackends::Backend>& ServiceBackends::of(const std::string& ns, const std::string& name) const {
  auto it = by_service_.find(ns + "/" + name);
  return it == by_service_.end() ? none_ : it->second;
}

}  // namespace meshproof::checks
