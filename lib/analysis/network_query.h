// `query` and `explain` over the L3/L4 layer under the mesh (mesh/network_layer.h): whether the connection
// reaches the destination pod at all, before Istio decides (docs/semantics.md#networkpolicy-layer, I1–I3).
#pragma once

#include <string>
#include <vector>

#include "analysis/query.h"
#include "mesh/enforcement.h"

namespace meshproof::analysis {

// After the mesh decided: when the input holds L3/L4 policies, the layer's verdict for the connection from
// --from's pod (without it: an outside address, request.source_ip when given) is out.network; a blocked
// connection turns the answer into DENY decided by the layer (enforced_by "networkpolicy").
void apply_network_layer(const Analysis& a, const QuerySpec& spec, mesh::CallerKind caller, QueryAnswer& out);

// For `explain`: one line per direction naming the policies of the layer that select the workload, and
// whether ambient mesh traffic on HBONE port 15008 is admitted; empty when the input holds none.
std::vector<std::string> explain_network_layer(const Analysis& a, const mesh::Workload& w);

}  // namespace meshproof::analysis
