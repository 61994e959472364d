// Building the auditor report's data model (auditor.h) from a finished run, and its JSON rendering.
#include "report/auditor.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "checks/describe.h"
#include "checks/run.h"
#include "report/json_internal.h"
#include "report/sha256.h"

namespace meshproof::report {

using nlohmann::json;

const char* to_string(ControlStatus s) {
  switch (s) {
    case ControlStatus::Pass: return "pass";
    case ControlStatus::Fail: return "fail";
    case ControlStatus::Excepted: return "excepted";
    case ControlStatus::Incomplete: return "incomplete";
  }
  return "incomplete";
}

const std::vector<std::string>& audit_sections() {
  static const std::vector<std::string> kSections{"scope",   "regulated", "controls",   "findings",
                                                  "mtls",    "access",    "exceptions", "limits"};
  return kSections;
}

namespace {

std::string labels_text(const model::Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ",";
    out += k + "=" + v;
  }
  return out;
}

bool labels_match(const model::Labels& selector, const model::Labels& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& kv) {
    auto it = labels.find(kv.first);
    return it != labels.end() && it->second == kv.second;
  });
}

// "k=v" or "k1=v1,k2=v2" as the CLI takes it; malformed selectors were rejected before the run.
model::Labels parse_selector(const std::string& text) {
  try {
    return checks::parse_label_selector(text);
  } catch (const std::exception&) {
    return {};
  }
}

std::optional<uint32_t> finding_port(const Finding& f) {
  auto it = f.properties.find("port");
  if (it == f.properties.end() || it->second.empty()) return std::nullopt;
  uint32_t port = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  return port;
}

bool counts_against(const Finding& f, Severity threshold) {
  return static_cast<int>(f.severity) >= static_cast<int>(threshold);
}

// ---- who may call whom (first version: from the ALLOW rules' sources; see AccessMatrix::approximation) ----

const char* kAnyCaller = "any caller";
const char* kPlaintext = "plaintext (no peer identity)";

struct CellAcc {
  AccessKind kind = AccessKind::None;
  std::set<std::string> via;
  void add(AccessKind k, const std::string& why) {
    if (static_cast<int>(k) > static_cast<int>(kind)) kind = k;
    via.insert(why);
  }
};

bool source_has_identity(const model::Source& s) {
  return !s.principals.empty() || !s.namespaces.empty() || !s.service_accounts.empty() || !s.trust_domains.empty();
}

bool source_has_extra_constraints(const model::Source& s) {
  return !s.not_principals.empty() || !s.request_principals.empty() || !s.not_request_principals.empty() ||
         !s.not_namespaces.empty() || !s.not_service_accounts.empty() || !s.trust_domains.empty() ||
         !s.not_trust_domains.empty() || !s.ip_blocks.empty() || !s.not_ip_blocks.empty() ||
         !s.remote_ip_blocks.empty() || !s.not_remote_ip_blocks.empty();
}

int identity_kinds(const model::Source& s) {
  return (!s.principals.empty()) + (!s.namespaces.empty()) + (!s.service_accounts.empty());
}

