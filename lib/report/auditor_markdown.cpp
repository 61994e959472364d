// The auditor report in Markdown (GitHub-flavoured tables): the same sections as the HTML, for review in a
// pull request or a wiki. The access matrix is a table instead of a picture.
#include <sstream>

#include "base/text.h"
#include "report/auditor.h"
#include "report/auditor_render.h"

namespace meshproof::report {

// The auditor report's HTML writer (auditor_html.cpp) has sections of the same names; a namespace of its own
// keeps the two apart when a unity build compiles them in one translation unit.
namespace audit_markdown {
namespace {

// Text inside a table cell: no line breaks, pipes escaped; also neutralizes HTML that a renderer would
// interpret.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\n':
        out += "<br>";
        break;
      case '\r':
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Inline code that survives backticks in the value.
std::string code(const std::string& s) {
  if (s.empty()) return "";
  std::string fence = s.find('`') == std::string::npos ? "`" : "``";
  std::string inner = cell(s);
  return fence + (fence.size() > 1 ? " " + inner + " " : inner) + fence;
}

std::string text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '*' || c == '_' || c == '[' || c == ']' || c == '`')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
}

// Each item through cell(), joined with `sep`.
std::string cells(const std::vector<std::string>& items, const char* sep) {
  std::vector<std::string> escaped;
  for (const std::string& s : items) escaped.push_back(cell(s));
  return join(escaped, sep);
}

// "a, b, c, … and 12 more": at most kMarkdownListCap items of a list, each through cell(); the JSON has them all.
std::string capped(const std::vector<std::string>& items) {
  if (items.size() <= kMarkdownListCap) return cells(items, ", ");
  std::vector<std::string> head(items.begin(), items.begin() + kMarkdownListCap);
  return cells(head, ", ") + ", … and " + std::to_string(items.size() - kMarkdownListCap) + " more";
}

const char* status_mark(ControlStatus s) {
  switch (s) {
    case ControlStatus::Pass:
      return "PASS";
    case ControlStatus::Fail:
      return "FAIL";
    case ControlStatus::Excepted:
      return "EXCEPTED";
    case ControlStatus::Incomplete:
      return "INCOMPLETE";
    case ControlStatus::NoEvidence:
      return "NO EVIDENCE";
    case ControlStatus::Partial:
      return "PARTIAL";
  }
  return "";
}

void header_section(std::ostream& o, const AuditReport& r) {
  const std::string title = r.profile_title.empty() ? r.profile_name : r.profile_title;
  o << "# meshproof compliance report: " << text(title) << "\n\n";
  o << "Generated " << r.generated_at << " by meshproof " << r.tool_version << " (Z3 " << r.z3_version << "), profile "
    << code(r.profile_name) << ", threshold " << code(r.fail_on) << ".\n\n";
  o << "**Result: " << result_mark(r.result) << "** — " << result_sentence(r.result) << ".\n\n";
  const auto by_status = controls_by_status(r);
  o << "| Controls | Pass | Fail | Excepted | Incomplete | Partial | No evidence | Errors | Warnings | Notes | "
       "Suppressed |\n"
    << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    << "| " << r.controls.size() << " | " << by_status[0] << " | " << by_status[1] << " | " << by_status[2] << " | "
    << by_status[3] << " | " << by_status[5] << " | " << by_status[4] << " | " << r.errors << " | " << r.warnings_count
    << " | " << r.notes << " | " << r.suppressed << " |\n\n";
  for (const std::string& w : r.warnings) o << "> **Scope warning:** " << text(w) << "\n\n";
}

void scope_section(std::ostream& o, const AuditReport& r) {
  o << "## 1. Scope\n\n| | |\n|---|---|\n"
    << "| Tool | meshproof " << cell(r.tool_version) << " |\n"
    << "| Z3 | " << cell(r.z3_version) << " |\n"
    << "| Generated | " << cell(r.generated_at) << " |\n"
    << "| Exception date | " << cell(r.today) << " |\n"
    << "| Profile | " << code(r.profile_name) << (r.profile_title.empty() ? "" : " — " + cell(r.profile_title))
    << (r.profile_file.empty() ? std::string(" (built-in default)")
                               : "<br>" + code(r.profile_file) + " SHA-256 " + code(r.profile_sha256))
    << " |\n"
    << "| Assertions | "
    << (r.assertions_file.empty() ? std::string("none (--assert not given)")
                                  : code(r.assertions_file) + " SHA-256 " + code(r.assertions_sha256))
    << " |\n"
    << "| Failure threshold | " << code(r.fail_on) << " |\n";
  if (!r.git.commit.empty())
    o << "| Git checkout | commit " << code(r.git.commit)
      << (r.git.branch.empty() ? "" : " on branch " + code(r.git.branch))
      << (r.git.remote_url.empty() ? "" : "<br>remote " + code(r.git.remote_url)) << "<br>root " << code(r.git.root)
      << " |\n";
  o << "\n";
  o << "### Input files (" << r.files.size() << ")\n\n| File | Bytes | SHA-256 |\n|---|---:|---|\n";
  for (const AuditFile& f : r.files)
    o << "| " << code(f.path) << " | " << f.bytes << " | "
      << (f.sha256.empty() ? std::string("could not be re-read") : code(f.sha256)) << " |\n";
  o << "\n";
}

void regulated_section(std::ostream& o, const AuditReport& r) {
  o << "## 2. Regulated namespaces\n\nSelection rules:\n\n";
  if (r.regulation_rules.empty()) o << "- none\n";
  for (const std::string& rule : r.regulation_rules) o << "- " << text(rule) << "\n";
  o << "\n| Namespace | Selected by | In the input | Workloads |\n|---|---|---|---:|\n";
  if (r.regulated.empty()) o << "| — | No namespace is regulated. | | |\n";
  for (const RegulatedNamespace& n : r.regulated)
    o << "| " << code(n.name) << " | " << cells(n.selected_by, "<br>") << " | " << (n.in_input ? "yes" : "**no**")
      << " | " << n.workloads << " |\n";
  o << "\n";
}

// One row of a control's evidence table: the check, what it examined, what it found.
void evidence_row(std::ostream& o, const AuditReport& r, const CheckEvidence& e) {
  std::string examined;
  if (!e.available) {
    examined = "**not available in this build**: no evidence";
  } else if (!e.examined()) {
    examined = "**nothing to examine in the input**: no evidence";
  } else if (e.subjects.empty()) {
    examined = "nothing in scope";
  } else {
    examined = std::to_string(e.subjects.size()) + (e.subjects.size() == 1 ? " resource: " : " resources: ") +
               capped(e.subjects);
  }
  std::vector<std::string> numbers;
  for (size_t i : e.findings) {
    const AuditFinding& af = r.findings[i];
    numbers.push_back(af.number + (af.finding.suppression.empty() ? "" : " (suppressed)"));
  }
  std::string fs = join(numbers, ", ");
  if (fs.empty()) fs = e.available ? "none" : "—";
  o << "| " << code(e.check) << " | " << examined << " | " << fs << " |\n";
}

void controls_section(std::ostream& o, const AuditReport& r) {
  o << "## 3. Controls\n\n";
  if (r.controls.empty()) o << "The profile defines no controls.\n\n";
  for (const ControlResult& c : r.controls) {
    o << "### " << status_mark(c.status) << " — " << text(c.id) << ": " << text(c.title) << "\n\n";
    if (!c.reference.empty()) o << "*" << text(c.reference) << "*\n\n";
    o << text(c.note) << ".\n\n| Check | Examined | Findings |\n|---|---|---|\n";
    for (const CheckEvidence& e : c.evidence) evidence_row(o, r, e);
    o << "\n";
  }
}

void finding(std::ostream& o, const AuditFinding& af) {
  const Finding& f = af.finding;
  o << "### " << af.number << " " << to_string(f.severity) << " `" << f.check << "` " << text(f.resource.display())
    << (f.suppression.empty() ? "" : " (suppressed)") << "\n\n";
  o << code(af.location) << "\n\n" << text(f.message) << "\n\n";
  if (!f.help.empty()) o << "**Fix:** " << text(f.help) << "\n\n";
  if (!f.suppression.empty()) o << "**Suppressed:** " << text(f.suppression) << "\n\n";
  if (!af.controls.empty()) {
    o << "**Controls:** ";
    for (size_t i = 0; i < af.controls.size(); ++i) o << (i ? ", " : "") << text(af.controls[i]);
    o << "\n\n";
  }
  if (f.witness) {
    o << "| Witness request | |\n|---|---|\n";
    for (const auto& [k, v] : witness_fields(*f.witness))
      o << "| " << k << " | " << (k == "Reproduce" ? code(v) : cell(v)) << " |\n";
    o << "\n";
  }
  for (size_t i = 0; i < f.related.size(); ++i)
    o << "- " << code(af.related_locations[i]) << ": " << text(f.related[i].message) << "\n";
  if (!f.related.empty()) o << "\n";
  o << "Fingerprint " << code(f.fingerprint) << "\n\n";
}

std::string group_title(const AuditReport& r, const std::string& control) {
  if (control.empty()) return "Not mapped to a control";
  for (const ControlResult& c : r.controls)
    if (c.id == control) return c.id + ": " + c.title;
  return control;
}

std::string numbers(const AuditReport& r, const std::vector<size_t>& indexes) {
  std::vector<std::string> out;
  for (size_t i : indexes) out.push_back(r.findings[i].number);
  return join(out, ", ");
}

void findings_section(std::ostream& o, const AuditReport& r) {
  o << "## 4. Findings (" << r.findings.size() << ")\n\n";
  if (r.findings.empty()) {
    o << "No findings.\n\n";
    return;
  }
  o << "Grouped by control, in the profile's order, and by severity. A finding that several controls map is listed "
       "under the first and referred to by the others.\n\n";
  const std::string* current = nullptr;
  for (const audit::FindingGroup& g : r.finding_groups) {
    if (!current || *current != g.control) {
      o << "### " << text(group_title(r, g.control)) << "\n\n";
      current = &g.control;
    }
    o << "#### " << to_string(g.severity) << " (" << g.findings.size() << ")\n\n";
    if (!g.see_also.empty()) o << "Also bear on this control: " << numbers(r, g.see_also) << ".\n\n";
    for (size_t i : g.findings) finding(o, r.findings[i]);
  }
}

void mtls_coverage_table(std::ostream& o, const AuditReport& r) {
  o << "| Namespace | Ports | STRICT | PERMISSIVE | DISABLE | No proxy | Workloads by data plane |\n"
    << "|---|---:|---:|---:|---:|---:|---|\n";
  for (const audit::MtlsCoverage& c : r.mtls_coverage) {
    auto share = [&](size_t n) {
      return std::to_string(n) + " (" + std::to_string((n * 100 + c.ports() / 2) / c.ports()) + "%)";
    };
    std::vector<std::string> planes;
    for (auto [n, what] : {std::pair{c.sidecar, "sidecar"}, std::pair{c.ambient, "ambient"},
                           std::pair{c.gateway, "gateway"}, std::pair{c.none, "no proxy"}})
      if (n) planes.push_back(std::to_string(n) + " " + what);
    std::string plane_text = join(planes, ", ");
    if (c.assumed) plane_text += " (" + std::to_string(c.assumed) + " assumed)";
    o << "| " << code(c.ns) << " | " << c.ports() << " | " << share(c.strict) << " | " << share(c.permissive) << " | "
      << share(c.disable) << " | " << share(c.no_proxy) << " | " << plane_text << " |\n";
  }
  o << "\n";
}

void mtls_section(std::ostream& o, const AuditReport& r) {
  o << "## 5. Effective mTLS of regulated workloads\n\n";
  if (!r.mtls_coverage.empty()) mtls_coverage_table(o, r);
  o << "| Workload | Data plane | Port | Protocol | Mode | Level | Decided by |\n|---|---|---|---|---|---|---|\n";
  if (r.mtls.empty()) o << "| — | | | | | | No regulated workload. |\n";
  for (const MtlsRow& m : r.mtls)
    o << "| " << cell(m.workload) << " (" << cell(m.workload_kind) << ") | " << cell(m.data_plane)
      << (m.data_plane_assumed ? " *(assumed)*" : "") << " | " << cell(m.port)
      << (m.port_name.empty() ? "" : " (" + cell(m.port_name) + ")") << " | " << cell(m.protocol) << " | "
      << (m.strict ? "" : "**") << cell(m.mode) << (m.strict ? "" : "**") << " | " << cell(m.level) << " | "
      << (m.decided_by.empty() ? std::string("Istio default (no PeerAuthentication)") : cell(m.decided_by))
      << (m.decided_at.empty() ? "" : " " + code(m.decided_at)) << " |\n";
  o << "\n";
}

// "identity *(some requests)* — via rule; rule" for each cell that admits someone, one per line.
std::string callers_cell(const AuditReport& r, const AccessRow& row) {
  const AccessMatrix& m = r.access;
  std::vector<std::string> callers;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const AccessCell& c = row.cells[i];
    if (c.kind == AccessKind::None) continue;
    callers.push_back(cell(m.columns[i]) + (c.kind == AccessKind::Conditional ? " *(some requests)*" : "") + " — via " +
                      cell(join(c.via, "; ")) + (c.findings.empty() ? "" : " (" + numbers(r, c.findings) + ")"));
  }
  return callers.empty() ? "nobody (every request is denied)" : join(callers, "<br>");
}

