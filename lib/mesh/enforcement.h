// The enforcement chain of a request (docs/semantics.md#enforcement-chain; ambient.md A4, A9, A11, A12): the
// ordered proxies that authorize a request from one kind of caller to one workload. A sidecar or gateway
// workload is authorized by its own proxy, a workload outside the mesh by nothing; an ambient workload by
// its waypoint, when the request is addressed to a Service (or pod) bound to one and the caller does not go
// around it, then by its node's ztunnel, which then sees the waypoint's identity. Computed on demand from the
// resolved mesh and the waypoint model (mesh/waypoints.h); only the users of the chain include this header.
#pragma once

#include <string>
#include <vector>

#include "mesh/mesh.h"
#include "mesh/waypoints.h"

namespace meshproof::mesh {

// Who sends the request, as far as the chain is concerned (A11).
enum class CallerKind : uint8_t {
  Ambient,  // a captured pod: its ztunnel sends Service traffic to the Service's waypoint
  Sidecar,  // a sidecar pod: istiod gives sidecars no waypoint endpoints, it reaches the pod directly
  Ingress,  // an ingress gateway: through the waypoint only with istio.io/ingress-use-waypoint
  NonMesh,  // no proxy at all: plaintext, straight to the destination's ztunnel
};
const char* to_string(CallerKind k);  // "ambient", "sidecar", "ingress gateway", "outside the mesh"
CallerKind caller_kind(DataPlane d);

struct ChainCaller {
  CallerKind kind = CallerKind::Ambient;
  bool pod_ip = false;  // the caller dials the pod IP instead of a Service VIP
};

// An AuthorizationPolicy a waypoint applies, and the targetRef that attached it (A9).
struct AttachedPolicy {
  const model::AuthorizationPolicy* policy = nullptr;
  std::string target;  // "Gateway NS/NAME", "Service NS/NAME", "GatewayClass istio-waypoint"
};

struct EnforcementPoint {
  enum Kind : uint8_t { Waypoint, Ztunnel, Sidecar, Gateway, None };
  Kind kind = None;
  const mesh::Waypoint* waypoint = nullptr;  // Waypoint only
  std::string display() const;               // "waypoint NS/NAME", "ztunnel", "sidecar", "gateway", "none"
};

struct EnforcementChain {
  std::vector<EnforcementPoint> points;           // in the order the request crosses them
  std::string service;                            // "NS/NAME" of the Service the request is addressed to, "" for none
  const Waypoint* waypoint = nullptr;             // the waypoint crossed (points.front()), nullptr without one
  const Waypoint* bypassed = nullptr;             // the destination's waypoint that this caller goes around (A11)
  std::string why;                                // one sentence: why the waypoint is crossed, bypassed or absent
  std::vector<AttachedPolicy> waypoint_policies;  // what the crossed waypoint applies (A9)
  // The RequestAuthentications the crossed waypoint applies (A9): their issuers validate tokens there.
  std::vector<const model::RequestAuthentication*> waypoint_request_authentications;
  std::string waypoint_principal;  // the identity ztunnel sees after the waypoint (A12)
};

// The targetRefs policies waypoint `w` applies on the chain of Service `service_ns/service_name` (A9): those
// targeting the Gateway (from its namespace), the Service (from the Service's namespace) and the GatewayClass
// istio-waypoint (from the root namespace). `service_name` "" (pod-addressed traffic): no Service chain.
std::vector<AttachedPolicy> waypoint_policies(const Mesh& mesh, const WaypointModel& wm, const Waypoint& w,
                                              const std::string& service_ns, const std::string& service_name);

// The RequestAuthentications waypoint `w` applies on the same chain: targetRefs to the Gateway (from its
// namespace) or to the Service (from the Service's namespace). RequestAuthentication's targetRefs support no
// GatewayClass (istio.io RequestAuthentication reference, `targetRefs`).
std::vector<const model::RequestAuthentication*> waypoint_request_authentications(const WaypointModel& wm,
                                                                                  const Waypoint& w,
                                                                                  const std::string& service_ns,
                                                                                  const std::string& service_name);

// SPIFFE principal `TD/ns/NS/sa/SA` of the waypoint's pods: the service account of its pods in the input,
// else the Gateway's name (Istio's deployment of an istio-waypoint Gateway runs as a service account named
// after the Gateway; ambient.md A12).
std::string waypoint_principal(const Mesh& mesh, const Waypoint& w);

// The protocol of workload port `port` as the workload declares it (Sniffed for a port it does not declare).
PortProtocol port_protocol_of(const Workload& w, uint32_t port);

// The chain a request from `caller` to `dest` (a workload of `mesh`) on workload port `port` crosses.
EnforcementChain enforcement_chain(const Mesh& mesh, const WaypointModel& wm, const Workload& dest, uint32_t port,
                                   const ChainCaller& caller);

}  // namespace meshproof::mesh