AccessMatrix build_access(const checks::Context& ctx) {
  AccessMatrix m;
  m.approximation =
      "Derived from the sources named by the enforced ALLOW rules of the AuthorizationPolicies that apply to "
      "each regulated workload (principals, namespaces, serviceAccounts), and from whether any enforced ALLOW "
      "policy applies at all. A filled cell means some ALLOW rule admits that identity without further "
      "conditions; a hatched cell means it admits it only for some requests (operations, `when` conditions, "
      "negative or IP/JWT source fields). It is an over-approximation: DENY and CUSTOM policies, and the "
      "conditions themselves, can narrow it further; wildcard principals are shown as written. An empty cell "
      "is exact: no ALLOW rule admits the identity, so Istio denies it. Exact per-request answers come from "
      "`meshproof query`.";

  std::map<std::string, size_t> col_index;
  std::vector<std::map<std::string, CellAcc>> rows_acc;
  std::set<std::string> identities;

  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (!ctx.is_regulated(w.ns)) continue;
    AccessRow row;
    row.workload = w.display();
    row.workload_kind = checks::workload_kind(w);
    std::map<std::string, CellAcc> acc;

    bool plaintext_port = !w.sidecar_injected;
    if (w.sidecar_injected) {
      if (w.ports.empty()) plaintext_port = w.default_mtls.mode != model::MtlsMode::Strict;
      for (const mesh::WorkloadPort& p : w.ports)
        if (p.mtls.mode != model::MtlsMode::Strict) plaintext_port = true;
    }

    size_t deny = 0, custom = 0, dry_run = 0;
    std::vector<const model::AuthorizationPolicy*> allows;
    for (const model::AuthorizationPolicy* p : w.authorization_policies) {
      switch (p->action) {
        case model::Action::Allow:
          if (p->dry_run)
            ++dry_run;
          else
            allows.push_back(p);
          break;
        case model::Action::Deny: ++deny; break;
        case model::Action::Custom: ++custom; break;
        case model::Action::Audit: break;
      }
    }

    if (!w.sidecar_injected) {
      std::string why = "no Istio proxy (" + w.injection_reason + "): no policy is enforced";
      acc[kAnyCaller].add(AccessKind::Allowed, why);
      acc[kPlaintext].add(AccessKind::Allowed, why);
      row.notes.push_back(why);
    } else if (allows.empty()) {
      std::string why = "no enforced ALLOW policy applies: every request not denied is allowed";
      acc[kAnyCaller].add(AccessKind::Allowed, why);
      if (plaintext_port) acc[kPlaintext].add(AccessKind::Allowed, why);
      row.notes.push_back(why);
    } else {
      for (const model::AuthorizationPolicy* p : allows) {
        const std::string pname = checks::namespace_of(*p) + "/" + p->meta.name;
        for (size_t ri = 0; ri < p->rules.size(); ++ri) {
          const model::Rule& r = p->rules[ri];
          if (r.is_null) continue;
          const std::string via = pname + " rule " + std::to_string(ri);
          bool rule_conditional = !r.to.empty() || !r.when.empty();
          if (r.from.empty()) {
            AccessKind k = rule_conditional ? AccessKind::Conditional : AccessKind::Allowed;
            acc[kAnyCaller].add(k, via);
            if (plaintext_port) acc[kPlaintext].add(k, via);
            continue;
          }
          for (const model::Source& s : r.from) {
            if (s.null_entry) continue;
            bool conditional = rule_conditional || source_has_extra_constraints(s) || identity_kinds(s) > 1;
            AccessKind k = conditional ? AccessKind::Conditional : AccessKind::Allowed;
            if (!source_has_identity(s)) {
              // Only IP, JWT or negative fields: any peer may match, with or without mTLS.
              acc[kAnyCaller].add(AccessKind::Conditional, via);
              if (plaintext_port) acc[kPlaintext].add(AccessKind::Conditional, via);
              continue;
            }
            for (const model::Str& v : s.principals.items) {
              std::string id = v.value == "*" ? std::string("any mTLS peer (principals: *)") : v.value;
              acc[id].add(k, via);
            }
            for (const model::Str& v : s.namespaces.items) {
              std::string id = v.value == "*" ? std::string("any mTLS peer (namespaces: *)") : "ns:" + v.value;
              acc[id].add(k, via);
            }
            for (const model::Str& v : s.service_accounts.items) {
              std::string sa = v.value.find('/') == std::string::npos ? checks::namespace_of(*p) + "/" + v.value
                                                                      : v.value;
              acc["sa:" + sa].add(k, via);
            }
            if (s.principals.empty() && s.namespaces.empty() && s.service_accounts.empty())
              acc["any mTLS peer (trustDomains)"].add(AccessKind::Conditional, via);
          }
        }
      }
      if (acc.empty())
        row.notes.push_back("the ALLOW policies that apply have no rule that can match: every request is denied");
    }
    if (deny) row.notes.push_back(std::to_string(deny) + " DENY " + (deny == 1 ? "policy" : "policies") +
                                  " may narrow this");
    if (custom) row.notes.push_back(std::to_string(custom) + " CUSTOM " + (custom == 1 ? "policy" : "policies") +
                                    " delegate some requests to an external authorizer");
    if (dry_run) row.notes.push_back(std::to_string(dry_run) + " dry-run ALLOW " +
                                     (dry_run == 1 ? "policy enforces" : "policies enforce") + " nothing");
    if (plaintext_port && w.sidecar_injected)
      row.notes.push_back("accepts plaintext on at least one port (see the mTLS table)");
    for (const auto& [id, cell] : acc)
      if (id != kAnyCaller && id != kPlaintext) identities.insert(id);
    rows_acc.push_back(std::move(acc));
    m.rows.push_back(std::move(row));
  }

  m.columns = {kAnyCaller, kPlaintext};
  m.columns.insert(m.columns.end(), identities.begin(), identities.end());
  for (size_t i = 0; i < m.rows.size(); ++i) {
    for (const std::string& col : m.columns) {
      AccessCell cell;
      auto it = rows_acc[i].find(col);
      if (it != rows_acc[i].end()) {
        cell.kind = it->second.kind;
        cell.via.assign(it->second.via.begin(), it->second.via.end());
      }
      m.rows[i].cells.push_back(std::move(cell));
    }
  }
  return m;
}

