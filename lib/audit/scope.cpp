// The report's scope: which bytes were analyzed (every input file with its SHA-256), and which namespaces
// are regulated and why.
#include <algorithm>

#include "audit/sections.h"
#include "audit/sha256.h"
#include "checks/describe.h"
#include "checks/run.h"

namespace meshproof::audit {

namespace {

// "k=v" or "k1=v1,k2=v2" as the CLI takes it; malformed selectors were rejected before the run.
model::Labels parse_selector(const std::string& text) {
  try {
    return checks::parse_label_selector(text);
  } catch (const std::exception&) {
    return {};
  }
}

bool labels_match(const model::Labels& selector, const model::Labels& labels) {
  model::Selector s;
  s.match_labels = selector;
  return s.matches(labels);
}

// The digest of a file that the report names apart from the inputs (the profile, the assertions file).
std::string file_digest(const SourceFile& f) {
  if (f.text) return sha256_hex(*f.text);
  std::string digest;
  uint64_t size = 0;
  sha256_file(f.path, digest, size);
  return digest;
}

AuditFile input_file(const SourceFile& f) {
  AuditFile af;
  af.path = f.display_name;
  if (f.text) {
    af.sha256 = sha256_hex(*f.text);
    af.bytes = f.text->size();
  } else if (!sha256_file(f.path, af.sha256, af.bytes)) {
    af.sha256.clear();
  }
  return af;
}

// What selected namespace `ns`: the profile's names and label selectors, then the command line's.
std::vector<std::string> selected_by(const checks::Context& ctx, const AuditOptions& options, const std::string& ns) {
  const profile::Profile& prof = ctx.profile;
  const std::string pname = "profile " + prof.name;
  std::vector<std::string> out;
  if (std::find(prof.regulated_names.begin(), prof.regulated_names.end(), ns) != prof.regulated_names.end())
    out.push_back(pname + ": regulated.namespaces");
  auto info = ctx.mesh.namespaces.find(ns);
  if (info != ctx.mesh.namespaces.end()) {
    const model::Labels& labels = info->second.labels;
    for (const profile::LabelSelector& s : prof.regulated_selectors)
      if (labels_match(s.match_labels, labels)) out.push_back(pname + ": label " + checks::labels_text(s.match_labels));
    for (const std::string& s : options.cli_regulated_selectors) {
      model::Labels sel = parse_selector(s);
      if (!sel.empty() && labels_match(sel, labels)) out.push_back("--regulated-selector " + s);
    }
  }
  for (const std::string& n : options.cli_regulated)
    if (n == ns) out.push_back("--regulated " + n);
  return out;
}

std::vector<std::string> regulation_rules(const profile::Profile& prof, const AuditOptions& options) {
  const std::string pname = "profile " + prof.name;
  std::vector<std::string> rules;
  for (const std::string& n : prof.regulated_names) rules.push_back(pname + ": namespace " + n);
  for (const profile::LabelSelector& s : prof.regulated_selectors)
    rules.push_back(pname + ": namespaces labelled " + checks::labels_text(s.match_labels));
  for (const std::string& n : options.cli_regulated) rules.push_back("--regulated " + n);
  for (const std::string& s : options.cli_regulated_selectors) rules.push_back("--regulated-selector " + s);
  return rules;
}

}  // namespace

void add_scope_files(const checks::Context& ctx, const AuditOptions& options, AuditReport& rep) {
  const SourceSet& sources = ctx.sources;
  for (uint32_t i = 1; i < sources.files().size(); ++i) {
    const SourceFile& f = sources.files()[i];
    if (options.profile_file && i == options.profile_file) {
      rep.profile_file = f.display_name;
      rep.profile_sha256 = file_digest(f);
    } else if (options.assertions_file && i == options.assertions_file) {
      rep.assertions_file = f.display_name;
      rep.assertions_sha256 = file_digest(f);
    } else {
      rep.files.push_back(input_file(f));
    }
  }
}

void add_regulated_namespaces(const checks::Context& ctx, const AuditOptions& options, AuditReport& rep) {
  rep.regulation_rules = regulation_rules(ctx.profile, options);
  for (const std::string& ns : ctx.regulated) {
    RegulatedNamespace r;
    r.name = ns;
    auto info = ctx.mesh.namespaces.find(ns);
    r.in_input = info != ctx.mesh.namespaces.end() && info->second.has_objects;
    r.selected_by = selected_by(ctx, options, ns);
    r.workloads = static_cast<size_t>(std::count_if(ctx.mesh.workloads.begin(), ctx.mesh.workloads.end(),
                                                    [&](const mesh::Workload& w) { return w.ns == ns; }));
    if (!r.in_input)
      rep.warnings.push_back("regulated namespace " + ns +
                             " has no objects in the input: nothing in it was analyzed (is a directory missing?)");
    rep.regulated.push_back(std::move(r));
  }
  if (ctx.regulated.empty())
    rep.warnings.push_back(
        "no namespace is regulated: checks that apply to regulated namespaces (mTLS, default deny) examined "
        "nothing, so they give no evidence for the controls they support; select namespaces with the profile, "
        "--regulated or --regulated-selector");
}

}  // namespace meshproof::audit

namespace meshproof::audit {

void add_not_analyzed(const RunOutcome& outcome, AuditReport& rep) {
  rep.not_analyzed = outcome.not_analyzed;
  if (outcome.not_analyzed.empty()) return;
  const size_t n = outcome.not_analyzed.size();
  std::string w = std::to_string(n) + (n == 1 ? " object was" : " objects were") +
                  " not analyzed: meshproof does not model " + (n == 1 ? "its" : "their") +
                  " policy, so no control here gives evidence about " + (n == 1 ? "it" : "them") + " (" +
                  outcome.not_analyzed.front() + (n > 1 ? ", and " + std::to_string(n - 1) + " more" : "") + ")";
  if (!outcome.nothing_analyzed.empty()) w += "; " + outcome.nothing_analyzed;
  rep.warnings.push_back(std::move(w));
}

}  // namespace meshproof::audit
