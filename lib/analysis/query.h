// `meshproof query` and `meshproof explain` as library calls over one Analysis: which workload, port and
// protocol view a request is decided on, and the decision (concrete evaluator, DESIGN.md §5); what is
// enforced on a workload, policy by policy, as lowered. Rendering lives in lib/report (report/query.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analysis.h"
#include "engine/evaluate.h"
#include "ir/lower.h"
#include "ir/request.h"
#include "ir/request_text.h"
#include "mesh/target.h"

namespace meshproof::analysis {

struct QuerySpec {
  std::string to;          // NAMESPACE/NAME or NAMESPACE/key=value,...
  uint32_t port = 0;       // 0: the first HTTP port, else the first sniffed, else the first declared
  std::string protocol;    // on a sniffed port: "http" (default) or "tcp"
  bool plaintext = false;  // overrides request.principal
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
};

// Explains the workload `spec` names. Returns a message (exit 2) when it names no workload.
std::optional<std::string> explain_workload(const Analysis& analysis, const std::string& spec, Explanation& out);

}  // namespace meshproof::analysis
