// `meshproof query` and `meshproof explain` as library calls over one Analysis: which workload, port and
// protocol view a request is decided on, and the decision (concrete evaluator, DESIGN.md §5); what is
// enforced on a workload, policy by policy, as lowered. Rendering lives in lib/report (report/query.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analysis.h"
#include "engine/evaluate.h"
#include "engine/evaluate_chain.h"
#include "ir/lower.h"
#include "ir/request.h"
#include "ir/request_text.h"
#include "mesh/network_layer.h"
#include "mesh/target.h"

namespace meshproof::analysis {

struct QuerySpec {
  std::string to;          // NAMESPACE/NAME or NAMESPACE/key=value,...
  uint32_t port = 0;       // 0: the first HTTP port, else the first sniffed, else the first declared
  std::string protocol;    // on a sniffed port: "http" (default) or "tcp"
  bool plaintext = false;  // overrides request.principal
  // The client workload NAMESPACE/NAME (or NAMESPACE/key=value,...): its service account is the principal
  // (plaintext when it has no proxy), and its data plane decides whether it passes a waypoint (A11).
  // Without it an mTLS caller is taken to be an ambient workload, a plaintext one to be outside the mesh.
  std::string from;
  bool pod_ip = false;  // the caller dials the pod IP, not the Service (a service-only waypoint is skipped)
  // Without `from`: the caller's data plane, "ambient", "sidecar", "ingress" or "none" ("" = ambient for an
  // mTLS request, none for a plaintext one). Checks' witnesses on ambient workloads name "sidecar": a caller
  // that meets the destination's ztunnel with its own identity (gap_findings.cpp).
  std::string caller;
  ir::RequestFlags request;
};

struct QueryAnswer {
  mesh::Target target;
  ir::WorkloadPrograms programs;
  const ir::PortPrograms* port = nullptr;
  const ir::Program* primary = nullptr;  // the view that decides
  ir::Request request;                   // with the defaults Envoy would have (method, path, authority)
  engine::Decision decision;
  std::vector<std::pair<const ir::Program*, engine::Decision>> other_views;  // the port's other protocol
  // Ambient destinations: the enforcement chain the request crossed (docs/semantics.md#enforcement-chain);
  // `primary` and `decision` are then those of the point that decided (chain_decision.decisive()).
  bool ambient = false;
  std::string caller;  // "ambient workload NS/NAME" (--from), or what the request implies
  bool from_given = false;
  std::unique_ptr<mesh::WaypointModel> waypoints;  // what chain_points point into
  mesh::EnforcementChain chain_points;
  ir::Chain chain;
  engine::ChainDecision chain_decision;
  std::string enforced_by;  // "sidecar", "gateway", "ztunnel", "waypoint NS/NAME", "none", "networkpolicy"
  // The L3/L4 layer's verdict when the input holds NetworkPolicies (analysis/network_query.h); when it
  // blocks, `decision` is its DENY and enforced_by is "networkpolicy".
  std::optional<mesh::NetVerdict> network;
};

// The request the spec describes (before the workload's defaults are filled in): a message when a flag
// value is malformed. Needs no input, so a command can check it before reading any.
std::optional<std::string> build_query_request(const QuerySpec& spec, ir::Request& out);

// Decides the request. Returns a message (the command exits with 2) when a flag value is malformed or
// names no workload, port or protocol of the input.
std::optional<std::string> answer_query(const Analysis& analysis, const QuerySpec& spec, QueryAnswer& out);

// One AuthorizationPolicy that applies to the workload, lowered for each protocol its ports use.
struct PolicyLowering {
  const model::AuthorizationPolicy* policy = nullptr;
  std::optional<ir::LoweredPolicy> http, tcp;
};

// A policy a waypoint applies (A9), lowered with Envoy's semantics for the protocols of the Service's ports.
struct WaypointPolicyLowering {
  mesh::AttachedPolicy attached;
  std::optional<ir::LoweredPolicy> http, tcp;
};

// The enforcement chain of requests addressed to one Service of an ambient workload
// (docs/semantics.md#enforcement-chain): for an ambient caller, and which callers go around the waypoint.
struct ChainExplanation {
  std::string service;          // "NS/NAME"; "" for the workload's ports no Service routes to
  std::vector<uint32_t> ports;  // workload ports the Service routes to
  mesh::EnforcementChain chain;
  std::vector<std::string> bypassed_by;  // "sidecar: why", one per caller kind that skips the waypoint (A11)
  std::vector<WaypointPolicyLowering> waypoint_policies;
};

struct Explanation {
  mesh::Target target;
  ir::WorkloadPrograms programs;
  std::map<ir::Protocol, std::vector<uint32_t>> ports_by_protocol;
  std::vector<PolicyLowering> policies;                     // in Istio's order
  std::map<ir::Protocol, const ir::Program*> per_protocol;  // program-level facts (any port of the protocol)
  // What the explanation takes for granted that the input does not say (docs/query.md): objects placed in
  // the default namespace, and namespaces the applicable policies name that the input does not show to
  // exist (unless the profile says `namespaces: complete`, when those are findings instead).
  std::vector<std::string> assumptions;
  // Ambient workloads: one chain per Service routing to the workload (waypoints point into `waypoints`).
  std::unique_ptr<mesh::WaypointModel> waypoints;
  std::vector<ChainExplanation> chains;
  // The L3/L4 layer under the mesh, one line per direction (analysis/network_query.h); empty without it.
  std::vector<std::string> network_layer;
  // A workload Linkerd serves: what decides each port (analysis/linkerd_query.h); empty otherwise.
  std::vector<std::string> linkerd;
};

// Explains the workload `spec` names. Returns a message (exit 2) when it names no workload.
std::optional<std::string> explain_workload(const Analysis& analysis, const std::string& spec, Explanation& out);

}  // namespace meshproof::analysis
