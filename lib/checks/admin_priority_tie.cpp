// admin-priority-tie (MP5004): two AdminNetworkPolicies of the same priority match the same connection with
// different actions. The API leaves their order to the implementation ("the behavior is undefined" for equal
// priorities that overlap: network-policy-api adminnetworkpolicy_types.go, networkpolicy.md A4), so whether
// the connection is admitted depends on the cluster's network plugin. Decided concretely, like the layer itself
// (mesh/network_layer.h): every declared pod as destination (ingress) or source (egress), every declared pod and
// the outside addresses the tied policies name as the other end, on the destination's declared ports.
#include <map>
#include <set>

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "engine/witness.h"
#include "mesh/network_layer.h"

namespace meshproof::checks {
namespace {

// The first connection found for one tie (a set of equal-priority policies, one direction).
struct AdminTie {
  std::vector<std::string> policies;  // display names, the input's first first
  std::string direction;              // "ingress" or "egress"
  std::string connection;             // "pod a/x → pod b/y port 8080/TCP"
  std::string reproduce;              // `meshproof query ...` (pod to pod only)
  bool allowed = false;               // the layer's verdict: admitted when either order admits
};

// Outside addresses worth trying: the first address of every CIDR and of every `except` of the admin policies
// (where their peers' boundaries are), and an outside address the input does not name.
std::vector<std::optional<model::Cidr>> admin_tie_outside_addresses(const mesh::NetworkLayer& layer) {
  std::vector<std::optional<model::Cidr>> out{std::nullopt};
  auto host = [](model::Cidr c) {
    c.prefix = c.bits;
    return c;
  };
  for (const model::NetworkPolicyObject* p : layer.policies()) {
    if (p->tier != model::NetTier::Admin) continue;
    for (const auto* rules : {&p->ingress, &p->egress})
      for (const model::NetRule& r : *rules)
        for (const model::NetPeer& peer : r.peers)
          if (peer.ip_block) {
            out.push_back(host(peer.ip_block->cidr));
            for (const model::Cidr& x : peer.ip_block->except) out.push_back(host(x));
          }
  }
  return out;
}

class AdminPriorityTie final : public Check {
 public:
  AdminPriorityTie()
      : Check(CheckInfo{
            "admin-priority-tie", "MP5004", Severity::Warning,
            "Two AdminNetworkPolicies of the same priority match one connection with different actions",
            "Two or more AdminNetworkPolicies with the same spec.priority select the same pod and their first "
            "matching rules give one connection different actions (Allow, Deny, Pass). The API leaves the order of "
            "equal priorities to the network plugin, so whether the connection is admitted differs between "
            "implementations. Decided per declared pod, peer (declared pods and the outside addresses the policies "
            "name) and declared port, as the L3/L4 layer decides."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->tier == model::NetTier::Admin) out.push_back(p->ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    if (!has_equal_priorities(layer)) return;
    std::map<std::string, AdminTie> ties;  // by direction and policy names: the first connection of each
    const auto outside = admin_tie_outside_addresses(layer);
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.decl) {
        judge_pod(ctx, layer, w, outside, true, ties);
        judge_pod(ctx, layer, w, outside, false, ties);
      }
    for (const auto& [key, tie] : ties) out.push_back(finding(layer, tie));
  }

 private:
  static bool has_equal_priorities(const mesh::NetworkLayer& layer) {
    std::set<int32_t> seen;
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->tier == model::NetTier::Admin && !seen.insert(p->priority).second) return true;
    return false;
  }

  // Whether two admin policies of one priority select the pod for the direction.
  static bool selected_twice(const mesh::NetworkLayer& layer, const mesh::NetEndpoint& pod, bool ingress) {
    std::set<int32_t> seen;
    for (const model::NetworkPolicyObject* p : layer.selecting(pod, ingress))
      if (p->tier == model::NetTier::Admin && !seen.insert(p->priority).second) return true;
    return false;
  }

