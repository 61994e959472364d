// The findings as the report numbers them, and each control of the profile with its status and evidence:
// for every mapped check, what it examined and what it found.
#include <algorithm>
#include <map>

#include "audit/sections.h"
#include "base/text.h"

namespace meshproof::audit {

namespace {

// A check says the input holds no evidence either way (access-logging-off without the mesh configuration).
bool is_missing_evidence(const Finding& f) {
  auto it = f.properties.find("evidence");
  return it != f.properties.end() && it->second == "missing";
}

bool counts_against(const Finding& f, Severity threshold) {
  return static_cast<int>(f.severity) >= static_cast<int>(threshold);
}

// A check's evidence, and the tally of its findings into the control's counts.
CheckEvidence evidence_of(const checks::Context& ctx, const std::string& name, const std::vector<Finding>& findings,
                          Severity threshold, ControlResult& cr) {
  CheckEvidence ev;
  ev.check = name;
  const checks::Check* check = checks::find_check(name);
  ev.available = check != nullptr;
  if (check) {
    ev.summary = check->info().summary;
    for (const ResourceRef& r : check->subjects(ctx)) ev.subjects.push_back(r.display());
    std::sort(ev.subjects.begin(), ev.subjects.end());
    ev.subjects.erase(std::unique(ev.subjects.begin(), ev.subjects.end()), ev.subjects.end());
    // expired-exception examines the profile's own record of exceptions, which is always there: an empty
    // record has nothing that can expire, which is evidence that the record is current, not a lack of it.
    if (name == "expired-exception" && ev.subjects.empty())
      ev.subjects.push_back("Profile " + ctx.profile.name + " (records no exceptions)");
  }
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (f.check != name) continue;
    ev.findings.push_back(i);
    if (checks::is_inconclusive(f)) {
      ++cr.inconclusive;
      cr.unproved.push_back(name + " on " + f.resource.display());
    }
    if (is_missing_evidence(f)) {
      ++cr.missing_evidence;
      cr.missing.push_back(name + " on " + f.resource.display());
    }
    if (!counts_against(f, threshold))
      ++cr.below;
    else if (f.suppression.empty())
      ++cr.open;
    else if (excepted_by_profile(f))
      ++cr.excepted;
    else
      ++cr.suppressed;
  }
  return ev;
}

// "never-matching-rule on AuthorizationPolicy ns/allow (3 proofs), ...": what the inconclusive proofs leave
// unproved, each check and resource once, in the order found.
std::string unproved_list(const std::vector<std::string>& unproved) {
  std::vector<std::pair<std::string, size_t>> distinct;
  for (const std::string& u : unproved) {
    auto it = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == u; });
    if (it == distinct.end())
      distinct.emplace_back(u, 1);
    else
      ++it->second;
  }
  std::string out;
  for (const auto& [what, n] : distinct)
    out += (out.empty() ? "" : ", ") + what + (n > 1 ? " (" + std::to_string(n) + " proofs)" : "");
  return out;
}

// "gateway-weak-tls and assertion-violated had nothing to examine in the input; literal-wildcard is not in
// this meshproof build": the mapped checks that gave no evidence, for the note.
std::string evidence_gaps(const ControlResult& cr) {
  std::string out;
  auto names = [](const std::vector<std::string>& v) {
    return v.size() == 1 ? v[0] : join(std::vector<std::string>(v.begin(), v.end() - 1), ", ") + " and " + v.back();
  };
  if (!cr.not_examined.empty()) out = names(cr.not_examined) + " had nothing to examine in the input";
  if (!cr.unavailable.empty())
    out += (out.empty() ? "" : "; ") + names(cr.unavailable) + (cr.unavailable.size() == 1 ? " is" : " are") +
           " not available in this meshproof build";
  return out;
}

