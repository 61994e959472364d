// Workload classes: workloads with the same applicable policies, ports, protocols and modes get one
// analysis (DESIGN.md §3, §8).
#include <map>
#include <string>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

// Policies are identified by their index in the ResourceSet, so the key does not depend on addresses.
template <class P>
void append_indexes(std::string& key, const std::vector<P>& all, const std::vector<const P*>& applied) {
  for (const P* p : applied) {
    key += std::to_string(p - all.data());
    key += ',';
  }
  key += ';';
}

std::string class_key(const model::ResourceSet& rs, const Workload& w) {
  std::string key;
  key += !w.has_proxy() ? "N;" : w.data_plane == DataPlane::Ambient ? "A;" : "S;";
  append_indexes(key, rs.authorization_policies, w.authorization_policies);
  append_indexes(key, rs.request_authentications, w.request_authentications);
  key += std::to_string(static_cast<int>(w.default_mtls.mode));
  key += ';';
  for (const WorkloadPort& p : w.ports) {
    key += std::to_string(p.port);
    key += ':';
    key += std::to_string(static_cast<int>(p.protocol));
    key += ':';
    key += std::to_string(static_cast<int>(p.mtls.mode));
    key += ',';
  }
  return key;
}

}  // namespace

void build_classes(const model::ResourceSet& rs, Mesh& mesh) {
  std::map<std::string, uint32_t> ids;
  mesh.classes.clear();
  for (size_t i = 0; i < mesh.workloads.size(); ++i) {
    Workload& w = mesh.workloads[i];
    auto [it, inserted] = ids.try_emplace(class_key(rs, w), static_cast<uint32_t>(mesh.classes.size()));
    if (inserted) mesh.classes.push_back(WorkloadClass{it->second, {}});
    w.class_id = it->second;
    mesh.classes[it->second].members.push_back(i);
  }
}

}  // namespace meshproof::mesh::detail
