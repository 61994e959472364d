// `query` and `explain` on workloads Linkerd serves (docs/semantics.md#linkerd-policy): their programs are
// Linkerd's policy lowered (ir/lower_linkerd.h) instead of Istio's, and Linkerd identities
// (SA.NS.serviceaccount.identity.linkerd.cluster.local) name callers. Internal to analysis/query.cpp.
#pragma once

#include <string>
#include <vector>

#include "app/pipeline.h"
#include "ir/ir.h"
#include "mesh/mesh.h"

namespace meshproof::analysis {

struct QueryAnswer;

// Replaces `programs` by the lowered Linkerd policy when Linkerd serves `w`; false (unchanged) otherwise.
bool linkerd_programs(const mesh::Workload& w, const app::Input& input, ir::WorkloadPrograms& programs);

// A --principal written as a Linkerd identity becomes the SPIFFE form the request takes ("TD/ns/NS/sa/SA");
// any other text is returned unchanged.
std::string linkerd_principal_as_spiffe(const std::string& principal);

// explain on a workload Linkerd serves: one line per port naming what decides it (the Server, with its
// authorizations and what was ignored, or the default inbound policy and where it came from; skipped ports), with
// the objects' locations; the install value is added to `assumptions` when the input does not state it. Empty
// when Linkerd does not serve `w`.
std::vector<std::string> explain_linkerd(const mesh::Workload& w, const app::Input& input,
                                         std::vector<std::string>& assumptions);

// On the HTTP view of a Server with HTTPRoutes, says what Linkerd's proxy does in the route's terms: 404 when no
// route matches (the DENY rule that stands for it decided), 403 when the request's route and the Server authorize
// no such caller. Other decisions are left as they are.
void explain_linkerd_route_decision(QueryAnswer& out);

// --from a workload Linkerd serves: it calls with its Linkerd identity over mTLS. False when Linkerd does not
// serve it.
bool apply_linkerd_caller(const mesh::Workload& caller, const app::Input& input, QueryAnswer& out);

}  // namespace meshproof::analysis
