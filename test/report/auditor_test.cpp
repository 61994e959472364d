// The auditor report's data model and its three renderings, on test/fixtures/report/failing with a
// profile that has an expired and a valid exception (tests pin the date to 2026-06-01).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/sha256.h"
#include "report/auditor.h"
#include "report/auditor_render.h"
#include "run_fixture.h"

using namespace meshproof;
using report::AccessKind;
using report::ControlStatus;

namespace {

report::AuditOptions pinned(const test::AnalysisRun& run) {
  report::AuditOptions o;
  o.generated_at = "2026-06-01T08:00:00Z";
  o.tool_version = "0.1.0";
  o.z3_version = "4.8.12";
  o.cli_regulated = {};
  o.profile_file = run.profile_file;
  return o;
}

std::unique_ptr<test::AnalysisRun> failing_run() {
  return test::analyze({test::fixture("report/failing")}, test::fixture("report/profiles/expired.yaml"));
}

const report::ControlResult& control(const report::AuditReport& r, const std::string& id) {
  for (const auto& c : r.controls)
    if (c.id == id) return c;
  FAIL("no control " << id);
  throw std::logic_error("unreachable");
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

}  // namespace

TEST_CASE("auditor: scope lists every input file with its SHA-256, the profile and the versions") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  REQUIRE(rep.files.size() == 1);
  const std::string fixture = test::fixture("report/failing/payments.yaml");
  CHECK_THAT(rep.files[0].path, Catch::EndsWith("failing/payments.yaml"));
  CHECK(rep.files[0].sha256 == audit::sha256_hex(slurp(fixture)));
  CHECK(rep.files[0].bytes == slurp(fixture).size());
  CHECK_THAT(rep.profile_file, Catch::EndsWith("profiles/expired.yaml"));
  CHECK(rep.profile_sha256 == audit::sha256_hex(slurp(test::fixture("report/profiles/expired.yaml"))));
  CHECK(rep.profile_name == "test-expired");
  CHECK(rep.generated_at == "2026-06-01T08:00:00Z");
  CHECK(rep.z3_version == "4.8.12");
  CHECK(rep.today == "2026-06-01");
  CHECK(rep.result == "fail");
}

TEST_CASE("auditor: regulated namespaces say how they were selected") {
  auto run = test::analyze({test::fixture("report/failing")}, "", {"payments", "ghost"});
  report::AuditOptions o = pinned(*run);
  o.cli_regulated = {"payments", "ghost"};
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, o);
  REQUIRE(rep.regulated.size() == 2);
  const auto& ghost = rep.regulated[0];
  const auto& payments = rep.regulated[1];
  CHECK(ghost.name == "ghost");
  CHECK_FALSE(ghost.in_input);
  CHECK(payments.name == "payments");
  CHECK(payments.in_input);
  // The default profile's label selector and the command line both select payments.
  CHECK(payments.selected_by.size() == 2);
  CHECK_THAT(payments.selected_by[0], Catch::Contains("label compliance.meshproof.dev/regulated=true"));
  CHECK(payments.selected_by[1] == "--regulated payments");
  // A regulated namespace with nothing in the input is a scope warning.
  REQUIRE(!rep.warnings.empty());
  CHECK_THAT(rep.warnings[0], Catch::Contains("ghost") && Catch::Contains("no objects in the input"));
}

TEST_CASE("auditor: control status from its checks' findings, exceptions and availability") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const auto& t1 = control(rep, "T-1");  // mtls-not-strict: open findings (the API-port exception expired)
  CHECK(t1.status == ControlStatus::Fail);
  CHECK(t1.open >= 2);
  REQUIRE(t1.evidence.size() == 1);
  CHECK(t1.evidence[0].available);
  CHECK(!t1.evidence[0].findings.empty());
  const auto& t2 = control(rep, "T-2");  // no-default-deny: the only finding is under a valid exception
  CHECK(t2.status == ControlStatus::Excepted);
  CHECK(t2.open == 0);
  CHECK(t2.excepted == 1);
  const auto& t3 = control(rep, "T-3");  // selector-matches-nothing passes; literal-wildcard may be unbuilt
  CHECK(t3.open == 0);
  if (checks::find_check("literal-wildcard")) {
    CHECK(t3.status == (t3.evidence[1].examined() ? ControlStatus::Pass : ControlStatus::Partial));
  } else {
    CHECK(t3.status == ControlStatus::Partial);
    CHECK_THAT(t3.note, Catch::Contains("not available in this meshproof build"));
    CHECK_FALSE(t3.evidence[1].available);
    CHECK(t3.unavailable == std::vector<std::string>{"literal-wildcard"});
  }
  // Evidence lists what a check examined (Check::subjects).
  CHECK(std::find(t3.evidence[0].subjects.begin(), t3.evidence[0].subjects.end(),
                  "AuthorizationPolicy payments/allow-frontend") != t3.evidence[0].subjects.end());
}

