// ALLOW rules the L3/L4 layer makes unreachable (checks/network_blocked_rules.h). The test is by port only,
// so it is sound: a port that no rule of the isolating NetworkPolicies admits, from any peer, is closed to
// every caller. Workloads an AdminNetworkPolicy selects are left out (an admin Allow could open the port).
#include "checks/network_blocked_rules.h"

#include <algorithm>

#include "base/text.h"
#include "checks/gap_findings.h"
#include "checks/policy_workloads.h"
#include "mesh/network_layer.h"

namespace meshproof::checks {

namespace {

// The ports the rule allows on `w`: the `to.operation.ports` of every operation when each names some; else
// every port the workload declares.
std::vector<uint32_t> netblock_rule_ports(const model::Rule& rule, const mesh::Workload& w) {
  std::vector<uint32_t> out;
  bool every_port = rule.to.empty();
  for (const model::Operation& op : rule.to) {
    if (op.ports.empty() || !op.not_ports.empty()) every_port = true;
    for (const model::Str& p : op.ports.items)
      if (!p.value.empty() && std::all_of(p.value.begin(), p.value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        out.push_back(static_cast<uint32_t>(std::stoul(p.value)));
  }
  if (every_port) {
    out.clear();
    for (const mesh::WorkloadPort& p : w.ports)
      if (p.port) out.push_back(p.port);
  }
  return out;
}

// The NetworkPolicy that closes every port of `ports` on `w` (as the layer sees them: HBONE 15008 for an
// ambient pod, I3), or nullptr when some port is open or the layer does not decide by NetworkPolicy alone.
const model::NetworkPolicyObject* netblock_closing(const mesh::NetworkLayer& layer, const mesh::Workload& w,
                                                   const std::vector<uint32_t>& ports) {
  if (!w.decl || !w.has_proxy() || ports.empty()) return nullptr;
  const mesh::NetEndpoint pod = layer.pod(*w.decl);
  for (const model::NetworkPolicyObject* p : layer.selecting(pod, true))
    if (p->tier == model::NetTier::Admin) return nullptr;
  std::vector<uint32_t> wire = ports;
  if (w.data_plane == mesh::DataPlane::Ambient) wire = {mesh::kHbonePort};
  const model::NetworkPolicyObject* closing = nullptr;
  for (uint32_t port : wire)
    if (layer.ingress_port_open(pod, "TCP", port, &closing)) return nullptr;
  return closing;
}

}  // namespace

void report_network_blocked_allow_rules(const Context& ctx, const CheckInfo& info,
                                        const std::set<ir::RuleId>& already_reported, std::vector<Finding>& out) {
  const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
  if (layer.empty()) return;
  const PolicyWorkloads applying(ctx.mesh);
  for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {
    if (p.action != model::Action::Allow || p.dry_run) continue;
    for (size_t i = 0; i < p.rules.size(); ++i) {
      const ir::RuleId key{&p, static_cast<int>(i)};
      if (p.rules[i].is_null || already_reported.count(key)) continue;
      std::vector<std::string> workloads, ports_text;
      const model::NetworkPolicyObject* closing = nullptr;
      bool all_closed = true;
      for (const mesh::Workload* wp : applying.of(p)) {
        const mesh::Workload& w = *wp;
        const std::vector<uint32_t> ports = netblock_rule_ports(p.rules[i], w);
        const model::NetworkPolicyObject* c = netblock_closing(layer, w, ports);
        if (!c) {
          all_closed = false;
          break;
        }
        if (!closing) closing = c;
        workloads.push_back(w.display());
        for (uint32_t port : w.data_plane == mesh::DataPlane::Ambient ? std::vector<uint32_t>{mesh::kHbonePort} : ports)
          gaps::add_unique(ports_text, std::to_string(port));
      }
      if (!all_closed || !closing) continue;
      const std::string subject = "ALLOW " + gaps::rule_text(key);
      Finding f = make_finding(
          info, p.ref(), gaps::rule_loc(key),
          subject + " can never allow a request on " + gaps::list_text(workloads, 3) + ": " + closing->display() +
              " isolates the pods' ingress and no rule of the NetworkPolicies that select them admits port " +
              join(ports_text, ", ") +
              ", so every connection the rule would allow is dropped before Istio sees it "
              "(docs/semantics.md#networkpolicy-layer, I1)",
          "admit the port in an ingress rule of " + closing->display() +
              " for the callers this rule names, or remove the rule if the access is not wanted",
          "rule=" + std::to_string(i));
      f.related.push_back(RelatedLocation{"drops the rule's connections", closing->ref(), closing->loc});
      f.properties["rule"] = std::to_string(i);
      f.properties["workloads"] = join(workloads, "; ");
      f.properties["layer"] = "networkpolicy";
      f.properties["network_policy"] = closing->display();
      out.push_back(std::move(f));
    }
  }
}

}  // namespace meshproof::checks
