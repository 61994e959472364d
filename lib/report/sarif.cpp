// SARIF 2.1.0 for code-scanning services. Validated against the official schema by the tests.
#include <algorithm>
#include <map>

#include "analysis/suppressions.h"
#include "checks/check.h"
#include "report/json_internal.h"
#include "report/report.h"

namespace meshproof::report {

using nlohmann::json;

namespace {

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

// RFC 3986 path encoding for artifact URIs: keep unreserved characters and '/', escape the rest.
std::string uri_encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (out.rfind("./", 0) == 0) out = out.substr(2);
  // An absolute path is a file URI (code-scanning services resolve relative ones against the checkout).
  if (!out.empty() && out.front() == '/') out = "file://" + out;
  return out;
}

std::string pascal_case(const std::string& kebab) {
  std::string out;
  bool up = true;
  for (char c : kebab) {
    if (c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

json rule_json(const checks::CheckInfo& info) {
  std::string uri = std::string(kCheckDocsBaseUri) + info.name + ".md";
  json r;
  r["id"] = info.name;
  r["name"] = pascal_case(info.name);
  r["shortDescription"] = {{"text", info.summary}};
  r["fullDescription"] = {{"text", info.description.empty() ? info.summary : info.description}};
  r["help"] = {{"text", info.summary + " See " + uri},
               {"markdown", info.summary + " See [" + info.name + "](" + uri + ")."}};
  r["helpUri"] = uri;
  r["defaultConfiguration"] = {{"level", sarif_level(info.severity)}};
  r["properties"] = {{"id", info.id}, {"tags", json::array({"security", "istio"})}};
  return r;
}

json location_json(const SourceSet& sources, const Loc& loc, const ResourceRef& resource) {
  json phys;
  phys["artifactLocation"] = {{"uri", uri_encode_path(sources.file(loc.file).display_name)}};
  if (loc.known()) {
    json region = {{"startLine", loc.line}};
    if (loc.col) region["startColumn"] = loc.col;
    phys["region"] = region;
  }
  json l;
  l["physicalLocation"] = phys;
  std::string fq = resource.kind + "/" + (resource.ns.empty() ? "" : resource.ns + "/") + resource.name;
  l["logicalLocations"] = json::array({{{"name", resource.name}, {"fullyQualifiedName", fq}, {"kind", "resource"}}});
  return l;
}

}  // namespace

std::string format_sarif(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary) {
  // Rules: every registered check, plus any check name a finding uses that the registry does not list
  // (e.g. expired-exception), in registry order then by name.
  json rules = json::array();
  std::map<std::string, size_t> rule_index;
  for (const auto& check : checks::all_checks()) {
    rule_index[check->info().name] = rules.size();
    rules.push_back(rule_json(check->info()));
  }
  // The report layer's own pseudo-check (malformed meshproof.dev/ignore annotations).
  if (!rule_index.count(analysis::kInvalidSuppression)) {
    rule_index[analysis::kInvalidSuppression] = rules.size();
    rules.push_back(rule_json(analysis::invalid_suppression_info()));
  }
  for (const Finding& f : findings) {
    if (rule_index.count(f.check)) continue;
    checks::CheckInfo info{
        f.check, f.id, f.severity, f.check, "",
    };
    rule_index[f.check] = rules.size();
    rules.push_back(rule_json(info));
  }

  json results = json::array();
  for (const Finding& f : findings) {
    json r;
    r["ruleId"] = f.check;
    r["ruleIndex"] = rule_index[f.check];
    if (checks::is_inconclusive(f)) {
      // SARIF 2.1.0 §3.27.9: kind "open" is a rule that was evaluated without enough information to say
      // whether the problem exists; any kind other than "fail" has level "none" (§3.27.10).
      r["kind"] = "open";
      r["level"] = "none";
    } else {
      r["level"] = sarif_level(f.severity);
    }
    std::string text = f.message;
    if (!f.help.empty()) text += "\nhelp: " + f.help;
    r["message"] = {{"text", text}};
    r["locations"] = json::array({location_json(sources, f.loc, f.resource)});
    if (!f.related.empty()) {
      json rel = json::array();
      int id = 1;
      for (const RelatedLocation& rl : f.related) {
        json l = location_json(sources, rl.loc, rl.resource);
        l["id"] = id++;
        l["message"] = {{"text", rl.message}};
        rel.push_back(l);
      }
      r["relatedLocations"] = rel;
    }
    r["partialFingerprints"] = {{"meshproofFingerprint/v1", f.fingerprint}};
    json props;
    props["id"] = f.id;
    props["resource"] = {{"kind", f.resource.kind}, {"namespace", f.resource.ns}, {"name", f.resource.name}};
    if (f.witness) props["witness"] = witness_to_json(*f.witness);
    for (const auto& [k, v] : f.properties) props[k] = v;
    r["properties"] = props;
    if (!f.suppression.empty()) {
      // An annotation lives next to the resource (inSource); a baseline file and a profile exception
      // live outside the analyzed manifests (external).
      bool baseline = f.suppression == "baseline";
      bool annotation = f.suppression.rfind("annotation: ", 0) == 0;
      std::string justification = f.suppression;
      if (baseline)
        justification = "accepted in the baseline file";
      else if (annotation)
        justification = f.suppression.substr(12);
      else if (f.suppression.rfind("exception: ", 0) == 0)
        justification = "profile exception: " + f.suppression.substr(11);
      r["suppressions"] = json::array({{{"kind", annotation ? "inSource" : "external"},
                                        {"status", "accepted"},
                                        {"justification", justification},
                                        {"properties", {{"meshproofSuppression", f.suppression}}}}});
    }
    if (summary.baseline_applied) r["baselineState"] = f.suppression == "baseline" ? "unchanged" : "new";
    results.push_back(r);
  }

  json run;
  run["tool"] = {{"driver",
                  {{"name", "meshproof"},
                   {"version", MESHPROOF_VERSION},
                   {"semanticVersion", MESHPROOF_VERSION},
                   {"informationUri", "https://github.com/meshproof/meshproof"},
                   {"rules", rules}}}};
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = results;
  json invocation = {{"executionSuccessful", true}};
  run["invocations"] = json::array({invocation});
  run["properties"] = {{"regulatedNamespaces", summary.regulated_namespaces},
                       {"failOn", summary.fail_on_never ? "never" : to_string(summary.fail_on)}};
  if (const size_t n = count_inconclusive(findings)) run["properties"]["inconclusive"] = n;

  json out;
  out["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  out["version"] = "2.1.0";
  out["runs"] = json::array({run});
  return out.dump(2) + "\n";
}

}  // namespace meshproof::report
