// The L3/L4 layer in `query` and `explain` (analysis/network_query.h).
#include "analysis/network_query.h"

#include "mesh/network_layer.h"

namespace meshproof::analysis {

namespace {

// The port the layer sees (docs/semantics.md#networkpolicy-layer): mesh traffic to an ambient pod, and an
// ambient caller's traffic to a sidecar pod, is tunnelled over HBONE 15008 (I3); otherwise the destination
// pod's port after Service DNAT, which the sidecar's in-pod redirect does not change (I2).
uint32_t netquery_wire_port(const mesh::Workload& dst, mesh::CallerKind caller, const ir::Request& request) {
  return mesh::wire_port(dst.data_plane, caller, request.mtls, request.port);
}

std::optional<mesh::NetEndpoint> netquery_source(const Analysis& a, const QuerySpec& spec,
                                                 const mesh::NetworkLayer& layer, const ir::Request& request) {
  if (spec.from.empty()) {
    std::optional<model::Cidr> address;
    if (request.source_ip)
      address = model::parse_net_cidr(request.source_ip->to_string() + (request.source_ip->v6 ? "/128" : "/32"));
    return layer.outside(address);
  }
  mesh::Target from;
  if (mesh::find_target(spec.from, a.input->resources, a.input->mesh, {}, from) || !from.workload->decl)
    return std::nullopt;
  return layer.pod(*from.workload->decl);
}

}  // namespace

void apply_network_layer(const Analysis& a, const QuerySpec& spec, mesh::CallerKind caller, QueryAnswer& out) {
  const mesh::NetworkLayer layer(a.input->network_policies.get(), a.input->resources);
  const mesh::Workload& w = *out.target.workload;
  if (layer.empty() || !w.decl) return;
  auto src = netquery_source(a, spec, layer, out.request);
  if (!src) return;
  out.network = layer.admit(*src, layer.pod(*w.decl), "TCP", netquery_wire_port(w, caller, out.request));
  out.network->source = src->display();
  out.network->policy = nullptr;  // they point into `layer`, which ends here: policy_name and loc remain
  out.network->rule = nullptr;
  if (out.network->allowed) return;
  out.decision = engine::Decision{};
  out.decision.verdict = engine::Verdict::Deny;
  out.decision.explanation = "the connection does not reach the pod: " + out.network->reason;
  out.enforced_by = "networkpolicy";
  out.other_views.clear();
}

std::vector<std::string> explain_network_layer(const Analysis& a, const mesh::Workload& w) {
  const mesh::NetworkLayer layer(a.input->network_policies.get(), a.input->resources);
  std::vector<std::string> lines;
  if (layer.empty() || !w.decl) return lines;
  const mesh::NetEndpoint pod = layer.pod(*w.decl);
  for (const bool ingress : {true, false}) {
    std::string line = ingress ? "ingress: " : "egress: ";
    const auto selecting = layer.selecting(pod, ingress);
    if (selecting.empty()) line += "no policy selects the pod (allowed)";
    for (size_t i = 0; i < selecting.size(); ++i) line += (i ? ", " : "") + selecting[i]->display();
    lines.push_back(std::move(line));
  }
  if (w.data_plane == mesh::DataPlane::Ambient)  // mesh traffic arrives on HBONE 15008 (I3)
    lines.push_back(
        layer.ingress_port_open(pod, "TCP", mesh::kHbonePort)
            ? "HBONE port 15008: admitted"
            : "HBONE port 15008: no NetworkPolicy rule admits it; ambient mesh traffic to the pod is dropped");
  return lines;
}

}  // namespace meshproof::analysis
