// Egress as a workload's sidecar sees it (docs/semantics.md#egress): the outboundTrafficPolicy in force (a
// Sidecar's replaces the mesh's; `{}` is REGISTRY_ONLY; Istio's default ALLOW_ANY, E3), the Sidecar whose egress
// hosts scope the registry (§4), and the MESH_EXTERNAL ServiceEntry ports the workload can call, each with the
// TLS that leaves the mesh (a DestinationRule's tls.mode on that host and port originates TLS; there is never
// auto mTLS to an external service, E1, E2).
#pragma once

#include <string>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::mesh {

// Where the outboundTrafficPolicy in force comes from.
enum class OutboundSource : uint8_t {
  Sidecar,     // the applying Sidecar's spec.outboundTrafficPolicy
  MeshConfig,  // the mesh configuration in the input (written, or its default ALLOW_ANY)
  Assumed      // Istio's default ALLOW_ANY: the input has no mesh configuration and no Sidecar decides
};

struct OutboundPolicy {
  std::string mode = "ALLOW_ANY";  // ALLOW_ANY, REGISTRY_ONLY, ALLOW_ANY_DYNAMIC_DNS (as written otherwise)
  OutboundSource source = OutboundSource::Assumed;
  const model::Sidecar* sidecar = nullptr;  // the Sidecar that applies to the workload (its egress scope)
  ResourceRef decided_by;                   // Sidecar or mesh config; empty kind when assumed
  Loc loc;                                  // the field that decided it, else the resource
  bool mode_written = false;                // MeshConfig: outboundTrafficPolicy.mode is written (else its default)
  bool allows_any() const { return mode == "ALLOW_ANY" || mode == "ALLOW_ANY_DYNAMIC_DNS"; }
};

// The Sidecar that applies to w: the oldest of its namespace whose workloadSelector selects it, else its
// namespace's oldest selector-less one, else the root namespace's (the mesh default); nullptr when none.
const model::Sidecar* sidecar_of(const Mesh& mesh, const Workload& w);

OutboundPolicy outbound_policy(const Mesh& mesh, const Workload& w);

// A port of a MESH_EXTERNAL ServiceEntry host that w's sidecar has in scope (exportTo, Sidecar egress hosts).
struct ExternalPort {
  const model::ServiceEntry* entry = nullptr;
  const model::ServiceEntryPort* port = nullptr;
  std::string host;
  Loc host_loc;
  bool http = false;     // HTTP, HTTP2, GRPC, GRPC-WEB: the sidecar forwards what the app sends
  std::string tls_mode;  // the DestinationRule's tls.mode for this host and port ("" none)
  const model::DestinationRule* tls_rule = nullptr;
  bool tls_originated() const { return tls_mode == "SIMPLE" || tls_mode == "MUTUAL" || tls_mode == "ISTIO_MUTUAL"; }
  // A sidecar VirtualService routes this host to itself while a DestinationRule for it exists: the route may
  // move the request to another port or subset whose tls originates TLS (the 80 -> 443 pattern of Istio's
  // egress samples). meshproof does not read route ports and subsets, so such a port is not judged.
  bool rerouted = false;
};

std::vector<ExternalPort> external_ports(const Mesh& mesh, const Workload& w);

// Whether an object with this exportTo, living in `object_ns`, is visible in `client_ns` (E5: absent is "*").
bool exported_to(const std::vector<std::string>& export_to, const std::string& object_ns, const std::string& client_ns);

}  // namespace meshproof::mesh
