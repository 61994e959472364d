// The access-logging state of a workload (docs/semantics.md#access-logging): which Telemetry resources apply
// to its proxy (root namespace, own namespace, workload selector; L1), how their accessLogging entries merge
// (providers replace, entries without providers inherit, later entries enable or disable; L3), which
// providers Istio can use (extensionProviders, the built-in `envoy`), and the fallback to
// meshConfig.accessLogFile when Telemetry yields no usable provider (L4, L5).
//
// Three answers: logged (to which providers), not logged (because of which resource), and unknown, when the
// answer depends on mesh configuration the input does not contain (accessLogFile, defaultProviders, a
// provider's definition) or on a data plane meshproof does not model (ambient waypoints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::mesh {

enum class AccessLogState : uint8_t {
  Logged,     // every request reaches at least one provider without a filter
  Filtered,   // logged only where a provider's CEL filter holds
  NotLogged,  // no provider logs the workload's requests
  Unknown     // the input does not hold what decides it
};
const char* to_string(AccessLogState s);  // "logged", "filtered", "not-logged", "unknown"

// Which side of the proxy's traffic (Telemetry match.mode): sidecar inbound is SERVER, gateways are CLIENT (L2).
enum class AccessLogMode : uint8_t { Server, Client };

struct AccessLogDecision {
  AccessLogState state = AccessLogState::Unknown;
  AccessLogMode mode = AccessLogMode::Server;
  // Logged/Filtered: the providers in force ("envoy", "meshConfig.accessLogFile /dev/stdout"), with the filter
  // of each ("" when none), parallel.
  std::vector<std::string> providers;
  std::vector<std::string> filters;
  // The Telemetries that apply to the workload, in Istio's order (root, namespace, workload).
  std::vector<const model::Telemetry*> telemetries;
  // NotLogged/Unknown: why, as a clause ("Telemetry pay/quiet disables access logging"), and the resource and
  // field that decide (a Telemetry entry, the mesh config's accessLogFile, the Namespace without injection).
  std::string reason;
  ResourceRef cause;
  Loc cause_loc;
  bool missing_mesh_config = false;  // Unknown because the input has no mesh configuration
};

// The access-logging state of w's requests on `mode`'s side. Workloads without a proxy are not logged;
// ambient workloads are Unknown (ztunnel writes L4 connection logs only; waypoints are not modelled).
AccessLogDecision access_logging(const Mesh& mesh, const Workload& w, AccessLogMode mode);

// The mode of a workload's inbound requests: CLIENT for gateway pods, SERVER otherwise (L2).
AccessLogMode inbound_mode(const Workload& w);

}  // namespace meshproof::mesh