TEST_CASE("auditor: the mTLS table names the mode, level and deciding PeerAuthentication") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const report::MtlsRow* api = nullptr;
  const report::MtlsRow* other = nullptr;
  for (const auto& m : rep.mtls) {
    if (m.workload == "payments/api" && m.port == "8080") api = &m;
    if (m.workload == "payments/*") other = &m;
  }
  REQUIRE(api);
  CHECK(api->mode == "PERMISSIVE");
  CHECK(api->level == "namespace");
  CHECK(api->decided_by == "PeerAuthentication payments/default");
  CHECK_THAT(api->decided_at, Catch::Contains("failing/payments.yaml:"));
  CHECK_FALSE(api->strict);
  REQUIRE(other);
  CHECK(other->mode == "PERMISSIVE");
}

TEST_CASE("auditor: the access matrix from ALLOW rules") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const auto& m = rep.access;
  REQUIRE(m.columns.size() >= 4);
  CHECK(m.columns[0] == "any caller");
  CHECK(m.columns[1] == "plaintext (no peer identity)");
  auto col = [&](const std::string& name) {
    auto it = std::find(m.columns.begin(), m.columns.end(), name);
    REQUIRE(it != m.columns.end());
    return static_cast<size_t>(it - m.columns.begin());
  };
  const report::AccessRow* api = nullptr;
  const report::AccessRow* other = nullptr;
  for (const auto& r : m.rows) {
    if (r.workload == "payments/api") api = &r;
    if (r.workload == "payments/*") other = &r;
  }
  REQUIRE(api);
  REQUIRE(other);
  // The frontend rule also restricts the method: conditional. The ops rule has no conditions.
  CHECK(api->cells[col("cluster.local/ns/web/sa/frontend")].kind == AccessKind::Conditional);
  CHECK(api->cells[col("ns:ops")].kind == AccessKind::Allowed);
  CHECK(api->cells[col("ns:ops")].via == std::vector<std::string>{"payments/allow-frontend rule 1"});
  CHECK(api->cells[0].kind == AccessKind::None);
  CHECK(api->cells[1].kind == AccessKind::None);  // identity rules never match plaintext
  // No ALLOW policy applies to other workloads: every caller, plaintext too (PERMISSIVE).
  CHECK(other->cells[0].kind == AccessKind::Allowed);
  CHECK(other->cells[1].kind == AccessKind::Allowed);
  CHECK(other->cells[col("ns:ops")].kind == AccessKind::None);
  CHECK_THAT(m.approximation, Catch::Contains("over-approximation"));
}

TEST_CASE("auditor: exceptions with status and what they cover") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  REQUIRE(rep.exceptions.size() == 2);
  CHECK(rep.exceptions[0].check == "mtls-not-strict");
  CHECK(rep.exceptions[0].status == "expired");
  CHECK(rep.exceptions[0].port == "8080");
  CHECK(rep.exceptions[0].covered == 0);
  CHECK_THAT(rep.exceptions[0].location, Catch::Contains("profiles/expired.yaml:"));
  CHECK(rep.exceptions[1].status == "active");
  CHECK(rep.exceptions[1].covered == 1);
  CHECK(rep.exceptions[1].approver == "Security lead");
}

