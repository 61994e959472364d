// `meshproof replay -o text` and `-o md`: the classes that would break, those newly allowed, the lines
// that could not be rebuilt, and the counts.
#include <sstream>

#include "base/text.h"
#include "replay/replay.h"
#include "report/replay.h"

namespace meshproof::report {

namespace {

std::string replay_lines_text(const replay::ReplayClass& c) {
  std::vector<std::string> numbers;
  for (size_t l : c.lines) numbers.push_back(std::to_string(l));
  return join(numbers, ", ") + (c.count > c.lines.size() ? ", ..." : "");
}

std::string replay_decision_text(const replay::Decided& d) {
  std::string out = d.verdict + " (" + d.reason + ")";
  if (!d.rule.empty()) out += " by " + d.rule + " (" + d.rule_location + ")";
  return out;
}

void replay_classes_text(std::ostringstream& o, const std::vector<replay::ReplayClass>& classes, const char* title,
                         const ReplayHeader& h) {
  if (classes.empty()) return;
  o << "\n" << title << "\n";
  for (const auto& c : classes) {
    o << "  " << c.count << " request" << (c.count == 1 ? "" : "s") << " to " << c.to << " port " << c.port << "\n"
      << "    decision: " << replay_decision_text(c.example) << "\n"
      << "    logged:   " << replay::to_string(c.example.request.observed) << " (" << c.example.request.observed_detail
      << "), lines " << replay_lines_text(c) << "\n"
      << "    example:  " << replay_request_text(c.example.request) << "\n"
      << "    replay:   meshproof query " << h.paths << " " << replay::query_flags(c.example.request.spec) << "\n";
  }
}

void replay_unread_text(std::ostringstream& o, const replay::Result& r, const ReplayHeader& h) {
  if (r.unread.empty()) return;
  o << "\nNOT REPLAYED (" << r.unread.size() << " line" << (r.unread.size() == 1 ? "" : "s") << ")\n";
  for (size_t i = 0; i < r.unread.size() && i < h.max_unread_shown; ++i)
    o << "  " << h.log << ":" << r.unread[i].line << ": " << r.unread[i].reason << "\n";
  if (r.unread.size() > h.max_unread_shown)
    o << "  and " << r.unread.size() - h.max_unread_shown << " more (-o json lists every line)\n";
}

// A Markdown table cell: a '|' would end the cell.
std::string replay_md_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string replay_plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

size_t replay_class_total(const std::vector<replay::ReplayClass>& classes) {
  size_t n = 0;
  for (const auto& c : classes) n += c.count;
  return n;
}

}  // namespace

std::string replay_request_text(const replay::LogRequest& r) {
  const auto& q = r.spec.request;
  std::string out = q.method.empty() ? "TCP connection" : q.method + " " + (q.path.empty() ? "/" : q.path);
  if (!r.spec.from.empty())
    out += " from workload " + r.spec.from;
  else
    out += " from " + (r.spec.plaintext || q.principal.empty() ? std::string("a plaintext caller") : q.principal);
  if (!q.source_ip.empty()) out += " (" + q.source_ip + ")";
  return out + " to " + r.spec.to + " port " + std::to_string(r.spec.port);
}

std::string format_replay_text(const replay::Result& r, const ReplayHeader& h) {
  std::ostringstream o;
  o << "meshproof replay " << h.paths << " --log " << h.log << " (" << h.format << ")\n";
  replay_classes_text(o, r.would_break, "WOULD BREAK: served in the log, denied under the policies", h);
  replay_classes_text(o, r.would_allow, "WOULD ALLOW: denied in the log, allowed under the policies", h);
  replay_unread_text(o, r, h);
  size_t ignored = 0;
  for (const auto& [reason, n] : r.ignored) ignored += n;
  o << "\n"
    << r.replayed << " requests replayed: " << replay_class_total(r.would_break) << " would break ("
    << replay_plural(r.would_break.size(), "class", "classes") << "), " << replay_class_total(r.would_allow)
    << " would be allowed (" << replay_plural(r.would_allow.size(), "class", "classes") << "), " << r.agreeing
    << " agree, " << r.delegated << " delegated to an external authorizer; " << r.unread.size()
    << " lines not replayed, " << ignored << " ignored (client-side or reply lines)\n";
  return o.str();
}

std::string format_replay_markdown(const replay::Result& r, const ReplayHeader& h) {
  std::ostringstream o;
  o << "### meshproof replay\n\n"
    << "`" << h.log << "` (" << h.format << ") against `" << h.paths << "`: " << r.replayed << " requests replayed, **"
    << replay_class_total(r.would_break) << " would break**, " << replay_class_total(r.would_allow)
    << " would be newly allowed, " << r.unread.size() << " lines not replayed.\n";
  auto table = [&](const std::vector<replay::ReplayClass>& classes, const char* title) {
    if (classes.empty()) return;
    o << "\n**" << title << "**\n\n| requests | destination | decision | example (line) |\n|---|---|---|---|\n";
    for (const auto& c : classes)
      o << "| " << c.count << " | `" << c.to << "` port " << c.port << " | "
        << replay_md_cell(replay_decision_text(c.example)) << " | "
        << replay_md_cell(replay_request_text(c.example.request)) << " (" << c.lines.front() << ") |\n";
  };
  table(r.would_break, "Would break (served in the log, denied under the policies)");
  table(r.would_allow, "Would allow (denied in the log, allowed under the policies)");
  return o.str();
}

}  // namespace meshproof::report
