// The L3/L4 layer in `meshproof map` (docs/map.md#the-l3l4-layer). PRIVATE to lib/map.
#pragma once

#include "engine/decision_diff.h"
#include "map/map.h"
#include "mesh/mesh.h"
#include "model/network_policy.h"

namespace meshproof::map::detail {

// Fills a.network and a.blocked for one allowed class of `program` on `workload`: every source the class
// stands for is asked through analysis::answer_query (what its `query` command replays), so what the map says
// of a source is what `meshproof query` answers. An identity class stands for the declared pods whose identity,
// with the rest of the witness, is allowed by the same rule; plaintext, any caller and a class no declared pod
// is in stand for outside addresses (one per region of the layer's CIDRs). A source whose own path decides
// otherwise (an ambient pod's waypoint) is not one of the class's sources. a.query becomes the first admitted
// source's command, else the first blocked one's.
void judge_network(const analysis::Analysis& analysis, const mesh::Workload& workload, const ir::Program& program,
                   const engine::ChangeClass& cls, const std::string& caller, const std::vector<model::Cidr>& outside,
                   Admission& a);

}  // namespace meshproof::map::detail
