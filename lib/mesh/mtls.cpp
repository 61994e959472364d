// Effective mTLS mode per workload and port (istio-semantics.md §11; policy_applier.go:366-470).
#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

// Applies one level: only when the level has a policy whose mode is set (`mtls` absent or UNSET inherits).
void apply_level(MtlsDecision& d, const model::PeerAuthentication* p, MtlsLevel level) {
  if (!p || p->mode == model::MtlsMode::Unset) return;
  d.mode = p->mode;
  d.level = level;
  d.decided_by = p;
}

}  // namespace

void resolve_mtls(Mesh& mesh) {
  for (Workload& w : mesh.workloads) {
    if (!w.has_proxy()) {
      // Nothing terminates mTLS in front of the application: it accepts plaintext from anyone, and a
      // peer's mTLS would reach it undecrypted. Recorded as DISABLE with an explicit flag.
      MtlsDecision none;
      none.mode = model::MtlsMode::Disable;
      none.level = MtlsLevel::Default;
      none.no_sidecar = true;
      w.default_mtls = none;
      for (WorkloadPort& p : w.ports) p.mtls = none;
      continue;
    }
    if (is_istio_gateway_pod(w)) {
      // A gateway pod has no sidecar inbound listener: its listeners' TLS comes from the Gateway servers
      // (buildGatewayListenerTLSContext), and PeerAuthentication, which configures sidecar inbound
      // listeners, does not govern them (docs/semantics.md#gateways). Callers with or without a mesh
      // identity reach its authorization, as on a PERMISSIVE port.
      MtlsDecision listener;
      listener.mode = model::MtlsMode::Permissive;
      listener.gateway_listener = true;
      w.default_mtls = listener;
      for (WorkloadPort& p : w.ports) p.mtls = listener;
      continue;
    }
    // Start PERMISSIVE, then mesh, namespace and workload level in that order.
    MtlsDecision d;
    apply_level(d, w.pa_mesh, MtlsLevel::Mesh);
    apply_level(d, w.pa_namespace, MtlsLevel::Namespace);
    apply_level(d, w.pa_workload, MtlsLevel::Workload);
    w.default_mtls = d;
    for (WorkloadPort& p : w.ports) {
      p.mtls = d;
      if (!w.pa_workload) continue;
      // Only the chosen workload policy's portLevelMtls counts, keyed by the workload (target) port; an
      // UNSET entry inherits the workload's resolved mode.
      for (const model::PortMtls& pm : w.pa_workload->port_level) {
        if (pm.port != p.port) continue;
        if (pm.mode != model::MtlsMode::Unset) {
          p.mtls.mode = pm.mode;
          p.mtls.level = MtlsLevel::WorkloadPort;
          p.mtls.decided_by = w.pa_workload;
        }
        break;
      }
    }
  }
}

}  // namespace meshproof::mesh::detail
