// `meshproof diff -o md`: a pull-request comment — a headline, one table row per class (capped per
// workload and in all), then mTLS modes and findings in collapsed sections (docs/diff.md).
#include <sstream>

#include "base/text.h"
#include "report/diff.h"

namespace meshproof::report {

namespace {

constexpr size_t kMaxRows = 20;

std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string diff_code(const std::string& s) { return s.empty() ? "" : "`" + cell(s) + "`"; }

std::string side(const diff::SideDecision& s) { return s.verdict + (s.rule.empty() ? "" : " by " + s.rule); }

std::string diff_headline(const diff::Result& r) {
  if (r.inconclusive()) return "inconclusive: the solver could not compare every port";
  if (!r.decisions_changed()) return "no decision changes";
  std::string head = std::to_string(r.newly_allowed()) + " classes newly allowed, " +
                     std::to_string(r.newly_denied()) + " newly denied";
  if (!r.network.empty())
    head += "; L3/L4: " + std::to_string(r.newly_admitted()) + " connections newly admitted, " +
            std::to_string(r.newly_blocked()) + " newly blocked";
  return head;
}

void write_rows(std::ostringstream& o, const diff::Result& r, const DiffHeader& h) {
  o << "| Workload | Port | Change | Requests | Witness | Before → after |\n|---|---|---|---|---|---|\n";
  size_t rows = 0, hidden = 0;
  std::string workload;
  size_t in_workload = 0;
  for (const auto& p : r.ports) {
    if (p.workload != workload) workload = p.workload, in_workload = 0;
    const std::string port = p.port ? std::to_string(p.port) : "other";
    if (p.inconclusive)
      o << "| " << cell(p.workload) << " | " << port << " | ❔ inconclusive | " << cell(p.unknown_reason) << " | | |\n";
    for (const auto& c : p.classes) {
      if (rows == kMaxRows || in_workload == h.max_classes_shown) {
        ++hidden;
        continue;
      }
      const bool allowed = c.direction == engine::ChangeDirection::NewlyAllowed;
      o << "| " << cell(p.workload) << " | " << port << " " << p.protocol << " | "
        << (diff::contradicts(c, h.expect) ? "❗ " : "") << (allowed ? "➕ allowed" : "➖ denied") << " | "
        << cell(join(c.literals, " and ")) << " | " << diff_code(diff_witness_text(c)) << " | "
        << cell(side(c.before) + " → " + side(c.after)) << " |\n";
      ++rows, ++in_workload;
    }
  }
  if (hidden) o << "\nand " << hidden << " more classes (the JSON output lists every class).\n";
}

std::string net_cell(const diff::NetSide& s) {
  return std::string(s.admitted ? "admitted" : "blocked") + (s.policy.empty() ? "" : " by " + s.policy);
}

// The L3/L4 layer's changed connections: one row each, at most kMaxRows.
void write_network_rows(std::ostringstream& o, const diff::Result& r, const DiffHeader& h) {
  if (r.network.empty()) return;
  o << "\n| L3/L4 connection | Port | Change | Before → after |\n|---|---|---|---|\n";
  for (size_t i = 0; i < r.network.size() && i < kMaxRows; ++i) {
    const diff::NetworkChange& c = r.network[i];
    o << "| " << cell(c.source + " → " + c.destination) << " | " << c.port << " " << c.protocol << " | "
      << (diff::contradicts(c, h.expect) ? "❗ " : "") << (c.newly_admitted ? "➕ admitted" : "➖ blocked") << " | "
      << cell(net_cell(c.before) + " → " + net_cell(c.after)) << " |\n";
  }
  if (r.network.size() > kMaxRows)
    o << "\nand " << r.network.size() - kMaxRows << " more connections (the JSON output lists every one).\n";
}

void write_details(std::ostringstream& o, const diff::Result& r) {
  if (!r.mtls.empty()) {
    o << "\n<details><summary>" << r.mtls.size() << " mTLS mode changes</summary>\n\n";
    for (const auto& m : r.mtls)
      o << "- " << m.workload << " " << (m.port ? "port " + std::to_string(m.port) : "workload-level") << ": "
        << m.before << " → " << m.after << "\n";
    o << "\n</details>\n";
  }
  if (!r.findings.empty()) {
    o << "\n<details><summary>" << r.findings.size() << " findings appeared or disappeared</summary>\n\n";
    for (const auto& f : r.findings)
      o << "- " << (f.appeared ? "➕ " : "➖ ") << "`" << f.finding.check << "` " << cell(f.location) << ": "
        << cell(f.finding.message) << "\n";
    o << "\n</details>\n";
  }
  if (!r.workloads_added.empty() || !r.workloads_removed.empty())
    o << "\nWorkloads added: " << (r.workloads_added.empty() ? "none" : join(r.workloads_added, ", "))
      << "; removed: " << (r.workloads_removed.empty() ? "none" : join(r.workloads_removed, ", ")) << "\n";
}

}  // namespace

std::string format_diff_markdown(const diff::Result& r, const DiffHeader& h) {
  std::ostringstream o;
  o << "### meshproof diff: " << diff_headline(r) << "\n\n";
  o << "`" << h.before << "` → `" << h.after << "`: " << r.workloads_compared << " workloads compared, "
    << r.views_compared << " port views.\n\n";
  std::string claim = expectation_line(r, h.expect);
  if (!claim.empty()) o << "**" << claim << "**\n\n";
  if (r.newly_allowed() + r.newly_denied() > 0 || r.inconclusive()) write_rows(o, r, h);
  write_network_rows(o, r, h);
  write_details(o, r);
  return o.str();
}

}  // namespace meshproof::report
