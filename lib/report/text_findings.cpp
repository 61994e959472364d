// The findings as compiler-style diagnostics for a terminal (docs/output.md, "Text"): one diagnostic per
// root cause (findings of one check at one position), a headline under about 120 characters with the
// details below, the caret, help, notes and the witness; colour when asked; a per-check table and a capped
// summary line at the end.
#include <iomanip>
#include <map>
#include <sstream>

#include "base/text.h"
#include "report/headline.h"
#include "report/report.h"

namespace meshproof::report {

namespace {

constexpr size_t kLongRun = 10;            // more findings than this: help once per check, a per-check table
constexpr size_t kSummaryNamesMax = 10;    // regulated namespaces named on the summary line
constexpr size_t kNotAnalyzedListed = 20;  // not-analyzed objects named after the summary line

struct Style {
  bool on = false;
  std::string paint(const std::string& s, const char* code) const {
    return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
  const char* severity_code(Severity s) const {
    return s == Severity::Error ? "1;31" : s == Severity::Warning ? "1;33" : "1;36";
  }
};

void write_message(std::ostringstream& o, const Finding& f, const std::string& where, const Style& st) {
  const size_t cut = headline_end(f.message);
  o << st.paint(where + ":", "1") << " " << st.paint(to_string(f.severity), st.severity_code(f.severity)) << "["
    << f.check << "]: " << f.message.substr(0, cut) << "\n";
}

void write_details(std::ostringstream& o, const Finding& f) {
  const size_t cut = headline_end(f.message);
  if (cut != std::string::npos) o << "  = " << f.message.substr(cut + 2) << "\n";
}

void write_notes(std::ostringstream& o, const Finding& f, const SourceSet& sources) {
  for (const RelatedLocation& r : f.related) {
    if (r.loc == f.loc) continue;  // the caret above already points there
    o << "  note: " << describe_location(sources, r.loc) << ": " << r.message << "\n";
  }
  if (f.witness) {
    const Witness& w = f.witness.value();
    o << "  witness: " << (w.decision.empty() ? "" : w.decision + " ");
    if (!w.reproduce.empty()) o << "reproduce with `" << w.reproduce << "`";
    o << "\n";
  }
}

bool same_cause(const Finding& a, const Finding& b) { return a.check == b.check && a.loc == b.loc && a.loc.known(); }

struct Counts {
  size_t by_severity[3] = {0, 0, 0};
  size_t suppressed = 0;
  size_t total() const { return by_severity[0] + by_severity[1] + by_severity[2]; }
};

// The unsuppressed findings, one diagnostic per root cause: the first finding in full, the others of the
// same cause as "also" lines. In a long run an identical help is printed once per check.
void write_diagnostics(std::ostringstream& o, const std::vector<Finding>& findings, const SourceSet& sources,
                       bool long_run, const Style& st) {
  std::map<std::string, std::string> help_shown;  // check -> last help printed
  const Finding* cause = nullptr;
  std::vector<const Finding*> group;
  auto flush = [&] {
    if (!cause) return;
    write_message(o, *cause, describe_location(sources, cause->loc), st);
    o << caret_snippet(sources, cause->loc);
    write_details(o, *cause);
    for (size_t i = 1; i < group.size(); ++i) o << "  = also: " << headline(group[i]->message) << "\n";
    if (!cause->help.empty() && !(long_run && help_shown[cause->check] == cause->help))
      o << "  " << st.paint("help:", "1;32") << " " << cause->help << "\n";
    help_shown[cause->check] = cause->help;
    for (const Finding* f : group) write_notes(o, *f, sources);
    o << "\n";
  };
  for (const Finding& f : findings) {
    if (!f.suppression.empty()) continue;
    if (!cause || !same_cause(*cause, f)) {
      flush();
      cause = &f;
      group.clear();
    }
    group.push_back(&f);
  }
  flush();
}

void write_suppressed(std::ostringstream& o, const std::vector<Finding>& findings, const SourceSet& sources,
                      size_t suppressed) {
  o << "suppressed (" << suppressed << "):\n";
  for (const Finding& f : findings) {
    if (f.suppression.empty()) continue;
    o << "  " << describe_location(sources, f.loc) << ": " << to_string(f.severity) << "[" << f.check
      << "]: " << f.message << "\n"
      << "    suppressed: " << f.suppression << "\n";
  }
  o << "\n";
}

void write_check_table(std::ostringstream& o, const std::map<std::string, Counts>& per_check) {
  size_t width = 5;
  for (const auto& [check, c] : per_check) width = std::max(width, check.size());
  o << std::left << std::setw(static_cast<int>(width)) << "check"
    << "  errors  warnings  notes  suppressed\n";
  for (const auto& [check, c] : per_check)
    o << std::left << std::setw(static_cast<int>(width)) << check << std::right << std::setw(8) << c.by_severity[2]
      << std::setw(10) << c.by_severity[1] << std::setw(7) << c.by_severity[0] << std::setw(12) << c.suppressed << "\n";
  o << "\n";
}

void write_summary_line(std::ostringstream& o, const Counts& all, const RunSummary& summary) {
  const size_t* n = all.by_severity;
  o << n[2] << (n[2] == 1 ? " error, " : " errors, ") << n[1] << (n[1] == 1 ? " warning, " : " warnings, ") << n[0]
    << (n[0] == 1 ? " note" : " notes");
  if (all.suppressed) o << " (" << all.suppressed << " suppressed)";
  o << " in " << summary.files << (summary.files == 1 ? " file" : " files") << "; " << summary.workloads
    << " workloads, " << summary.policies << " policies";
  const std::vector<std::string>& reg = summary.regulated_namespaces;
  if (!reg.empty()) {
    o << "; regulated:";
    for (size_t i = 0; i < reg.size() && i < kSummaryNamesMax; ++i) o << " " << reg[i];
    if (reg.size() > kSummaryNamesMax) o << " and " << reg.size() - kSummaryNamesMax << " more";
  }
  o << "\n";
}

// The objects whose policy meshproof does not model, each with its location (at most kNotAnalyzedListed),
// and when they are the input's only policies, why the run does not pass.
void write_not_analyzed(std::ostringstream& o, const SourceSet& sources, const RunSummary& summary) {
  const std::vector<model::NotAnalyzed>& items = summary.not_analyzed;
  if (items.empty()) return;
  o << "not analyzed: " << items.size() << (items.size() == 1 ? " object" : " objects")
    << " whose policy meshproof does not model (" << not_analyzed_counts(items) << ")\n";
  for (size_t i = 0; i < items.size() && i < kNotAnalyzedListed; ++i)
    o << "  " << describe_location(sources, items[i].loc) << ": " << model::describe(items[i]) << "\n";
  if (items.size() > kNotAnalyzedListed)
    o << "  and " << items.size() - kNotAnalyzedListed << " more (--format json lists them all)\n";
  if (only_unanalyzed_policies(summary))
    o << "nothing was analyzed: the input holds no Istio policy (exit code 2; the error on stderr says more)\n";
}

}  // namespace

size_t headline_end(const std::string& m) {
  if (m.size() <= kHeadlineMax) return std::string::npos;
  char quote = 0;
  for (size_t i = 0; i + 1 < m.size() && i <= kHeadlineMax; ++i) {
    const char c = m[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '`' || c == '"' || (c == '\'' && (i == 0 || m[i - 1] == ' ' || m[i - 1] == '('))) {
      quote = c;
    } else if ((c == ':' || c == ';') && m[i + 1] == ' ' && i >= 20) {
      return i;
    }
  }
  return std::string::npos;
}

std::string format_text(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary) {
  std::ostringstream o;
  std::map<std::string, Counts> per_check;
  Counts all;
  for (const Finding& f : findings) {
    Counts& c = per_check[f.check];
    if (!f.suppression.empty()) {
      ++c.suppressed;
      ++all.suppressed;
    } else {
      ++c.by_severity[static_cast<int>(f.severity)];
      ++all.by_severity[static_cast<int>(f.severity)];
    }
  }
  const bool long_run = all.total() > kLongRun;
  write_diagnostics(o, findings, sources, long_run, Style{summary.color});
  if (summary.quiet) return o.str();
  if (summary.show_suppressed && all.suppressed) write_suppressed(o, findings, sources, all.suppressed);
  if (long_run) write_check_table(o, per_check);
  write_summary_line(o, all, summary);
  write_not_analyzed(o, sources, summary);
  if (const size_t n = count_inconclusive(findings))
    o << n << (n == 1 ? " proof was" : " proofs were")
      << " inconclusive (the solver answered unknown), so nothing is proved about " << (n == 1 ? "it" : "them")
      << ": the run does not pass (exit code 4 unless a finding fails it or --fail-on is never)\n";
  return o.str();
}

}  // namespace meshproof::report
