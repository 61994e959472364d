#include "checks/system_namespaces.h"

#include <set>

namespace meshproof::checks {

bool system_namespace(const Context& ctx, const std::string& ns) {
  static const std::set<std::string> kSystem = {"istio-system", "kube-system", "kube-public", "kube-node-lease",
                                                "local-path-storage"};
  return kSystem.count(ns) > 0 || ns == ctx.mesh.root_namespace();
}

}  // namespace meshproof::checks