void access_section(std::ostream& o, const AuditReport& r) {
  o << "## 6. Who may call regulated workloads\n\n*How this is derived:* " << text(r.access.approximation) << "\n\n";
  if (r.access.rows.empty()) {
    o << "No regulated workload.\n\n";
    return;
  }
  o << "A caller is listed when an ALLOW rule admits it (*some requests*: only with conditions), when no enforced "
       "ALLOW policy applies to the workload (every request no DENY policy stops is allowed), or when the workload "
       "has no Istio proxy (nothing is enforced); the notes say which. Numbers in parentheses are the findings that "
       "bear on the caller.\n\n";
  o << "| Workload | Callers | Notes | Findings |\n|---|---|---|---|\n";
  for (const AccessRow& row : r.access.rows)
    o << "| " << cell(row.workload) << " | " << callers_cell(r, row) << " | " << cells(row.notes, "<br>") << " | "
      << (row.findings.empty() ? std::string("—") : numbers(r, row.findings)) << " |\n";
  o << "\n";
}

void exceptions_section(std::ostream& o, const AuditReport& r) {
  o << "## 7. Exceptions\n\n";
  if (r.exceptions.empty()) {
    o << "The profile records no exceptions.\n\n";
    return;
  }
  o << "| Status | Check | Resource | Justification | Approver | Expires | Covers |\n|---|---|---|---|---|---|---:|\n";
  for (const ExceptionRow& e : r.exceptions)
    o << "| " << (e.status == "expired" ? "**expired**" : cell(e.status)) << " | " << code(e.check) << " | "
      << cell(e.resource) << (e.port.empty() ? "" : " port " + cell(e.port))
      << (e.location.empty() ? "" : " " + code(e.location)) << " | " << cell(e.justification) << " | "
      << cell(e.approver) << " | " << (e.expires.empty() ? std::string("never") : cell(e.expires)) << " | " << e.covered
      << " |\n";
  o << "\n";
}

void limits_section(std::ostream& o) {
  o << "## 8. What this report does not prove\n\n";
  for (const std::string& l : audit_limits()) o << "- " << text(l) << "\n";
}

}  // namespace
}  // namespace audit_markdown

std::string format_audit_markdown(const AuditReport& r) {
  std::ostringstream o;
  audit_markdown::header_section(o, r);
  audit_markdown::scope_section(o, r);
  audit_markdown::regulated_section(o, r);
  audit_markdown::controls_section(o, r);
  audit_markdown::findings_section(o, r);
  audit_markdown::mtls_section(o, r);
  audit_markdown::access_section(o, r);
  audit_markdown::exceptions_section(o, r);
  audit_markdown::limits_section(o);
  return o.str();
}

}  // namespace meshproof::report
