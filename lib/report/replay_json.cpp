// `meshproof replay -o json`: schema meshproof.replay/v1 (docs/replay.md). Every class and every line
// not replayed is listed.
#include "replay/replay.h"
#include "report/json_internal.h"
#include "report/replay.h"

namespace meshproof::report {

using ordered = nlohmann::ordered_json;

namespace {

ordered replay_request_json(const replay::LogRequest& r) {
  const auto& q = r.spec.request;
  ordered j;
  j["line"] = r.line;
  j["to"] = r.spec.to;
  j["port"] = r.spec.port;
  j["protocol"] = r.spec.protocol;
  j["from"] = r.spec.from.empty() ? ordered(nullptr) : ordered(r.spec.from);
  j["principal"] = q.principal.empty() ? ordered(nullptr) : ordered(q.principal);
  j["source_ip"] = q.source_ip.empty() ? ordered(nullptr) : ordered(q.source_ip);
  j["method"] = q.method.empty() ? ordered(nullptr) : ordered(q.method);
  j["path"] = q.path.empty() ? ordered(nullptr) : ordered(q.path);
  j["host"] = q.host.empty() ? ordered(nullptr) : ordered(q.host);
  j["headers"] = q.headers;
  j["logged"] = replay::to_string(r.observed);
  j["logged_detail"] = r.observed_detail;
  return j;
}

ordered replay_class_json(const replay::ReplayClass& c, const ReplayHeader& h) {
  const replay::Decided& d = c.example;
  ordered j;
  j["outcome"] = replay::to_string(c.outcome);
  j["to"] = c.to;
  j["port"] = c.port;
  j["count"] = c.count;
  j["lines"] = c.lines;
  j["decision"] = {{"verdict", d.verdict},
                   {"reason", d.reason},
                   {"rule", d.rule.empty() ? ordered(nullptr) : ordered(d.rule)},
                   {"location", d.rule_location.empty() ? ordered(nullptr) : ordered(d.rule_location)},
                   {"explanation", d.explanation}};
  j["example"] = replay_request_json(d.request);
  j["query"] = "meshproof query " + h.paths + " " + replay::query_flags(d.request.spec);
  return j;
}

}  // namespace

std::string format_replay_json(const replay::Result& r, const ReplayHeader& h) {
  ordered j;
  j["schema"] = "meshproof.replay/v1";
  j["log"] = h.log;
  j["format"] = h.format;
  j["summary"] = {{"replayed", r.replayed},
                  {"agreeing", r.agreeing},
                  {"delegated", r.delegated},
                  {"not_replayed", r.unread.size()},
                  {"would_break_classes", r.would_break.size()},
                  {"would_allow_classes", r.would_allow.size()}};
  j["would_break"] = ordered::array();
  for (const auto& c : r.would_break) j["would_break"].push_back(replay_class_json(c, h));
  j["would_allow"] = ordered::array();
  for (const auto& c : r.would_allow) j["would_allow"].push_back(replay_class_json(c, h));
  j["not_replayed"] = ordered::array();
  for (const auto& u : r.unread)
    j["not_replayed"].push_back({{"line", u.line}, {"reason", u.reason}, {"text", u.text}});
  j["ignored"] = ordered::object();
  for (const auto& [reason, n] : r.ignored) j["ignored"][reason] = n;
  return j.dump(2) + "\n";
}

}  // namespace meshproof::report
