#include "replay/replay.h"

#include <algorithm>
#include <tuple>

#include "analysis/query.h"
#include "engine/witness.h"

namespace meshproof::replay {

const char* to_string(Outcome o) { return o == Outcome::WouldBreak ? "would-break" : "would-allow"; }

namespace {

void add_flag(std::string& out, const char* flag, const std::string& value) {
  if (value.empty()) return;
  out += std::string(out.empty() ? "" : " ") + flag + " " + engine::shell_quote(value);
}

Decided decided_of(const LogRequest& r, const analysis::QueryAnswer& a, const SourceSet& sources) {
  Decided d;
  d.request = r;
  d.verdict = engine::to_string(a.decision.verdict);
  d.reason = engine::to_string(a.decision.reason);
  if (const ir::Rule* rule = a.decision.decided_by) {
    d.rule = rule->display();
    d.rule_location = sources.describe(rule->loc);
    if (rule->loc.known()) {
      d.rule_file = sources.file(rule->loc.file).path;
      d.rule_line = rule->loc.line;
    }
  }
  d.explanation = a.decision.explanation;
  return d;
}

// Served and denied, allowed and observed denied; nullopt when decision and log agree or cannot be
// compared (delegated to an external authorizer).
std::optional<Outcome> outcome_of(const Decided& d) {
  if (d.verdict == "DELEGATED") return std::nullopt;
  const bool allowed = d.verdict == "ALLOW";
  if (d.request.observed == Observed::Served && !allowed) return Outcome::WouldBreak;
  if (d.request.observed == Observed::Denied && allowed) return Outcome::WouldAllow;
  return std::nullopt;
}

using ClassKey = std::tuple<std::string, uint32_t, std::string, std::string, std::string>;

void add_to_class(std::map<ClassKey, ReplayClass>& classes, Outcome o, const Decided& d) {
  ClassKey key{d.request.spec.to, d.request.spec.port, d.verdict, d.reason, d.rule};
  auto [it, fresh] = classes.try_emplace(key);
  ReplayClass& c = it->second;
  if (fresh) {
    c.outcome = o;
    c.to = d.request.spec.to;
    c.port = d.request.spec.port;
    c.example = d;
  }
  ++c.count;
  if (c.lines.size() < kMaxLinesPerClass) c.lines.push_back(d.request.line);
}

// Most requests first; ties in key order (deterministic).
std::vector<ReplayClass> sorted_classes(std::map<ClassKey, ReplayClass>& classes) {
  std::vector<ReplayClass> out;
  for (auto& [key, c] : classes) out.push_back(std::move(c));
  std::stable_sort(out.begin(), out.end(),
                   [](const ReplayClass& a, const ReplayClass& b) { return a.count > b.count; });
  return out;
}

}  // namespace

std::string query_flags(const analysis::QuerySpec& s) {
  std::string out;
  add_flag(out, "--to", s.to);
  if (s.port) add_flag(out, "--port", std::to_string(s.port));
  add_flag(out, "--protocol", s.protocol);
  add_flag(out, "--from", s.from);
  add_flag(out, "--principal", s.request.principal);
  if (s.plaintext) out += " --plaintext";
  add_flag(out, "--source-ip", s.request.source_ip);
  add_flag(out, "--destination-ip", s.request.destination_ip);
  add_flag(out, "--sni", s.request.sni);
  add_flag(out, "--method", s.request.method);
  add_flag(out, "--path", s.request.path);
  add_flag(out, "--host", s.request.host);
  for (const auto& h : s.request.headers) add_flag(out, "--header", h);
  return out;
}

Result replay(const analysis::Analysis& analysis, const ParsedLog& log) {
  Result out;
  out.unread = log.unread;
  out.ignored = log.ignored;
  std::map<ClassKey, ReplayClass> breaking, allowing;
  for (const LogRequest& r : log.requests) {
    analysis::QueryAnswer answer;
    if (auto err = analysis::answer_query(analysis, r.spec, answer)) {
      out.unread.push_back({r.line, *err, "meshproof query " + query_flags(r.spec)});
      continue;
    }
    ++out.replayed;
    Decided d = decided_of(r, answer, analysis.input->sources);
    if (d.verdict == "DELEGATED") ++out.delegated;
    auto o = outcome_of(d);
    if (!o) {
      if (d.verdict != "DELEGATED") ++out.agreeing;
      continue;
    }
    add_to_class(*o == Outcome::WouldBreak ? breaking : allowing, *o, d);
  }
  std::sort(out.unread.begin(), out.unread.end(),
            [](const UnreadLine& a, const UnreadLine& b) { return a.line < b.line; });
  out.would_break = sorted_classes(breaking);
  out.would_allow = sorted_classes(allowing);
  return out;
}

}  // namespace meshproof::replay
