// `meshproof check`: runs the analysis and prints the findings (text, JSON, SARIF or JUnit).
#include <chrono>
#include <iostream>

#include "analysis/baseline.h"
#include "base/text.h"
#include "commands.h"
#include "common.h"
#include "outputs.h"
#include "report/run.h"

namespace meshproof::cli {

namespace {

struct CheckFlags {
  AnalysisFlags analysis;
  std::vector<std::string> outputs;  // -o FORMAT[=FILE], repeatable
  std::string fail_on;               // "" = the config file's, else error
  bool stats = false;
  std::string write_baseline;
  bool show_suppressed = false;
  std::string color = "auto";
};

const std::vector<std::string> kCheckFormats = {"text", "json", "sarif", "junit", "md"};

int run_check(CheckFlags flags) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  if (!apply_config_file(flags.analysis, flags.fail_on, /*with_baseline=*/true)) return 2;
  std::string error;
  const auto targets = parse_output_targets(flags.outputs, kCheckFormats, "text", error);
  if (!targets) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(flags.analysis, /*checks=*/true);
  if (!a) return 2;

  const auto t_report = clock::now();
  report::RunSummary summary = report::summarize(*a, flags.fail_on);
  summary.show_suppressed = flags.show_suppressed;
  summary.quiet = flags.analysis.quiet;
  if (!flags.write_baseline.empty() &&
      !write_file_atomically(flags.write_baseline, analysis::format_baseline(a->findings)))
    return 2;
  const bool color = use_color(flags.color);
  const auto render = [&](const OutputTarget& t) {
    report::RunSummary s = summary;
    s.color = color && t.file.empty();  // never escape codes in a file
    return report::format_findings(t.format, *a, s, flags.analysis.only);
  };
  if (!write_outputs(*targets, render)) return 2;
  std::cerr << report::format_skipped_files(*a);
  if (flags.stats) {
    auto ms = [](clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); };
    std::cerr << report::format_phase_stats(*a, targets->front().format, ms(t_report), ms(t_start));
  }
  return report::exit_code(a->findings, summary);
}

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand("check", "Analyze manifests and report findings");
  add_analysis_flags(cmd, flags->analysis);
  cmd->add_option("-o,--output", flags->outputs,
                  "Output FORMAT[=FILE], repeatable: text, json, sarif, junit or md (a Markdown summary); "
                  "without =FILE to standard output (at most one), e.g. -o text -o sarif=meshproof.sarif")
      // The description lists the formats so that the man page and the completions offer them (cli_docs.cpp).
      ->check(CLI::Validator([](std::string& v) { return check_output_value(v, kCheckFormats); },
                             "{" + join(kCheckFormats, ",") + "}[=FILE]"));
  cmd->add_option("--fail-on", flags->fail_on, "Lowest severity that makes the exit code 1")
      ->check(CLI::IsMember({"error", "warning", "note", "never"}));
  cmd->add_option("--check", flags->analysis.only, "Run only this check (repeatable)");
  cmd->add_option("--baseline", flags->analysis.baseline,
                  "Findings whose fingerprints are in FILE are reported as baseline and do not fail the run");
  cmd->add_option("--write-baseline", flags->write_baseline, "Write the fingerprints of this run's findings to FILE");
  cmd->add_option("--color", flags->color,
                  "Colour the text output: auto (on a terminal, unless NO_COLOR is set), "
                  "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("-q,--quiet", flags->analysis.quiet,
                "Print the diagnostics only: no progress line and no closing summary");
  cmd->add_flag("--stats", flags->stats, "Print the time spent in each phase to stderr");
  cmd->add_flag("--show-suppressed", flags->show_suppressed,
                "Text output: also list suppressed findings (exceptions, annotations, baseline) with their reasons");
  cmd->footer(
      "Examples:\n"
      "  meshproof check samples/hospital\n"
      "  meshproof check manifests/ --regulated patients --regulated-selector compliance=hipaa -o json\n"
      "  kustomize build overlays/prod | meshproof check - --fail-on warning\n"
      "  meshproof check manifests/ -o text -o sarif=meshproof.sarif -o junit=junit.xml\n"
      "  meshproof check manifests/ --assert invariants.yaml");
  cmd->callback([flags, &exit_code] { exit_code = run_check(*flags); });
}

}  // namespace meshproof::cli
