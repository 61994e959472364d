// The workload universe (DESIGN.md §3): declared workloads, one synthetic workload per selector that no
// declared workload satisfies, and one "other workloads" per namespace.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

void set_gateway_name(Workload& w) {
  if (auto it = w.labels.find(kGatewayNameLabel); it != w.labels.end()) w.gateway_name = it->second;
}

// Declared workloads of each namespace indexed by label pair, to test "does any declared workload satisfy
// this selector" without scanning the namespace.
struct DeclaredIndex {
  // ns -> label pair -> workload indexes (into mesh.workloads)
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<size_t>>> by_ns;
  std::unordered_map<std::string, std::vector<size_t>> all_by_ns;

  bool any_satisfies(const Mesh& mesh, const std::string& ns, const model::Labels& selector) const {
    auto it = by_ns.find(ns);
    if (it == by_ns.end()) return false;
    const std::vector<size_t>* smallest = nullptr;
    for (const auto& [k, v] : selector) {
      auto bucket = it->second.find(label_pair_key(k, v));
      if (bucket == it->second.end()) return false;  // no workload has this pair
      if (!smallest || bucket->second.size() < smallest->size()) smallest = &bucket->second;
    }
    if (!smallest) return all_by_ns.count(ns) > 0;  // empty selector: any workload
    for (size_t i : *smallest)
      if (labels_subset(selector, mesh.workloads[i].labels)) return true;
    return false;
  }
};

struct SyntheticCandidate {
  std::string ns;
  model::Labels labels;
  ResourceRef created_by;
  Loc selector_loc;
};

// The selector's own position when known, else the policy's.
Loc selector_position(const model::Selector& s, const model::ResourceBase& p) { return s.loc.known() ? s.loc : p.loc; }

template <class P>
void collect_selectors(const std::vector<P>& policies, const std::string& root, bool root_selectors_apply,
                       std::map<std::pair<std::string, std::string>, SyntheticCandidate>& out) {
  for (const P& p : policies) {
    if (has_target_refs(p) || p.selector.empty()) continue;
    const std::string ns = effective_namespace(p);
    // A root-namespace PeerAuthentication with a selector is ignored by Istio (istio-semantics.md §11):
    // it stands for no workload. Root-namespace AuthorizationPolicy/RequestAuthentication selectors apply
    // mesh-wide (§10); their synthetic representative lives in the root namespace.
    if (ns == root && !root_selectors_apply) continue;
    auto key = std::make_pair(ns, labels_key(p.selector.match_labels));
    ResourceRef ref = p.ref();
    ref.ns = ns;
    Loc loc = selector_position(p.selector, p);
    auto [it, inserted] = out.try_emplace(key, SyntheticCandidate{ns, p.selector.match_labels, ref, loc});
    // Several policies share the selector: the one earliest in the input names it (deterministic).
    if (!inserted && loc < it->second.selector_loc) {
      it->second.created_by = ref;
      it->second.selector_loc = loc;
    }
  }
}

}  // namespace

void build_workloads(const model::ResourceSet& rs, Mesh& mesh) {
  const std::string& root = mesh.config.root_namespace;
  // 1. Declared workloads (and room for one "other workloads" per namespace: a Workload is large to move).
  mesh.workloads.reserve(rs.workloads.size() + mesh.namespaces.size());
  for (const model::Workload& d : rs.workloads) {
    Workload w;
    w.ns = effective_namespace(d);
    w.name = d.meta.name;
    w.origin = WorkloadOrigin::Declared;
    w.decl = &d;
    w.labels = d.pod_labels;
    w.service_account = d.service_account.empty() ? "default" : d.service_account;
    set_gateway_name(w);
    decide_data_plane(w, mesh);
    mesh.workloads.push_back(std::move(w));
  }

  DeclaredIndex declared;
  for (size_t i = 0; i < mesh.workloads.size(); ++i) {
    const Workload& w = mesh.workloads[i];
    auto& per = declared.by_ns[w.ns];
    for (const auto& [k, v] : w.labels) per[label_pair_key(k, v)].push_back(i);
    declared.all_by_ns[w.ns].push_back(i);
  }

  // 2. Synthetic workloads: one per distinct (namespace, selector) that no declared workload satisfies.
  std::map<std::pair<std::string, std::string>, SyntheticCandidate> selectors;
  collect_selectors(rs.authorization_policies, root, true, selectors);
  collect_selectors(rs.request_authentications, root, true, selectors);
  collect_selectors(rs.peer_authentications, root, false, selectors);
  for (auto& [key, c] : selectors) {
    bool satisfied = false;
    if (c.ns == root) {
      // A root-namespace selector applies in every namespace: any declared match represents it.
      for (const auto& [ns, unused] : declared.by_ns) {
        if (declared.any_satisfies(mesh, ns, c.labels)) {
          satisfied = true;
          break;
        }
      }
    } else {
      satisfied = declared.any_satisfies(mesh, c.ns, c.labels);
    }
    if (satisfied) continue;
    Workload w;
    w.ns = c.ns;
    w.name = "selector:" + key.second;
    w.origin = WorkloadOrigin::Synthetic;
    w.labels = c.labels;
    w.created_by = c.created_by;
    w.selector_loc = c.selector_loc;
    set_gateway_name(w);
    decide_data_plane(w, mesh);
    mesh.workloads.push_back(std::move(w));
  }

  // 3. "Other workloads": one per namespace that is declared or holds a workload, Service or policy. It
  // has no labels, so only policies without a selector (namespace-wide, mesh-wide) select it.
  for (const auto& [name, info] : mesh.namespaces) {
    if (!info.has_objects) continue;
    Workload w;
    w.ns = name;
    w.name = "*";
    w.origin = WorkloadOrigin::OtherWorkloads;
    decide_data_plane(w, mesh);
    mesh.workloads.push_back(std::move(w));
  }

  std::stable_sort(mesh.workloads.begin(), mesh.workloads.end(), [](const Workload& a, const Workload& b) {
    if (a.ns != b.ns) return a.ns < b.ns;
    if (a.origin != b.origin) return a.origin < b.origin;
    if (a.name != b.name) return a.name < b.name;
    const std::string ak = a.decl ? a.decl->kind : "";
    const std::string bk = b.decl ? b.decl->kind : "";
    if (ak != bk) return ak < bk;
    return (a.decl ? a.decl->loc : Loc{}) < (b.decl ? b.decl->loc : Loc{});
  });
}

}  // namespace meshproof::mesh::detail
