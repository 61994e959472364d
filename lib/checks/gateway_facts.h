// What the gateway-* checks share: how a Gateway server is named in messages, and what its bound routes
// reach (docs/semantics.md#gateways).
#pragma once

#include <string>
#include <vector>

#include "checks/check.h"
#include "mesh/gateway_routes.h"

namespace meshproof::checks {

// "Gateway istio-system/public server 0 (port 443, HTTPS)".
std::string describe_listener(const mesh::GatewayInfo& g, const mesh::GatewayListener& l);

// What a listener's routes reach.
struct ListenerReach {
  std::vector<std::string> hosts;      // route domains, in order, unique
  std::vector<std::string> routes;     // "VirtualService ns/name", unique
  std::vector<std::string> regulated;  // regulated workloads (or Services, hosts) reached, unique
  bool routed = false;                 // some bound VirtualService has routes this server uses
};
ListenerReach reach_of(const Context& ctx, const mesh::Mesh& mesh, const mesh::GatewayListener& l);

// "reaches Deployment payments/api in a regulated namespace" or "" when none is reached.
std::string regulated_text(const ListenerReach& r);

// A Gateway API listener: "Gateway edge/public listener https (port 443, HTTPS)".
std::string describe_listener(const mesh::ApiGateway& g, const mesh::ApiListener& l);
// What a Gateway API listener's attached routes reach ("HTTPRoute ns/name" in `routes`).
ListenerReach reach_of(const Context& ctx, const mesh::Mesh& mesh, const mesh::ApiListener& l);
// Where a finding about a Gateway API listener points: its port, else the listener.
Loc listener_loc(const mesh::ApiListener& l);

// The Gateways of the input (Istio Gateways, then Gateway API Gateways that are not waypoints): the
// subjects of the gateway-* checks.
std::vector<ResourceRef> gateway_subjects(const Context& ctx);

// Where a finding about a server points when no better field exists: its port, else the server.
Loc server_loc(const mesh::GatewayListener& l);

}  // namespace meshproof::checks