// Fail, Incomplete and NoEvidence, the statuses that do not depend on the evidence being complete; false
// when none applies.
bool judge_blocking(const profile::Control& c, const std::string& thr, ControlResult& cr) {
  if (cr.open) {
    cr.status = ControlStatus::Fail;
    cr.note = std::to_string(cr.open) + (cr.open == 1 ? " finding" : " findings") + " at or above " + thr +
              " without an exception";
  } else if (cr.inconclusive) {
    // The solver's Unknown is never a pass: what could not be proved is named.
    cr.status = ControlStatus::Incomplete;
    cr.note = "Inconclusive: " + std::to_string(cr.inconclusive) +
              (cr.inconclusive == 1 ? " proof was" : " proofs were") +
              " not finished (the solver answered unknown), so nothing is proved for " + unproved_list(cr.unproved) +
              "; re-run with a larger --rlimit (or --timeout-ms, if the time limit was reached)";
  } else if (c.checks.empty()) {
    cr.status = ControlStatus::NoEvidence;
    cr.note = "No evidence: the profile maps no check to this control, so this report gives no evidence for it";
  } else if (cr.missing_evidence) {
    // What the input does not show is never a pass.
    cr.status = ControlStatus::NoEvidence;
    cr.note = "No evidence: the input does not contain what " + unproved_list(cr.missing) +
              " needs to decide, so this report cannot say whether the control is met";
  } else if (cr.not_examined.size() + cr.unavailable.size() == c.checks.size()) {
    // Checks that looked at nothing found nothing: that is not evidence that the control is met.
    cr.status = ControlStatus::NoEvidence;
    cr.note = "No evidence: " + evidence_gaps(cr) + ", so this report cannot say whether the control is met";
  } else {
    return false;
  }
  return true;
}

// The status and its one-sentence reason, from the counts and from which mapped checks gave evidence.
void judge(const profile::Control& c, Severity threshold, ControlResult& cr) {
  const std::string thr = to_string(threshold);
  const std::string gaps = evidence_gaps(cr);
  if (judge_blocking(c, thr, cr)) {
    // The status says it all.
  } else if (cr.excepted || cr.suppressed) {
    cr.status = ControlStatus::Excepted;
    cr.note = "Every finding at or above " + thr + " is excepted";
    if (cr.suppressed)
      cr.note += "; " + std::to_string(cr.suppressed) + (cr.suppressed == 1 ? " of them is" : " of them are") +
                 " suppressed by an annotation or a baseline, not by an approved profile exception";
    if (!gaps.empty()) cr.note += "; the evidence is partial: " + gaps;
  } else if (!gaps.empty()) {
    const size_t gave = c.checks.size() - cr.not_examined.size() - cr.unavailable.size();
    cr.status = ControlStatus::Partial;
    cr.note = "Partial evidence: " + std::to_string(gave) + " of its " + std::to_string(c.checks.size()) +
              " checks examined the input and found nothing at or above " + thr + ", but " + gaps;
  } else {
    cr.status = ControlStatus::Pass;
    cr.note = "No finding at or above " + thr;
  }
  if (cr.below)
    cr.note +=
        " (" + std::to_string(cr.below) + (cr.below == 1 ? " observation" : " observations") + " below " + thr + ")";
}

}  // namespace

void add_findings(const checks::Context& ctx, const std::vector<Finding>& findings, AuditReport& rep) {
  std::map<std::string, std::vector<std::string>> controls_of_check;
  for (const profile::Control& c : ctx.profile.controls)
    for (const std::string& ck : c.checks) controls_of_check[ck].push_back(c.id);
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    AuditFinding af;
    af.finding = f;
    af.number = "F" + std::to_string(i + 1);
    af.location = ctx.sources.describe(f.loc);
    for (const RelatedLocation& r : f.related) af.related_locations.push_back(ctx.sources.describe(r.loc));
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
}

std::vector<ControlResult> control_results(const checks::Context& ctx, const std::vector<Finding>& findings,
                                           Severity threshold) {
  std::vector<ControlResult> out;
  for (const profile::Control& c : ctx.profile.controls) {
    ControlResult cr;
    cr.id = c.id;
    cr.title = c.title;
    cr.reference = c.reference;
    for (const std::string& name : c.checks) {
      cr.evidence.push_back(evidence_of(ctx, name, findings, threshold, cr));
      const CheckEvidence& ev = cr.evidence.back();
      if (!ev.available)
        cr.unavailable.push_back(name);
      else if (!ev.examined())
        cr.not_examined.push_back(name);
    }
    judge(c, threshold, cr);
    out.push_back(std::move(cr));
  }
  return out;
}

}  // namespace meshproof::audit
