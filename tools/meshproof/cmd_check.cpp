#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "checks/assertions.h"
#include "checks/run.h"
#include "commands.h"
#include "common.h"
#include "profile/profile.h"
#include "report/report.h"
#include "report/suppress.h"

namespace meshproof::cli {

namespace {

struct CheckFlags {
  InputFlags input;
  std::string format = "text";
  std::vector<std::string> regulated;
  std::vector<std::string> regulated_selectors;
  std::string profile;
  std::string fail_on = "error";
  bool stats = false;
  std::vector<std::string> only;
  std::string today;
  unsigned timeout_ms = 2000;
  std::string baseline;
  std::string write_baseline;
  bool show_suppressed = false;
  std::string assert_file;  // --assert FILE (docs/assertions.md)
};

bool read_text_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream o;
  o << in.rdbuf();
  text = o.str();
  return true;
}

std::string utc_today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int run_check(const CheckFlags& flags) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  // Validate the flags that CLI11 cannot before reading any input.
  for (const std::string& s : flags.regulated_selectors) {
    try {
      checks::parse_label_selector(s);
    } catch (const std::invalid_argument& e) {
      std::cerr << "meshproof: error: --regulated-selector: " << e.what() << "\n";
      return 2;
    }
  }
  for (const std::string& name : flags.only) {
    if (!checks::find_check(name)) {
      std::cerr << "meshproof: error: unknown check '" << name << "'\n  help: see docs/checks/README.md for the list\n";
      return 2;
    }
  }

  std::vector<std::string> baseline;
  if (!flags.baseline.empty()) {
    std::string text, error;
    if (!read_text_file(flags.baseline, text)) {
      std::cerr << "meshproof: error: cannot read baseline '" << flags.baseline << "'\n";
      return 2;
    }
    if (!report::read_baseline(text, baseline, error)) {
      std::cerr << flags.baseline << ": error: " << error << "\n  help: create one with --write-baseline FILE\n";
      return 2;
    }
  }

  std::unique_ptr<app::Input> input = load_or_report(flags.input, /*progress=*/true);
  if (!input) return 2;

  // The profile is read into the input's SourceSet (after the input, so that file ids do not collide):
  // exception locations in findings (related locations, expired-exception) then name the profile file.
  profile::Profile prof = profile::default_profile();
  if (!flags.profile.empty()) {
    std::vector<profile::ProfileError> errors;
    std::optional<profile::Profile> loaded = profile::load_profile(flags.profile, input->sources, errors);
    // A check name the registry does not know (a typo in a control or exception) must not pass silently.
    if (loaded) checks::validate_profile_checks(*loaded, errors);
    if (!loaded || !errors.empty()) {
      for (const profile::ProfileError& e : errors) {
        std::cerr << input->sources.describe(e.loc) << ": error: " << e.message << "\n"
                  << report::caret_snippet(input->sources, e.loc);
      }
      if (errors.empty()) std::cerr << "meshproof: error: cannot read profile '" << flags.profile << "'\n";
      return 2;
    }
    prof = std::move(*loaded);
  }

  // Assertions (--assert FILE), read into the input's SourceSet like the profile; any error exits 2.
  std::shared_ptr<checks::AssertionSet> assertions;
  if (!flags.assert_file.empty()) {
    std::vector<checks::AssertionError> errors;
    std::optional<checks::AssertionSet> loaded = checks::load_assertions(flags.assert_file, input->sources, errors);
    if (loaded) checks::resolve_assertions(*loaded, input->mesh, errors);
    if (!loaded || !errors.empty()) {
      for (const checks::AssertionError& e : errors)
        std::cerr << input->sources.describe(e.loc) << ": error: " << e.message << "\n"
                  << report::caret_snippet(input->sources, e.loc);
      if (errors.empty()) std::cerr << "meshproof: error: cannot read assertions '" << flags.assert_file << "'\n";
      std::cerr << "  help: see docs/assertions.md for the format\n";
      return 2;
    }
    assertions = std::make_shared<checks::AssertionSet>(std::move(*loaded));
  }

