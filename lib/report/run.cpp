#include "report/run.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "checks/run.h"

namespace meshproof::report {

RunSummary summarize(const analysis::Analysis& a, const std::string& fail_on) {
  RunSummary s;
  const app::PhaseStats& st = a.input->stats;
  s.files = st.files;
  s.resources = st.resources;
  s.workloads = st.workloads;
  s.policies = st.policies;
  s.regulated_namespaces = a.regulated;
  s.baseline_applied = a.baseline_applied;
  s.skipped_files = a.input->skipped;
  s.not_analyzed = a.input->not_analyzed;
  std::error_code ec;
  s.working_dir = std::filesystem::current_path(ec).string();
  if (!ec) s.vcs = find_git_checkout(s.working_dir);
  if (fail_on == "never")
    s.fail_on_never = true;
  else if (auto sev = severity_from_string(fail_on))
    s.fail_on = *sev;
  return s;
}

std::vector<Evaluated> evaluated_checks(const analysis::Analysis& a, const std::vector<std::string>& only) {
  std::vector<Evaluated> evaluated;
  for (const auto& check : checks::all_checks()) {
    const std::string& name = check->info().name;
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    evaluated.push_back({name, check->subjects(*a.context)});
  }
  return evaluated;
}

std::string format_findings(const std::string& format, const analysis::Analysis& a, const RunSummary& summary,
                            const std::vector<std::string>& only) {
  const SourceSet& sources = a.input->sources;
  if (format == "json") return format_json(a.findings, sources, summary, a.context ? a.context->options.threads : 1);
  if (format == "sarif") return format_sarif(a.findings, sources, summary);
  if (format == "md") return format_markdown(a.findings, sources, summary);
  if (format == "junit") return format_junit(a.findings, sources, summary, evaluated_checks(a, only));
  return format_text(a.findings, sources, summary);
}

namespace {

// The input holds no Istio policy, only objects whose policy meshproof does not model: the closing error.
std::string format_nothing_analyzed(const analysis::Analysis& a) {
  RunSummary s;
  s.policies = a.input->stats.policies;
  s.not_analyzed = a.input->not_analyzed;
  const std::string failure = not_analyzed_failure(s);
  return failure.empty() ? "" : "meshproof: error: " + failure + "\n";
}

}  // namespace

std::string format_skipped_files(const analysis::Analysis& a) {
  const std::vector<load::LoadError>& skipped = a.input->skipped;
  if (skipped.empty()) return format_nothing_analyzed(a);
  std::set<uint32_t> files;
  for (const load::LoadError& e : skipped) files.insert(e.loc.file);
  const size_t n = files.size();
  return format_load_errors(skipped, a.input->sources) + "meshproof: " + std::to_string(n) +
         (n == 1 ? " file was" : " files were") +
         " left out because it could not be read (above); the rest was analyzed and reported, and the exit code "
         "is 2 until " +
         (n == 1 ? "it is" : "they are") + " fixed or excluded (--exclude)\n" + format_nothing_analyzed(a);
}

std::string format_failure(const analysis::Analysis& a) {
  std::string out;
  if (a.input && !a.input->errors.empty()) {
    const size_t n = a.input->errors.size();
    out += format_load_errors(a.input->errors, a.input->sources);
    out += "meshproof: " + std::to_string(n) + (n == 1 ? " input error" : " input errors") + "; nothing was analyzed\n";
    return out;
  }
  for (const analysis::Problem& p : a.problems) {
    if (p.loc.known() && a.input) {
      out += a.input->sources.describe(p.loc) + ": error: " + p.message + "\n";
      out += caret_snippet(a.input->sources, p.loc);
    } else {
      out += "meshproof: error: " + p.message + "\n";
    }
    if (!p.help.empty()) out += "  help: " + p.help + "\n";
  }
  return out;
}

std::string format_phase_stats(const analysis::Analysis& a, const std::string& format, double report_ms,
                               double total_ms) {
  const app::PhaseStats& s = a.input->stats;
  // Profile, assertions and regulated namespaces: between resolve and analyze, small; shown so that the
  // phases add up to the total.
  const double other_ms = total_ms - (s.load_ms + s.validate_ms + s.resolve_ms + s.analyze_ms + report_ms);
  // Lowering is not a separate pass in `check`: the symbolic checks lower each workload class just before
  // they analyze it, so its time is inside `analyze`. bench/phase_bench times lowering alone
  // (docs/performance.md).
  auto mb = [](size_t kb) { return static_cast<double>(kb) / 1024.0; };
  char buf[1200];
  std::snprintf(buf, sizeof buf,
                "phase      ms       peak RSS at its end (MB)\n"
                "load       %-8.1f %-8.1f (%zu files, %zu documents, %zu resources)\n"
                "validate   %.1f\n"
                "resolve    %-8.1f %-8.1f (%zu workloads, %zu classes)\n"
                "lower      -   (inside analyze: each class is lowered just before it is analyzed)\n"
                "analyze    %-8.1f %-8.1f (%zu findings)\n"
                "report     %.1f   (format and write %s)\n"
                "other      %.1f   (profile, assertions, regulated namespaces)\n"
                "total      %.1f   (peak RSS %.1f MB)\n",
                s.load_ms, mb(s.load_rss_kb), s.files, s.documents, s.resources, s.validate_ms, s.resolve_ms,
                mb(s.resolve_rss_kb), s.workloads, s.classes, s.analyze_ms, mb(s.analyze_rss_kb), a.findings.size(),
                report_ms, format.c_str(), other_ms, total_ms, mb(app::peak_rss_kb()));
  return buf;
}

int exit_code(const std::vector<Finding>& findings, const RunSummary& summary) {
  auto any = [&](bool (*rule)(const Finding&, const RunSummary&)) {
    return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return rule(f, summary); });
  };
  if (!summary.skipped_files.empty()) return kExitInputError;     // part of the input was not analyzed
  if (only_unanalyzed_policies(summary)) return kExitInputError;  // none of the input's policies was analyzed
  if (any(fails_run)) return kExitFindings;
  if (any(leaves_run_inconclusive)) return kExitInconclusive;
  return kExitPass;
}

}  // namespace meshproof::report
