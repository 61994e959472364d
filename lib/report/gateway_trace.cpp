// `query --gateway` and `explain --gateway` output (report/gateway_trace.h): each hop named, with the
// decision at each enforcement point.
#include "report/gateway_trace.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "base/text.h"

namespace meshproof::report {

namespace {

using nlohmann::json;

json decision_json(const analysis::TraceDecision& d, const SourceSet& sources) {
  json j;
  j["workload"] = d.workload;
  j["port"] = d.port;
  j["source"] = d.source;
  j["decision"] = d.verdict;
  j["reason"] = d.reason;
  j["decided_by"] = d.decided_by;
  j["location"] = d.decided_at.known() ? sources.describe(d.decided_at) : "";
  return j;
}

std::string decision_text(const analysis::TraceDecision& d, const SourceSet& sources) {
  std::string s = d.verdict;
  if (!d.decided_by.empty()) s += " by " + d.decided_by;
  if (d.decided_at.known()) s += " (" + sources.describe(d.decided_at) + ")";
  if (!d.reason.empty()) s += ": " + d.reason;
  return s;
}

void hop_text(std::ostringstream& o, const analysis::TraceHop& h, const SourceSet& sources) {
  o << "    hop -> " << h.server << " port " << h.target_port << ": " << h.transport << " (gateway sends "
    << h.client_tls << ")";
  if (!h.reason.empty()) o << "; " << h.reason;
  o << "\n      backend policy [" << h.decision.source << "]: " << decision_text(h.decision, sources) << "\n";
}

}  // namespace

std::string format_gateway_trace_text(const analysis::GatewayTrace& t, const SourceSet& sources) {
  std::ostringstream o;
  o << "Outcome: " << t.outcome << "\n";
  o << "1. gateway   " << t.gateway << "\n";
  o << "   identity  " << (t.principal.empty() ? "unknown (no gateway pod in the input)" : t.principal)
    << (t.principal_assumed ? " (assumed: the service account Istio's deployment uses)" : "") << "\n";
  o << "2. listener  " << t.listener << ": " << t.listener_tls << "\n";
  o << "3. gateway policy [" << t.gateway_decision.source << "]: " << decision_text(t.gateway_decision, sources)
    << "\n";
  o << "4. route     " << (t.route.empty() ? "none (404)" : t.route) << "\n";
  if (!t.route_note.empty()) o << "   note      " << t.route_note << "\n";
  o << "5. backends\n";
  if (t.backends.empty()) o << "   none\n";
  for (const analysis::TraceBackend& b : t.backends) {
    o << "  " << b.service;
    if (b.port) o << " port " << b.port;
    if (b.weight != 1) o << " weight " << b.weight;
    if (!b.problem.empty()) o << ": " << b.problem;
    o << "\n";
    for (const analysis::TraceHop& h : b.hops) hop_text(o, h, sources);
  }
  return o.str();
}

std::string format_gateway_trace_json(const analysis::GatewayTrace& t, const SourceSet& sources) {
  json j;
  j["gateway"] = t.gateway;
  j["principal"] = t.principal;
  j["principal_assumed"] = t.principal_assumed;
  j["listener"] = {{"name", t.listener}, {"tls", t.listener_tls}};
  j["gateway_decision"] = decision_json(t.gateway_decision, sources);
  j["route"] = t.route;
  j["route_note"] = t.route_note;
  json backends = json::array();
  for (const analysis::TraceBackend& b : t.backends) {
    json jb{{"service", b.service}, {"port", b.port}, {"weight", b.weight}, {"problem", b.problem}};
    json hops = json::array();
    for (const analysis::TraceHop& h : b.hops)
      hops.push_back({{"server", h.server},
                      {"target_port", h.target_port},
                      {"transport", h.transport},
                      {"client_tls", h.client_tls},
                      {"reason", h.reason},
                      {"decision", decision_json(h.decision, sources)}});
    jb["hops"] = hops;
    backends.push_back(jb);
  }
  j["backends"] = backends;
  j["outcome"] = t.outcome;
  return j.dump(2) + "\n";
}

std::string format_gateway_explanation_text(const analysis::GatewayExplanation& e) {
  std::ostringstream o;
  o << e.gateway << "\n";
  o << "  identity: " << (e.principal.empty() ? "unknown (no gateway pod in the input)" : e.principal)
    << (e.principal_assumed ? " (assumed)" : "") << "\n";
  o << "  pods: " << (e.pods.empty() ? "none in the input" : join(e.pods, ", ")) << "\n";
  for (const auto& l : e.listeners) {
    o << "  " << l.listener << " tls " << l.tls << " hosts " << join(l.hosts, ", ");
    if (!l.problem.empty()) o << " (not programmed: " << l.problem << ")";
    o << "\n";
    for (const auto& r : l.routes) {
      o << "    " << r.route << " for " << join(r.hosts, ", ") << "\n";
      for (const std::string& b : r.backends) o << "      -> " << b << "\n";
    }
  }
  for (const std::string& r : e.rejected_routes) o << "  not attached: " << r << "\n";
  return o.str();
}

std::string format_gateway_explanation_json(const analysis::GatewayExplanation& e) {
  json j;
  j["gateway"] = e.gateway;
  j["principal"] = e.principal;
  j["principal_assumed"] = e.principal_assumed;
  j["pods"] = e.pods;
  json ls = json::array();
  for (const auto& l : e.listeners) {
    json routes = json::array();
    for (const auto& r : l.routes) routes.push_back({{"route", r.route}, {"hosts", r.hosts}, {"backends", r.backends}});
    ls.push_back(
        {{"listener", l.listener}, {"tls", l.tls}, {"hosts", l.hosts}, {"problem", l.problem}, {"routes", routes}});
  }
  j["listeners"] = ls;
  j["rejected_routes"] = e.rejected_routes;
  return j.dump(2) + "\n";
}

}  // namespace meshproof::report
