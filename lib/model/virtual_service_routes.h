// A VirtualService's routes with their match conditions, in the order written
// (istio.io VirtualService reference: HTTPRoute, HTTPMatchRequest, StringMatch,
// TLSRoute, TLSMatchAttributes, TCPRoute, L4MatchAttributes). Kept apart from
// model/resources.h, which only forward-declares it, so that a change here
// rebuilds only the parser, the validator and the gateway trace
// (docs/semantics.md#gateway-trace).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/location.h"
#include "model/object_meta.h"

namespace meshproof::model {

// A StringMatch: one of exact, prefix, regex. An empty map (`{}`) matches any
// value that is present.
struct VsStringMatch {
  std::string type;  // "exact", "prefix", "regex"; "" for `{}`
  std::string value;
  Loc loc;  // the StringMatch's key (e.g. `uri:`)
};

// headers / withoutHeaders / queryParams entry: the name (header names as
// written) and its match.
struct VsNamedMatch {
  std::string name;
  VsStringMatch match;
};

// One HTTPMatchRequest: every condition written must hold (AND).
struct VsHttpMatch {
  Loc loc;
  std::string name;
  std::optional<VsStringMatch> uri, scheme, method, authority;
  std::vector<VsNamedMatch> headers, without_headers, query_params;
  bool ignore_uri_case = false;
  uint32_t port = 0;  // 0: any port
  Loc port_loc;
  std::vector<std::string> gateways;  // the match applies only to these gateways ("" list: the VS's)
  Labels source_labels;
  bool source_labels_present = false;
  std::string source_namespace;
  Loc source_namespace_loc;
};

// One route[] entry (HTTPRouteDestination / RouteDestination).
struct VsDestination {
  Str host;  // destination.host; its loc is unset when the host was not read
  std::string subset;
  uint32_t port = 0;    // destination.port.number; 0 when absent
  uint32_t weight = 0;  // as written; 0 when absent
  bool weight_present = false;
  bool host_read = false;  // destination.host written as a string
  Loc loc;
};

// One http[] entry.
struct VsHttpRoute {
  Loc loc;
  std::string name;
  std::vector<VsHttpMatch> matches;  // empty: every request
  std::vector<VsDestination> route;
  bool redirect = false, direct_response = false, delegate = false;
  std::string redirect_scheme;  // redirect.scheme ("" when absent)
  // delegate: {name, namespace}: the VirtualService whose routes replace this one
  // (mesh/virtual_service_delegates.h); namespace "" is this VirtualService's.
  std::string delegate_name, delegate_namespace;
  // rewrite: what the destinations see. uri replaces the matched uri prefix
  // (the whole path when the match was not a prefix); authority replaces the
  // Host; uriRegexRewrite {match, rewrite} replaces every match of an RE2
  // pattern in the path (model/regex.h).
  bool rewrite_uri_present = false, rewrite_regex = false;
  std::string rewrite_uri, rewrite_authority;
  std::string rewrite_regex_match, rewrite_regex_rewrite;
  Loc rewrite_regex_loc;  // the uriRegexRewrite key
  // Set on the route table Istio builds (mesh::merge_delegates), never by the
  // parser: the index of the route in the VirtualService that was bound, and,
  // for a route a delegate contributed, the delegate ("ns/name") and the
  // route's index in it.
  int root_route = -1;
  std::string delegated_from;
  int delegate_route = -1;
};

// One tls[] / tcp[] match (TLSMatchAttributes / L4MatchAttributes).
struct VsL4Match {
  Loc loc;
  std::vector<std::string> sni_hosts;  // tls only
  Loc sni_hosts_loc;
  uint32_t port = 0;
  Loc port_loc;
  std::vector<std::string> gateways;
};

// One tls[] or tcp[] entry.
struct VsL4Route {
  Loc loc;
  std::vector<VsL4Match> matches;
  std::vector<VsDestination> route;
};

struct VirtualServiceRoutes {
  std::vector<VsHttpRoute> http;
  std::vector<VsL4Route> tls, tcp;
};

}  // namespace meshproof::model
