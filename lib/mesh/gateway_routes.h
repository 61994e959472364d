// Gateway API ingress as Istio builds it (docs/semantics.md#gateway-api-routes): the listeners of every
// Gateway API Gateway that is not a waypoint, converted as Istio converts them into gateway servers (G9:
// protocol, TLS mode, certificateRefs and their ReferenceGrants), the routes (HTTPRoute, GRPCRoute,
// TLSRoute, TCPRoute) their parentRefs attach to each listener (sectionName, port, allowedRoutes, hostname
// intersection), the Services their backendRefs name (a cross-namespace backend needs a ReferenceGrant,
// G10) and the gateway pods Istio deploys for the Gateway. Computed on demand from a resolved Mesh, like
// mesh/client_tls.h, so that mesh.h stays unchanged and only the code that needs it sees it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mesh/mesh.h"
#include "model/gateway_api.h"

namespace meshproof::mesh {

// A Secret a listener's certificateRefs name.
struct ApiCertificate {
  const model::gwapi::ObjectReference* ref = nullptr;
  std::string ns, name;   // where the Secret is read (the reference's namespace, else the Gateway's)
  bool is_secret = true;  // group "" and kind Secret (other kinds are not resolved)
  bool permitted = true;  // same namespace, or a ReferenceGrant admits it (G10)
  bool declared = false;  // the input declares the Secret
};

// A backendRef of an attached route, resolved.
struct ApiBackend {
  const model::gwapi::BackendReference* ref = nullptr;
  size_t rule = 0;                          // index in Route::rules
  std::string ns, name;                     // the Service's namespace and name
  uint32_t port = 0;                        // the Service port
  bool is_service = true;                   // group "" (or core) and kind Service
  bool permitted = true;                    // same namespace, or a ReferenceGrant admits it (G10)
  const model::Service* service = nullptr;  // the Service, when the input declares it
  std::vector<size_t> workloads;            // its declared workloads (indexes into Mesh::workloads)
  // Why the backend receives nothing: "RefNotPermitted", "BackendNotFound", "InvalidKind", "Redirected" (the
  // rule's RequestRedirect filter answers every request itself), "" when usable.
  std::string problem;
};

// A route attached to one listener.
struct ApiRouteBinding {
  const model::gwapi::Route* route = nullptr;
  const model::gwapi::ParentReference* parent = nullptr;  // the parentRef that attached it
  std::vector<std::string> hosts;                         // the intersected hostnames ("*": any)
  std::vector<ApiBackend> backends;                       // every rule's backendRefs, in order
};

// A route whose parentRef names this Gateway but that no listener accepts, with Istio's reason
// (NotAllowedByListeners, NoMatchingListenerHostname, NoMatchingParent).
struct ApiRejectedRoute {
  const model::gwapi::Route* route = nullptr;
  const model::gwapi::ParentReference* parent = nullptr;
  std::string reason;
};

// One listener, converted to the Istio server it becomes (G9).
struct ApiListener {
  const model::gwapi::Listener* listener = nullptr;
  size_t index = 0;             // in Gateway::listeners
  std::string protocol;         // as written: HTTP, HTTPS, TLS, TCP, ...
  std::string tls_mode;         // Istio's server mode: "" (no tls), SIMPLE, MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL,
                                // ISTIO_SIMPLE, PASSTHROUGH
  bool terminates_tls = false;  // tls_mode is neither "" nor PASSTHROUGH
  bool programmed = true;       // false: Istio generates no server (reason in not_programmed)
  std::string not_programmed;   // e.g. "HTTPS listener without tls", "unsupported protocol"
  std::vector<ApiCertificate> certificates;
  std::vector<ApiRouteBinding> routes;
  bool http() const { return protocol == "HTTP" || protocol == "HTTPS"; }
};

// A Gateway API Gateway that is not a waypoint: its pods and listeners.
struct ApiGateway {
  const model::gwapi::Gateway* gateway = nullptr;
  std::string ns;
  std::vector<size_t> pods;     // declared workloads labelled gateway.networking.k8s.io/gateway-name=<name> in ns
  std::string service_account;  // the pods', else the one Istio's deployment uses: <name>-<gatewayClassName>
  bool service_account_assumed = true;  // no pod in the input: the name Istio's automated deployment gives
  std::string principal;                // <trust domain>/ns/<ns>/sa/<service_account>
  std::vector<ApiListener> listeners;
  std::vector<ApiRejectedRoute> rejected;
  std::string display() const;  // "Gateway ns/name"
};

// Every Gateway API Gateway of the input that is not a waypoint, in input order.
std::vector<ApiGateway> gateway_api_ingress(const Mesh& mesh);

// The route rule that takes an HTTP request on a listener, by the Gateway API's precedence: an Exact path
// before the longest PathPrefix before a RegularExpression, then a method match, then more header matches,
// then the oldest route (creationTimestamp, then namespace/name), then rule and match order. A match with
// header conditions never takes a request that has no headers. binding == nullptr: no route matches (404).
struct ApiRouteChoice {
  const ApiRouteBinding* binding = nullptr;
  size_t rule = 0;
  size_t match = 0;       // index in the rule's matches; the implicit PathPrefix "/" of a rule without matches is 0
  bool implicit = false;  // the rule has no matches
};
ApiRouteChoice choose_route(const ApiListener& l, const std::string& host, const std::string& path,
                            const std::string& method);

// Whether a rule answers with a redirect (a RequestRedirect filter): its backendRefs receive nothing.
bool redirects(const model::gwapi::RouteRule& rule);
// The RequestRedirect filter's scheme ("" when the rule does not redirect or keeps the scheme).
std::string redirect_scheme(const model::gwapi::RouteRule& rule);

// Whether a hostname pattern ("*", "*.example.com", "a.example.com") admits a host name.
bool hostname_matches(const std::string& pattern, const std::string& host);

// Whether a ReferenceGrant in `to_ns` lets an object of `from_kind` in `from_ns` refer to `to_kind`
// (group "" for core kinds) named `to_name` (G10).
bool reference_granted(const model::ResourceSet& rs, const std::string& from_kind, const std::string& from_ns,
                       const std::string& to_group, const std::string& to_kind, const std::string& to_ns,
                       const std::string& to_name);

// The Gateway API hostname intersection of a listener hostname ("" = any) and a route hostname: the more
// specific of the two, or "" when they do not intersect.
std::string intersect_hostname(const std::string& listener, const std::string& route);

}  // namespace meshproof::mesh
