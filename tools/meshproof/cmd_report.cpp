// `meshproof report`: the auditor report (docs/reports.md) in HTML, Markdown or JSON. Runs the same
// analysis as `check` (same findings, same exit codes) and adds the scope, control evidence, mTLS table,
// access matrix and exceptions around it.
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "engine/version.h"
#include "outputs.h"
#include "report/auditor.h"
#include "report/run.h"

namespace meshproof::cli {

namespace {

struct ReportFlags {
  AnalysisFlags analysis;
  std::string format;  // -o; "" = from --out's extension, else html
  std::string out = "-";
  std::string fail_on;  // "" = the config file's, else error
  std::string generated_at;
};

std::string format_utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// RFC 3339 in UTC with seconds ("2026-11-05T09:30:00Z"): the one form the report prints.
bool valid_timestamp(const std::string& s) {
  if (s.size() != 20 || s[10] != 'T' || s[19] != 'Z' || s[13] != ':' || s[16] != ':') return false;
  for (size_t i : {11, 12, 14, 15, 17, 18})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int hh = std::stoi(s.substr(11, 2)), mm = std::stoi(s.substr(14, 2)), ss = std::stoi(s.substr(17, 2));
  return profile::is_valid_date(s.substr(0, 10)) && hh < 24 && mm < 60 && ss < 61;
}

// The generation time: --generated-at, else SOURCE_DATE_EPOCH (reproducible builds), else now. Returns
// "" with `error` set when the flag or the variable is malformed.
std::string generation_time(const std::string& flag, std::string& error) {
  if (!flag.empty()) {
    if (!valid_timestamp(flag))
      error = "--generated-at expects a UTC time like 2026-11-05T09:30:00Z, got '" + flag + "'";
    return error.empty() ? flag : "";
  }
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env && *env) {
    std::string v = env;
    bool digits = v.size() <= 12;
    for (char c : v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits) {
      error = "SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 UTC, got '" + v + "'";
      return "";
    }
    return format_utc(static_cast<std::time_t>(std::stoll(v)));
  }
  return format_utc(std::time(nullptr));
}

// -o when given, else the format --out's extension names (report.md → md), else HTML.
std::string report_format(const ReportFlags& flags) {
  if (!flags.format.empty()) return flags.format;
  const std::string inferred = format_of_extension(flags.out, {"html", "md", "json"});
  return inferred.empty() ? "html" : inferred;
}

int run_report(ReportFlags flags) {
  if (!apply_config_file(flags.analysis, flags.fail_on, /*with_baseline=*/false)) return 2;
  flags.format = report_format(flags);
  std::string error;
  const std::string generated_at = generation_time(flags.generated_at, error);
  if (!error.empty()) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  // Exceptions expire relative to the report's date unless --today says otherwise.
  if (flags.analysis.today.empty()) flags.analysis.today = generated_at.substr(0, 10);
  std::unique_ptr<analysis::Analysis> a = run_analysis(flags.analysis, /*checks=*/true);
  if (!a) return 2;

  report::RunSummary summary = report::summarize(*a, flags.fail_on);
  report::AuditOptions ao;
  ao.generated_at = generated_at;
  ao.z3_version = engine::z3_version();
  ao.cli_regulated = flags.analysis.regulated;
  ao.cli_regulated_selectors = flags.analysis.regulated_selectors;
  ao.profile_file = a->profile_file;
  ao.assertions_file = a->assertions_file;
  if (summary.vcs) ao.git = *summary.vcs;
  report::AuditReport rep = report::build_audit_report(*a->context, a->findings, summary, ao);
  std::string text = flags.format == "json" ? report::format_audit_json(rep)
                     : flags.format == "md" ? report::format_audit_markdown(rep)
                                            : report::format_audit_html(rep);
  if (flags.out == "-" ? !write_stdout(text) : !write_file_atomically(flags.out, text)) return 2;
  std::cerr << report::format_skipped_files(*a);
  return report::exit_code(a->findings, summary);
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd =
      app.add_subcommand("report", "Write an auditor report (HTML, Markdown or JSON) with evidence per control");
  add_analysis_flags(cmd, flags->analysis);
  cmd->add_option("-o,--output", flags->format, "Report format (default: from --out's extension, else html)")
      ->check(CLI::IsMember({"html", "md", "json"}));
  cmd->add_option("--out", flags->out,
                  "Write the report to FILE (atomically; .html, .md or .json sets the format); default: standard "
                  "output");
  cmd->add_option("--fail-on", flags->fail_on, "Lowest severity that fails a control and makes the exit code 1")
      ->check(CLI::IsMember({"error", "warning", "note", "never"}));
  cmd->add_option("--generated-at", flags->generated_at,
                  "Generation time to print (UTC, 2026-11-05T09:30:00Z); default: $SOURCE_DATE_EPOCH, else now");
  cmd->footer(
      "Examples:\n"
      "  meshproof report manifests/ --profile rules/hipaa.yaml --out hipaa-report.html\n"
      "  meshproof report manifests/ --profile rules/pci-dss-4.yaml --out report.md\n"
      "  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) meshproof report manifests/ -o json --out report.json");
  cmd->callback([flags, &exit_code] { exit_code = run_report(*flags); });
}

}  // namespace meshproof::cli