TEST_CASE("auditor: renderings carry every section, are deterministic and self-contained") {
  auto run = failing_run();
  // A semantic finding with a witness, as the engine-backed checks produce them.
  Finding w;
  w.check = "plaintext-deny-bypass";
  w.id = "MP2005";
  w.severity = Severity::Error;
  w.message = "DENY policy payments/deny-ops does not stop plaintext callers";
  w.resource = {"AuthorizationPolicy", "payments", "deny-ops", {}, ""};
  w.fingerprint = "00112233445566778899aabbccddeeff";
  Witness wt;
  wt.mtls = false;
  wt.source_ip = "10.0.0.1";
  wt.destination = "payments/api";
  wt.port = 8080;
  wt.port_protocol = "HTTP";
  wt.method = "GET";
  wt.path = "/admin?<x>";
  wt.decision = "ALLOW";
  wt.reproduce = "meshproof query manifests/ --to payments/api --plaintext --path '/admin?<x>'";
  w.witness = wt;
  run->findings.push_back(w);

  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const std::string html = report::format_audit_html(rep);
  const std::string md = report::format_audit_markdown(rep);
  const std::string json = report::format_audit_json(rep);

  for (const std::string& id : report::audit_sections()) {
    INFO(id);
    CHECK_THAT(html, Catch::Contains("<section id=\"" + id + "\">"));
  }
  for (const char* h : {"## 1. Scope", "## 2. Regulated namespaces", "## 3. Controls", "## 4. Findings",
                        "## 5. Effective mTLS", "## 6. Who may call", "## 7. Exceptions", "## 8. What this report"})
    CHECK_THAT(md, Catch::Contains(h));
  auto j = nlohmann::json::parse(json);
  for (const char* k : {"scope", "regulated", "controls", "findings", "mtls", "access", "exceptions", "limits"})
    CHECK(j.contains(k));
  CHECK(j["generated_at"] == "2026-06-01T08:00:00Z");
  CHECK(j["scope"]["files"].size() == 1);

  // The witness and its reproducing command, escaped.
  CHECK_THAT(html, Catch::Contains("Witness request"));
  CHECK_THAT(html, Catch::Contains("plaintext (no peer identity)"));
  CHECK_THAT(html, Catch::Contains("--path &#39;/admin?&lt;x&gt;&#39;"));
  CHECK_THAT(md, Catch::Contains("| Reproduce | `meshproof query manifests/"));
  bool found = false;
  for (const auto& f : j["findings"])
    if (f["check"] == "plaintext-deny-bypass") {
      found = true;
      CHECK(f["witness"]["reproduce"] == wt.reproduce);
      CHECK(f["witness"]["mtls"] == false);
    }
  CHECK(found);

  // Self-contained: no scripts, no external stylesheets, fonts or images; nothing with a URL at all.
  CHECK_THAT(html, !Catch::Contains("<script"));
  CHECK_THAT(html, !Catch::Contains("<link"));
  CHECK_THAT(html, !Catch::Contains("<img"));
  CHECK_THAT(html, !Catch::Contains("@import"));
  CHECK_THAT(html, !Catch::Contains("http://"));
  CHECK_THAT(html, !Catch::Contains("https://"));
  CHECK_THAT(html, Catch::Contains("@media print"));
  CHECK_THAT(html, Catch::Contains("<svg "));
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));

  // Deterministic: the same input gives the same bytes.
  auto rep2 = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  CHECK(report::format_audit_html(rep2) == html);
  CHECK(report::format_audit_markdown(rep2) == md);
  CHECK(report::format_audit_json(rep2) == json);
}

TEST_CASE("auditor: no regulated namespace is a scope warning, not a silent pass") {
  auto run = test::analyze({test::fixture("report/passing")}, "", {});
  // The default profile's label selects payments; use an empty profile instead.
  profile::Profile empty;
  empty.name = "empty";
  empty.controls.push_back(profile::Control{"C-1", "Transport", "", {"mtls-not-strict"}, {}, {}});
  checks::Context ctx{run->input->sources, run->input->resources, run->input->mesh, empty, run->options, {}};
  auto findings = checks::run_checks(ctx);
  auto rep = report::build_audit_report(ctx, findings, run->summary, pinned(*run));
  REQUIRE(!rep.warnings.empty());
  CHECK_THAT(rep.warnings.back(), Catch::Contains("no namespace is regulated"));
  CHECK(rep.mtls.empty());
  CHECK(rep.access.rows.empty());
  // mtls-not-strict examined no workload: that is no evidence, not a pass.
  CHECK(rep.controls[0].status == ControlStatus::NoEvidence);
  CHECK(rep.controls[0].not_examined == std::vector<std::string>{"mtls-not-strict"});
}

