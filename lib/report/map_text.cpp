// `meshproof map -o dot|mermaid|json`: the graph as text. Callers on the left, workloads on the right,
// one edge per caller class and workload labelled with what it admits.
#include <map>
#include <sstream>

#include "base/text.h"
#include "report/json_internal.h"
#include "report/map.h"

namespace meshproof::report {

namespace {

std::string map_dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

// Mermaid labels are in double quotes; a double quote inside is the entity #quot;.
std::string map_mermaid_text(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '"' ? std::string("#quot;") : c == '\n' ? std::string("<br/>") : std::string(1, c);
  return out;
}

std::string map_workload_label(const map::Workload& w) {
  return w.name + (w.regulated ? " [regulated]" : "") + (w.data_plane == "sidecar" ? "" : " (" + w.data_plane + ")");
}

}  // namespace

std::string map_network_text(const map::Admission& a) {
  if (a.network.empty()) return "";
  if (a.blocked) {
    const map::NetSource& s = a.network.front();
    return "; BLOCKED at L3/L4 by " + (s.policy.empty() ? s.reason : s.policy + " (" + s.tier + " tier, " + s.direction + ")") +
           (s.location.empty() ? "" : " at " + s.location);
  }
  size_t admitted = 0;
  for (const auto& s : a.network) admitted += s.admitted;
  if (admitted == a.network.size()) return "; L3/L4: admitted";
  return "; L3/L4: " + std::to_string(admitted) + " of " + std::to_string(a.network.size()) + " sources admitted";
}

std::string map_admission_text(const map::Admission& a) {
  std::string out = "port " + (a.port ? std::to_string(a.port) : std::string("(undeclared)")) + " " + a.protocol;
  if (!a.conditions.empty()) out += ": " + join(a.conditions, " and ");
  out += " (" + (a.rule.empty() ? a.reason : a.rule) + ")";
  return out + map_network_text(a);
}

std::string map_edge_label(const map::Edge& e, size_t max_lines, const std::string& separator) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < e.admissions.size() && i < max_lines; ++i)
    lines.push_back(map_admission_text(e.admissions[i]));
  if (e.admissions.size() > max_lines)
    lines.push_back("and " + std::to_string(e.admissions.size() - max_lines) + " more");
  return join(lines, separator);
}

std::string format_map_dot(const map::Map& m) {
  std::ostringstream o;
  o << "digraph meshproof_map {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
    << "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  for (const auto& c : m.callers)
    o << "  " << map_dot_quote("caller:" + c) << " [label=" << map_dot_quote(c) << ", shape=ellipse"
      << (c.rfind("plaintext", 0) == 0 ? ", style=dashed, color=red" : "") << "];\n";
  for (const auto& w : m.workloads)
    o << "  " << map_dot_quote("workload:" + w.name) << " [label=" << map_dot_quote(map_workload_label(w))
      << ", shape=box" << (w.regulated ? ", peripheries=2, style=filled, fillcolor=\"#fde2e2\"" : "") << "];\n";
  for (const auto& e : m.edges)
    o << "  " << map_dot_quote("caller:" + e.caller) << " -> " << map_dot_quote("workload:" + e.workload)
      << " [label=" << map_dot_quote(map_edge_label(e, 6, "\\n"))
      << (e.blocked() ? ", style=dashed, color=gray, fontcolor=gray" : "") << "];\n";
  o << "}\n";
  return o.str();
}

std::string format_map_mermaid(const map::Map& m) {
  std::ostringstream o;
  o << "flowchart LR\n";
  std::map<std::string, std::string> ids;
  for (size_t i = 0; i < m.callers.size(); ++i) {
    ids["caller:" + m.callers[i]] = "c" + std::to_string(i);
    o << "  c" << i << "([\"" << map_mermaid_text(m.callers[i]) << "\"])\n";
  }
  for (size_t i = 0; i < m.workloads.size(); ++i) {
    ids["workload:" + m.workloads[i].name] = "w" + std::to_string(i);
    o << "  w" << i << "[\"" << map_mermaid_text(map_workload_label(m.workloads[i])) << "\"]\n";
    if (m.workloads[i].regulated) o << "  class w" << i << " regulated\n";
  }
  for (const auto& e : m.edges)
    o << "  " << ids["caller:" + e.caller] << (e.blocked() ? " -.->|\"" : " -->|\"") << map_mermaid_text(map_edge_label(e, 4, "\n")) << "\"| "
      << ids["workload:" + e.workload] << "\n";
  o << "  classDef regulated fill:#fde2e2,stroke:#b00020,stroke-width:2px\n";
  return o.str();
}

namespace {

nlohmann::ordered_json map_network_json(const map::Admission& a) {
  using ordered = nlohmann::ordered_json;
  auto or_null = [](const std::string& v) { return v.empty() ? ordered(nullptr) : ordered(v); };
  ordered sources = ordered::array();
  for (const auto& s : a.network)
    sources.push_back({{"source", s.source},
                       {"verdict", s.admitted ? "admitted" : "blocked"},
                       {"port", s.port},
                       {"policy", or_null(s.policy)},
                       {"tier", or_null(s.tier)},
                       {"direction", or_null(s.direction)},
                       {"location", or_null(s.location)},
                       {"reason", s.reason},
                       {"unmodelled", or_null(s.unmodelled)},
                       {"query", s.query}});
  return {{"blocked", a.blocked}, {"sources", sources}};
}

}  // namespace

std::string format_map_json(const map::Map& m) {
  using ordered = nlohmann::ordered_json;
  ordered j;
  j["schema"] = "meshproof.map/v1";
  j["callers"] = m.callers;
  j["workloads"] = ordered::array();
  for (const auto& w : m.workloads)
    j["workloads"].push_back({{"name", w.name}, {"data_plane", w.data_plane}, {"regulated", w.regulated}});
  j["edges"] = ordered::array();
  for (const auto& e : m.edges) {
    ordered adm = ordered::array();
    for (const auto& a : e.admissions) {
      adm.push_back({{"port", a.port},
                     {"port_name", a.port_name},
                     {"protocol", a.protocol},
                     {"conditions", a.conditions},
                     {"reason", a.reason},
                     {"rule", a.rule.empty() ? ordered(nullptr) : ordered(a.rule)},
                     {"policy", a.policy.empty() ? ordered(nullptr) : ordered(a.policy)},
                     {"location", a.location.empty() ? ordered(nullptr) : ordered(a.location)},
                     {"witness", a.witness},
                     {"query", a.query}});
      if (m.network_layer) adm.back()["network"] = map_network_json(a);
    }
    j["edges"].push_back({{"caller", e.caller}, {"workload", e.workload}, {"admissions", adm}});
  }
  j["incomplete"] = m.incomplete;
  return j.dump(2) + "\n";
}

}  // namespace meshproof::report
