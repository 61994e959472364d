// Which VirtualService route takes a request at an Istio gateway (docs/semantics.md#gateway-trace): the
// http[] routes in order, the first whose match conditions hold (a route without `match` takes every
// request), as istio.io's VirtualService reference (HTTPRoute, HTTPMatchRequest) and Envoy's route table
// define it; tls[] routes by sniHosts and port, tcp[] routes by port.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/resources.h"
#include "model/virtual_service_routes.h"

namespace meshproof::mesh {

// The request as the gateway sees it after the listener.
struct VsRequest {
  std::string host;                            // Host / :authority (and SNI)
  std::string path;                            // :path, possibly with a query string
  std::string method;                          // :method
  std::string scheme;                          // "https" when the listener terminates TLS, else "http"
  uint32_t port = 0;                           // the listener (server) port
  std::map<std::string, std::string> headers;  // lower-case name → value
  std::string gateway;                         // "namespace/name" of the Gateway
  std::string gateway_pod_ns;                  // the gateway pods' namespace ("" when no pod is in the input)
  model::Labels gateway_pod_labels;            // the gateway pods' labels
};

// The route chosen in one VirtualService. route < 0: none of its routes takes the request.
struct VsRouteChoice {
  int route = -1;                  // index in http[] (or tls[] / tcp[])
  int match = -1;                  // index in the route's match[]; -1 when the route has no match (every request)
  std::vector<std::string> notes;  // what the trace should know (e.g. a regex RE2 rejects, which never matches)
};

// http[] routes (`kind` "http"), tls[] ("tls": sniHosts against the host) or tcp[] ("tcp"), of `routes`: the
// table Istio builds for `vs` (mesh::merge_delegates) or vs.routes. Regular expressions are RE2, full match
// (model/regex.h).
VsRouteChoice choose_vs_route(const model::VirtualService& vs, const model::VirtualServiceRoutes& routes,
                              const std::string& kind, const VsRequest& req);
VsRouteChoice choose_vs_route(const model::VirtualService& vs, const std::string& kind, const VsRequest& req);

// "http[1] match[0] (uri prefix /api)": the chosen route and match, for the trace output; a route a delegate
// contributed reads "http[1] delegated to VirtualService ns/name http[0] merged match[0] (...)".
std::string describe_vs_choice(const model::VirtualServiceRoutes& routes, const std::string& kind,
                               const VsRouteChoice& c);
std::string describe_vs_choice(const model::VirtualService& vs, const std::string& kind, const VsRouteChoice& c);

}  // namespace meshproof::mesh
