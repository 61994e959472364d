// The waypoint programs of the shared symbolic pass (checks/gap_pass.h; docs/semantics.md#enforcement-chain):
// a waypoint is an Envoy proxy that enforces the AuthorizationPolicies attached to it with targetRefs (A9),
// and those policies are in no workload class's programs. So the pass is also given, after the workload
// classes, one unit per (waypoint, Service) pair whose chain crosses the waypoint with attached policies:
// a ClassView whose views are the waypoint's programs (ir::build_chain's first hop) for the ports of the
// first ambient workload behind the Service, and whose representative is the waypoint itself (its attached
// policies, Envoy semantics). The symbolic checks (redundant-rule, never-matching-rule, ...) then judge the
// waypoint's rules as they judge a sidecar's, and name the waypoint as the place they are enforced.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/gap_views.h"
#include "engine/query.h"
#include "ir/lower.h"
#include "mesh/waypoints.h"

namespace meshproof::checks::gaps {

class Shared;

struct WaypointUnit {
  const mesh::Workload* dest = nullptr;  // the first ambient workload behind the Service (query --to)
  const mesh::Waypoint* waypoint = nullptr;
  std::string service;          // "NS/NAME"
  std::vector<uint32_t> ports;  // the workload ports whose chain crosses the waypoint
};

struct WaypointUnits {
  mesh::WaypointModel model;
  std::vector<WaypointUnit> units;  // in workload class order, one per (waypoint, Service)
};

// Whether some workload of the mesh is ambient (no waypoint chain to build otherwise).
bool mesh_has_ambient(const mesh::Mesh& mesh);

// The units of the mesh (none when no ambient workload is bound to a waypoint with attached policies).
std::shared_ptr<const WaypointUnits> waypoint_units(const Context& ctx);

// The ClassView of unit `i`: class id mesh.classes.size() + i (no workload class has it).
ClassView waypoint_class_view(const Context& ctx, const Shared& shared, const WaypointUnits& units, size_t i);

// Whether `program` is a waypoint program of the pass (its class id is past the workload classes).
bool is_waypoint_program(const Context& ctx, const ir::Program& program);

// A waypoint witness as `meshproof query` replays it: the request is sent by an ambient caller through the
// waypoint (query's default for an mTLS caller); when the waypoint allows it, the destination's ztunnel
// decides last (A12), so the witness states the decision of the whole chain.
// `program` is a waypoint's program whose `workload` is the destination (query --to).
// `wm`: the run's waypoint model.
Witness chain_witness(const Context& ctx, const mesh::WaypointModel& wm, const ir::LowerContext& lower,
                      const ir::Program& program, const ir::Request& request, Witness w);

// The query conditions that pin the peer to `principal` ("TD/ns/NS/sa/SA") over mTLS, or plaintext when it is "".
engine::Query from_peer_query(const std::string& principal);

// The options of the engines the waypoint checks make for programs outside the pass (a destination's ztunnel,
// a waypoint's chain): the run's time limit per query (--timeout-ms), as the pass's own views have.
engine::EngineOptions waypoint_engine_options(const Context& ctx);

}  // namespace meshproof::checks::gaps
