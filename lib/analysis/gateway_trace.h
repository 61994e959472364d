// `meshproof query --gateway` and `meshproof explain --gateway` as library calls: a request from outside
// the mesh followed through an edge gateway (docs/query.md#gateway): the listener that accepts it (Istio
// Gateway server or Gateway API listener), the route that takes it (VirtualService or HTTPRoute/GRPCRoute),
// the hop to each backend endpoint with its TLS (mesh/client_tls.h), and the decision at each enforcement
// point: the gateway pod's own AuthorizationPolicies (the caller is an external client: plaintext, no
// peer identity), then each backend's, with the gateway's identity as source principal when the hop is
// mTLS. Rendering is report/gateway_trace.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "base/location.h"

namespace meshproof::analysis {

struct GatewayTraceSpec {
  std::string gateway;  // NAMESPACE/NAME of an Istio Gateway or a Gateway API Gateway
  std::string host;     // the request's Host (and SNI)
  std::string path = "/";
  std::string method = "GET";
  uint32_t port = 0;                 // the listener port; 0: the first listener that accepts the host (HTTPS first)
  std::vector<std::string> headers;  // "Name=value" (`--header`): for route matches on headers
};

// The decision of one enforcement point (a query on that workload and port).
struct TraceDecision {
  std::string workload;  // "Deployment ns/name"; "" when the input has no such pod
  uint32_t port = 0;
  std::string source;      // "plaintext (external client)", "principal cluster.local/ns/x/sa/y", "plaintext"
  std::string verdict;     // ALLOW, DENY, DELEGATED, REJECTED, or NOT-EVALUATED
  std::string reason;      // the evaluator's explanation, or why it was not evaluated
  std::string decided_by;  // "AuthorizationPolicy ns/name rule N" or ""
  Loc decided_at;
};

// One hop from the gateway to a backend endpoint.
struct TraceHop {
  std::string server;  // "Deployment ns/name"
  uint32_t target_port = 0;
  std::string transport;   // mtls, hbone, tls, plaintext, broken
  std::string client_tls;  // what the gateway's cluster uses: "ISTIO_MUTUAL (auto)", "DISABLE", ...
  std::string reason;      // why (the hop's deciding fact), "" for auto mTLS
  TraceDecision decision;
};

struct TraceBackend {
  std::string service;  // "Service ns/name"
  uint32_t port = 0;    // 0: every port of the Service
  uint32_t weight = 1;
  std::string problem;  // why it receives nothing ("" when usable)
  std::vector<TraceHop> hops;
};

struct GatewayTrace {
  std::string gateway;    // "Gateway ns/name (networking.istio.io)" or "(gateway.networking.k8s.io)"
  std::string principal;  // the gateway pods' identity (assumed when no pod is in the input)
  bool principal_assumed = false;
  std::string listener;      // "server 1 (port 443, HTTPS)" / "listener https (port 443, HTTPS)"
  std::string listener_tls;  // "SIMPLE: TLS terminated at the gateway", "plaintext", "PASSTHROUGH ..."
  std::string route;         // "HTTPRoute ns/name rule 0 match 1", "VirtualService ns/name", "" when none
  std::string route_note;    // what the route model leaves out
  TraceDecision gateway_decision;
  std::vector<TraceBackend> backends;
  std::string outcome;  // one line: the end-to-end answer
};

// Follows the request. Returns a message (exit 2) when the gateway is not in the input or a flag is bad.
std::optional<std::string> trace_gateway(const Analysis& analysis, const GatewayTraceSpec& spec, GatewayTrace& out);

// `explain --gateway`: a gateway's listeners, the routes bound to each and their backends.
struct GatewayExplanation {
  std::string gateway;
  std::string principal;
  bool principal_assumed = false;
  std::vector<std::string> pods;  // "Deployment ns/name"
  struct Route {
    std::string route;                  // "HTTPRoute ns/name" / "VirtualService ns/name"
    std::vector<std::string> hosts;     // route domains / intersected hostnames
    std::vector<std::string> backends;  // "Service ns/name port N", with a problem in parentheses
  };
  struct Listener {
    std::string listener;
    std::string tls;
    std::vector<std::string> hosts;  // server hosts / listener hostname ("*" when absent)
    std::string problem;             // not programmed: why
    std::vector<Route> routes;
  };
  std::vector<Listener> listeners;
  std::vector<std::string> rejected_routes;  // "HTTPRoute ns/name: NotAllowedByListeners"
};

std::optional<std::string> explain_gateway(const Analysis& analysis, const std::string& gateway,
                                           GatewayExplanation& out);

}  // namespace meshproof::analysis