  checks::Options options;
  options.assertions = assertions;
  options.input_paths = flags.input.paths;
  options.today = flags.today.empty() ? utc_today() : flags.today;
  options.query_timeout_ms = flags.timeout_ms;
  options.threads = flags.input.threads;
  options.progress = analysis_progress(input->mesh.workloads.size());
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {}};
  try {
    ctx.regulated = checks::regulated_namespaces(input->mesh, prof, flags.regulated, flags.regulated_selectors);
  } catch (const std::invalid_argument& e) {
    std::cerr << "meshproof: error: --regulated-selector: " << e.what() << "\n";
    return 2;
  }

  auto t0 = clock::now();
  std::vector<Finding> findings = checks::run_checks(ctx, flags.only);
  report::apply_annotation_suppressions(findings, input->resources, input->sources);
  if (!flags.baseline.empty()) report::apply_baseline(findings, baseline);
  input->stats.analyze_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();

  report::RunSummary summary;
  summary.files = input->stats.files;
  summary.resources = input->stats.resources;
  summary.workloads = input->stats.workloads;
  summary.policies = input->stats.policies;
  summary.regulated_namespaces = ctx.regulated;
  summary.show_suppressed = flags.show_suppressed;
  summary.baseline_applied = !flags.baseline.empty();
  if (flags.fail_on == "never")
    summary.fail_on_never = true;
  else
    summary.fail_on = *severity_from_string(flags.fail_on);

  auto t1 = clock::now();
  std::string out;
  if (flags.format == "json") {
    out = report::format_json(findings, input->sources, summary);
  } else if (flags.format == "sarif") {
    out = report::format_sarif(findings, input->sources, summary);
  } else if (flags.format == "junit") {
    std::vector<report::Evaluated> evaluated;
    for (const auto& check : checks::all_checks()) {
      if (!flags.only.empty() &&
          std::find(flags.only.begin(), flags.only.end(), check->info().name) == flags.only.end())
        continue;
      evaluated.push_back({check->info().name, check->subjects(ctx)});
    }
    out = report::format_junit(findings, input->sources, summary, evaluated);
  } else {
    out = report::format_text(findings, input->sources, summary);
  }
  if (!flags.write_baseline.empty() &&
      !write_file_atomically(flags.write_baseline, report::format_baseline(findings)))
    return 2;
  std::cout << out;
  std::cout.flush();
  input->stats.report_ms = std::chrono::duration<double, std::milli>(clock::now() - t1).count();

  if (flags.stats) {
    app::PhaseStats& s = input->stats;
    s.total_ms = std::chrono::duration<double, std::milli>(clock::now() - t_start).count();
    // Profile, assertions and regulated namespaces: between resolve and analyze, small; shown so that the
    // phases add up to the total.
    const double other_ms = s.total_ms - (s.load_ms + s.validate_ms + s.resolve_ms + s.analyze_ms + s.report_ms);
    // Lowering is not a separate pass in `check`: the gap checks lower each workload class just before
    // they analyze it (checks/gap_support.h), so its time is inside `analyze`. bench/phase_bench times
    // lowering alone (docs/performance.md).
    std::fprintf(stderr,
                 "phase      ms\n"
                 "load       %.1f   (%zu files, %zu documents, %zu resources)\n"
                 "validate   %.1f\n"
                 "resolve    %.1f   (%zu workloads, %zu classes)\n"
                 "lower      -   (inside analyze: each class is lowered just before it is analyzed)\n"
                 "analyze    %.1f   (%zu findings)\n"
                 "report     %.1f   (format and write %s)\n"
                 "other      %.1f   (profile, assertions, regulated namespaces)\n"
                 "total      %.1f   (peak RSS %.1f MB)\n",
                 s.load_ms, s.files, s.documents, s.resources, s.validate_ms, s.resolve_ms, s.workloads, s.classes,
                 s.analyze_ms, findings.size(), s.report_ms, flags.format.c_str(), other_ms, s.total_ms,
                 static_cast<double>(app::peak_rss_kb()) / 1024.0);
  }

  for (const Finding& f : findings)
    if (report::fails_run(f, summary)) return 1;
  return 0;
}

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand("check", "Analyze manifests and report findings");
  add_input_flags(cmd, flags->input);
  cmd->add_option("-o,--output", flags->format, "Output format")->check(CLI::IsMember({"text", "json", "sarif", "junit"}));
  cmd->add_option("--regulated", flags->regulated, "Treat namespace NS as regulated (repeatable)");
  cmd->add_option("--regulated-selector", flags->regulated_selectors,
                  "Treat namespaces with label KEY=VALUE as regulated (repeatable)");
  cmd->add_option("--profile", flags->profile, "Compliance profile (YAML, see docs/profiles.md); default rules/default.yaml's built-in copy");
  cmd->add_option("--fail-on", flags->fail_on, "Lowest severity that makes the exit code 1")
      ->check(CLI::IsMember({"error", "warning", "note", "never"}));
  cmd->add_option("--check", flags->only, "Run only this check (repeatable)");
  cmd->add_option("--today", flags->today, "Date (YYYY-MM-DD) used for exception expiry; default: today (UTC)");
  cmd->add_option("--timeout-ms", flags->timeout_ms, "Time limit per symbolic query");
  cmd->add_option("--baseline", flags->baseline,
                  "Findings whose fingerprints are in FILE are reported as baseline and do not fail the run");
  cmd->add_option("--write-baseline", flags->write_baseline, "Write the fingerprints of this run's findings to FILE");
  cmd->add_option("--assert", flags->assert_file,
                  "Prove the assertions in FILE (deny/allow/only, see docs/assertions.md); a violated one is an "
                  "assertion-violated finding with a counterexample");
  cmd->add_flag("--stats", flags->stats, "Print the time spent in each phase to stderr");
  cmd->add_flag("--show-suppressed", flags->show_suppressed,
                "Text output: also list suppressed findings (exceptions, annotations, baseline) with their reasons");
  cmd->footer(
      "Examples:\n"
      "  meshproof check samples/hospital\n"
      "  meshproof check manifests/ --regulated patients --regulated-selector compliance=hipaa -o json\n"
      "  kustomize build overlays/prod | meshproof check - --fail-on warning\n"
      "  meshproof check manifests/ --assert invariants.yaml");
  cmd->callback([flags, &exit_code] { exit_code = run_check(*flags); });
}

}  // namespace meshproof::cli
