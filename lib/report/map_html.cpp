// `meshproof map -o html`: one self-contained page. The graph is inline SVG laid out in two layers
// (callers left, workloads right, each sorted as the map lists them; edges as curves), a filter box that
// hides the nodes, edges and table rows whose text does not contain the filter, and a table of every
// admission with its witness query. No external scripts, styles or fonts.
#include <map>
#include <sstream>

#include "report/auditor_render.h"
#include "report/map.h"

namespace meshproof::report {

namespace {

constexpr int kMapNodeHeight = 30, kMapRowGap = 14, kMapTop = 20, kMapNodeWidth = 380, kMapGap = 260;
constexpr int kMapRightX = 20 + kMapNodeWidth + kMapGap;

int map_row_y(size_t i) { return kMapTop + static_cast<int>(i) * (kMapNodeHeight + kMapRowGap); }

std::string map_fit(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

void map_svg_node(std::ostringstream& o, const std::string& cls, int x, int y, const std::string& label,
                  const std::string& title) {
  o << "<g class=\"node " << cls << "\" data-text=\"" << html_escape(title) << "\"><title>" << html_escape(title)
    << "</title><rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << kMapNodeWidth << "\" height=\"" << kMapNodeHeight
    << "\" rx=\"6\"/><text x=\"" << x + 8 << "\" y=\"" << y + 19 << "\">" << html_escape(map_fit(label, 58))
    << "</text></g>\n";
}

void map_svg(std::ostringstream& o, const map::Map& m) {
  const size_t rows = std::max(m.callers.size(), m.workloads.size());
  o << "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kMapRightX + kMapNodeWidth + 20
    << "\" height=\"" << map_row_y(rows) + kMapTop << "\">\n";
  std::map<std::string, int> caller_y, workload_y;
  for (size_t i = 0; i < m.workloads.size(); ++i) workload_y[m.workloads[i].name] = map_row_y(i);
  for (size_t i = 0; i < m.callers.size(); ++i) caller_y[m.callers[i]] = map_row_y(i);
  for (const auto& e : m.edges) {
    const int y1 = caller_y[e.caller] + kMapNodeHeight / 2, y2 = workload_y[e.workload] + kMapNodeHeight / 2;
    const int x1 = 20 + kMapNodeWidth, x2 = kMapRightX, mid = (x1 + x2) / 2;
    const std::string text = e.caller + " -> " + e.workload + "\n" + map_edge_label(e, 50, "\n");
    o << "<g class=\"edge\" data-text=\"" << html_escape(text) << "\"><title>" << html_escape(text)
      << "</title><path d=\"M" << x1 << "," << y1 << " C" << mid << "," << y1 << " " << mid << "," << y2 << " " << x2
      << "," << y2 << "\"/></g>\n";
  }
  for (const auto& c : m.callers)
    map_svg_node(o, c.rfind("plaintext", 0) == 0 ? "caller plaintext" : "caller", 20, caller_y[c], c, c);
  for (const auto& w : m.workloads)
    map_svg_node(o, w.regulated ? "workload regulated" : "workload", kMapRightX, workload_y[w.name],
                 w.name + (w.regulated ? "  [regulated]" : ""), w.name + " (" + w.data_plane + ")");
  o << "</svg>\n";
}

void map_table(std::ostringstream& o, const map::Map& m) {
  o << "<table id=\"edges\"><thead><tr><th>caller</th><th>workload</th><th>admits</th><th>witness (replay with "
       "meshproof query)</th></tr></thead><tbody>\n";
  for (const auto& e : m.edges)
    for (const auto& a : e.admissions) {
      const std::string text = e.caller + " " + e.workload + " " + map_admission_text(a);
      o << "<tr data-text=\"" << html_escape(text) << "\"><td>" << html_escape(e.caller) << "</td><td>"
        << html_escape(e.workload) << "</td><td>" << html_escape(map_admission_text(a))
        << (a.location.empty() ? "" : "<br><small>" + html_escape(a.location) + "</small>") << "</td><td><code>"
        << html_escape(a.query) << "</code></td></tr>\n";
    }
  o << "</tbody></table>\n";
}

const char* kMapStyle =
    "body{font-family:sans-serif;margin:1.5em;color:#222}svg text{font-size:12px;fill:#111}"
    ".node rect{fill:#eef3fb;stroke:#4a6fa5}.caller.plaintext rect{fill:#fff4e5;stroke:#c05800;"
    "stroke-dasharray:4 3}.workload.regulated rect{fill:#fde2e2;stroke:#b00020;stroke-width:2.5}"
    ".edge path{fill:none;stroke:#7a8ca8;stroke-width:1.4}.edge:hover path{stroke:#b00020;stroke-width:3}"
    ".hidden{display:none}table{border-collapse:collapse;margin-top:1em;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}code{font-size:11px}"
    "#filter{font-size:14px;padding:4px;width:30em}";

// Hides what does not contain the filter text; a node stays when an edge of it stays.
const char* kMapScript =
    "(function(){var f=document.getElementById('filter');function apply(){var q=f.value.toLowerCase();"
    "var keep={};document.querySelectorAll('.edge').forEach(function(e){var t=e.getAttribute('data-text');"
    "var on=t.toLowerCase().indexOf(q)>=0;e.classList.toggle('hidden',!on);if(on){var p=t.split('\\n')[0]"
    ".split(' -> ');keep[p[0]]=1;keep[p[1]]=1;}});document.querySelectorAll('.node').forEach(function(n){"
    "var t=n.getAttribute('data-text');var name=t.replace(/ \\([a-z]+\\)$/,'');n.classList.toggle('hidden',"
    "q!==''&&!keep[name]&&t.toLowerCase().indexOf(q)<0);});document.querySelectorAll('#edges tbody tr')"
    ".forEach(function(r){r.classList.toggle('hidden',r.getAttribute('data-text').toLowerCase().indexOf(q)<0);"
    "});}f.addEventListener('input',apply);apply();document.body.setAttribute('data-ready','1');})();";

}  // namespace

std::string format_map_html(const map::Map& m, const std::string& title) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << html_escape(title)
    << "</title><style>" << kMapStyle << "</style></head><body>\n<h1>" << html_escape(title) << "</h1>\n<p>"
    << m.callers.size() << " caller classes, " << m.workloads.size() << " workloads, " << m.edges.size()
    << " edges. Regulated workloads are red; plaintext callers dashed. Hover an edge for what it admits.</p>\n"
    << "<p><label>Filter: <input id=\"filter\" type=\"search\" placeholder=\"identity, workload, port, path, "
       "policy\"></label></p>\n";
  map_svg(o, m);
  if (!m.incomplete.empty()) {
    o << "<p><strong>Not every class was found</strong> for:</p><ul>\n";
    for (const auto& i : m.incomplete) o << "<li>" << html_escape(i) << "</li>\n";
    o << "</ul>\n";
  }
  map_table(o, m);
  o << "<script>" << kMapScript << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace meshproof::report
