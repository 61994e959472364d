// Linkerd's inbound policy lowered into the decision IR (docs/semantics.md#linkerd-policy, LK5-LK20): a pod
// port's authorizations become ALLOW rules of one program whose has_allow_policy is always set, so that a port
// without a matching authorization denies (Linkerd has no DENY, and a Server without authorizations denies
// everything). A port that accepts no unauthenticated connection has mTLS mode STRICT (plaintext is refused
// before authorization, as Linkerd's proxy refuses it), else PERMISSIVE; a port that skips the proxy
// (config.linkerd.io/skip-inbound-ports) is not enforced. The concrete evaluator and the Z3 compiler then decide
// Linkerd programs as they decide Istio's. Included only by the Linkerd wiring and its tests.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"
#include "mesh/mesh.h"
#include "model/linkerd_policy.h"

namespace meshproof::ir {

// The install values that change inbound decisions (charts/linkerd-control-plane/values.yaml).
struct LinkerdCluster {
  std::string default_policy = "all-unauthenticated";  // proxy.defaultInboundPolicy
  std::vector<std::string> cluster_networks = {"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16",
                                               "fd00::/8"};  // clusterNetworks
  std::string control_plane_ns = "linkerd";
  std::string trust_domain = "cluster.local";      // identityTrustDomain
  std::string ignore_inbound_ports = "4567,4568";  // proxyInit.ignoreInboundPorts
};

// What the lowering needs of one meshed pod (template).
struct LinkerdPod {
  std::string ns, name;
  model::Labels labels;
  std::string service_account = "default";
  std::vector<model::ContainerPort> ports;
  // config.linkerd.io annotations as the pod gets them (its own, else its namespace's, copied at injection).
  std::string default_inbound_policy;  // "" = the install value
  std::string skip_inbound_ports;
  std::string require_identity_ports;  // config.linkerd.io/proxy-require-identity-inbound-ports
  Loc loc;
};

// One ClientAuthorization of Linkerd's model (linkerd.md §1): networks ∧ authentication, with the object it
// comes from. Each is one ALLOW rule of its port's program, in the same order (rule index = position).
struct LinkerdAuthorization {
  enum class Authn { Unauthenticated, TlsUnauthenticated, TlsAuthenticated } authn = Authn::Unauthenticated;
  std::vector<Term> identities;                 // TlsAuthenticated: OR of identity terms
  std::vector<model::LinkerdNetwork> networks;  // empty: every address
  // "AuthorizationPolicy", "ServerAuthorization", "Server" (its accessPolicy's default authorization) or
  // "Default" (the pod's default inbound policy).
  std::string kind, ns, name;
  const model::ResourceBase* object = nullptr;  // the input object (nullptr for "Default")
  Loc loc;
  bool any_identity = false;       // TlsAuthenticated by "*" (every meshed identity), or TlsUnauthenticated
  bool networks_written = false;   // networks the object names (a NetworkAuthentication, client.networks)
  bool cluster_networks = false;   // networks implied: the cluster networks (cluster-* defaults, L14)
  // On the HTTP view of a Server with HTTPRoutes: the route whose requests this rule authorizes (the route's own
  // AuthorizationPolicies and, as Linkerd's proxy joins them, the Server's); nullptr elsewhere.
  const model::LinkerdHTTPRoute* route = nullptr;
  std::string display() const;     // "AuthorizationPolicy ns/name", "Server ns/name accessPolicy audit", ...
};

// What decides one port, for explain and for the checks.
struct LinkerdPortPolicy {
  uint32_t port = 0;                             // 0: every port the pod does not declare
  const model::LinkerdServer* server = nullptr;  // the Server that governs the port, when one does
  std::string default_policy;                    // the default policy applied when no Server does
  bool skipped = false;                          // skip-inbound-ports: no proxy
  std::vector<std::string> notes;                // what was ignored and why (unresolvable policies, ...)
  std::vector<LinkerdAuthorization> authorizations;  // the program's ALLOW rules, in order
  // The Server's HTTPRoutes in Linkerd's order (LK30); when there are any, the port's HTTP view decides HTTP
  // requests by route and `http_authorizations` are its ALLOW rules, in order (per route: the route's own
  // authorizations, then the Server's, LK32), while `authorizations` stay those of its TCP view (LK34).
  std::vector<const model::LinkerdHTTPRoute*> routes;
  std::vector<LinkerdAuthorization> http_authorizations;
  // The authorizations the ALLOW rules of `program` (a view of this port) are, in order.
  const std::vector<LinkerdAuthorization>& authorizations_of(const Program& program) const {
    return program.protocol == Protocol::Http && !routes.empty() ? http_authorizations : authorizations;
  }
};

struct LinkerdLowered {
  WorkloadPrograms programs;
  std::vector<LinkerdPortPolicy> ports;  // parallel to programs.ports
};

// The cluster with the install value proxy.defaultInboundPolicy `default_policy` ("" = Linkerd's default).
LinkerdCluster linkerd_cluster(const std::string& default_policy);

// Linkerd's identity of a service account: SA.NS.serviceaccount.identity.CP.TD.
std::string linkerd_identity(const std::string& sa, const std::string& ns, const LinkerdCluster& cluster);
// The peer identity parts (trust domain, namespace, service account) of a Linkerd identity string; false when
// it does not have Linkerd's SA.NS.serviceaccount.identity.CP.TD shape for the cluster's control plane.
bool parse_linkerd_identity(const std::string& id, const LinkerdCluster& cluster, std::string& td, std::string& ns,
                            std::string& sa);

// The pod of a resolved workload Linkerd serves (mesh/linkerd.h): labels, service account, TCP container ports,
// and the config.linkerd.io annotations as the pod gets them.
LinkerdPod linkerd_pod(const mesh::Workload& w, const mesh::Mesh& mesh);

// --- HTTPRoutes (lower_linkerd_routes.cpp; docs/semantics.md#linkerd-routes) ---------------------------------

// The HTTPRoutes Linkerd attaches to Server `s`: a parentRef of group policy.linkerd.io, kind Server, naming it, in
// the route's namespace, without port or sectionName (policy-controller inbound/routes.rs from_parent_ref), ordered
// oldest first, then by name (the control plane's order; the proxy keeps the first of equal matches).
std::vector<const model::LinkerdHTTPRoute*> linkerd_server_routes(const model::LinkerdServer& s,
                                                                  const model::LinkerdPolicySet& policies);
// The requests `routes[k]` decides, as permission clauses (OR): a request one of its matches admits and whose
// best match of all `routes` is the route's own (linkerd2-proxy http/route lib.rs find, match.rs RequestMatch
// order: path match length, then method, header count, query parameter count; ties to the earlier route).
std::vector<Clause> linkerd_route_permissions(const std::vector<const model::LinkerdHTTPRoute*>& routes, size_t k);
// The DENY rule that stands for Linkerd's 404: a request no route of the Server matches (LK31). Its name says so
// (is_linkerd_no_route_rule).
Rule linkerd_no_route_rule(const model::LinkerdServer& s, const std::vector<const model::LinkerdHTTPRoute*>& routes);
bool is_linkerd_no_route_rule(const Rule& r);

LinkerdLowered lower_linkerd_pod(const LinkerdPod& pod, const model::LinkerdPolicySet& policies,
                                 const LinkerdCluster& cluster);

}  // namespace meshproof::ir
