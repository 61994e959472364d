// The declared workloads' ports each Service routes to (mesh::WorkloadPort::services read the other way), in
// mesh order, each port once. Built in one pass over the workloads: searching every workload's ports once per
// Service, or once per policy that targets a Service, cost Services × workloads (docs/performance.md).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::checks {

class ServiceBackends {
 public:
  struct Backend {
    const mesh::Workload* workload;
    const mesh::WorkloadPort* port;
  };
  explicit ServiceBackends(const mesh::Mesh& mesh);
  // The backends of Service ns/name; empty when no declared workload behind it is in the input.
  const std::vector<Backend>& of(const std::string& ns, const std::string& name) const;

 private:
  std::unordered_map<std::string, std::vector<Backend>> by_service_;  // key "ns/name"
  std::vector<Backend> none_;
};

}  // namespace meshproof::checks
