// `meshproof diff -o sarif`: one result per class (newly allowed: error, newly denied: warning) and per
// inconclusive port view (note, kind "open"), at the rule that decides after the change (else before).
#include "report/diff.h"
#include "report/json_internal.h"

namespace meshproof::report {

using nlohmann::json;

namespace {

json rules_json(bool network) {
  auto rule = [](const char* id, const char* name, const char* text, const char* level) {
    return json{{"id", id},
                {"name", name},
                {"shortDescription", {{"text", text}}},
                {"defaultConfiguration", {{"level", level}}},
                {"helpUri", "https://github.com/meshproof/meshproof/blob/main/docs/diff.md"}};
  };
  json rules = json::array({rule("newly-allowed", "NewlyAllowed", "Requests the change newly allows", "error"),
                            rule("newly-denied", "NewlyDenied", "Requests the change newly denies", "warning"),
                            rule("diff-inconclusive", "DiffInconclusive", "A port the solver could not compare", "note")});
  if (!network) return rules;  // the L3/L4 rules only where a tree holds such policies
  rules.push_back(rule("network-newly-admitted", "NetworkNewlyAdmitted", "Connections the L3/L4 layer newly admits", "error"));
  rules.push_back(rule("network-newly-blocked", "NetworkNewlyBlocked", "Connections the L3/L4 layer newly blocks", "warning"));
  return rules;
}

json location(const diff::SideDecision& s) {
  json region = {{"startLine", s.line}};
  return json::array(
      {{{"physicalLocation", {{"artifactLocation", {{"uri", uri_encode(s.file)}}}, {"region", region}}}}});
}

json class_result(const diff::PortChange& p, const diff::ClassChange& c) {
  const bool allowed = c.direction == engine::ChangeDirection::NewlyAllowed;
  json r;
  r["ruleId"] = allowed ? "newly-allowed" : "newly-denied";
  r["level"] = allowed ? "error" : "warning";
  std::string text = p.workload + " port " + std::to_string(p.port) + ": " +
                     (allowed ? "newly allowed: " : "newly denied: ") + diff_witness_text(c) + " (before " +
                     c.before.verdict + ", after " + c.after.verdict + ")";
  r["message"] = {{"text", text}};
  const diff::SideDecision& at = c.after.line ? c.after : c.before;
  if (at.line) r["locations"] = location(at);
  r["properties"] = {{"class", c.literals},
                     {"before", c.before.rule},
                     {"after", c.after.rule},
                     {"reproduce", c.after.witness.reproduce}};
  return r;
}

json network_result(const diff::NetworkChange& c) {
  json r;
  r["ruleId"] = c.newly_admitted ? "network-newly-admitted" : "network-newly-blocked";
  r["level"] = c.newly_admitted ? "error" : "warning";
  r["message"] = {{"text", c.destination + " port " + std::to_string(c.port) + " " + c.protocol + ": " +
                               (c.newly_admitted ? "newly admitted from " : "newly blocked from ") + c.source}};
  const diff::NetSide& at = c.after.line ? c.after : c.before;
  if (at.line)
    r["locations"] = json::array({{{"physicalLocation",
                                    {{"artifactLocation", {{"uri", uri_encode(at.file)}}},
                                     {"region", {{"startLine", at.line}}}}}}});
  r["properties"] = {{"before", c.before.policy}, {"after", c.after.policy}, {"reproduce", c.after.reproduce}};
  return r;
}

}  // namespace

std::string format_diff_sarif(const diff::Result& res, const DiffHeader& h) {
  json results = json::array();
  for (const auto& p : res.ports) {
    if (p.inconclusive)
      results.push_back(
          {{"ruleId", "diff-inconclusive"},
           {"level", "note"},
           {"kind", "open"},
           {"message", {{"text", p.workload + " port " + std::to_string(p.port) + ": " + p.unknown_reason}}}});
    for (const auto& c : p.classes) results.push_back(class_result(p, c));
  }
  for (const auto& c : res.network) results.push_back(network_result(c));
  json run;
  run["tool"] = {{"driver",
                  {{"name", "meshproof"},
                   {"version", MESHPROOF_VERSION},
                   {"informationUri", "https://github.com/meshproof/meshproof"},
                   {"rules", rules_json(res.network_layer)}}}};
  run["results"] = results;
  run["properties"] = {{"before", h.before}, {"after", h.after}};
  return sarif_log(std::move(run));
}

}  // namespace meshproof::report
