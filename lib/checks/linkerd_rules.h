// The checks on Linkerd's inbound policy (docs/semantics.md#linkerd-checks, LK24-LK29). The checks speak of the
// model, not of the mesh, so each applies to Linkerd's objects where its meaning holds: Linkerd's
// authorizations are lowered per pod port into ALLOW rules of the IR (ir/lower_linkerd.h), and the symbolic
// questions the Istio checks ask of rules (matches nothing, covered by others, admits unnamed callers) are asked
// of each authorization, on every port of every pod Linkerd serves where it applies. What a Linkerd object
// refers to (Server podSelector, ServerAuthorization server, AuthorizationPolicy targetRef) is checked as
// selector-matches-nothing checks Istio's selectors. Each check calls its function here after its Istio pass.
#pragma once

#include <vector>

#include "base/finding.h"
#include "checks/check.h"
#include "checks/gap_views.h"
#include "ir/lower_linkerd.h"

namespace meshproof::checks::linkerd {

// One declared workload Linkerd serves, with its inbound policy lowered.
struct LinkerdUnit {
  const mesh::Workload* workload = nullptr;
  ir::LinkerdLowered lowered;
};

// One enforced port program (protocol view) of a unit, with its engine, and the authorizations its ALLOW rules are.
struct PortView {
  const LinkerdUnit* unit = nullptr;
  const ir::LinkerdPortPolicy* port = nullptr;
  gaps::View view;
  const std::vector<ir::LinkerdAuthorization>& authzs() const { return port->authorizations_of(view.program()); }
};

// What the Linkerd checks share (as the symbolic checks share gaps::Results): every declared workload Linkerd
// serves lowered once, and one view (program and engine) per enforced port program, in unit, port and view order.
// `views` point into `units`, which never change after the pass is made.
struct Pass {
  std::vector<LinkerdUnit> units;
  std::vector<PortView> views;
};

// The cluster the checks assume: Linkerd's chart defaults, with the install value --linkerd-default-policy.
ir::LinkerdCluster cluster_of(const Context& ctx);
// The run's pass, made on the first call for a Context (Context::linkerd_pass) and shared by never-matching-rule,
// redundant-rule, overly-permissive-rule and mtls-not-strict. Like Context::gap_results it is made lazily without a
// lock: run_checks runs the checks one after the other on one thread. Its views' engines keep what they learn.
Pass& linkerd_pass(const Context& ctx);
// The input uses Linkerd: it holds a policy.linkerd.io object or a workload Linkerd injects.
bool linkerd_in_use(const Context& ctx);

// The Linkerd objects the authorization checks (never-matching-rule, redundant-rule, overly-permissive-rule) examine:
// every admitted AuthorizationPolicy and ServerAuthorization, appended to `out` (Check::subjects).
void add_authorization_subjects(const Context& ctx, std::vector<ResourceRef>& out);
// The Linkerd objects selector-matches-nothing examines: Servers, ServerAuthorizations, AuthorizationPolicies,
// HTTPRoutes.
void add_reference_subjects(const Context& ctx, std::vector<ResourceRef>& out);

// never-matching-rule: an authorization no request on any port it applies to satisfies (LK25), and an
// AuthorizationPolicy Linkerd ignores because a referenced authentication does not exist (LK12).
void never_matching_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out);
// redundant-rule: an authorization every request of which other authorizations of the same ports admit (LK26).
void redundant_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out);
// overly-permissive-rule: an authorization that admits callers by network only, or any caller / any meshed
// identity in a regulated namespace, or any caller beside authorizations that name theirs (LK27).
void overly_permissive_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out);
// selector-matches-nothing: a Server selecting no pod (or no port), a ServerAuthorization whose server matches
// no Server, an AuthorizationPolicy whose target Server does not exist (LK24).
void linkerd_references_matching_nothing(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out);
// mtls-not-strict: a port of a regulated Linkerd member whose Server admits unauthenticated connections (LK28).
void plaintext_server_ports(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out);

}  // namespace meshproof::checks::linkerd
