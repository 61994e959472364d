// A Markdown summary of a run for pull-request comments and CI job summaries ($GITHUB_STEP_SUMMARY): the
// verdict, the counts, one table of counts per check, then the findings that fail the run (headlines),
// capped so the comment stays short.
#include <map>
#include <sstream>

#include "base/text.h"
#include "report/headline.h"
#include "report/report.h"

namespace meshproof::report {

namespace {

constexpr size_t kMaxListed = 50;
constexpr size_t kMaxNotAnalyzedListed = 10;

// Markdown table cells and list items: no line breaks, no pipes, no raw HTML.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r') c = ' ';
    if (c == '|' || c == '<' || c == '>' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

struct CheckCounts {
  size_t by_severity[3] = {0, 0, 0};
  size_t suppressed = 0;
};

void write_table(std::ostringstream& o, const std::vector<Finding>& findings) {
  std::map<std::string, CheckCounts> per_check;
  for (const Finding& f : findings) {
    CheckCounts& c = per_check[f.check];
    f.suppression.empty() ? ++c.by_severity[static_cast<int>(f.severity)] : ++c.suppressed;
  }
  o << "| check | errors | warnings | notes | suppressed |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [check, c] : per_check)
    o << "| [" << check << "](" << kCheckDocsBaseUri << check << ".md) | " << c.by_severity[2] << " | "
      << c.by_severity[1] << " | " << c.by_severity[0] << " | " << c.suppressed << " |\n";
}

// "passed", "failed", "inconclusive" or "input errors": the verdict the exit code gives (report/run.h).
std::string verdict(const std::vector<Finding>& findings, const RunSummary& summary, size_t failing) {
  if (!summary.skipped_files.empty()) return "input errors";
  if (only_unanalyzed_policies(summary)) return "nothing analyzed";
  if (failing) return "failed";
  for (const Finding& f : findings)
    if (leaves_run_inconclusive(f, summary)) return "inconclusive";
  return "passed";
}

void write_counts(std::ostringstream& o, const std::vector<Finding>& findings, const RunSummary& summary) {
  size_t n[3] = {0, 0, 0}, suppressed = 0;
  for (const Finding& f : findings) f.suppression.empty() ? ++n[static_cast<int>(f.severity)] : ++suppressed;
  o << n[2] << " errors, " << n[1] << " warnings, " << n[0] << " notes (" << suppressed << " suppressed) in "
    << summary.files << (summary.files == 1 ? " file" : " files") << "; " << summary.workloads << " workloads, "
    << summary.policies << " policies; fails on: " << (summary.fail_on_never ? "never" : to_string(summary.fail_on));
  if (!summary.regulated_namespaces.empty()) o << "; regulated: " << md_escape(join(summary.regulated_namespaces, " "));
  o << "\n\n";
}

// The findings at or above --fail-on, one row each with the headline of the message, at most kMaxListed.
void write_failing(std::ostringstream& o, const std::vector<Finding>& findings, const SourceSet& sources,
                   const RunSummary& summary, size_t failing) {
  if (!failing) return;
  o << "| severity | check | location | finding |\n|---|---|---|---|\n";
  size_t listed = 0;
  for (const Finding& f : findings) {
    if (!fails_run(f, summary)) continue;
    if (listed++ == kMaxListed) break;
    o << "| " << to_string(f.severity) << " | `" << f.check << "` | " << md_escape(describe_location(sources, f.loc))
      << " | " << md_escape(headline(f.message)) << " |\n";
  }
  if (failing > kMaxListed) o << "\n" << failing - kMaxListed << " more findings: see the SARIF or JSON output.\n";
}

// The objects whose policy meshproof does not model: counted, the first few named.
void write_not_analyzed_markdown(std::ostringstream& o, const SourceSet& sources, const RunSummary& summary) {
  const std::vector<model::NotAnalyzed>& items = summary.not_analyzed;
  if (items.empty()) return;
  o << "**" << items.size()
    << " not analyzed** (policy meshproof does not model: " << md_escape(not_analyzed_counts(items)) << ")";
  if (const std::string failure = not_analyzed_failure(summary); !failure.empty()) o << ": " << md_escape(failure);
  o << "\n\n";
  for (size_t i = 0; i < items.size() && i < kMaxNotAnalyzedListed; ++i)
    o << "- " << md_escape(describe_location(sources, items[i].loc) + ": " + model::describe(items[i])) << "\n";
  if (items.size() > kMaxNotAnalyzedListed)
    o << "- and " << items.size() - kMaxNotAnalyzedListed << " more (see the JSON output's `not_analyzed`)\n";
  o << "\n";
}

}  // namespace

std::string format_markdown(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary) {
  std::ostringstream o;
  size_t failing = 0;
  for (const Finding& f : findings) failing += fails_run(f, summary) ? 1 : 0;
  o << "## meshproof: " << verdict(findings, summary, failing) << "\n\n";
  write_counts(o, findings, summary);
  if (const size_t n = summary.skipped_files.size())
    o << "**" << n << (n == 1 ? " input error" : " input errors")
      << "**: files that could not be read were left out (exit code 2), e.g. "
      << md_escape(sources.describe(summary.skipped_files.front().loc) + ": " + summary.skipped_files.front().message)
      << "\n\n";
  write_not_analyzed_markdown(o, sources, summary);
  if (findings.empty()) return o.str();
  write_table(o, findings);
  o << "\n";
  write_failing(o, findings, sources, summary, failing);
  if (const size_t n = count_inconclusive(findings))
    o << "\n" << n << (n == 1 ? " proof was" : " proofs were") << " inconclusive (solver unknown): not a pass.\n";
  return o.str();
}

}  // namespace meshproof::report
