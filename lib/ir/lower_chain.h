// The programs of an enforcement chain (mesh/enforcement.h; docs/semantics.md#enforcement-chain): one program
// per enforcement point the request crosses, in order. A waypoint is an Envoy proxy: its program is the
// targetRefs policies attached to it (A9), lowered with full Envoy (sidecar) semantics for the port's
// protocol. The destination ztunnel's program is the workload's ordinary ambient program
// (ir/lower_ztunnel.h); after a waypoint it sees the waypoint's identity and address (A12), which the hop
// records as a rewrite of the request the evaluators apply (engine/evaluate_chain.h).
#pragma once

#include <string>
#include <vector>

#include "ir/lower.h"
#include "ir/request.h"
#include "mesh/enforcement.h"

namespace meshproof::ir {

struct ChainHop {
  std::string point;           // "waypoint NS/NAME", "ztunnel", "sidecar", "gateway", "none"
  std::vector<Program> views;  // the port's protocol views at this point (HTTP first, then TCP)
  // Set for the hop after a waypoint: the request reaches it over mTLS with this principal and the
  // waypoint pod's address (unknown: no source IP), whatever the caller sent (A12).
  std::string rewrite_principal;
  const Program* view(Protocol p) const;
};

struct Chain {
  std::vector<ChainHop> hops;
};

// The request as `hop` receives it (A12): unchanged, or with the waypoint's identity and no source address.
Request request_at(const ChainHop& hop, const Request& request);

// The waypoint's program for one port view: the attached policies lowered for `protocol` (Envoy
// semantics: CUSTOM, DENY, ALLOW, AUDIT, dry-run) with the attached RequestAuthentications' issuers (JWT
// validation on HTTP), over mTLS only (the waypoint terminates HBONE; no PeerAuthentication applies to it).
Program build_waypoint_program(const mesh::EnforcementChain& chain, const std::string& waypoint, uint32_t port,
                               const std::string& port_name, Protocol protocol, bool sniffed, const LowerContext& ctx);

// The chain's programs for workload port `port` (0: an undeclared port): the waypoint's views (the port's
// protocol: HTTP, TCP, or both when sniffed) then the destination's own views (`own`, from build_programs).
Chain build_chain(const mesh::EnforcementChain& chain, const PortPrograms& own, mesh::PortProtocol port_protocol,
                  const LowerContext& ctx);

}  // namespace meshproof::ir