namespace {

profile::Control make_control(const std::string& id, std::vector<std::string> checks) {
  profile::Control c;
  c.id = id;
  c.title = "Control " + id;
  c.checks = std::move(checks);
  return c;
}

// The report of `paths` under a profile made of `controls`, with payments regulated.
struct CustomRun {
  std::unique_ptr<test::AnalysisRun> run;
  profile::Profile profile;
  std::unique_ptr<checks::Context> ctx;
  std::vector<Finding> findings;
  report::AuditReport rep;
};

std::unique_ptr<CustomRun> custom_report(const std::string& path, std::vector<profile::Control> controls,
                                         report::AuditOptions extra = {}) {
  auto c = std::make_unique<CustomRun>();
  c->run = test::analyze({path}, "", {"payments"});
  c->profile.name = "custom";
  c->profile.controls = std::move(controls);
  c->ctx = std::make_unique<checks::Context>(checks::Context{c->run->input->sources, c->run->input->resources,
                                                             c->run->input->mesh, c->profile, c->run->options,
                                                             c->run->ctx->regulated});
  c->findings = checks::run_checks(*c->ctx);
  report::AuditOptions o = pinned(*c->run);
  o.git = extra.git;
  c->rep = report::build_audit_report(*c->ctx, c->findings, c->run->summary, o);
  return c;
}

}  // namespace

TEST_CASE("auditor: a control passes only with evidence, else partial or no evidence naming what is missing") {
  auto c = custom_report(
      test::fixture("report/failing"),
      {make_control("none", {}), make_control("vacuous", {"gateway-plaintext-listener", "gateway-weak-tls"}),
       make_control("partial", {"selector-matches-nothing", "gateway-weak-tls"}),
       make_control("pass", {"selector-matches-nothing"})});
  const auto& none = control(c->rep, "none");
  CHECK(none.status == ControlStatus::NoEvidence);
  CHECK_THAT(none.note, Catch::Contains("maps no check"));
  // No Gateway in the input: the gateway checks examined nothing, so they say nothing about the control.
  const auto& vacuous = control(c->rep, "vacuous");
  CHECK(vacuous.status == ControlStatus::NoEvidence);
  CHECK(vacuous.not_examined == std::vector<std::string>{"gateway-plaintext-listener", "gateway-weak-tls"});
  CHECK_THAT(vacuous.note, Catch::StartsWith("No evidence: gateway-plaintext-listener and gateway-weak-tls had "
                                             "nothing to examine in the input"));
  const auto& partial = control(c->rep, "partial");
  CHECK(partial.status == ControlStatus::Partial);
  CHECK(partial.not_examined == std::vector<std::string>{"gateway-weak-tls"});
  CHECK_THAT(partial.note, Catch::Contains("1 of its 2 checks examined the input") &&
                               Catch::Contains("gateway-weak-tls had nothing to examine"));
  CHECK(control(c->rep, "pass").status == ControlStatus::Pass);

  auto j = nlohmann::json::parse(report::format_audit_json(c->rep));
  CHECK(j["summary"]["controls"]["partial"] == 1);
  CHECK(j["summary"]["controls"]["no-evidence"] == 2);
  for (const auto& jc : j["controls"])
    if (jc["id"] == "partial") {
      CHECK(jc["status"] == "partial");
      CHECK(jc["not_examined"] == nlohmann::json::array({"gateway-weak-tls"}));
      CHECK(jc["evidence"][0]["examined"] == true);
      CHECK(jc["evidence"][1]["examined"] == false);
    }
  const std::string html = report::format_audit_html(c->rep);
  CHECK_THAT(html, Catch::Contains("nothing to examine in the input</b>: no evidence"));
  CHECK_THAT(report::format_audit_markdown(c->rep), Catch::Contains("### PARTIAL — partial"));
}