  // `w` is the destination (ingress) or the source (egress); the other end is every other declared pod and
  // every outside address of interest.
  void judge_pod(const Context& ctx, const mesh::NetworkLayer& layer, const mesh::Workload& w,
                 const std::vector<std::optional<model::Cidr>>& outside, bool ingress,
                 std::map<std::string, AdminTie>& ties) const {
    const mesh::NetEndpoint self = layer.pod(*w.decl);
    if (!selected_twice(layer, self, ingress)) return;
    for (const mesh::Workload& other : ctx.mesh.workloads)
      if (other.decl && other.decl != w.decl) {
        const mesh::NetEndpoint peer = layer.pod(*other.decl);
        judge(ctx, layer, ingress ? peer : self, ingress ? self : peer, ingress ? w : other, ingress, ties);
      }
    if (ingress)  // as a destination only: an outside destination has no declared ports to try
      for (const auto& address : outside) judge(ctx, layer, layer.outside(address), self, w, ingress, ties);
  }

  void judge(const Context& ctx, const mesh::NetworkLayer& layer, const mesh::NetEndpoint& src,
             const mesh::NetEndpoint& dst, const mesh::Workload& dst_workload, bool ingress,
             std::map<std::string, AdminTie>& ties) const {
    for (const model::ContainerPort& cp : dst.pod->ports) {
      const mesh::NetVerdict v =
          ingress ? layer.ingress(src, dst, cp.protocol, cp.port) : layer.egress(src, dst, cp.protocol, cp.port);
      if (v.tie.empty()) continue;
      const std::string key = std::string(ingress ? "ingress" : "egress") + "|" + join(v.tie, "|");
      if (ties.count(key)) continue;
      AdminTie t{v.tie, ingress ? "ingress" : "egress",
                 src.display() + " → " + dst.display() + " port " + std::to_string(cp.port) + "/" + cp.protocol,
                 "", v.allowed};
      if (src.pod && cp.protocol == "TCP")  // query decides pod-to-pod TCP connections through the layer
        t.reproduce = query_command(ctx, dst_workload, *src.pod, cp.port);
      ties.emplace(key, std::move(t));
    }
  }

  static std::string query_command(const Context& ctx, const mesh::Workload& dst, const model::Workload& src,
                                   uint32_t port) {
    std::string cmd = "meshproof query";
    for (const std::string& p : ctx.options.input_paths) cmd += " " + engine::shell_quote(p);
    return cmd + " --to " + engine::shell_quote(dst.display()) + " --port " + std::to_string(port) + " --from " +
           engine::shell_quote(src.meta.ns + "/" + src.meta.name);
  }

  Finding finding(const mesh::NetworkLayer& layer, const AdminTie& t) const {
    // At the priority of the policy the input lists last: the one whose priority a fix most likely changes.
    const model::NetworkPolicyObject* last = nullptr;
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->display() == t.policies.back()) last = p;
    const std::string names = join(t.policies, ", ");
    Finding f = make(last->ref(), last->priority_loc.known() ? last->priority_loc : last->loc,
                     "AdminNetworkPolicies of equal priority " + std::to_string(last->priority) +
                         " disagree on a connection: " + names + " give the " + t.direction + " connection " +
                         t.connection +
                         " different actions, and the order of equal priorities is left to the network plugin, so "
                         "whether it is admitted depends on the implementation (meshproof admits it when either "
                         "order does: " + (t.allowed ? "admitted" : "blocked") +
                         "; docs/semantics.md#admin-priority-tie, A4)",
                     "give the policies different spec.priority values, the one that must win the lower number",
                     t.direction + "|" + names);
    f.properties["policies"] = names;
    f.properties["direction"] = t.direction;
    f.properties["connection"] = t.connection;
    if (!t.reproduce.empty()) f.properties["reproduce"] = t.reproduce;
    for (const std::string& name : t.policies)
      for (const model::NetworkPolicyObject* p : layer.policies())
        if (p != last && p->display() == name)
          f.related.push_back(RelatedLocation{"has the same priority", p->ref(),
                                              p->priority_loc.known() ? p->priority_loc : p->loc});
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_admin_priority_tie_check() { return std::make_unique<AdminPriorityTie>(); }

}  // namespace meshproof::checks
