#include "checks/gateway_facts.h"

#include <algorithm>

#include "checks/describe.h"

namespace meshproof::checks {

namespace {

void add_unique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

std::string describe_listener(const mesh::GatewayInfo& g, const mesh::GatewayListener& l) {
  std::string protocol = l.server->protocol.empty() ? "no protocol" : l.server->protocol;
  return "Gateway " + namespace_of(*g.gateway) + "/" + g.gateway->meta.name + " server " + std::to_string(l.index) +
         " (port " + std::to_string(l.server->port) + ", " + protocol + ")";
}

ListenerReach reach_of(const Context& ctx, const mesh::Mesh& mesh, const mesh::GatewayListener& l) {
  ListenerReach r;
  for (const mesh::GatewayRoute& route : l.routes) {
    add_unique(r.hosts, route.host);
    add_unique(r.routes, "VirtualService " + namespace_of(*route.vs) + "/" + route.vs->meta.name);
    if (!route.backends.empty()) r.routed = true;
    for (const mesh::GatewayBackend& b : route.backends) {
      if (b.ns.empty() || !ctx.is_regulated(b.ns)) continue;
      if (!b.workloads.empty()) {
        for (size_t i : b.workloads) add_unique(r.regulated, describe_workload(mesh.workloads[i]));
      } else if (b.service) {
        add_unique(r.regulated, "Service " + b.ns + "/" + b.service->meta.name);
      } else {
        add_unique(r.regulated, "host " + b.host + " (namespace " + b.ns + ")");
      }
    }
  }
  return r;
}

std::string describe_listener(const mesh::ApiGateway& g, const mesh::ApiListener& l) {
  return g.display() + " listener " + l.listener->name + " (port " + std::to_string(l.listener->port) + ", " +
         l.protocol + ")";
}

namespace {

void add_regulated(const Context& ctx, const mesh::Mesh& mesh, const mesh::ApiBackend& b, ListenerReach& r) {
  if (!b.problem.empty() || !ctx.is_regulated(b.ns)) return;
  if (!b.workloads.empty()) {
    for (size_t i : b.workloads) add_unique(r.regulated, describe_workload(mesh.workloads[i]));
  } else if (b.service) {
    add_unique(r.regulated, "Service " + b.ns + "/" + b.service->meta.name);
  }
}

}  // namespace

ListenerReach reach_of(const Context& ctx, const mesh::Mesh& mesh, const mesh::ApiListener& l) {
  ListenerReach r;
  for (const mesh::ApiRouteBinding& route : l.routes) {
    for (const std::string& h : route.hosts) add_unique(r.hosts, h);
    add_unique(r.routes, route.route->kind + " " + namespace_of(*route.route) + "/" + route.route->meta.name);
    for (const mesh::ApiBackend& b : route.backends) {
      // A Service the input does not declare may be deployed elsewhere: the route still forwards to it.
      if ((b.problem.empty() || b.problem == "BackendNotFound") && b.ref->weight > 0) r.routed = true;
      add_regulated(ctx, mesh, b, r);
    }
  }
  return r;
}

Loc listener_loc(const mesh::ApiListener& l) {
  return l.listener->port_loc.known() ? l.listener->port_loc : l.listener->loc;
}

std::string regulated_text(const ListenerReach& r) {
  if (r.regulated.empty()) return "";
  return "reaches " + join(r.regulated, ", ") + " in a regulated namespace";
}

std::vector<ResourceRef> gateway_subjects(const Context& ctx) {
  std::vector<ResourceRef> out;
  for (const model::Gateway& g : ctx.resources.gateways) out.push_back(g.ref());
  for (const model::gwapi::Gateway& g : ctx.resources.gateway_api_gateways)
    if (!g.is_waypoint()) out.push_back(g.ref());
  return out;
}

Loc server_loc(const mesh::GatewayListener& l) {
  return l.server->port_loc.known() ? l.server->port_loc : l.server->loc;
}

}  // namespace meshproof::checks