TEST_CASE("auditor: findings are grouped by control and severity, numbered in that order") {
  // no-default-deny maps to both controls: listed under the first, referred to by the second.
  auto c = custom_report(test::fixture("report/failing"), {make_control("A", {"no-default-deny"}),
                                                           make_control("B", {"mtls-not-strict", "no-default-deny"})});
  const auto& rep = c->rep;
  REQUIRE(rep.findings.size() >= 3);
  for (size_t i = 0; i < rep.findings.size(); ++i) CHECK(rep.findings[i].number == "F" + std::to_string(i + 1));
  REQUIRE(rep.finding_groups.size() >= 2);
  CHECK(rep.finding_groups[0].control == "A");
  CHECK(rep.findings[rep.finding_groups[0].findings[0]].finding.check == "no-default-deny");
  size_t listed = 0, last = 0;
  bool b_refers_to_a = false;
  for (const auto& g : rep.finding_groups) {
    for (size_t i : g.findings) {
      CHECK(i >= last);  // document order is number order
      last = i;
      ++listed;
    }
    if (g.control == "B")
      for (size_t i : g.see_also) b_refers_to_a |= rep.findings[i].finding.check == "no-default-deny";
  }
  CHECK(listed == rep.findings.size());  // each finding listed exactly once
  CHECK(b_refers_to_a);
  // Errors before warnings within a control.
  for (size_t k = 1; k < rep.finding_groups.size(); ++k)
    if (rep.finding_groups[k].control == rep.finding_groups[k - 1].control)
      CHECK(static_cast<int>(rep.finding_groups[k].severity) < static_cast<int>(rep.finding_groups[k - 1].severity));
  const std::string html = report::format_audit_html(rep);
  CHECK_THAT(html, Catch::Contains("<h3 class=\"group\" id=\"findings-A\">A \u2014 Control A</h3>"));
  CHECK(html.find("id=\"findings-A\"") < html.find("id=\"findings-B\""));
  CHECK_THAT(report::format_audit_markdown(rep), Catch::Contains("### B: Control B"));
}

TEST_CASE("auditor: mTLS coverage per namespace with each workload's data plane") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  REQUIRE(rep.mtls_coverage.size() == 1);
  const auto& cov = rep.mtls_coverage[0];
  CHECK(cov.ns == "payments");
  CHECK(cov.ports() == rep.mtls.size());
  CHECK(cov.permissive == rep.mtls.size());  // PeerAuthentication payments/default: PERMISSIVE
  CHECK(cov.strict == 0);
  CHECK(cov.no_proxy == 0);
  CHECK(cov.sidecar == 2);  // api and the namespace's other workloads (istio-injection: enabled)
  CHECK(cov.assumed == 0);
  for (const auto& m : rep.mtls) {
    CHECK(m.data_plane == "sidecar");
    CHECK_FALSE(m.data_plane_assumed);
  }
  const std::string html = report::format_audit_html(rep);
  CHECK_THAT(html, Catch::Contains("<svg class=\"chart\" id=\"mtls-chart\""));
  CHECK_THAT(html, Catch::Contains("payments: 2 of 2 workload ports PERMISSIVE (100%)"));
  CHECK_THAT(report::format_audit_markdown(rep),
             Catch::Contains("| `payments` | 2 | 0 (0%) | 2 (100%) | 0 (0%) | 0 (0%) | 2 sidecar |"));
  auto j = nlohmann::json::parse(report::format_audit_json(rep));
  CHECK(j["mtls_coverage"][0]["ports"]["permissive"] == 2);
  CHECK(j["mtls"][0]["data_plane"] == "sidecar");
}

