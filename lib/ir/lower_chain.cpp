// The programs of an enforcement chain (ir/lower_chain.h; docs/semantics.md#enforcement-chain).
#include "ir/lower_chain.h"

namespace meshproof::ir {

const Program* ChainHop::view(Protocol p) const {
  for (const auto& v : views)
    if (v.protocol == p) return &v;
  return nullptr;
}

Request request_at(const ChainHop& hop, const Request& request) {
  if (hop.rewrite_principal.empty()) return request;
  Request r = request;
  r.set_principal(hop.rewrite_principal);  // the waypoint's HBONE connection: mTLS with its identity
  r.source_ip.reset();                     // the waypoint pod's address, which the input does not give
  r.remote_ip.reset();
  return r;
}

Program build_waypoint_program(const mesh::EnforcementChain& chain, const std::string& waypoint, uint32_t port,
                               const std::string& port_name, Protocol protocol, bool sniffed, const LowerContext& ctx) {
  // The waypoint is an Envoy proxy (ambient.md §6): its program is built as a sidecar's, from the attached
  // AuthorizationPolicies and RequestAuthentications alone. It is reached only over HBONE, an mTLS connection from a
  // ztunnel or sidecar whose peer identity its matchers read (ambient.md §6, §2.3), never by plaintext: the
  // connection mode is STRICT, so no symbolic question about the waypoint considers a plaintext request.
  mesh::Workload proxy;
  proxy.name = waypoint;
  proxy.data_plane = mesh::DataPlane::Sidecar;
  for (const auto& a : chain.waypoint_policies) proxy.authorization_policies.push_back(a.policy);
  proxy.request_authentications = chain.waypoint_request_authentications;
  mesh::MtlsDecision mtls;
  mtls.mode = model::MtlsMode::Strict;
  Program p = build_program(proxy, port, port_name, protocol, sniffed, mtls, ctx);
  p.workload = waypoint;
  return p;
}

Chain build_chain(const mesh::EnforcementChain& chain, const PortPrograms& own, mesh::PortProtocol port_protocol,
                  const LowerContext& ctx) {
  Chain out;
  std::string rewrite;
  for (const mesh::EnforcementPoint& point : chain.points) {
    ChainHop hop;
    hop.point = point.display();
    if (point.kind == mesh::EnforcementPoint::Waypoint) {
      const std::string wp = point.waypoint->display();
      const bool sniffed = port_protocol == mesh::PortProtocol::Sniffed;
      if (port_protocol != mesh::PortProtocol::Tcp)
        hop.views.push_back(build_waypoint_program(chain, wp, own.port, own.name, Protocol::Http, sniffed, ctx));
      if (port_protocol != mesh::PortProtocol::Http)
        hop.views.push_back(build_waypoint_program(chain, wp, own.port, own.name, Protocol::Tcp, sniffed, ctx));
      rewrite = chain.waypoint_principal;
    } else {
      hop.views = own.views;
      hop.rewrite_principal = rewrite;
    }
    out.hops.push_back(std::move(hop));
  }
  return out;
}

}  // namespace meshproof::ir
