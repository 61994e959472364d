// `meshproof query` output: the decision, the request as decided (with Envoy's defaults), the deciding
// rule and where it is written.
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ir/request_text.h"
#include "report/query.h"

namespace meshproof::report {

namespace {

using nlohmann::json;

std::string port_protocol_name(const ir::PortPrograms& pp) {
  if (pp.sniffed) return "SNIFFED";
  return pp.views.empty() ? "" : ir::to_string(pp.views.front().protocol);
}

json rule_json(const ir::Rule* r, const SourceSet& sources) {
  if (!r) return nullptr;
  json j;
  j["policy"] = r->policy.display();
  j["action"] = model::to_string(r->policy.action);
  j["rule"] = r->index;
  j["dry_run"] = r->policy.dry_run;
  j["location"] = r->loc.known() ? sources.describe(r->loc) : "";
  return j;
}

json decision_json(const ir::Program& prog, const engine::Decision& d, const SourceSet& sources) {
  json j;
  j["decision"] = engine::to_string(d.verdict);
  j["decided_by"] = rule_json(d.decided_by, sources);
  j["reason"] = d.explanation;
  j["reason_code"] = engine::to_string(d.reason);
  j["protocol"] = ir::to_string(prog.protocol);
  if (d.if_authorizer_allows) {
    j["if_authorizer_allows"] = {{"decision", engine::to_string(*d.if_authorizer_allows)},
                                 {"reason_code", engine::to_string(*d.if_authorizer_allows_reason)},
                                 {"decided_by", rule_json(d.if_authorizer_allows_rule, sources)}};
  }
  json audit = json::array(), dry = json::array();
  for (const auto* r : d.audit_matches) audit.push_back(rule_json(r, sources));
  for (const auto* r : d.dry_run_matches) dry.push_back(rule_json(r, sources));
  j["audit_matches"] = audit;
  j["dry_run_matches"] = dry;
  return j;
}

// The path the filters match when Envoy's normalization changes the raw one (ir/path.h), else nullopt.
std::optional<std::string> normalized_path(const ir::Request& r, const ir::Program& prog) {
  if (prog.protocol != ir::Protocol::Http || r.path.empty()) return std::nullopt;
  ir::NormalizedPath n = ir::normalize_path(r.path, prog.path_normalization);
  if (n.rejected || n.url_path + n.query == r.path) return std::nullopt;
  return n.url_path;
}

std::string describe_request(const ir::Request& r, const ir::Program& prog) {
  const ir::Protocol p = prog.protocol;
  std::string s = r.mtls ? "mTLS from " + r.principal() : "plaintext (no peer identity)";
  if (r.source_ip) s += ", source " + r.source_ip->to_string();
  if (p == ir::Protocol::Http) {
    s += ", " + r.method + " " + r.path;
    if (auto n = normalized_path(r, prog))
      s += " (normalized to " + *n + " by " + ir::to_string(prog.path_normalization) + ")";
    if (!r.host.empty()) s += " host " + r.host;
    for (const auto& [k, v] : r.headers) s += ", " + k + ": " + v;
    if (r.token == ir::TokenState::Valid) s += ", JWT " + r.jwt_issuer + "/" + r.jwt_subject;
    if (r.token == ir::TokenState::Invalid) s += ", invalid JWT";
  }
  return s;
}

// The points the request crossed (ambient): each with its decision and the identity it saw.
json chain_json(const analysis::QueryAnswer& a, const SourceSet& sources) {
  json hops = json::array();
  for (const engine::HopDecision& h : a.chain_decision.hops) {
    json j = decision_json(*h.program, h.decision, sources);
    j["point"] = h.hop->point;
    j["source_principal"] = h.request.mtls ? h.request.principal() : "";
    hops.push_back(std::move(j));
  }
  json j;
  j["points"] = json::array();
  for (const auto& p : a.chain_points.points) j["points"].push_back(p.display());
  j["why"] = a.chain_points.why;
  j["service"] = a.chain_points.service;
  j["decisions"] = hops;
  return j;
}

void chain_text(std::ostream& o, const analysis::QueryAnswer& a) {
  std::string points;
  for (const auto& p : a.chain_points.points) points += (points.empty() ? "" : " -> ") + p.display();
  o << "  caller:     " << a.caller << "\n";
  o << "  chain:      " << points << " (" << a.chain_points.why << ")\n";
  for (const engine::HopDecision& h : a.chain_decision.hops)
    o << "  at " << h.hop->point << ": " << engine::to_string(h.decision.verdict) << " (seen from "
      << (h.request.mtls ? h.request.principal() : std::string("plaintext")) << ")\n";
}

// The L3/L4 layer's verdict (analysis/network_query.h): null when the input holds no NetworkPolicy.
json network_json(const analysis::QueryAnswer& a, const SourceSet& sources) {
  if (!a.network) return nullptr;
  const mesh::NetVerdict& v = *a.network;
  json j;
  j["allowed"] = v.allowed;
  j["source"] = v.source;
  j["port"] = v.port;
  j["protocol"] = v.protocol;
  j["direction"] = v.decided ? json(v.direction) : json(nullptr);
  j["tier"] = v.decided ? json(mesh::to_string(v.tier)) : json(nullptr);
  j["policy"] = v.policy_name.empty() ? json(nullptr) : json(v.policy_name);
  j["location"] = v.policy_name.empty() ? json(nullptr) : json(sources.describe(v.loc));
  j["reason"] = v.reason;
  // Only when the verdict rests on a part the layer does not model (a Cilium L7 rule, a toFQDNs peer).
  if (!v.unmodelled.empty()) j["not_modelled"] = v.unmodelled;
  if (!v.tie.empty()) j["tie"] = v.tie;  // equal-priority admin policies that disagree (A4)
  return j;
}

void network_text(std::ostream& o, const analysis::QueryAnswer& a, const SourceSet& sources) {
  if (!a.network) return;
  const mesh::NetVerdict& v = *a.network;
  o << "  L3/L4:      " << (v.allowed ? "admitted" : "BLOCKED") << " from " << v.source << " on port " << v.port << "/"
    << v.protocol << ": " << v.reason;
  if (!v.policy_name.empty()) o << " (" << sources.describe(v.loc) << ")";
  o << "\n";
  if (!v.unmodelled.empty()) o << "  L3/L4 note: not a proof: " << v.unmodelled << "\n";
}

}  // namespace

std::string format_query_text(const analysis::QueryAnswer& a, const SourceSet& sources) {
  std::ostringstream o;
  const ir::PortPrograms& pp = *a.port;
  const ir::Program& primary = *a.primary;
  const engine::Decision& d = a.decision;
  o << engine::to_string(d.verdict) << "  " << a.target.workload->display() << " port "
    << (pp.port ? std::to_string(pp.port) : std::string("(undeclared)")) << " (" << ir::to_string(primary.protocol)
    << (pp.sniffed ? ", sniffed" : "") << ", mTLS " << model::to_string(primary.mtls) << ")\n";
  if (!a.target.note.empty()) o << "  note: " << a.target.note << "\n";
  const mesh::Workload& w = *a.target.workload;
  o << "  enforced by: " << a.enforced_by << " (data plane " << mesh::to_string(w.data_plane)
    << (w.data_plane_assumed ? ", assumed" : "") << ")\n";
  if (a.ambient)
    chain_text(o, a);
  else if (a.from_given)
    o << "  caller:     " << a.caller << "\n";
  o << "  request:    " << describe_request(a.request, primary) << "\n";
  network_text(o, a, sources);
  if (a.network && !a.network->allowed)
    o << "  decided by: " << a.network->policy_name << " (L3/L4, " << a.network->direction << ") at "
      << sources.describe(a.network->loc) << "\n";
  else if (d.decided_by)
    o << "  decided by: " << d.decided_by->display() << " (" << model::to_string(d.decided_by->policy.action) << ") at "
      << sources.describe(d.decided_by->loc) << "\n";
  else
    o << "  decided by: no rule\n";
  o << "  reason:     " << d.explanation << "\n";
  for (const auto* r : d.audit_matches) o << "  audited by: " << r->display() << "\n";
  for (const auto* r : d.dry_run_matches)
    o << "  dry-run:    " << r->display() << " (" << model::to_string(r->policy.action)
      << ") would match; not enforced\n";
  for (const auto& [prog, od] : a.other_views)
    o << "  as " << ir::to_string(prog->protocol) << " traffic (sniffed port): " << engine::to_string(od.verdict)
      << " — " << od.explanation << "\n";
  return o.str();
}

std::string format_query_json(const analysis::QueryAnswer& a, const SourceSet& sources) {
  json j = decision_json(*a.primary, a.decision, sources);
  const mesh::Workload& w = *a.target.workload;
  j["workload"] = w.display();
  if (!a.target.note.empty()) j["note"] = a.target.note;
  j["enforced_by"] = a.enforced_by;
  j["data_plane"] = mesh::to_string(w.data_plane);
  j["data_plane_assumed"] = w.data_plane_assumed;
  if (a.ambient) {
    j["caller"] = a.caller;
    j["chain"] = chain_json(a, sources);
  } else if (a.from_given) {
    j["caller"] = a.caller;
  }
  j["port"] = a.request.port;
  j["port_protocol"] = port_protocol_name(*a.port);
  j["mtls"] = model::to_string(a.primary->mtls);
  j["mtls_decided_by"] = a.primary->mtls_decided_by;
  j["request"] = ir::to_query_args(a.request);
  if (auto n = normalized_path(a.request, *a.primary)) {
    j["normalized_path"] = *n;
    j["path_normalization"] = ir::to_string(a.primary->path_normalization);
  }
  if (a.network) {
    j["network_layer"] = network_json(a, sources);
    if (!a.network->allowed) j["reason_code"] = "network-policy-blocked";
  }
  json views = json::array();
  for (const auto& [prog, od] : a.other_views) views.push_back(decision_json(*prog, od, sources));
  j["other_views"] = views;
  return j.dump(2) + "\n";
}

}  // namespace meshproof::report
