// `meshproof report`: the auditor report (docs/reports.md) in HTML, Markdown or JSON. Runs the same
// analysis as `check` (same findings, same exit codes) and adds the scope, control evidence, mTLS table,
// access matrix and exceptions around it.
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "checks/assertions.h"
#include "checks/run.h"
#include "commands.h"
#include "common.h"
#include "engine/version.h"
#include "profile/profile.h"
#include "report/auditor.h"
#include "report/report.h"
#include "report/suppress.h"

namespace meshproof::cli {

namespace {

struct ReportFlags {
  InputFlags input;
  std::string format = "html";
  std::string out = "-";
  std::vector<std::string> regulated;
  std::vector<std::string> regulated_selectors;
  std::string profile;
  std::string assert_file;  // --assert FILE (docs/assertions.md)
  std::string fail_on = "error";
  std::string today;
  std::string generated_at;
  unsigned timeout_ms = 2000;
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
    if (!valid_timestamp(flag)) error = "--generated-at expects a UTC time like 2026-11-05T09:30:00Z, got '" + flag + "'";
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

int run_report(const ReportFlags& flags) {
  for (const std::string& s : flags.regulated_selectors) {
    try {
      checks::parse_label_selector(s);
    } catch (const std::invalid_argument& e) {
      std::cerr << "meshproof: error: --regulated-selector: " << e.what() << "\n";
      return 2;
    }
  }
  if (!flags.today.empty() && !profile::is_valid_date(flags.today)) {
    std::cerr << "meshproof: error: --today expects a date like 2026-11-05, got '" << flags.today << "'\n";
    return 2;
  }
  std::string error;
  const std::string generated_at = generation_time(flags.generated_at, error);
  if (!error.empty()) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }

  std::unique_ptr<app::Input> input = load_or_report(flags.input, /*progress=*/true);
  if (!input) return 2;

  // The profile goes into the input's SourceSet, so that exception locations and the profile's digest
  // are reported against the right file.
  profile::Profile prof = profile::default_profile();
  uint32_t profile_file = 0;
  if (!flags.profile.empty()) {
    std::vector<profile::ProfileError> errors;
    size_t before = input->sources.files().size();
    std::optional<profile::Profile> loaded = profile::load_profile(flags.profile, input->sources, errors);
    if (loaded) checks::validate_profile_checks(*loaded, errors);
    if (!loaded || !errors.empty()) {
      for (const profile::ProfileError& e : errors)
        std::cerr << input->sources.describe(e.loc) << ": error: " << e.message << "\n"
                  << report::caret_snippet(input->sources, e.loc);
      if (errors.empty()) std::cerr << "meshproof: error: cannot read profile '" << flags.profile << "'\n";
      return 2;
    }
    if (input->sources.files().size() > before) profile_file = static_cast<uint32_t>(before);
    prof = std::move(*loaded);
  }

  // Assertions (--assert FILE), as for `check`: the assertion-violated evidence of the controls.
  std::shared_ptr<checks::AssertionSet> assertions;
  uint32_t assertions_file = 0;
  if (!flags.assert_file.empty()) {
    std::vector<checks::AssertionError> errors;
    size_t before = input->sources.files().size();
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
    if (input->sources.files().size() > before) assertions_file = static_cast<uint32_t>(before);
    assertions = std::make_shared<checks::AssertionSet>(std::move(*loaded));
  }

  checks::Options options;
  options.assertions = assertions;
  options.input_paths = flags.input.paths;
  options.today = flags.today.empty() ? generated_at.substr(0, 10) : flags.today;
  options.query_timeout_ms = flags.timeout_ms;
  options.threads = flags.input.threads;
  options.progress = analysis_progress(input->mesh.workloads.size());
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {}};
  ctx.regulated = checks::regulated_namespaces(input->mesh, prof, flags.regulated, flags.regulated_selectors);

  std::vector<Finding> findings = checks::run_checks(ctx, {});
  report::apply_annotation_suppressions(findings, input->resources, input->sources);

  report::RunSummary summary;
  summary.files = input->stats.files;
  summary.resources = input->stats.resources;
  summary.workloads = input->stats.workloads;
  summary.policies = input->stats.policies;
  summary.regulated_namespaces = ctx.regulated;
  if (flags.fail_on == "never")
    summary.fail_on_never = true;
  else
    summary.fail_on = *severity_from_string(flags.fail_on);

  report::AuditOptions ao;
  ao.generated_at = generated_at;
  ao.z3_version = engine::z3_version();
  ao.cli_regulated = flags.regulated;
  ao.cli_regulated_selectors = flags.regulated_selectors;
  ao.profile_file = profile_file;
  ao.assertions_file = assertions_file;
  report::AuditReport rep = report::build_audit_report(ctx, findings, summary, ao);

  std::string text = flags.format == "json"   ? report::format_audit_json(rep)
                     : flags.format == "md"   ? report::format_audit_markdown(rep)
                                              : report::format_audit_html(rep);
  if (flags.out == "-") {
    std::cout << text;
    std::cout.flush();
  } else if (!write_file_atomically(flags.out, text)) {
    return 2;
  }

  for (const Finding& f : findings)
    if (report::fails_run(f, summary)) return 1;
  return 0;
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand("report", "Write an auditor report (HTML, Markdown or JSON) with evidence per control");
  add_input_flags(cmd, flags->input);
  cmd->add_option("-o,--output", flags->format, "Report format")->check(CLI::IsMember({"html", "md", "json"}));
  cmd->add_option("--out", flags->out, "Write the report to FILE (atomically); default: standard output");
  cmd->add_option("--profile", flags->profile, "Compliance profile (YAML, see docs/profiles.md), e.g. rules/hipaa.yaml");
  cmd->add_option("--assert", flags->assert_file,
                  "Prove the assertions in FILE (docs/assertions.md); violations are assertion-violated findings");
  cmd->add_option("--regulated", flags->regulated, "Treat namespace NS as regulated (repeatable)");
  cmd->add_option("--regulated-selector", flags->regulated_selectors,
                  "Treat namespaces with label KEY=VALUE as regulated (repeatable)");
  cmd->add_option("--fail-on", flags->fail_on, "Lowest severity that fails a control and makes the exit code 1")
      ->check(CLI::IsMember({"error", "warning", "note", "never"}));
  cmd->add_option("--today", flags->today, "Date (YYYY-MM-DD) used for exception expiry; default: the generation date");
  cmd->add_option("--generated-at", flags->generated_at,
                  "Generation time to print (UTC, 2026-11-05T09:30:00Z); default: $SOURCE_DATE_EPOCH, else now");
  cmd->add_option("--timeout-ms", flags->timeout_ms, "Time limit per symbolic query");
  cmd->footer(
      "Examples:\n"
      "  meshproof report manifests/ --profile rules/hipaa.yaml --out hipaa-report.html\n"
      "  meshproof report manifests/ --profile rules/pci-dss-4.yaml -o md --out report.md\n"
      "  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) meshproof report manifests/ -o json --out report.json");
  cmd->callback([flags, &exit_code] { exit_code = run_report(*flags); });
}

}  // namespace meshproof::cli