std::string mode_text(model::MtlsMode m) { return model::to_string(m); }

}  // namespace

AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunSummary& summary, const AuditOptions& options) {
  AuditReport rep;
  const SourceSet& sources = ctx.sources;
  const profile::Profile& prof = ctx.profile;
  const Severity threshold = summary.fail_on_never ? Severity::Error : summary.fail_on;

  rep.generated_at = options.generated_at;
  rep.tool_version = options.tool_version;
  rep.z3_version = options.z3_version;
  rep.today = checks::effective_today(ctx.options);
  rep.profile_name = prof.name;
  rep.profile_title = prof.title;
  rep.fail_on = summary.fail_on_never ? "never" : to_string(summary.fail_on);

  // ---- scope: input files and their digests ----
  for (uint32_t i = 1; i < sources.files().size(); ++i) {
    const SourceFile& f = sources.files()[i];
    if ((options.profile_file && i == options.profile_file) ||
        (options.assertions_file && i == options.assertions_file)) {
      const bool is_profile = i == options.profile_file;
      std::string& name = is_profile ? rep.profile_file : rep.assertions_file;
      std::string& digest = is_profile ? rep.profile_sha256 : rep.assertions_sha256;
      name = f.display_name;
      uint64_t size = 0;
      if (f.text)
        digest = sha256_hex(*f.text);
      else
        sha256_file(f.path, digest, size);
      continue;
    }
    AuditFile af;
    af.path = f.display_name;
    if (f.text) {
      af.sha256 = sha256_hex(*f.text);
      af.bytes = f.text->size();
    } else if (!sha256_file(f.path, af.sha256, af.bytes)) {
      af.sha256.clear();
    }
    rep.files.push_back(std::move(af));
  }

  // ---- regulated namespaces and how they were selected ----
  const std::string pname = "profile " + prof.name;
  for (const std::string& n : prof.regulated_names) rep.regulation_rules.push_back(pname + ": namespace " + n);
  for (const profile::LabelSelector& s : prof.regulated_selectors)
    rep.regulation_rules.push_back(pname + ": namespaces labelled " + labels_text(s.match_labels));
  for (const std::string& n : options.cli_regulated) rep.regulation_rules.push_back("--regulated " + n);
  for (const std::string& s : options.cli_regulated_selectors)
    rep.regulation_rules.push_back("--regulated-selector " + s);

  for (const std::string& ns : ctx.regulated) {
    RegulatedNamespace r;
    r.name = ns;
    auto info = ctx.mesh.namespaces.find(ns);
    const model::Labels* labels = info != ctx.mesh.namespaces.end() ? &info->second.labels : nullptr;
    r.in_input = info != ctx.mesh.namespaces.end() && info->second.has_objects;
    if (std::find(prof.regulated_names.begin(), prof.regulated_names.end(), ns) != prof.regulated_names.end())
      r.selected_by.push_back(pname + ": regulated.namespaces");
    if (labels) {
      for (const profile::LabelSelector& s : prof.regulated_selectors)
        if (labels_match(s.match_labels, *labels))
          r.selected_by.push_back(pname + ": label " + labels_text(s.match_labels));
      for (const std::string& s : options.cli_regulated_selectors) {
        model::Labels sel = parse_selector(s);
        if (!sel.empty() && labels_match(sel, *labels)) r.selected_by.push_back("--regulated-selector " + s);
      }
    }
    for (const std::string& n : options.cli_regulated)
      if (n == ns) r.selected_by.push_back("--regulated " + n);
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.ns == ns) ++r.workloads;
    if (!r.in_input)
      rep.warnings.push_back("regulated namespace " + ns +
                             " has no objects in the input: nothing in it was analyzed (is a directory missing?)");
    rep.regulated.push_back(std::move(r));
  }
  if (ctx.regulated.empty())
    rep.warnings.push_back(
        "no namespace is regulated: checks that apply to regulated namespaces (mTLS, default deny) examined "
        "nothing, so the controls they support pass vacuously; select namespaces with the profile, "
        "--regulated or --regulated-selector");

  // ---- findings ----
  std::map<std::string, std::vector<std::string>> controls_of_check;
  for (const profile::Control& c : prof.controls)
    for (const std::string& ck : c.checks) controls_of_check[ck].push_back(c.id);
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    AuditFinding af;
    af.finding = f;
    af.number = "F" + std::to_string(i + 1);
    af.location = sources.describe(f.loc);
    for (const RelatedLocation& r : f.related) af.related_locations.push_back(sources.describe(r.loc));
    auto it = controls_of_check.find(f.check);
    if (it != controls_of_check.end()) af.controls = it->second;
    if (!f.suppression.empty())
      ++rep.suppressed;
    else if (f.severity == Severity::Error)
      ++rep.errors;
    else if (f.severity == Severity::Warning)
      ++rep.warnings_count;
    else
      ++rep.notes;
    rep.findings.push_back(std::move(af));
  }
  rep.result = "pass";
  for (const Finding& f : findings)
    if (fails_run(f, summary)) rep.result = "fail";

  // ---- controls ----
  for (const profile::Control& c : prof.controls) {
    ControlResult cr;
    cr.id = c.id;
    cr.title = c.title;
    cr.reference = c.reference;
    size_t unavailable = 0;
    for (const std::string& name : c.checks) {
      CheckEvidence ev;
      ev.check = name;
      const checks::Check* check = checks::find_check(name);
      ev.available = check != nullptr;
      if (check) {
        ev.summary = check->info().summary;
        for (const ResourceRef& r : check->subjects(ctx)) ev.subjects.push_back(r.display());
        std::sort(ev.subjects.begin(), ev.subjects.end());
        ev.subjects.erase(std::unique(ev.subjects.begin(), ev.subjects.end()), ev.subjects.end());
      } else {
        ++unavailable;
      }
      for (size_t i = 0; i < findings.size(); ++i) {
        const Finding& f = findings[i];
        if (f.check != name) continue;
        ev.findings.push_back(i);
        if (!counts_against(f, threshold))
          ++cr.below;
        else if (f.suppression.empty())
          ++cr.open;
        else if (f.suppression.rfind("exception", 0) == 0)
          ++cr.excepted;
        else
          ++cr.suppressed;
      }
      cr.evidence.push_back(std::move(ev));
    }
    const std::string thr = to_string(threshold);
    if (cr.open) {
      cr.status = ControlStatus::Fail;
      cr.note = std::to_string(cr.open) + (cr.open == 1 ? " finding" : " findings") + " at or above " + thr +
                " without an exception";
    } else if (c.checks.empty()) {
      cr.status = ControlStatus::Incomplete;
      cr.note = "The profile maps no check to this control, so this report gives no evidence for it";
    } else if (unavailable) {
      cr.status = ControlStatus::Incomplete;
      cr.note = std::to_string(unavailable) + " of its " + std::to_string(c.checks.size()) +
                " checks are not available in this meshproof build, so the evidence is partial";
    } else if (cr.excepted || cr.suppressed) {
      cr.status = ControlStatus::Excepted;
      cr.note = "Every finding at or above " + thr + " is excepted";
      if (cr.suppressed)
        cr.note += "; " + std::to_string(cr.suppressed) +
                   (cr.suppressed == 1 ? " of them is" : " of them are") +
                   " suppressed by an annotation or a baseline, not by an approved profile exception";
    } else {
      cr.status = ControlStatus::Pass;
      cr.note = "No finding at or above " + thr;
    }
    if (cr.below)
      cr.note += " (" + std::to_string(cr.below) + (cr.below == 1 ? " observation" : " observations") + " below " +
                 thr + ")";
    rep.controls.push_back(std::move(cr));
  }

  // ---- effective mTLS of every regulated workload × port ----
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (!ctx.is_regulated(w.ns)) continue;
    auto add = [&](const mesh::WorkloadPort* p, const mesh::MtlsDecision& d) {
      MtlsRow row;
      row.ns = w.ns;
      row.workload = w.display();
      row.workload_kind = checks::workload_kind(w);
      row.port = p ? std::to_string(p->port) : "*";
      if (p) {
        row.port_name = p->name;
        row.protocol = mesh::to_string(p->protocol);
      }
      if (!w.sidecar_injected) {
        row.mode = "NONE";
        row.level = "no-sidecar";
        row.decided_by = "no Istio proxy: " + w.injection_reason;
      } else {
        row.mode = mode_text(d.mode);
        row.level = mesh::to_string(d.level);
        if (d.decided_by) {
          row.decided_by = checks::resource_text(*d.decided_by);
          Loc at = d.decided_by->mode_loc.known() ? d.decided_by->mode_loc : d.decided_by->loc;
          if (d.level == mesh::MtlsLevel::WorkloadPort && p)
            for (const model::PortMtls& pm : d.decided_by->port_level)
              if (pm.port == p->port && pm.loc.known()) at = pm.loc;
          row.decided_at = sources.describe(at);
        } else {
          row.decided_by = "";
        }
        row.strict = d.mode == model::MtlsMode::Strict;
      }
      rep.mtls.push_back(std::move(row));
    };
    if (w.ports.empty()) add(nullptr, w.default_mtls);
    for (const mesh::WorkloadPort& p : w.ports) add(&p, p.mtls);
  }

  rep.access = build_access(ctx);

  // ---- exceptions ----
  for (const profile::Exception& e : prof.exceptions) {
    ExceptionRow row;
    row.check = e.check;
    row.resource = e.resource;
    row.port = e.port ? std::to_string(*e.port) : "";
    row.justification = e.justification;
    row.approver = e.approver;
    row.expires = e.expires;
    row.status = e.expired_on(rep.today) ? "expired" : (e.expires.empty() ? "no expiry" : "active");
    row.location = e.loc.known() ? sources.describe(e.loc) : "";
    for (const Finding& f : findings)
      if (f.suppression.rfind("exception", 0) == 0 && e.matches(f.check, f.resource, finding_port(f)))
        ++row.covered;
    rep.exceptions.push_back(std::move(row));
  }
  return rep;
}

