// The auditor report as one self-contained HTML file: inline CSS, inline SVG, no scripts, no fonts,
// images or stylesheets to fetch, so that it opens offline, archives as a single artifact and prints.
#include <algorithm>
#include <array>
#include <sstream>

#include "base/text.h"
#include "report/auditor.h"
#include "report/auditor_render.h"

namespace meshproof::report {

namespace {

std::string esc(const std::string& s) { return html_escape(s); }

std::string code(const std::string& s) { return "<code>" + esc(s) + "</code>"; }
// A check name or similar short token that must not break across lines.
std::string token(const std::string& s) { return "<code class=\"nw\">" + esc(s) + "</code>"; }

std::string badge(const std::string& cls, const std::string& text) {
  return "<span class=\"badge " + esc(cls) + "\">" + esc(text) + "</span>";
}

const char* kCss = R"CSS(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; background: #fff; margin: 0 auto; max-width: 1200px; padding: 24px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin: 36px 0 12px; }
h3 { font-size: 15px; margin: 0 0 6px; }
p { margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfc; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
              font-size: 12px; overflow-wrap: anywhere; }
code { background: #f3f5f7; padding: 0 3px; border-radius: 3px; }
.meta { color: #57606a; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 600; font-size: 12px;
         border: 1px solid transparent; white-space: nowrap; }
.pass { background: #dafbe1; color: #116329; border-color: #4ac26b; }
.fail { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.excepted { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.incomplete { background: #eaeef2; color: #424a53; border-color: #afb8c1; }
.no-evidence { background: #eaeef2; color: #424a53; border-color: #8c959f; border-style: dashed; }
.error { background: #ffebe9; color: #a40e26; }
.warning { background: #fff8c5; color: #7d4e00; }
.note { background: #ddf4ff; color: #0550ae; }
.suppressed { background: #eaeef2; color: #424a53; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; margin: 10px 0; break-inside: avoid; }
.card.fail { border-left: 5px solid #cf222e; background: #fff; color: inherit; }
.card.pass { border-left: 5px solid #1a7f37; background: #fff; color: inherit; }
.card.excepted { border-left: 5px solid #bf8700; background: #fff; color: inherit; }
.card.incomplete { border-left: 5px solid #8c959f; background: #fff; color: inherit; }
.card.no-evidence { border-left: 5px dashed #8c959f; background: #fff; color: inherit; }
.alert { border-left: 5px solid #bf8700; background: #fff8c5; padding: 8px 14px; margin: 10px 0; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.summary div { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.summary b { display: block; font-size: 22px; }
.witness th { width: 150px; }
.small { font-size: 12px; }
.nw { white-space: nowrap; }
code.nw { overflow-wrap: normal; }
nav ol { columns: 2; margin: 8px 0; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.matrix { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; }
.partial { background: #fff1e5; color: #953800; border-color: #fb8f44; }
.card.partial { border-left: 5px solid #fb8f44; background: #fff; color: inherit; }
svg.chart { max-width: 100%; height: auto; }
details { margin: 4px 0; }
details > summary { cursor: pointer; }
details.list ul { margin: 4px 0; padding-left: 20px; columns: 2; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12px; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
h3.group { margin-top: 18px; }
@page {
  size: A4;
  margin: 16mm 14mm 18mm;
  @bottom-left { content: "meshproof compliance report"; font: 9px system-ui, sans-serif; color: #57606a; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9px system-ui, sans-serif;
                  color: #57606a; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  section { break-before: page; }
  h2, h3 { break-after: avoid; }
  .card, tr, .matrix, svg, table.keep, ul.legend { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .matrix { overflow: visible; border: none; }
  tbody tr:nth-child(even) td { background: none; }
  details > summary { list-style: none; }
}
)CSS";

void head_and_summary(std::ostream& o, const AuditReport& r) {
  const std::string title =
      "meshproof compliance report: " + (r.profile_title.empty() ? r.profile_name : r.profile_title);
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<meta name=\"generator\" content=\"meshproof " << esc(r.tool_version) << "\">\n"
    << "<title>" << esc(title) << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n";
  o << "<header>\n<h1>" << esc(title) << "</h1>\n<p class=\"meta\">Generated " << esc(r.generated_at)
    << " by meshproof " << esc(r.tool_version) << " (Z3 " << esc(r.z3_version) << ") &middot; profile "
    << code(r.profile_name) << " &middot; threshold " << code(r.fail_on) << "</p>\n";
  o << "<p>Result: " << badge(result_class(r.result), result_mark(r.result)) << " " << result_sentence(r.result)
    << "</p>\n</header>\n";
  const auto by_status = controls_by_status(r);
  o << "<div class=\"summary\">"
    << "<div><b>" << r.controls.size() << "</b>controls</div>"
    << "<div><b>" << by_status[0] << "</b>" << badge("pass", "pass") << "</div>"
    << "<div><b>" << by_status[1] << "</b>" << badge("fail", "fail") << "</div>"
    << "<div><b>" << by_status[2] << "</b>" << badge("excepted", "excepted") << "</div>"
    << "<div><b>" << by_status[3] << "</b>" << badge("incomplete", "incomplete") << "</div>"
    << "<div><b>" << by_status[5] << "</b>" << badge("partial", "partial") << "</div>"
    << "<div><b>" << by_status[4] << "</b>" << badge("no-evidence", "no evidence") << "</div>"
    << "<div><b>" << r.errors << " / " << r.warnings_count << " / " << r.notes << "</b>errors / warnings / notes</div>"
    << "<div><b>" << r.suppressed << "</b>suppressed findings</div></div>\n";
  for (const std::string& w : r.warnings) o << "<div class=\"alert\"><b>Scope warning:</b> " << esc(w) << "</div>\n";
  o << "<nav><b>Contents</b><ol>"
    << "<li><a href=\"#scope\">Scope</a></li><li><a href=\"#regulated\">Regulated namespaces</a></li>"
    << "<li><a href=\"#controls\">Controls</a></li><li><a href=\"#findings\">Findings</a></li>"
    << "<li><a href=\"#mtls\">Effective mTLS</a></li><li><a href=\"#access\">Who may call regulated workloads</a></li>"
    << "<li><a href=\"#exceptions\">Exceptions</a></li><li><a href=\"#limits\">What this report does not prove</a></li>"
    << "</ol></nav>\n";
}

void scope_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"scope\">\n<h2>1. Scope</h2>\n<table class=\"kv\"><tbody>\n"
    << "<tr><th>Tool</th><td>meshproof " << esc(r.tool_version) << "</td></tr>\n"
    << "<tr><th>Z3</th><td>" << esc(r.z3_version) << "</td></tr>\n"
    << "<tr><th>Generated</th><td>" << esc(r.generated_at) << "</td></tr>\n"
    << "<tr><th>Exception date</th><td>" << esc(r.today)
    << " (exceptions that expire before it are expired)</td></tr>\n"
    << "<tr><th>Profile</th><td>" << code(r.profile_name)
    << (r.profile_title.empty() ? "" : " &mdash; " + esc(r.profile_title)) << "<br>"
    << (r.profile_file.empty() ? std::string("built-in default profile")
                               : code(r.profile_file) + " SHA-256 " + code(r.profile_sha256))
    << "</td></tr>\n"
    << "<tr><th>Assertions</th><td>"
    << (r.assertions_file.empty() ? std::string("none (--assert not given)")
                                  : code(r.assertions_file) + " SHA-256 " + code(r.assertions_sha256))
    << "</td></tr>\n"
    << "<tr><th>Failure threshold</th><td>" << code(r.fail_on) << "</td></tr>\n";
  if (!r.git.commit.empty())
    o << "<tr><th>Git checkout</th><td>commit " << code(r.git.commit)
      << (r.git.branch.empty() ? "" : " on branch " + code(r.git.branch))
      << (r.git.remote_url.empty() ? "" : "<br>remote " + code(r.git.remote_url)) << "<br>root " << code(r.git.root)
      << "</td></tr>\n";
  o << "</tbody></table>\n";
  const bool fold = r.files.size() > kListCap;
  o << (fold ? "<details class=\"files\"><summary><b>" : "<h3>") << "Input files (" << r.files.size() << ")"
    << (fold ? "</b></summary>\n" : "</h3>\n")
    << "<table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>\n";
  for (const AuditFile& f : r.files)
    o << "<tr><td class=\"mono\">" << esc(f.path) << "</td><td>" << f.bytes << "</td><td class=\"mono\">"
      << (f.sha256.empty() ? "could not be re-read" : esc(f.sha256)) << "</td></tr>\n";
  o << "</tbody></table>\n" << (fold ? "</details>\n" : "") << "</section>\n";
}

// Each item through esc(), joined with `sep`.
std::string escaped(const std::vector<std::string>& items, const char* sep) {
  std::vector<std::string> out;
  for (const std::string& s : items) out.push_back(esc(s));
  return join(out, sep);
}

void regulated_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"regulated\">\n<h2>2. Regulated namespaces</h2>\n<p>Selection rules:</p>\n<ul>\n";
  if (r.regulation_rules.empty()) o << "<li>none</li>\n";
  for (const std::string& rule : r.regulation_rules) o << "<li>" << esc(rule) << "</li>\n";
  o << "</ul>\n<table><thead><tr><th>Namespace</th><th>Selected by</th><th>In the input</th><th>Workloads</th>"
    << "</tr></thead><tbody>\n";
  if (r.regulated.empty()) o << "<tr><td colspan=\"4\">No namespace is regulated.</td></tr>\n";
  for (const RegulatedNamespace& n : r.regulated)
    o << "<tr><td>" << code(n.name) << "</td><td>" << escaped(n.selected_by, "<br>") << "</td><td>"
      << (n.in_input ? "yes" : "<b>no</b>") << "</td><td>" << n.workloads << "</td></tr>\n";
  o << "</tbody></table>\n</section>\n";
}

// A count that opens to the list ("12 resources" folded over their names): short lists are written out.
void folded_list(std::ostream& o, const std::string& count, const std::vector<std::string>& items) {
  if (items.size() <= 3) {
    o << count << ": " << escaped(items, ", ");
    return;
  }
  o << "<details class=\"list\"><summary>" << esc(count) << "</summary><ul>";
  for (const std::string& item : items) o << "<li>" << esc(item) << "</li>";
  o << "</ul></details>";
}

// One row of a control's evidence table: the check, what it examined, links to what it found.
void evidence_row(std::ostream& o, const AuditReport& r, const CheckEvidence& e) {
  o << "<tr><td>" << token(e.check);
  if (!e.summary.empty()) o << "<br><span class=\"small meta\">" << esc(e.summary) << "</span>";
  o << "</td><td class=\"small\">";
  if (!e.available)
    o << "<b>not available in this build</b>: no evidence";
  else if (!e.examined())
    o << "<b>nothing to examine in the input</b>: no evidence";
  else if (e.subjects.empty())
    o << "nothing in scope";
  else
    folded_list(o, std::to_string(e.subjects.size()) + (e.subjects.size() == 1 ? " resource" : " resources"),
                e.subjects);
  o << "</td><td>";
  if (e.findings.empty()) o << (e.available ? "none" : "&mdash;");
  for (size_t i = 0; i < e.findings.size(); ++i) {
    const AuditFinding& af = r.findings[e.findings[i]];
    o << (i ? ", " : "") << "<a href=\"#" << af.number << "\">" << af.number << "</a>";
    if (!af.finding.suppression.empty()) o << " (suppressed)";
  }
  o << "</td></tr>\n";
}

void controls_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"controls\">\n<h2>3. Controls</h2>\n";
  if (r.controls.empty()) o << "<p>The profile defines no controls.</p>\n";
  for (const ControlResult& c : r.controls) {
    const char* st = audit::to_string(c.status);
    o << "<div class=\"card " << st << "\" id=\"control-" << esc(c.id) << "\">\n<h3>" << badge(st, st) << " "
      << esc(c.id) << " &mdash; " << esc(c.title) << "</h3>\n";
    if (!c.reference.empty()) o << "<p class=\"meta\">" << esc(c.reference) << "</p>\n";
    o << "<p>" << esc(c.note)
      << ".</p>\n<table class=\"keep\"><thead><tr><th>Check</th><th>Examined</th><th>Findings</th></tr>"
      << "</thead><tbody>\n";
    for (const CheckEvidence& e : c.evidence) evidence_row(o, r, e);
    o << "</tbody></table>\n</div>\n";
  }
  o << "</section>\n";
}

void finding_card(std::ostream& o, const AuditFinding& af) {
  const Finding& f = af.finding;
  const char* sev = to_string(f.severity);
  o << "<div class=\"card\" id=\"" << af.number << "\">\n<p><b>" << af.number << "</b> " << badge(sev, sev) << " "
    << token(f.check) << " " << esc(f.resource.display()) << " &middot; <span class=\"mono\">" << esc(af.location)
    << "</span>";
  if (!f.suppression.empty()) o << " " << badge("suppressed", "suppressed");
  o << "</p>\n<p>" << esc(f.message) << "</p>\n";
  if (!f.help.empty()) o << "<p class=\"small\"><b>Fix:</b> " << esc(f.help) << "</p>\n";
  if (!f.suppression.empty()) o << "<p class=\"small\"><b>Suppressed:</b> " << esc(f.suppression) << "</p>\n";
  if (!af.controls.empty()) {
    o << "<p class=\"small\"><b>Controls:</b> ";
    for (size_t i = 0; i < af.controls.size(); ++i)
      o << (i ? ", " : "") << "<a href=\"#control-" << esc(af.controls[i]) << "\">" << esc(af.controls[i]) << "</a>";
    o << "</p>\n";
  }
  if (f.witness) {
    o << "<table class=\"witness\"><thead><tr><th colspan=\"2\">Witness request</th></tr></thead><tbody>\n";
    for (const auto& [k, v] : witness_fields(*f.witness))
      o << "<tr><th>" << esc(k) << "</th><td>" << (k == "Reproduce" ? code(v) : esc(v)) << "</td></tr>\n";
    o << "</tbody></table>\n";
  }
  if (!f.related.empty()) {
    o << "<ul class=\"small\">\n";
    for (size_t i = 0; i < f.related.size(); ++i)
      o << "<li><span class=\"mono\">" << esc(af.related_locations[i]) << "</span>: " << esc(f.related[i].message)
        << "</li>\n";
    o << "</ul>\n";
  }
  o << "<p class=\"small meta\">fingerprint <span class=\"mono\">" << esc(f.fingerprint) << "</span></p>\n</div>\n";
}

// Links to findings by index ("F3, F7"), or "" when there are none.
std::string finding_links(const AuditReport& r, const std::vector<size_t>& indexes) {
  std::string out;
  for (size_t i : indexes) {
    const std::string& n = r.findings[i].number;
    out += (out.empty() ? "" : ", ") + ("<a href=\"#" + n + "\">" + n + "</a>");
  }
  return out;
}

std::string group_anchor(const std::string& control) {
  return "findings-" + (control.empty() ? std::string("unmapped") : control);
}

// "164.312(b) — Activity ..." for a control id, "Not mapped to a control" for "".
std::string group_title(const AuditReport& r, const std::string& control) {
  if (control.empty()) return "Not mapped to a control";
  for (const ControlResult& c : r.controls)
    if (c.id == control) return c.id + " \u2014 " + c.title;
  return control;
}

// Counts per control and severity, each linking to its group below.
void findings_overview(std::ostream& o, const AuditReport& r) {
  o << "<table class=\"keep\"><thead><tr><th>Control</th><th>error</th><th>warning</th><th>note</th>"
    << "<th>Also bear on it</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < r.finding_groups.size();) {
    const std::string control = r.finding_groups[i].control;
    std::array<size_t, 3> count{};
    size_t see_also = 0;
    for (; i < r.finding_groups.size() && r.finding_groups[i].control == control; ++i) {
      count[static_cast<size_t>(r.finding_groups[i].severity)] += r.finding_groups[i].findings.size();
      see_also += r.finding_groups[i].see_also.size();
    }
    o << "<tr><td><a href=\"#" << esc(group_anchor(control)) << "\">" << esc(group_title(r, control)) << "</a></td>";
    for (size_t sev : {2, 1, 0}) o << "<td>" << count[sev] << "</td>";
    o << "<td>" << see_also << "</td></tr>\n";
  }
  o << "</tbody></table>\n";
}

void findings_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"findings\">\n<h2>4. Findings (" << r.findings.size() << ")</h2>\n";
  if (r.findings.empty()) {
    o << "<p>No findings.</p>\n</section>\n";
    return;
  }
  o << "<p>Grouped by control, in the profile's order, and by severity. A finding that several controls map is "
       "listed under the first and referred to by the others.</p>\n";
  findings_overview(o, r);
  const std::string* current = nullptr;
  for (const audit::FindingGroup& g : r.finding_groups) {
    if (!current || *current != g.control) {
      o << "<h3 class=\"group\" id=\"" << esc(group_anchor(g.control)) << "\">" << esc(group_title(r, g.control))
        << "</h3>\n";
      current = &g.control;
    }
    const char* sev = to_string(g.severity);
    o << "<p>" << badge(sev, sev) << " " << g.findings.size() << (g.findings.size() == 1 ? " finding" : " findings");
    if (!g.see_also.empty()) o << "; also bear on this control: " << finding_links(r, g.see_also);
    o << "</p>\n";
    for (size_t i : g.findings) finding_card(o, r.findings[i]);
  }
  o << "</section>\n";
}

std::string data_plane_text(const MtlsRow& m) {
  if (m.data_plane.empty()) return "&mdash;";
  return esc(m.data_plane) + (m.data_plane_assumed ? " <i>(assumed)</i>" : "");
}

void mtls_table(std::ostream& o, const AuditReport& r) {
  o << "<table><thead><tr><th>Workload</th><th>Data plane</th><th>Port</th><th>Protocol</th><th>Mode</th>"
       "<th>Level</th><th>Decided by</th></tr></thead><tbody>\n";
  if (r.mtls.empty()) o << "<tr><td colspan=\"7\">No regulated workload.</td></tr>\n";
  for (const MtlsRow& m : r.mtls) {
    o << "<tr><td>" << esc(m.workload) << " <span class=\"small meta\">" << esc(m.workload_kind) << "</span></td><td>"
      << data_plane_text(m) << "</td><td>" << esc(m.port) << (m.port_name.empty() ? "" : " (" + esc(m.port_name) + ")")
      << "</td><td>" << (m.protocol.empty() ? std::string("&mdash;") : esc(m.protocol)) << "</td><td>"
      << badge(m.strict ? "pass" : "fail", m.mode) << "</td><td>" << esc(m.level) << "</td><td>"
      << (m.decided_by.empty() ? std::string("Istio default (no PeerAuthentication)") : esc(m.decided_by))
      << (m.decided_at.empty() ? "" : "<br><span class=\"mono small\">" + esc(m.decided_at) + "</span>")
      << "</td></tr>\n";
  }
  o << "</tbody></table>\n";
}

void mtls_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"mtls\">\n<h2>5. Effective mTLS of regulated workloads</h2>\n"
    << "<p>Every regulated workload &times; port, with the mode Istio applies and the PeerAuthentication that decides "
       "it (most specific level wins; UNSET inherits; no policy means PERMISSIVE). A workload without an Istio proxy "
       "accepts plaintext whatever PeerAuthentication says. A data plane marked <i>assumed</i> is not stated by the "
       "input (--data-plane decided it).</p>\n";
  if (!r.mtls_coverage.empty()) {
    o << "<h3>Coverage per namespace</h3>\n<div class=\"matrix\">\n" << mtls_coverage_svg(r) << "</div>\n";
  }
  const size_t not_strict =
      static_cast<size_t>(std::count_if(r.mtls.begin(), r.mtls.end(), [](const MtlsRow& m) { return !m.strict; }));
  const bool fold = r.mtls.size() > 2 * kListCap;
  if (fold)
    o << "<details class=\"mtls\"><summary><b>" << r.mtls.size() << " workload ports</b>, " << not_strict
      << " not STRICT</summary>\n";
  mtls_table(o, r);
  if (fold) o << "</details>\n";
  o << "</section>\n";
}

// The callers of one row, one per line: "identity (some requests) via rule; rule", and the findings that bear
// on each.
void callers_cell(std::ostream& o, const AuditReport& r, const AccessRow& row) {
  const AccessMatrix& m = r.access;
  bool any = false;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const AccessCell& c = row.cells[i];
    if (c.kind == AccessKind::None) continue;
    o << (any ? "<br>" : "") << esc(m.columns[i])
      << (c.kind == AccessKind::Conditional ? " <i>(some requests)</i>" : "") << " <span class=\"meta\">via "
      << esc(join(c.via, "; ")) << "</span>";
    if (!c.findings.empty()) o << " &middot; " << finding_links(r, c.findings);
    any = true;
  }
  if (!any) o << "nobody (every request is denied)";
}

void access_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"access\">\n<h2>6. Who may call regulated workloads</h2>\n<p class=\"small\"><b>How this is "
       "derived:</b> "
    << esc(r.access.approximation) << "</p>\n";
  if (r.access.rows.empty()) {
    o << "<p>No regulated workload.</p>\n";
  } else {
    o << "<div class=\"matrix\">\n" << access_svg(r) << access_legend_html(r.access) << "</div>\n";
    o << "<table><thead><tr><th>Workload</th><th>Callers</th><th>Notes</th><th>Findings</th></tr></thead><tbody>\n";
    for (const AccessRow& row : r.access.rows) {
      o << "<tr><td>" << esc(row.workload) << "</td><td class=\"small\">";
      callers_cell(o, r, row);
      o << "</td><td class=\"small\">" << escaped(row.notes, "<br>") << "</td><td class=\"small\">"
        << (row.findings.empty() ? std::string("&mdash;") : finding_links(r, row.findings)) << "</td></tr>\n";
    }
    o << "</tbody></table>\n";
  }
  o << "</section>\n";
}

void exceptions_section(std::ostream& o, const AuditReport& r) {
  o << "<section id=\"exceptions\">\n<h2>7. Exceptions</h2>\n";
  if (r.exceptions.empty()) {
    o << "<p>The profile records no exceptions.</p>\n";
  } else {
    o << "<table><thead><tr><th>Status</th><th>Check</th><th>Resource</th><th>Justification</th><th>Approver</th>"
      << "<th>Expires</th><th>Covers</th></tr></thead><tbody>\n";
    for (const ExceptionRow& e : r.exceptions) {
      std::string cls = e.status == "expired" ? "fail" : (e.status == "active" ? "pass" : "excepted");
      o << "<tr><td>" << badge(cls, e.status) << "</td><td>" << token(e.check) << "</td><td>" << esc(e.resource)
        << (e.port.empty() ? "" : " port " + esc(e.port))
        << (e.location.empty() ? "" : "<br><span class=\"mono small\">" + esc(e.location) + "</span>") << "</td><td>"
        << esc(e.justification) << "</td><td>" << esc(e.approver) << "</td><td class=\"nw\">"
        << (e.expires.empty() ? "never" : esc(e.expires)) << "</td><td class=\"nw\">" << e.covered
        << (e.covered == 1 ? " finding" : " findings") << "</td></tr>\n";
    }
    o << "</tbody></table>\n";
  }
  o << "</section>\n";
}

void limits_section(std::ostream& o) {
  o << "<section id=\"limits\">\n<h2>8. What this report does not prove</h2>\n<ul>\n";
  for (const std::string& l : audit_limits()) o << "<li>" << esc(l) << "</li>\n";
  o << "</ul>\n</section>\n";
}

}  // namespace

std::string format_audit_html(const AuditReport& r) {
  std::ostringstream o;
  head_and_summary(o, r);
  scope_section(o, r);
  regulated_section(o, r);
  controls_section(o, r);
  findings_section(o, r);
  mtls_section(o, r);
  access_section(o, r);
  exceptions_section(o, r);
  limits_section(o);
  o << "</body>\n</html>\n";
  return o.str();
}

}  // namespace meshproof::report