TEST_CASE("auditor: the access legend names only the cell states that occur, and cells link their findings") {
  auto run = failing_run();
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const report::AccessRow* api = nullptr;
  const report::AccessRow* other = nullptr;
  for (const auto& r : rep.access.rows) {
    if (r.workload == "payments/api") api = &r;
    if (r.workload == "payments/*") other = &r;
  }
  REQUIRE(api);
  REQUIRE(other);
  // No ALLOW policy applies to the other workloads: not "allowed by an ALLOW rule".
  CHECK(other->cells[0].basis == report::AccessBasis::NoAllowPolicy);
  CHECK(api->cells[3].basis == report::AccessBasis::AllowRule);
  // The namespace's other workloads have a no-default-deny finding (excepted) and an mtls-not-strict one.
  REQUIRE_FALSE(other->findings.empty());
  CHECK(other->cells[0].findings == other->findings);
  bool transport = false;
  for (size_t i : other->cells[1].findings) transport |= rep.findings[i].finding.check == "mtls-not-strict";
  CHECK(transport);
  const std::string html = report::format_audit_html(rep);
  CHECK_THAT(html, Catch::Contains("no enforced ALLOW policy applies: allowed unless a DENY policy stops it"));
  CHECK_THAT(html, Catch::Contains("admitted by an ALLOW rule without conditions"));
  CHECK_THAT(html, !Catch::Contains("no Istio proxy: nothing is enforced"));  // no such cell here
  CHECK_THAT(html, !Catch::Contains("allowed by an ALLOW rule"));             // the old, wrong legend
  CHECK_THAT(html, Catch::Contains("<a href=\"#" + rep.findings[other->cells[0].findings[0]].number + "\"><rect"));
  auto j = nlohmann::json::parse(report::format_audit_json(rep));
  for (const auto& row : j["access"]["rows"])
    if (row["workload"] == "payments/*") {
      CHECK(row["callers"][0]["basis"] == "no-allow-policy");
      CHECK(!row["callers"][0]["findings"].empty());
    }
}

TEST_CASE("auditor: the scope names the git commit when given one, and nothing otherwise") {
  report::AuditOptions with_git;
  with_git.git = {"/src/mesh-config", "0123456789abcdef0123456789abcdef01234567", "main",
                  "git@example.com:org/mesh.git"};
  auto c = custom_report(test::fixture("report/failing"), {make_control("C", {"mtls-not-strict"})}, with_git);
  CHECK(c->rep.git.commit == "0123456789abcdef0123456789abcdef01234567");
  const std::string html = report::format_audit_html(c->rep);
  CHECK_THAT(html, Catch::Contains("<tr><th>Git checkout</th><td>commit <code>0123456789abcdef0123456789abcdef01234567"
                                   "</code> on branch <code>main</code>"));
  CHECK_THAT(report::format_audit_markdown(c->rep), Catch::Contains("| Git checkout | commit `0123456789abcdef"));
  auto j = nlohmann::json::parse(report::format_audit_json(c->rep));
  CHECK(j["scope"]["git"]["commit"] == "0123456789abcdef0123456789abcdef01234567");
  CHECK(j["scope"]["git"]["remote_url"] == "git@example.com:org/mesh.git");

  auto plain = custom_report(test::fixture("report/failing"), {make_control("C", {"mtls-not-strict"})});
  CHECK_THAT(report::format_audit_html(plain->rep), !Catch::Contains("Git checkout"));
  CHECK_FALSE(nlohmann::json::parse(report::format_audit_json(plain->rep))["scope"].contains("git"));
}

TEST_CASE("auditor: long lists are counts that unfold (HTML) or capped lists (Markdown), and print has page numbers") {
  auto run = test::analyze({test::source_dir() + "/samples/hospital"});
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, pinned(*run));
  const report::CheckEvidence* longest = nullptr;
  for (const auto& c : rep.controls)
    for (const auto& e : c.evidence)
      if (!longest || e.subjects.size() > longest->subjects.size()) longest = &e;
  REQUIRE(longest);
  REQUIRE(longest->subjects.size() > report::kListCap);
  const std::string html = report::format_audit_html(rep);
  CHECK_THAT(html, Catch::Contains("<details class=\"list\"><summary>" + std::to_string(longest->subjects.size()) +
                                   " resources</summary><ul><li>"));
  const std::string md = report::format_audit_markdown(rep);
  CHECK_THAT(md, Catch::Contains(", \u2026 and " + std::to_string(longest->subjects.size() - report::kMarkdownListCap) +
                                 " more"));
  // Print: a page break before each section, page numbers in the page margin.
  CHECK_THAT(html, Catch::Contains("section { break-before: page; }"));
  CHECK_THAT(html, Catch::Contains("@bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"));
}