std::vector<std::pair<std::string, std::string>> witness_fields(const Witness& w) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) out.emplace_back(k, v);
  };
  add("Connection", w.mtls ? "mTLS as " + (w.source_principal.empty() ? std::string("(any peer)") : w.source_principal)
                           : std::string("plaintext (no peer identity)"));
  if (w.mtls) add("Source namespace", w.source_namespace);
  add("Source IP", w.source_ip);
  add("Remote IP", w.remote_ip);
  add("Destination", w.destination);
  if (w.port) add("Port", std::to_string(w.port) + (w.port_protocol.empty() ? "" : " (" + w.port_protocol + ")"));
  add("Destination IP", w.destination_ip);
  add("SNI", w.sni);
  if (w.port_protocol != "TCP") {
    add("Method", w.method);
    add("Path", w.path);
    add("Host", w.host);
    std::string headers;
    for (const auto& [k, v] : w.headers) headers += (headers.empty() ? "" : "; ") + k + ": " + v;
    add("Headers", headers);
  }
  if (w.has_token) {
    std::string jwt = "issuer " + w.jwt_issuer + ", subject " + w.jwt_subject;
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (!w.audiences.empty()) jwt += ", audiences [" + list(w.audiences) + "]";
    if (!w.presenters.empty()) jwt += ", presenters [" + list(w.presenters) + "]";
    for (const auto& [k, v] : w.claims) jwt += ", claim " + k + "=" + v;
    add("JWT", jwt);
  } else {
    add("JWT", "none");
  }
  add("Decision", w.decision);
  add("Decided by", w.decided_by);
  add("Reproduce", w.reproduce);
  return out;
}

