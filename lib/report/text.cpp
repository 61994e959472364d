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

// The byte just past the token that starts at byte `col` of `line` (up to whitespace or a flow delimiter).
size_t token_end(const std::string& line, size_t col) {
  size_t end = col;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != ',' && line[end] != ']' &&
         line[end] != '}')
    ++end;
  return end;
}

size_t code_points(const std::string& s, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to && i < s.size(); ++i) n += utf8_continuation(s[i]) ? 0 : 1;
  return n;
}

}  // namespace

uint32_t token_end_column(const SourceSet& sources, const Loc& loc) {
  if (!loc.known() || !loc.col) return 0;
  const std::string line = sources.line_text(loc);
  // loc.col counts code points; find its byte offset, then count the token's code points.
  size_t byte = 0;
  for (uint32_t cp = 1; byte < line.size() && cp < loc.col; ++cp) {
    ++byte;
    while (byte < line.size() && utf8_continuation(line[byte])) ++byte;
  }
  if (byte >= line.size()) return 0;
  const size_t end = token_end(line, byte);
  return loc.col + static_cast<uint32_t>(std::max<size_t>(code_points(line, byte, end), 1));
}

std::string describe_location(const SourceSet& sources, const Loc& loc) {
  const std::string where = sources.describe(loc);
  const std::string helm = sources.helm_source(loc);
  return helm.empty() ? where : helm + " (" + where + ")";
}

std::string caret_snippet(const SourceSet& sources, const Loc& loc) {
  if (!loc.known()) return "";
  std::string line = sources.line_text(loc);
  if (line.empty()) return "";
  std::string number = std::to_string(loc.line);
  std::string gutter(number.size(), ' ');
  size_t col = loc.col ? loc.col - 1 : 0;
  if (col > line.size()) col = line.size();
  window(line, col);
  // Underline the token that starts at the column.
  const size_t end = token_end(line, col);
  size_t width = end > col ? end - col : 1;
  std::string pad;
  for (size_t i = 0; i < col; ++i) pad += (line[i] == '\t' ? '\t' : ' ');
  std::ostringstream o;
  o << " " << number << " | " << line << "\n";
  o << " " << gutter << " | " << pad << '^' << std::string(width - 1, '~') << "\n";
  return o.str();
}

namespace {

std::string location_prefix(const SourceSet& sources, const Loc& loc) { return describe_location(sources, loc); }

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
