// The pictures of the HTML auditor report, as inline SVG (no scripts, nothing fetched): the mTLS coverage of
// each regulated namespace and the access matrix. Each picture scales to the page width (viewBox) so that it
// prints on one page, and every mark has a <title> that says in words what it shows.
#include <algorithm>
#include <sstream>

#include "report/auditor_render.h"

namespace meshproof::report {

namespace {

std::string truncate(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  return s.substr(0, n - 1) + "\u2026";
}

std::string percent(size_t part, size_t whole) {
  return whole ? std::to_string((part * 100 + whole / 2) / whole) + "%" : "0%";
}

// One segment kind of the coverage bars: its label, colour and count in a namespace.
struct Segment {
  const char* label;
  const char* fill;
  size_t audit::MtlsCoverage::*count;
};

const Segment kSegments[] = {{"STRICT", "#1a7f37", &audit::MtlsCoverage::strict},
                             {"PERMISSIVE", "#bf8700", &audit::MtlsCoverage::permissive},
                             {"DISABLE", "#cf222e", &audit::MtlsCoverage::disable},
                             {"no proxy", "#57606a", &audit::MtlsCoverage::no_proxy}};

// "3 sidecar, 1 ambient, 1 none (2 assumed)": the namespace's workloads by data plane.
std::string data_planes(const audit::MtlsCoverage& c) {
  std::string out;
  auto add = [&](size_t n, const char* what) {
    if (n) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(c.sidecar, "sidecar");
  add(c.ambient, "ambient");
  add(c.gateway, "gateway");
  add(c.none, "no proxy");
  if (c.assumed) out += " (" + std::to_string(c.assumed) + " assumed)";
  return out;
}

void coverage_bar(std::ostream& o, const audit::MtlsCoverage& c, int y, int left, int bar) {
  o << "<text x=\"" << left - 8 << "\" y=\"" << y + 15 << "\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">"
    << html_escape(truncate(c.ns, 28)) << "</text>\n";
  const size_t total = c.ports();
  int x = left;
  for (const Segment& s : kSegments) {
    const size_t n = c.*s.count;
    if (!n) continue;
    const int w = static_cast<int>(bar * n / total);
    o << "<rect class=\"seg\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << std::max(w, 1)
      << "\" height=\"20\" fill=\"" << s.fill << "\"><title>" << html_escape(c.ns) << ": " << n << " of " << total
      << (total == 1 ? " workload port " : " workload ports ") << s.label << " (" << percent(n, total)
      << ")</title></rect>\n";
    if (w >= 36)
      o << "<text x=\"" << x + w / 2 << "\" y=\"" << y + 14 << "\" font-size=\"11\" text-anchor=\"middle\" "
        << "fill=\"#ffffff\">" << percent(n, total) << "</text>\n";
    x += w;
  }
  o << "<text x=\"" << left + bar + 10 << "\" y=\"" << y + 15 << "\" font-size=\"12\" fill=\"#57606a\">" << total
    << (total == 1 ? " port" : " ports") << " &#183; " << html_escape(data_planes(c)) << "</text>\n";
}

}  // namespace

// One horizontal bar per regulated namespace: the share of its workload ports whose effective mode is
// STRICT, PERMISSIVE, DISABLE, or that have no proxy at all; beside it the workloads' data planes.
std::string mtls_coverage_svg(const AuditReport& r) {
  const int left = 200, bar = 360, row = 28, top = 34, width = 900;
  const int height = top + static_cast<int>(r.mtls_coverage.size()) * row + 8;
  std::ostringstream o;
  o << "<svg class=\"chart\" id=\"mtls-chart\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
    << width << " " << height << "\" role=\"img\" aria-label=\"mTLS coverage of the regulated namespaces\">\n"
    << "<title>Effective mTLS of the workload ports of each regulated namespace</title>\n";
  int lx = left;
  for (const Segment& s : kSegments) {
    o << "<rect x=\"" << lx << "\" y=\"6\" width=\"14\" height=\"14\" fill=\"" << s.fill << "\"/><text x=\"" << lx + 20
      << "\" y=\"18\" font-size=\"12\" fill=\"#1f2328\">" << s.label << "</text>\n";
    lx += 34 + static_cast<int>(std::string(s.label).size()) * 8;
  }
  for (size_t i = 0; i < r.mtls_coverage.size(); ++i)
    coverage_bar(o, r.mtls_coverage[i], top + static_cast<int>(i) * row, left, bar);
  o << "</svg>\n";
  return o.str();
}

namespace {

// The fill of a cell, one per state (access_state_text).
const char* cell_fill(const AccessCell& c) {
  if (c.kind == AccessKind::None) return "#ffffff";
  if (c.basis == audit::AccessBasis::NoProxy) return "#cf222e";
  if (c.basis == audit::AccessBasis::NoAllowPolicy) return "#fb8f44";
  return c.kind == AccessKind::Allowed ? "#0969da" : "url(#hatch)";
}

void matrix_cell(std::ostream& o, const AuditReport& r, const AccessRow& row, size_t c, int x, int y, int cell) {
  const AccessCell& v = row.cells[c];
  std::string tip = row.workload + " \u2190 " + r.access.columns[c] + ": " + access_state_text(v);
  for (const std::string& via : v.via) tip += "\n  via " + via;
  if (!v.findings.empty()) {
    tip += "\n  findings:";
    for (size_t i : v.findings) tip += " " + r.findings[i].number;
    o << "<a href=\"#" << r.findings[v.findings.front()].number << "\">";
  }
  o << "<rect x=\"" << x + 2 << "\" y=\"" << y + 2 << "\" width=\"" << cell - 4 << "\" height=\"" << cell - 4
    << "\" rx=\"3\" fill=\"" << cell_fill(v) << "\" stroke=\"" << (v.findings.empty() ? "#afb8c1" : "#1f2328")
    << "\" stroke-width=\"" << (v.findings.empty() ? 1 : 2) << "\"><title>" << html_escape(tip) << "</title></rect>";
  if (!v.findings.empty()) o << "</a>";
  o << "\n";
}

}  // namespace

// Rows are the regulated workloads, columns the callers; each cell's fill is its state (the legend below the
// picture names only the states that occur), a dark border marks a cell with findings, and it links to the
// first of them.
std::string access_svg(const AuditReport& r) {
  const AccessMatrix& m = r.access;
  const size_t kMaxColumns = 60;
  const size_t ncols = std::min(m.columns.size(), kMaxColumns);
  const int cell = 22;
  size_t longest_row = 10, longest_col = 10;
  for (const AccessRow& row : m.rows) longest_row = std::max(longest_row, std::min<size_t>(row.workload.size(), 48));
  for (size_t c = 0; c < ncols; ++c) longest_col = std::max(longest_col, std::min<size_t>(m.columns[c].size(), 48));
  const int left = static_cast<int>(std::min<size_t>(longest_row * 7 + 24, 380));
  const int top = static_cast<int>(std::min<size_t>(longest_col * 6 + 24, 320));
  const int width = left + static_cast<int>(ncols) * cell + 24;
  const int height = top + static_cast<int>(m.rows.size()) * cell + 8;

  std::ostringstream o;
  o << "<svg class=\"chart\" id=\"access-chart\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
    << width << " " << height << "\" role=\"img\" aria-label=\"Which callers may reach which regulated workloads\">\n";
  o << "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
       "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ddf4ff\"/>"
       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#0969da\" stroke-width=\"3\"/></pattern></defs>\n";
  o << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height << "\" fill=\"#ffffff\"/>\n";
  for (size_t c = 0; c < ncols; ++c) {
    int x = left + static_cast<int>(c) * cell + cell / 2 + 4;
    o << "<text x=\"" << x << "\" y=\"" << top - 6 << "\" font-size=\"11\" fill=\"" << (c < 2 ? "#a40e26" : "#1f2328")
      << "\" transform=\"rotate(-90 " << x << " " << top - 6 << ")\"><title>" << html_escape(m.columns[c]) << "</title>"
      << html_escape(truncate(m.columns[c], 48)) << "</text>\n";
  }
  for (size_t ri = 0; ri < m.rows.size(); ++ri) {
    const AccessRow& row = m.rows[ri];
    int y = top + static_cast<int>(ri) * cell;
    if (ri % 2 == 1)
      o << "<rect x=\"0\" y=\"" << y << "\" width=\"" << width << "\" height=\"" << cell << "\" fill=\"#f6f8fa\"/>\n";
    o << "<text x=\"" << left - 8 << "\" y=\"" << y + 15 << "\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">"
      << html_escape(truncate(row.workload, 48)) << "</text>\n";
    for (size_t c = 0; c < ncols; ++c) matrix_cell(o, r, row, c, left + static_cast<int>(c) * cell, y, cell);
  }
  o << "</svg>\n";
  if (m.columns.size() > ncols)
    o << "<p class=\"small\">The picture shows the first " << ncols << " of " << m.columns.size()
      << " callers; the table below lists all of them.</p>\n";
  return o.str();
}

// The legend: one swatch per cell state that occurs in the matrix, in the words of access_state_text, so that
// it never claims an ALLOW rule where none applies.
std::string access_legend_html(const AccessMatrix& m) {
  std::vector<std::pair<std::string, const char*>> states;  // text, fill
  auto seen = [&](const AccessCell& c) {
    const std::string text = access_state_text(c);
    for (const auto& s : states)
      if (s.first == text) return;
    states.emplace_back(text, cell_fill(c));
  };
  // A fixed order (most to least open), whatever the order of the rows.
  AccessCell probe;
  for (auto [kind, basis] : {std::pair{AccessKind::Allowed, audit::AccessBasis::NoProxy},
                             std::pair{AccessKind::Allowed, audit::AccessBasis::NoAllowPolicy},
                             std::pair{AccessKind::Allowed, audit::AccessBasis::AllowRule},
                             std::pair{AccessKind::Conditional, audit::AccessBasis::AllowRule},
                             std::pair{AccessKind::None, audit::AccessBasis::AllowRule}}) {
    probe.kind = kind;
    probe.basis = basis;
    const bool occurs = std::any_of(m.rows.begin(), m.rows.end(), [&](const AccessRow& row) {
      return std::any_of(row.cells.begin(), row.cells.end(), [&](const AccessCell& c) {
        return c.kind == kind && (kind == AccessKind::None || c.basis == basis);
      });
    });
    if (occurs) seen(probe);
  }
  std::ostringstream o;
  o << "<ul class=\"legend\">\n";
  for (const auto& [text, fill] : states)
    o << "<li><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\">"
      << (std::string(fill) == "url(#hatch)" ? "<rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#ddf4ff\" "
                                               "stroke=\"#afb8c1\"/><path d=\"M0 16L16 0M-4 "
                                               "8L8 -4M8 20L20 8\" stroke=\"#0969da\" stroke-width=\"3\"/>"
                                             : "<rect x=\"0.5\" y=\"0.5\" width=\"15\" height=\"15\" rx=\"3\" fill=\"" +
                                                   std::string(fill) + "\" stroke=\"#afb8c1\"/>")
      << "</svg> " << html_escape(text) << "</li>\n";
  const bool linked = std::any_of(m.rows.begin(), m.rows.end(), [](const AccessRow& row) {
    return std::any_of(row.cells.begin(), row.cells.end(), [](const AccessCell& c) { return !c.findings.empty(); });
  });
  if (linked)
    o << "<li><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" "
         "width=\"14\" height=\"14\" rx=\"3\" fill=\"#ffffff\" stroke=\"#1f2328\" stroke-width=\"2\"/></svg> "
         "dark border: findings bear on the cell (select it to go to the first)</li>\n";
  o << "</ul>\n";
  return o.str();
}

}  // namespace meshproof::report
