// Linkerd's inbound policy kinds (policy.linkerd.io): Server, ServerAuthorization, AuthorizationPolicy,
// MeshTLSAuthentication, NetworkAuthentication, as Linkerd's policy controller reads them, and what its
// admission webhook rejects (docs/semantics.md#linkerd-policy, rules LK5-LK12). A header of its own, read by
// the Linkerd lowering (ir/lower_linkerd.h) only, so that model/resources.h stays unchanged.
#pragma once

#include <string>
#include <vector>

#include "load/node.h"
#include "model/gateway_api.h"
#include "model/object_meta.h"
#include "model/not_analyzed.h"
#include "model/resources.h"

namespace meshproof::model {

// A Kubernetes LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).
struct LinkerdSelectorExpression {
  std::string key, op;
  std::vector<std::string> values;
};
struct LinkerdSelector {
  bool present = false;
  Labels match_labels;
  std::vector<LinkerdSelectorExpression> expressions;
  Loc loc;
  // An empty selector matches every pod (Kubernetes' LabelSelector semantics).
  bool matches(const Labels& labels) const;
};

// A reference to another object: targetRef, requiredAuthenticationRefs[i], identityRefs[i].
struct LinkerdRef {
  std::string group, kind, name, ns;  // ns "" when not written
  Loc loc;
};

// NetworkAuthentication networks[i] and ServerAuthorization client.networks[i]: cidr minus except.
struct LinkerdNetwork {
  Str cidr;
  std::vector<Str> except;
};

struct LinkerdServer : ResourceBase {
  LinkerdSelector pod_selector;
  bool external_workload_selector = false;  // selects ExternalWorkloads, not pods: outside the model
  uint32_t port_number = 0;                 // spec.port as a number, or
  std::string port_name;                    // spec.port as a container port name
  Loc port_loc;
  std::string proxy_protocol;  // "" (= unknown: detect), HTTP/1, HTTP/2, gRPC, opaque, TLS
  // spec.accessPolicy: the default policy whose authorizations the Server adds; "deny" when absent (the CRD's
  // default; versions before v1beta3 have no field and no default authorizations).
  std::string access_policy = "deny";
  Loc access_policy_loc;
};

struct LinkerdServerAuthorization : ResourceBase {
  std::string server_name;                   // spec.server.name, or
  LinkerdSelector server_selector;           // spec.server.selector: over the labels of Servers
  bool unauthenticated = false;              // client.unauthenticated
  bool unauthenticated_tls = false;          // client.meshTLS.unauthenticatedTLS
  std::vector<Str> identities;               // client.meshTLS.identities
  std::vector<LinkerdRef> service_accounts;  // client.meshTLS.serviceAccounts (ns defaults to the object's)
  bool has_networks = false;                 // client.networks written (else: the cluster networks)
  std::vector<LinkerdNetwork> networks;
};

struct LinkerdAuthorizationPolicy : ResourceBase {
  LinkerdRef target;
  std::vector<LinkerdRef> authentications;  // spec.requiredAuthenticationRefs
};

struct LinkerdMeshTLSAuthentication : ResourceBase {
  std::vector<Str> identities;
  std::vector<LinkerdRef> identity_refs;
};

struct LinkerdNetworkAuthentication : ResourceBase {
  std::vector<LinkerdNetwork> networks;
};

// An HTTPRoute Linkerd's policy controller attaches to a Server (docs/semantics.md#linkerd-routes, LK30-LK35): a
// policy.linkerd.io HTTPRoute (v1alpha1..v1beta3), or a gateway.networking.k8s.io HTTPRoute one of whose parentRefs
// is a policy.linkerd.io Server. The Gateway API shape (model/gateway_api.h) is read as is; what the shape does not
// keep and Linkerd's route matching reads is added here.
struct LinkerdHTTPRoute : gwapi::Route {
  std::vector<Loc> query_param_matches;  // matches with queryParams: listed as not analyzed, matched without them
};

// True for the parentRefs entries Linkerd attaches an inbound route by: group policy.linkerd.io, kind Server.
bool is_linkerd_server_parent(const gwapi::ParentReference& p);

// Every Linkerd policy object of the input, and the diagnostics of reading and admitting them.
struct LinkerdPolicySet {
  std::vector<LinkerdServer> servers;
  std::vector<LinkerdServerAuthorization> server_authorizations;
  std::vector<LinkerdAuthorizationPolicy> authorization_policies;
  std::vector<LinkerdMeshTLSAuthentication> meshtls_authentications;
  std::vector<LinkerdNetworkAuthentication> network_authentications;
  std::vector<LinkerdHTTPRoute> http_routes;  // both groups, in input order
  std::vector<Diagnostic> diagnostics;  // Error: Linkerd's admission (or the CRD schema) rejects the object
  // The parts of these objects the lowering does not model (an HTTPRoute's hostnames and queryParams), for the
  // input stage's not-analyzed list.
  std::vector<NotAnalyzed> not_analyzed;
  size_t object_count() const;
  void merge(LinkerdPolicySet&& other);
};

// True for the kinds this header models (group policy.linkerd.io; Gateway API HTTPRoutes are read when a
// parentRef is a Server, see add_linkerd_document).
bool is_linkerd_policy_kind(std::string_view group, std::string_view kind);

// Reads the Linkerd policy objects of `doc` (items of a List one by one) into `out`, with a diagnostic for
// every field the CRD schema or Linkerd's admission webhook rejects. An object whose namespace is not written
// gets `default_namespace`.
void add_linkerd_document(const load::Document& doc, LinkerdPolicySet& out,
                          const std::string& default_namespace = "default");

// Moves the objects Linkerd's admission rejects (an Error diagnostic names them) out of `set`.
LinkerdPolicySet take_rejected_linkerd(LinkerdPolicySet& set);

// Linkerd's default inbound policy names (policy-controller k8s/index/src/defaults.rs).
bool valid_linkerd_default_policy(std::string_view name);

}  // namespace meshproof::model
