// Steps of mesh::resolve, one concern per file. Private to lib/mesh.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::mesh::detail {

// The label Istio's Gateway API controller puts on the pods it deploys for a Gateway.
inline constexpr const char* kGatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

// "k=v,k2=v2" (std::map order, so sorted by key).
std::string labels_key(const model::Labels& labels);

// Key of one label pair for the label indexes below. Label keys and values cannot contain NUL.
inline std::string label_pair_key(const std::string& k, const std::string& v) {
  std::string s;
  s.reserve(k.size() + v.size() + 1);
  s += k;
  s += '\0';
  s += v;
  return s;
}

// creationTimestamp as Go's time.Time compares it. Absent or unparsable = the zero time, which is
// before every real time (Go's time.Time{} is year 1).
struct Timestamp {
  bool known = false;   // false: the zero time; first in the comparison so that it orders first
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int32_t nanos = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};
Timestamp parse_timestamp(const std::string& rfc3339);

// Positions of a kind's objects in Istio's order (creationTimestamp, name, namespace): rank[i] is the
// position of objects[i]. Used to sort candidate lists without re-parsing timestamps.
template <class T>
std::vector<uint32_t> istio_ranks(const std::vector<T>& objects);

// Policies of one kind grouped for fast lookup by workload labels (no O(workloads × policies) scan).
template <class P>
class PolicyIndex {
 public:
  void build(const std::vector<P>& policies);
  // Policies in `ns` whose selector (absent, empty, or ⊆ labels) selects the labels; targetRef policies
  // excluded. Appended in Istio order.
  void selected(const std::string& ns, const model::Labels& labels, std::vector<const P*>& out) const;
  // Policies in `ns` that use targetRef(s), in Istio order.
  const std::vector<const P*>& targeted(const std::string& ns) const;
  // Every policy in `ns`, in Istio order.
  const std::vector<const P*>& all(const std::string& ns) const;
  uint32_t rank(const P* p) const { return ranks_[static_cast<size_t>(p - base_)]; }

 private:
  struct PerNamespace {
    std::vector<const P*> all, without_selector, targeted;
    // Policies with a non-empty selector, keyed by the selector's first label pair.
    std::unordered_map<std::string, std::vector<const P*>> by_first_label;
  };
  const P* base_ = nullptr;
  std::vector<uint32_t> ranks_;
  std::unordered_map<std::string, PerNamespace> by_ns_;
  std::vector<const P*> empty_;
};

// Whether a policy uses targetRef(s): then ordinary workloads ignore it (istio-semantics.md §10).
inline bool has_target_refs(const model::AuthorizationPolicy& p) { return !p.target_refs.empty(); }
inline bool has_target_refs(const model::RequestAuthentication& p) { return !p.target_refs.empty(); }
inline bool has_target_refs(const model::PeerAuthentication&) { return false; }

struct Indexes {
  PolicyIndex<model::AuthorizationPolicy> authz;
  PolicyIndex<model::RequestAuthentication> request_authn;
  PolicyIndex<model::PeerAuthentication> peer_authn;
};

// The steps, in the order resolve() runs them.
void collect_namespaces(const model::ResourceSet& rs, Mesh& mesh);
void build_workloads(const model::ResourceSet& rs, Mesh& mesh);  // calls decide_data_plane for each
void decide_data_plane(Workload& w, const Mesh& mesh);           // needs w.labels, w.decl, w.gateway_name
void resolve_applicability(const Indexes& idx, Mesh& mesh);
void resolve_peer_authentication(const Indexes& idx, Mesh& mesh);  // pa_mesh / pa_namespace / pa_workload
void resolve_ports(const model::ResourceSet& rs, Mesh& mesh);
void resolve_mtls(Mesh& mesh);
void build_classes(const model::ResourceSet& rs, Mesh& mesh);
void resolve_gateways(const model::ResourceSet& rs, Mesh& mesh);  // after the workloads (gateways.cpp)

}  // namespace meshproof::mesh::detail
