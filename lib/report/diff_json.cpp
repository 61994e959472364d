// `meshproof diff -o json`: schema meshproof.diff/v1 (docs/diff.md). Every class found is listed (no cap).
#include "report/diff.h"
#include "report/json_internal.h"

namespace meshproof::report {

using ordered = nlohmann::ordered_json;

namespace {

const char* expectation_name(diff::Expectation e) {
  switch (e) {
    case diff::Expectation::None:
      return nullptr;
    case diff::Expectation::Equivalent:
      return "equivalent";
    case diff::Expectation::Narrower:
      return "narrower";
    case diff::Expectation::Wider:
      return "wider";
  }
  return nullptr;
}

ordered side_json(const diff::SideDecision& s) {
  ordered j;
  j["verdict"] = s.verdict;
  j["reason"] = s.reason;
  j["rule"] = s.rule.empty() ? ordered(nullptr) : ordered(s.rule);
  j["location"] = s.location.empty() ? ordered(nullptr) : ordered(s.location);
  // As `meshproof query -o json` names the deciding rule (policy "ns/name", rule i): "ns/name rule i".
  j["decided_by"] = s.witness.decided_by.empty() ? ordered(nullptr) : ordered(s.witness.decided_by);
  j["explanation"] = s.explanation;
  j["reproduce"] = s.witness.reproduce.empty() ? ordered(nullptr) : ordered(s.witness.reproduce);
  return j;
}

ordered port_json(const diff::PortChange& p, diff::Expectation e) {
  ordered j;
  j["workload"] = p.workload;
  j["port"] = p.port;
  j["port_name"] = p.port_name;
  j["protocol"] = p.protocol;
  j["status"] = p.inconclusive ? "inconclusive" : "changed";
  if (p.inconclusive) j["unknown_reason"] = p.unknown_reason;
  j["complete"] = p.complete;
  ordered classes = ordered::array();
  for (const auto& c : p.classes) {
    ordered cj;
    cj["direction"] = engine::to_string(c.direction);
    cj["class"] = c.literals;
    if (e != diff::Expectation::None) cj["counterexample"] = diff::contradicts(c, e);
    cj["witness"] = ordered::parse(witness_to_json(c.after.witness).dump());
    cj["before"] = side_json(c.before);
    cj["after"] = side_json(c.after);
    classes.push_back(cj);
  }
  j["classes"] = classes;
  return j;
}

ordered net_side_json(const diff::NetSide& s) {
  auto or_null = [](const std::string& v) { return v.empty() ? ordered(nullptr) : ordered(v); };
  return {{"verdict", s.admitted ? "admitted" : "blocked"},
          {"policy", or_null(s.policy)},
          {"tier", or_null(s.tier)},
          {"direction", or_null(s.direction)},
          {"location", or_null(s.location)},
          {"reason", s.reason},
          {"unmodelled", or_null(s.unmodelled)},
          {"reproduce", or_null(s.reproduce)}};
}

// The L3/L4 layer's part, present only when one tree holds such policies (docs/diff.md#the-l3l4-layer).
ordered network_json(const diff::Result& r, diff::Expectation e) {
  ordered changes = ordered::array();
  for (const auto& c : r.network) {
    ordered cj;
    cj["direction"] = c.newly_admitted ? "newly-admitted" : "newly-blocked";
    if (e != diff::Expectation::None) cj["counterexample"] = diff::contradicts(c, e);
    cj["source"] = c.source;
    cj["destination"] = c.destination;
    cj["port"] = c.port;
    cj["port_name"] = c.port_name;
    cj["protocol"] = c.protocol;
    cj["wire_port"] = c.wire_port;
    cj["found_by_solver"] = c.found_by_solver;
    cj["before"] = net_side_json(c.before);
    cj["after"] = net_side_json(c.after);
    changes.push_back(cj);
  }
  return {{"connections_compared", r.connections_compared}, {"solver", r.network_solver}, {"changes", changes}};
}

ordered rest_json(const diff::Result& r) {
  ordered j;
  ordered mtls = ordered::array();
  for (const auto& m : r.mtls)
    mtls.push_back({{"workload", m.workload},
                    {"port", m.port},
                    {"before", m.before},
                    {"after", m.after},
                    {"before_decided_by", m.before_decided_by},
                    {"after_decided_by", m.after_decided_by}});
  j["mtls"] = mtls;
  ordered findings = ordered::array();
  for (const auto& f : r.findings)
    findings.push_back({{"change", f.appeared ? "appeared" : "disappeared"},
                        {"check", f.finding.check},
                        {"id", f.finding.id},
                        {"severity", to_string(f.finding.severity)},
                        {"message", f.finding.message},
                        {"location", f.location},
                        {"fingerprint", f.finding.fingerprint}});
  j["findings"] = findings;
  j["workloads"] = {{"added", r.workloads_added}, {"removed", r.workloads_removed}};
  return j;
}

}  // namespace

std::string format_diff_json(const diff::Result& r, const DiffHeader& h) {
  ordered out;
  out["schema"] = "meshproof.diff/v1";
  out["before"] = h.before;
  out["after"] = h.after;
  ordered ports = ordered::array();
  bool complete = true;
  for (const auto& p : r.ports) {
    ports.push_back(port_json(p, h.expect));
    complete = complete && p.complete;
  }
  out["complete"] = complete;
  out["changes"] = ports;
  if (r.network_layer) out["network"] = network_json(r, h.expect);
  const ordered rest = rest_json(r);  // a named object: items() of a temporary would dangle in the loop
  for (const auto& [k, v] : rest.items()) out[k] = v;
  size_t inconclusive = 0;
  for (const auto& p : r.ports) inconclusive += p.inconclusive;
  out["summary"] = {{"workloads_compared", r.workloads_compared},
                    {"views_compared", r.views_compared},
                    {"views_solved", r.views_solved},
                    {"newly_allowed", r.newly_allowed()},
                    {"newly_denied", r.newly_denied()},
                    {"inconclusive", inconclusive}};
  if (r.network_layer) {
    out["summary"]["newly_admitted"] = r.newly_admitted();
    out["summary"]["newly_blocked"] = r.newly_blocked();
  }
  if (const char* e = expectation_name(h.expect))
    out["expect"] = {
        {"claim", e}, {"proven", diff::expectation_holds(r, h.expect)}, {"text", expectation_line(r, h.expect)}};
  return out.dump(2) + "\n";
}

}  // namespace meshproof::report
