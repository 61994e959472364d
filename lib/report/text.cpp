#include <algorithm>
#include <sstream>

#include "checks/check.h"
#include "report/report.h"

namespace meshproof::report {

namespace {

// A source line longer than this is shown as a window around the column (a minified JSON file is one line
// of megabytes; printing it whole, and a caret padding as long, buries the message).
constexpr size_t kMaxSnippet = 200;
constexpr size_t kContextBefore = 80;

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Cuts `line` to at most kMaxSnippet bytes around `col`, at UTF-8 character boundaries, marking each cut with
// "..."; moves `col` with it.
void window(std::string& line, size_t& col) {
  if (line.size() <= kMaxSnippet) return;
  size_t start = col > kContextBefore ? col - kContextBefore : 0;
  while (start < col && utf8_continuation(line[start])) ++start;
  size_t end = std::min(line.size(), start + kMaxSnippet - 6);
  while (end > col && end < line.size() && utf8_continuation(line[end])) --end;
  std::string cut = (start > 0 ? "..." : "") + line.substr(start, end - start) + (end < line.size() ? "..." : "");
  col = col - start + (start > 0 ? 3 : 0);
  line = std::move(cut);
}

}  // namespace

std::string caret_snippet(const SourceSet& sources, const Loc& loc) {
  if (!loc.known()) return "";
  std::string line = sources.line_text(loc);
  if (line.empty()) return "";
  std::string number = std::to_string(loc.line);
  std::string gutter(number.size(), ' ');
  size_t col = loc.col ? loc.col - 1 : 0;
  if (col > line.size()) col = line.size();
  window(line, col);
  // Underline the token that starts at the column (up to whitespace or a flow delimiter).
  size_t end = col;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != ',' && line[end] != ']' &&
         line[end] != '}')
    ++end;
  size_t width = end > col ? end - col : 1;
  std::string pad;
  for (size_t i = 0; i < col; ++i) pad += (line[i] == '\t' ? '\t' : ' ');
  std::ostringstream o;
  o << " " << number << " | " << line << "\n";
  o << " " << gutter << " | " << pad << '^' << std::string(width - 1, '~') << "\n";
  return o.str();
}

namespace {

std::string location_prefix(const SourceSet& sources, const Loc& loc) { return sources.describe(loc); }

}  // namespace

bool fails_run(const Finding& f, const RunSummary& summary) {
  if (summary.fail_on_never || !f.suppression.empty()) return false;
  return static_cast<int>(f.severity) >= static_cast<int>(summary.fail_on);
}

bool leaves_run_inconclusive(const Finding& f, const RunSummary& summary) {
  return !summary.fail_on_never && f.suppression.empty() && checks::is_inconclusive(f);
}

size_t count_inconclusive(const std::vector<Finding>& findings) {
  return std::count_if(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.suppression.empty() && checks::is_inconclusive(f); });
}

std::string format_text(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary) {
  std::ostringstream o;
  size_t counts[3] = {0, 0, 0};
  size_t suppressed = 0;
  for (const Finding& f : findings) {
    if (!f.suppression.empty()) {
      ++suppressed;
      continue;
    }
    ++counts[static_cast<int>(f.severity)];
    o << location_prefix(sources, f.loc) << ": " << to_string(f.severity) << "[" << f.check << "]: " << f.message
      << "\n";
    o << caret_snippet(sources, f.loc);
    if (!f.help.empty()) o << "  help: " << f.help << "\n";
    for (const RelatedLocation& r : f.related) {
      if (r.loc == f.loc) continue;  // the caret above already points there
      o << "  note: " << location_prefix(sources, r.loc) << ": " << r.message << "\n";
    }
    if (f.witness) {
      const Witness& w = f.witness.value();
      o << "  witness: " << (w.decision.empty() ? "" : w.decision + " ");
      if (!w.reproduce.empty()) o << "reproduce with `" << w.reproduce << "`";
      o << "\n";
    }
    o << "\n";
  }
  if (summary.show_suppressed && suppressed) {
    o << "suppressed (" << suppressed << "):\n";
    for (const Finding& f : findings) {
      if (f.suppression.empty()) continue;
      o << "  " << location_prefix(sources, f.loc) << ": " << to_string(f.severity) << "[" << f.check
        << "]: " << f.message << "\n"
        << "    suppressed: " << f.suppression << "\n";
    }
    o << "\n";
  }
  o << counts[2] << (counts[2] == 1 ? " error, " : " errors, ") << counts[1]
    << (counts[1] == 1 ? " warning, " : " warnings, ") << counts[0] << (counts[0] == 1 ? " note" : " notes");
  if (suppressed) o << " (" << suppressed << " suppressed)";
  o << " in " << summary.files << (summary.files == 1 ? " file" : " files") << "; " << summary.workloads
    << " workloads, " << summary.policies << " policies";
  if (!summary.regulated_namespaces.empty()) {
    o << "; regulated:";
    for (const std::string& ns : summary.regulated_namespaces) o << " " << ns;
  }
  o << "\n";
  if (const size_t n = count_inconclusive(findings))
    o << n << (n == 1 ? " proof was" : " proofs were")
      << " inconclusive (the solver answered unknown), so nothing is proved about " << (n == 1 ? "it" : "them")
      << ": the run does not pass (exit code 4 unless a finding fails it or --fail-on is never)\n";
  return o.str();
}

std::string format_load_errors(const std::vector<load::LoadError>& errors, const SourceSet& sources) {
  std::ostringstream o;
  for (const load::LoadError& e : errors) {
    if (e.loc.file == 0)
      o << "meshproof: error: " << e.message << "\n";
    else
      o << location_prefix(sources, e.loc) << ": error: " << e.message << "\n";
    o << caret_snippet(sources, e.loc);
    if (!e.help.empty()) o << "  help: " << e.help << "\n";
  }
  return o.str();
}

}  // namespace meshproof::report