const std::vector<std::string>& audit_limits() {
  static const std::vector<std::string> kLimits{
      "This report analyzes the manifests listed under Scope, as they were when the report was generated "
      "(their SHA-256 digests identify them). It says nothing about what is running in a cluster: resources "
      "applied by hand, other repositories, admission webhooks or operators that change objects, and drift "
      "after deployment are outside it.",
      "It covers Istio's service-mesh layer: PeerAuthentication, AuthorizationPolicy, RequestAuthentication "
      "and the workloads and namespaces they apply to. Other enforcement layers (Kubernetes NetworkPolicy, "
      "cloud firewalls, application authentication, encryption at rest, the audit logging pipeline) need "
      "their own evidence.",
      "A control marked pass means that the checks mapped to it by the profile found nothing at or above the "
      "threshold over the resources listed as their evidence. It is evidence for the technical part of the "
      "control, not a certification of the control as a whole; the mapping itself is the profile author's "
      "judgement and is part of what an auditor should review.",
      "Semantic findings come with a witness request that meshproof replayed through its concrete evaluator "
      "of Istio's decision procedure; the evaluator follows Istio's documented and implemented behaviour "
      "(docs/semantics.md) for the Istio version it was written against. A different Istio version or mesh "
      "configuration not included in the input can change the result.",
      "The access matrix is an over-approximation derived from ALLOW rules (see its note); empty cells are "
      "exact denials, filled cells are possible access, not proven access.",
      "Exceptions and suppressions are listed with their justification as written; meshproof checks their "
      "expiry dates and scope, not whether the justification is adequate."};
  return kLimits;
}

