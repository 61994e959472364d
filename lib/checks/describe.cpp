#include "checks/describe.h"

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "model/parse.h"

namespace meshproof::checks {

std::string labels_text(const model::Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ",";
    out += k + "=" + v;
  }
  return out;
}

std::string namespace_of(const model::ResourceBase& r) {
  return r.meta.ns.empty() ? std::string(model::kDefaultNamespace) : r.meta.ns;
}

std::string resource_text(const model::ResourceBase& r) { return r.kind + " " + namespace_of(r) + "/" + r.meta.name; }

std::string describe_workload(const mesh::Workload& w) {
  switch (w.origin) {
    case mesh::WorkloadOrigin::Declared:
      return (w.decl ? w.decl->kind : std::string("workload")) + " " + w.ns + "/" + w.name;
    case mesh::WorkloadOrigin::Synthetic:
      return "the workloads labelled " + labels_text(w.labels) + " in namespace " + w.ns +
             " (a policy selects them; the input declares none)";
    case mesh::WorkloadOrigin::OtherWorkloads:
      return "any other workload in namespace " + w.ns;
  }
  return w.display();
}

std::string workload_kind(const mesh::Workload& w) {
  switch (w.origin) {
    case mesh::WorkloadOrigin::Declared:
      return w.decl ? w.decl->kind : "workload";
    case mesh::WorkloadOrigin::Synthetic:
      return "synthetic";
    case mesh::WorkloadOrigin::OtherWorkloads:
      return "other-workloads";
  }
  return "workload";
}

namespace {
// The earliest position at which the input mentions namespace `ns` through one of `items`.
template <typename T>
void earliest_in(const std::vector<T>& items, const std::string& ns, std::optional<Loc>& best) {
  for (const T& r : items)
    if (namespace_of(r) == ns && r.loc.known() && (!best || r.loc < *best)) best = r.loc;
}
}  // namespace

Loc workload_loc(const mesh::Mesh& mesh, const mesh::Workload& w) {
  if (w.decl && w.decl->loc.known()) return w.decl->loc;
  if (w.origin != mesh::WorkloadOrigin::OtherWorkloads) return w.ref().loc;
  auto it = mesh.namespaces.find(w.ns);
  if (it != mesh.namespaces.end() && it->second.decl && it->second.decl->loc.known()) return it->second.decl->loc;
  // No Namespace object: point at the first object the input puts in that namespace, so that every
  // finding has a place in the files.
  std::optional<Loc> best;
  if (mesh.resources) {
    const model::ResourceSet& rs = *mesh.resources;
    earliest_in(rs.workloads, w.ns, best);
    earliest_in(rs.services, w.ns, best);
    earliest_in(rs.peer_authentications, w.ns, best);
    earliest_in(rs.authorization_policies, w.ns, best);
    earliest_in(rs.request_authentications, w.ns, best);
  }
  return best ? *best : w.ref().loc;
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates, size_t max_distance) {
  std::string best;
  size_t best_d = max_distance + 1;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    // Ties go to the first candidate; callers pass sorted lists, so the hint is deterministic.
    size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

}  // namespace meshproof::checks
