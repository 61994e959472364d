// `meshproof diff -o text`: per workload, the changed port views with their classes, then mTLS modes,
// findings, workloads added and removed, and a summary line (docs/diff.md).
#include <sstream>

#include "base/text.h"
#include "report/diff.h"

namespace meshproof::report {

namespace {

std::string port_text(const diff::PortChange& p) {
  std::string s = p.port ? "port " + std::to_string(p.port) : std::string("undeclared ports");
  if (!p.port_name.empty()) s += " (" + p.port_name + ")";
  return s + " " + p.protocol;
}

std::string side_text(const diff::SideDecision& s) {
  std::string t = s.verdict;
  if (!s.rule.empty())
    t += " by " + s.rule + (s.location.empty() ? "" : " (" + s.location + ")");
  else
    t += " (" + s.reason + ")";
  return t;
}

void write_class(std::ostringstream& o, const diff::ClassChange& c, diff::Expectation e) {
  const bool allowed = c.direction == engine::ChangeDirection::NewlyAllowed;
  o << "  " << (diff::contradicts(c, e) ? "!" : " ") << (allowed ? "+ NEWLY ALLOWED  " : "- NEWLY DENIED   ")
    << (c.literals.empty() ? std::string("every request") : join(c.literals, " and ")) << "\n";
  o << "      witness: " << diff_witness_text(c) << "\n";
  o << "      before:  " << side_text(c.before) << "\n";
  o << "      after:   " << side_text(c.after) << "\n";
  if (!c.after.witness.reproduce.empty()) o << "      replay:  " << c.after.witness.reproduce << "\n";
}

void write_ports(std::ostringstream& o, const diff::Result& r, const DiffHeader& h) {
  size_t i = 0;
  while (i < r.ports.size()) {
    const std::string& workload = r.ports[i].workload;
    o << "\n" << workload << "\n";
    size_t shown = 0, hidden = 0;
    bool incomplete = false;
    for (; i < r.ports.size() && r.ports[i].workload == workload; ++i) {
      const diff::PortChange& p = r.ports[i];
      o << " " << port_text(p) << "\n";
      if (p.inconclusive) o << "   ? INCONCLUSIVE  " << p.unknown_reason << "\n";
      incomplete = incomplete || (!p.complete && !p.inconclusive);  // an inconclusive view says so itself
      for (const auto& c : p.classes) {
        if (shown == h.max_classes_shown) {
          ++hidden;
          continue;
        }
        write_class(o, c, h.expect);
        ++shown;
      }
    }
    if (hidden || incomplete)
      o << "  and " << hidden << (incomplete ? "+" : "") << " more class" << (hidden == 1 ? "" : "es")
        << " (-o json lists every class found)\n";
  }
}

std::string net_side_text(const diff::NetSide& s) {
  std::string t = s.admitted ? "admitted" : "blocked";
  if (s.policy.empty()) return t + " (" + s.reason + ")";
  t += " by " + s.policy + " (" + s.tier + " tier, " + s.direction + ")";
  if (!s.location.empty()) t += " at " + s.location;
  if (!s.unmodelled.empty()) t += "; not a proof: " + s.unmodelled;
  return t;
}

std::string net_port_text(const diff::NetworkChange& c) {
  std::string s = "port " + std::to_string(c.port);
  if (!c.port_name.empty()) s += " (" + c.port_name + ")";
  s += " " + c.protocol;
  if (c.wire_port != c.port) s += " (the layer sees port " + std::to_string(c.wire_port) + ", HBONE)";
  if (c.found_by_solver) s += " (not a declared port: found by the solver)";
  return s;
}

// The L3/L4 layer's changed connections, per destination (at most max_classes_shown each).
void write_network(std::ostringstream& o, const diff::Result& r, const DiffHeader& h) {
  if (r.network.empty()) return;
  o << "\nL3/L4 layer (NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cilium): connections\n";
  size_t i = 0;
  while (i < r.network.size()) {
    const std::string& dst = r.network[i].destination;
    o << " " << dst << "\n";
    size_t shown = 0;
    for (; i < r.network.size() && r.network[i].destination == dst; ++i) {
      const diff::NetworkChange& c = r.network[i];
      if (shown++ == h.max_classes_shown) o << "  and more (-o json lists every connection)\n";
      if (shown > h.max_classes_shown) continue;
      o << "  " << (diff::contradicts(c, h.expect) ? "!" : " ")
        << (c.newly_admitted ? "+ NEWLY ADMITTED  " : "- NEWLY BLOCKED   ") << "from " << c.source << " to "
        << net_port_text(c) << "\n";
      o << "      before:  " << net_side_text(c.before) << "\n";
      o << "      after:   " << net_side_text(c.after) << "\n";
      if (!c.after.reproduce.empty()) o << "      replay:  " << c.after.reproduce << "\n";
    }
  }
}

void write_rest(std::ostringstream& o, const diff::Result& r) {
  if (!r.mtls.empty()) o << "\nmTLS mode changes:\n";
  for (const auto& m : r.mtls) {
    o << "  " << m.workload << " " << (m.port ? "port " + std::to_string(m.port) : std::string("workload-level"))
      << ": " << m.before << " -> " << m.after;
    if (!m.after_decided_by.empty() || !m.before_decided_by.empty())
      o << " (before: " << (m.before_decided_by.empty() ? "Istio's default" : m.before_decided_by)
        << "; after: " << (m.after_decided_by.empty() ? "Istio's default" : m.after_decided_by) << ")";
    o << "\n";
  }
  if (!r.findings.empty()) o << "\nFindings:\n";
  for (const auto& f : r.findings)
    o << "  " << (f.appeared ? "+ " : "- ") << f.location << ": " << to_string(f.finding.severity) << ": "
      << f.finding.message << " [" << f.finding.check << "]\n";
  if (!r.workloads_added.empty()) o << "\nWorkloads added (not compared): " << join(r.workloads_added, ", ") << "\n";
  if (!r.workloads_removed.empty())
    o << "\nWorkloads removed (not compared): " << join(r.workloads_removed, ", ") << "\n";
}

}  // namespace

std::string format_diff_text(const diff::Result& r, const DiffHeader& h) {
  std::ostringstream o;
  o << "meshproof diff " << h.before << " -> " << h.after << "\n";
  write_ports(o, r, h);
  write_network(o, r, h);
  write_rest(o, r);
  size_t inconclusive = 0;
  for (const auto& p : r.ports) inconclusive += p.inconclusive;
  o << "\nSummary: " << r.workloads_compared << " workloads compared (" << r.workloads_added.size() << " added, "
    << r.workloads_removed.size() << " removed), " << r.views_compared << " port views (" << r.views_solved
    << " solved); " << r.newly_allowed() << " classes newly allowed, " << r.newly_denied() << " newly denied, "
    << inconclusive << " inconclusive; " << r.mtls.size() << " mTLS changes; " << r.findings.size()
    << " findings changed\n";
  if (r.network_layer)
    o << "L3/L4 layer: " << r.connections_compared << " connections compared; " << r.newly_admitted()
      << " newly admitted, " << r.newly_blocked() << " newly blocked; solver: "
      << (r.network_solver == "equivalent" ? "every connection between these pods, on every port and protocol and "
                                             "from every IPv4 address, is decided alike"
          : r.network_solver == "differs" ? "the layers differ"
                                          : "not proven (" + r.network_solver + ")")
      << "\n";
  if (!r.decisions_changed() && !r.inconclusive()) o << "No decision changes.\n";
  std::string claim = expectation_line(r, h.expect);
  if (!claim.empty()) o << claim << "\n";
  return o.str();
}

}  // namespace meshproof::report