// ---------------------------------------------------------------------------------------------------
// JSON

json audit_to_json(const AuditReport& r) {
  json j;
  j["meshproof_report"] = 1;
  j["generated_at"] = r.generated_at;
  j["result"] = r.result;
  json scope;
  scope["tool"] = {{"name", "meshproof"}, {"version", r.tool_version}};
  scope["z3_version"] = r.z3_version;
  scope["exception_date"] = r.today;
  scope["fail_on"] = r.fail_on;
  scope["profile"] = {{"name", r.profile_name},
                      {"title", r.profile_title},
                      {"file", r.profile_file.empty() ? json(nullptr) : json(r.profile_file)},
                      {"sha256", r.profile_sha256.empty() ? json(nullptr) : json(r.profile_sha256)}};
  json files = json::array();
  for (const AuditFile& f : r.files)
    files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256.empty() ? json(nullptr) : json(f.sha256)}});
  scope["files"] = files;
  scope["assertions"] = r.assertions_file.empty()
                            ? json(nullptr)
                            : json({{"file", r.assertions_file}, {"sha256", r.assertions_sha256}});
  j["scope"] = scope;
  j["warnings"] = r.warnings;

  json reg;
  reg["rules"] = r.regulation_rules;
  json nss = json::array();
  for (const RegulatedNamespace& n : r.regulated)
    nss.push_back({{"name", n.name}, {"selected_by", n.selected_by}, {"in_input", n.in_input}, {"workloads", n.workloads}});
  reg["namespaces"] = nss;
  j["regulated"] = reg;

  j["summary"] = {{"errors", r.errors}, {"warnings", r.warnings_count}, {"notes", r.notes}, {"suppressed", r.suppressed}};
  std::map<std::string, size_t> by_status;
  for (const ControlResult& c : r.controls) ++by_status[to_string(c.status)];
  j["summary"]["controls"] = by_status;

  json controls = json::array();
  for (const ControlResult& c : r.controls) {
    json ev = json::array();
    for (const CheckEvidence& e : c.evidence) {
      json ids = json::array();
      for (size_t i : e.findings) ids.push_back(r.findings[i].number);
      ev.push_back({{"check", e.check}, {"available", e.available}, {"summary", e.summary},
                    {"subjects", e.subjects}, {"findings", ids}});
    }
    controls.push_back({{"id", c.id}, {"title", c.title}, {"reference", c.reference}, {"status", to_string(c.status)},
                        {"note", c.note}, {"open", c.open}, {"excepted", c.excepted}, {"suppressed", c.suppressed},
                        {"observations", c.below}, {"evidence", ev}});
  }
  j["controls"] = controls;

  json fs = json::array();
  for (const AuditFinding& af : r.findings) {
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
    o["suppression"] = f.suppression.empty() ? json(nullptr) : json(f.suppression);
    o["controls"] = af.controls;
    o["fingerprint"] = f.fingerprint;
    fs.push_back(o);
  }
  j["findings"] = fs;

  json mt = json::array();
  for (const MtlsRow& m : r.mtls)
    mt.push_back({{"workload", m.workload}, {"workload_kind", m.workload_kind}, {"port", m.port},
                  {"port_name", m.port_name}, {"protocol", m.protocol}, {"mode", m.mode}, {"level", m.level},
                  {"decided_by", m.decided_by.empty() ? json(nullptr) : json(m.decided_by)},
                  {"decided_at", m.decided_at.empty() ? json(nullptr) : json(m.decided_at)}, {"strict", m.strict}});
  j["mtls"] = mt;

  json acc;
  acc["approximation"] = r.access.approximation;
  acc["columns"] = r.access.columns;
  json rows = json::array();
  for (const AccessRow& row : r.access.rows) {
    json callers = json::array();
    for (size_t i = 0; i < row.cells.size(); ++i) {
      const AccessCell& c = row.cells[i];
      if (c.kind == AccessKind::None) continue;
      callers.push_back({{"identity", r.access.columns[i]},
                         {"access", c.kind == AccessKind::Allowed ? "allowed" : "conditional"},
                         {"via", c.via}});
    }
    rows.push_back({{"workload", row.workload}, {"workload_kind", row.workload_kind}, {"callers", callers},
                    {"notes", row.notes}});
  }
  acc["rows"] = rows;
  j["access"] = acc;

  json ex = json::array();
  for (const ExceptionRow& e : r.exceptions)
    ex.push_back({{"check", e.check}, {"resource", e.resource}, {"port", e.port.empty() ? json(nullptr) : json(e.port)},
                  {"justification", e.justification}, {"approver", e.approver},
                  {"expires", e.expires.empty() ? json(nullptr) : json(e.expires)}, {"status", e.status},
                  {"location", e.location}, {"covered_findings", e.covered}});
  j["exceptions"] = ex;
  j["limits"] = audit_limits();
  return j;
}

std::string format_audit_json(const AuditReport& report) { return audit_to_json(report).dump(2) + "\n"; }

}  // namespace meshproof::report
