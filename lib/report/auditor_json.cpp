// The auditor report as JSON (docs/reports.md, "Formats"): the model's data for tools, one object per
// section. Findings use the keys of `check -o json` plus `number` and `controls`.
#include <map>

#include <nlohmann/json.hpp>

#include "report/auditor.h"
#include "report/json_internal.h"
#include "report/report.h"

namespace meshproof::report {

namespace {

using nlohmann::json;

// A string that may be absent: null when empty.
json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json scope_json(const AuditReport& r) {
  json scope;
  scope["tool"] = {{"name", "meshproof"}, {"version", r.tool_version}};
  scope["z3_version"] = r.z3_version;
  scope["exception_date"] = r.today;
  scope["fail_on"] = r.fail_on;
  scope["profile"] = {{"name", r.profile_name},
                      {"title", r.profile_title},
                      {"file", or_null(r.profile_file)},
                      {"sha256", or_null(r.profile_sha256)}};
  json files = json::array();
  for (const AuditFile& f : r.files)
    files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", or_null(f.sha256)}});
  scope["files"] = files;
  // Only in a git checkout, so that a report outside one stays as it was.
  if (!r.git.commit.empty())
    scope["git"] = {{"root", r.git.root},
                    {"commit", r.git.commit},
                    {"branch", or_null(r.git.branch)},
                    {"remote_url", or_null(r.git.remote_url)}};
  scope["assertions"] =
      r.assertions_file.empty() ? json(nullptr) : json({{"file", r.assertions_file}, {"sha256", r.assertions_sha256}});
  return scope;
}

json regulated_json(const AuditReport& r) {
  json reg;
  reg["rules"] = r.regulation_rules;
  json nss = json::array();
  for (const RegulatedNamespace& n : r.regulated)
    nss.push_back(
        {{"name", n.name}, {"selected_by", n.selected_by}, {"in_input", n.in_input}, {"workloads", n.workloads}});
  reg["namespaces"] = nss;
  return reg;
}

json summary_json(const AuditReport& r) {
  json s = {{"errors", r.errors}, {"warnings", r.warnings_count}, {"notes", r.notes}, {"suppressed", r.suppressed}};
  std::map<std::string, size_t> by_status;
  for (const ControlResult& c : r.controls) ++by_status[audit::to_string(c.status)];
  s["controls"] = by_status;
  return s;
}

json controls_json(const AuditReport& r) {
  json controls = json::array();
  for (const ControlResult& c : r.controls) {
    json ev = json::array();
    for (const CheckEvidence& e : c.evidence) {
      json ids = json::array();
      for (size_t i : e.findings) ids.push_back(r.findings[i].number);
      ev.push_back({{"check", e.check},
                    {"available", e.available},
                    {"examined", e.examined()},
                    {"summary", e.summary},
                    {"subjects", e.subjects},
                    {"findings", ids}});
    }
    controls.push_back({{"id", c.id},
                        {"title", c.title},
                        {"reference", c.reference},
                        {"status", audit::to_string(c.status)},
                        {"note", c.note},
                        {"open", c.open},
                        {"excepted", c.excepted},
                        {"suppressed", c.suppressed},
                        {"observations", c.below},
                        {"evidence", ev}});
    // Only when there is one, so that a report without any stays as it was.
    if (c.missing_evidence) controls.back()["missing_evidence"] = c.missing;
    if (!c.not_examined.empty()) controls.back()["not_examined"] = c.not_examined;
    if (!c.unavailable.empty()) controls.back()["unavailable"] = c.unavailable;
    if (c.inconclusive) {
      controls.back()["inconclusive"] = c.inconclusive;
      controls.back()["unproved"] = c.unproved;
    }
  }
  return controls;
}

json finding_json(const AuditFinding& af) {
  const Finding& f = af.finding;
  json o;
  o["number"] = af.number;
  o["check"] = f.check;
  o["id"] = f.id;
  o["severity"] = to_string(f.severity);
  o["message"] = f.message;
  if (!f.help.empty()) o["help"] = f.help;
  o["resource"] = {{"kind", f.resource.kind}, {"namespace", f.resource.ns}, {"name", f.resource.name}};
  o["location"] = af.location;
  if (f.witness) o["witness"] = witness_to_json(*f.witness);
  json rel = json::array();
  for (size_t i = 0; i < f.related.size(); ++i)
    rel.push_back({{"message", f.related[i].message}, {"location", af.related_locations[i]}});
  if (!rel.empty()) o["related"] = rel;
  if (!f.properties.empty()) o["properties"] = f.properties;
  o["suppression"] = or_null(f.suppression);
  o["controls"] = af.controls;
  o["fingerprint"] = f.fingerprint;
  return o;
}

json mtls_json(const AuditReport& r) {
  json mt = json::array();
  for (const MtlsRow& m : r.mtls)
    mt.push_back({{"workload", m.workload},
                  {"workload_kind", m.workload_kind},
                  {"port", m.port},
                  {"port_name", m.port_name},
                  {"protocol", m.protocol},
                  {"mode", m.mode},
                  {"level", m.level},
                  {"decided_by", or_null(m.decided_by)},
                  {"decided_at", or_null(m.decided_at)},
                  {"strict", m.strict},
                  {"data_plane", m.data_plane},
                  {"data_plane_assumed", m.data_plane_assumed}});
  return mt;
}

json mtls_coverage_json(const AuditReport& r) {
  json cov = json::array();
  for (const audit::MtlsCoverage& c : r.mtls_coverage)
    cov.push_back(
        {{"namespace", c.ns},
         {"ports",
          {{"strict", c.strict}, {"permissive", c.permissive}, {"disable", c.disable}, {"no_proxy", c.no_proxy}}},
         {"workloads",
          {{"sidecar", c.sidecar},
           {"ambient", c.ambient},
           {"gateway", c.gateway},
           {"none", c.none},
           {"assumed", c.assumed}}}});
  return cov;
}

// Finding numbers ("F3") of indexes into AuditReport::findings.
json numbers(const AuditReport& r, const std::vector<size_t>& indexes) {
  json out = json::array();
  for (size_t i : indexes) out.push_back(r.findings[i].number);
  return out;
}

json finding_groups_json(const AuditReport& r) {
  json groups = json::array();
  for (const audit::FindingGroup& g : r.finding_groups)
    groups.push_back({{"control", or_null(g.control)},
                      {"severity", to_string(g.severity)},
                      {"findings", numbers(r, g.findings)},
                      {"see_also", numbers(r, g.see_also)}});
  return groups;
}

json access_json(const AuditReport& r) {
  const AccessMatrix& m = r.access;
  json acc;
  acc["approximation"] = m.approximation;
  acc["columns"] = m.columns;
  json rows = json::array();
  for (const AccessRow& row : m.rows) {
    json callers = json::array();
    for (size_t i = 0; i < row.cells.size(); ++i) {
      const AccessCell& c = row.cells[i];
      if (c.kind == AccessKind::None) continue;
      callers.push_back({{"identity", m.columns[i]},
                         {"access", c.kind == AccessKind::Allowed ? "allowed" : "conditional"},
                         {"via", c.via},
                         {"basis", audit::to_string(c.basis)},
                         {"findings", numbers(r, c.findings)}});
    }
    rows.push_back({{"workload", row.workload},
                    {"workload_kind", row.workload_kind},
                    {"callers", callers},
                    {"notes", row.notes},
                    {"findings", numbers(r, row.findings)}});
  }
  acc["rows"] = rows;
  return acc;
}

json exceptions_json(const AuditReport& r) {
  json ex = json::array();
  for (const ExceptionRow& e : r.exceptions)
    ex.push_back({{"check", e.check},
                  {"resource", e.resource},
                  {"port", or_null(e.port)},
                  {"justification", e.justification},
                  {"approver", e.approver},
                  {"expires", or_null(e.expires)},
                  {"status", e.status},
                  {"location", e.location},
                  {"covered_findings", e.covered}});
  return ex;
}

}  // namespace

std::string format_audit_json(const AuditReport& r) {
  json j;
  j["meshproof_report"] = 1;
  j["generated_at"] = r.generated_at;
  j["result"] = r.result;
  j["scope"] = scope_json(r);
  j["warnings"] = r.warnings;
  if (!r.not_analyzed.empty()) j["not_analyzed"] = r.not_analyzed;  // only when there is one
  j["regulated"] = regulated_json(r);
  j["summary"] = summary_json(r);
  j["controls"] = controls_json(r);
  json findings = json::array();
  for (const AuditFinding& af : r.findings) findings.push_back(finding_json(af));
  j["findings"] = findings;
  j["finding_groups"] = finding_groups_json(r);
  j["mtls"] = mtls_json(r);
  j["mtls_coverage"] = mtls_coverage_json(r);
  j["access"] = access_json(r);
  j["exceptions"] = exceptions_json(r);
  j["limits"] = audit_limits();
  return j.dump(2) + "\n";
}

}  // namespace meshproof::report
