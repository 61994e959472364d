// `meshproof replay -o sarif`: one result per class (would break: error, would be allowed: warning), at the
// rule that decides the class under the candidate policies, or, when no rule decides (no ALLOW rule
// matched, plaintext on a STRICT port), at the class's first line of the access log. As diff_sarif.cpp.
#include "replay/replay.h"
#include "report/json_internal.h"
#include "report/replay.h"

namespace meshproof::report {

using nlohmann::json;

namespace {

json replay_sarif_rules() {
  auto rule = [](const char* id, const char* name, const char* text, const char* full, const char* level) {
    return json{{"id", id},
                {"name", name},
                {"shortDescription", {{"text", text}}},
                {"fullDescription", {{"text", full}}},
                {"defaultConfiguration", {{"level", level}}},
                {"helpUri", "https://github.com/meshproof/meshproof/blob/main/docs/replay.md"}};
  };
  return json::array(
      {rule("would-break", "WouldBreak", "Logged requests the candidate policies would deny",
            "The access log shows these requests served; under the policies replayed against they are denied or "
            "rejected.",
            "error"),
       rule("would-allow", "WouldAllow", "Logged requests the candidate policies would newly allow",
            "The access log shows these requests denied; under the policies replayed against they are allowed.",
            "warning")});
}

json replay_sarif_location(const std::string& file, size_t line) {
  return json::array({{{"physicalLocation",
                        {{"artifactLocation", {{"uri", uri_encode(file)}}},
                         {"region", {{"startLine", line}}}}}}});
}

std::string replay_sarif_message(const replay::ReplayClass& c) {
  const replay::Decided& d = c.example;
  const bool breaks = c.outcome == replay::Outcome::WouldBreak;
  std::string text = c.to + " port " + std::to_string(c.port) + ": " + std::to_string(c.count) + " request" +
                     (c.count == 1 ? "" : "s") + (breaks ? " served in the log would be " : " denied in the log would be ") +
                     d.verdict + " (" + d.reason + (d.rule.empty() ? "" : ", " + d.rule) +
                     "), e.g. " + replay_request_text(d.request) + " (line " + std::to_string(d.request.line) + ")";
  return text;
}

json replay_sarif_result(const replay::ReplayClass& c, const ReplayHeader& h) {
  const replay::Decided& d = c.example;
  const bool breaks = c.outcome == replay::Outcome::WouldBreak;
  json r;
  r["ruleId"] = breaks ? "would-break" : "would-allow";
  r["level"] = breaks ? "error" : "warning";
  r["message"] = {{"text", replay_sarif_message(c)}};
  r["locations"] = d.rule_line ? replay_sarif_location(d.rule_file, d.rule_line)
                               : replay_sarif_location(h.log, d.request.line);
  r["properties"] = {{"to", c.to},
                     {"port", c.port},
                     {"count", c.count},
                     {"lines", c.lines},
                     {"verdict", d.verdict},
                     {"reason", d.reason},
                     {"rule", d.rule},
                     {"query", "meshproof query " + h.paths + " " + replay::query_flags(d.request.spec)}};
  return r;
}

}  // namespace

std::string format_replay_sarif(const replay::Result& r, const ReplayHeader& h) {
  json results = json::array();
  for (const auto* classes : {&r.would_break, &r.would_allow})
    for (const auto& c : *classes) results.push_back(replay_sarif_result(c, h));
  json run;
  run["tool"] = {{"driver",
                  {{"name", "meshproof"},
                   {"version", MESHPROOF_VERSION},
                   {"informationUri", "https://github.com/meshproof/meshproof"},
                   {"rules", replay_sarif_rules()}}}};
  run["results"] = results;
  run["properties"] = {{"paths", h.paths},
                       {"log", h.log},
                       {"format", h.format},
                       {"replayed", r.replayed},
                       {"agreeing", r.agreeing},
                       {"delegated", r.delegated},
                       {"not_replayed", r.unread.size()}};
  return sarif_log(std::move(run));
}

}  // namespace meshproof::report
