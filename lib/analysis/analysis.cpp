#include "analysis/analysis.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "analysis/baseline.h"
#include "analysis/suppressions.h"
#include "checks/assertions.h"
#include "checks/run.h"

namespace meshproof::analysis {

namespace {

bool read_text_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream o;
  o << in.rdbuf();
  text = o.str();
  return static_cast<bool>(in) || in.eof();
}

// The profile goes into the input's SourceSet (after the input, so that file ids do not collide):
// exception locations in findings and the report's digest then name the profile file.
void load_profile(const Options& o, Analysis& a) {
  if (o.profile_path.empty()) return;
  std::vector<profile::ProfileError> errors;
  SourceSet& sources = a.input->sources;
  const size_t before = sources.files().size();
  std::optional<profile::Profile> loaded = profile::load_profile(o.profile_path, sources, errors);
  // A check name the registry does not know (a typo in a control or exception) must not pass silently.
  if (loaded) checks::validate_profile_checks(*loaded, errors);
  for (const profile::ProfileError& e : errors) a.problems.push_back({e.loc, e.message, ""});
  if (!loaded && errors.empty())
    a.problems.push_back({Loc{}, "cannot read profile '" + o.profile_path + "'", "check the path"});
  if (!a.problems.empty()) return;
  if (sources.files().size() > before) a.profile_file = static_cast<uint32_t>(before);
  a.profile = std::move(*loaded);
}

void load_assertions(const Options& o, Analysis& a) {
  if (o.assertions_path.empty()) return;
  std::vector<checks::AssertionError> errors;
  SourceSet& sources = a.input->sources;
  const size_t before = sources.files().size();
  std::optional<checks::AssertionSet> loaded = checks::load_assertions(o.assertions_path, sources, errors);
  if (loaded) checks::resolve_assertions(*loaded, a.input->mesh, errors);
  for (const checks::AssertionError& e : errors) a.problems.push_back({e.loc, e.message, ""});
  if (!loaded && errors.empty())
    a.problems.push_back({Loc{}, "cannot read assertions '" + o.assertions_path + "'", ""});
  if (!a.problems.empty()) {
    a.problems.back().help = "see docs/assertions.md for the format";
    return;
  }
  if (sources.files().size() > before) a.assertions_file = static_cast<uint32_t>(before);
  a.assertions = std::make_shared<checks::AssertionSet>(std::move(*loaded));
}

std::vector<std::string> read_baseline_file(const std::string& path, std::vector<Problem>& problems) {
  std::vector<std::string> fingerprints;
  std::string text, error;
  if (!read_text_file(path, text))
    problems.push_back({Loc{}, "cannot read baseline '" + path + "'", ""});
  else if (!read_baseline(text, fingerprints, error))
    problems.push_back({Loc{}, path + ": " + error, "create one with --write-baseline FILE"});
  return fingerprints;
}

void build_context(const Options& o, Analysis& a) {
  checks::Options& co = a.check_options;
  co.assertions = a.assertions;
  co.input_paths = o.input.paths;
  co.today = o.today.empty() ? checks::today_utc() : o.today;
  co.query_timeout_ms = o.query_timeout_ms;
  co.threads = o.input.threads;
  co.progress = o.progress;
  co.class_progress = o.class_progress;
  a.regulated = checks::regulated_namespaces(a.input->mesh, a.profile, o.regulated, o.regulated_selectors);
  a.context = std::make_unique<checks::Context>(
      checks::Context{a.input->sources, a.input->resources, a.input->mesh, a.profile, co, a.regulated});
  a.context->network_policies = a.input->network_policies.get();
  a.context->linkerd = a.input->linkerd.get();
  a.context->linkerd_default_policy = a.input->linkerd_default_policy;
}

void run_checks(const Options& o, const std::vector<std::string>& baseline, Analysis& a) {
  const auto t0 = std::chrono::steady_clock::now();
  build_context(o, a);
  a.findings = checks::run_checks(*a.context, o.only_checks);
  apply_annotation_suppressions(a.findings, {&a.input->resources, &a.input->rejected}, a.input->sources);
  if (!o.baseline_path.empty()) {
    apply_baseline(a.findings, baseline);
    a.baseline_applied = true;
  }
  a.input->stats.analyze_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  a.input->stats.analyze_rss_kb = app::peak_rss_kb();
}

}  // namespace

std::vector<Problem> check_options(const Options& o) {
  std::vector<Problem> problems;
  for (const std::string& s : o.regulated_selectors) {
    try {
      checks::parse_label_selector(s);
    } catch (const std::invalid_argument& e) {
      problems.push_back({Loc{}, std::string("--regulated-selector: ") + e.what(), ""});
    }
  }
  for (const std::string& name : o.only_checks)
    if (!checks::find_check(name))
      problems.push_back(
          {Loc{}, checks::unknown_check_message(name), "`meshproof checks` lists them (docs/checks/README.md)"});
  if (!o.today.empty() && !profile::is_valid_date(o.today))
    problems.push_back({Loc{}, "--today expects a date like 2026-11-05, got '" + o.today + "'", ""});
  return problems;
}

std::unique_ptr<Analysis> run(const Options& o) {
  auto a = std::make_unique<Analysis>();
  a->problems = check_options(o);
  engine::set_solver_resource_limit(o.solver_rlimit);
  std::vector<std::string> baseline;
  if (!o.baseline_path.empty()) baseline = read_baseline_file(o.baseline_path, a->problems);
  if (!a->problems.empty()) return a;
  a->input = app::load_input(o.input);
  if (!a->input->errors.empty()) return a;
  load_profile(o, *a);
  if (o.namespaces_complete) a->profile.namespaces_complete = true;
  if (a->problems.empty()) load_assertions(o, *a);
  if (!a->problems.empty()) return a;
  if (o.run_checks)
    run_checks(o, baseline, *a);
  else
    build_context(o, *a);
  return a;
}

void analyze(const Options& o, Analysis& a) {
  std::vector<Problem> problems;
  std::vector<std::string> baseline;
  if (!o.baseline_path.empty()) baseline = read_baseline_file(o.baseline_path, problems);
  if (!problems.empty()) throw std::invalid_argument(problems.front().message);
  run_checks(o, baseline, a);
}

}  // namespace meshproof::analysis
