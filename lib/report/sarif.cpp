// SARIF 2.1.0 for code-scanning services. Validated against the official schema by the tests.
#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "analysis/suppressions.h"
#include "checks/check.h"
#include "report/json_internal.h"
#include "report/report.h"

namespace meshproof::report {

using nlohmann::json;

std::string sarif_log(json run) {
  json out;
  out["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  out["version"] = "2.1.0";
  out["runs"] = json::array({std::move(run)});
  return out.dump(2) + "\n";
}

// RFC 3986 path encoding for artifact URIs: keep unreserved characters and '/', escape the rest.
std::string uri_encode(const std::string& path) {
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
  return out;
}

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

constexpr const char* kSrcRoot = "%SRCROOT%";

// GitHub's code scanning shows security alerts by this score (0.1-3.9 low, 4-6.9 medium, 7-8.9 high).
const char* security_severity(Severity s) {
  switch (s) {
    case Severity::Error:
      return "8.0";
    case Severity::Warning:
      return "5.0";
    case Severity::Note:
      return "2.0";
  }
  return "8.0";
}

// An input path as an artifact location: relative to %SRCROOT% (the git checkout's root, else the working
// directory) when it lies under it, else an absolute file URI.
json artifact_location(const std::string& path, const RunSummary& summary) {
  namespace fs = std::filesystem;
  fs::path p(path);
  const std::string base = summary.vcs ? summary.vcs->root : summary.working_dir;
  if (!base.empty()) {
    const fs::path abs = (p.is_absolute() ? p : fs::path(summary.working_dir) / p).lexically_normal();
    p = abs;
    const fs::path rel = abs.lexically_relative(base);
    if (!rel.empty() && *rel.begin() != "..") p = rel;
  }
  if (p.is_absolute()) return {{"uri", "file://" + uri_encode(p.lexically_normal().string())}};
  std::string uri = uri_encode(p.lexically_normal().string());
  if (uri.rfind("./", 0) == 0) uri = uri.substr(2);
  return {{"uri", uri}, {"uriBaseId", kSrcRoot}};
}

// "git@github.com:org/repo.git" (scp syntax, not a URI) as "https://github.com/org/repo"; a local path as
// a file URI; URIs as they are.
std::string repository_uri(std::string url) {
  if (url.size() > 4 && url.substr(url.size() - 4) == ".git") url.resize(url.size() - 4);
  const size_t at = url.find('@'), colon = url.find(':');
  if (url.find("://") == std::string::npos && at != std::string::npos && colon != std::string::npos && at < colon)
    return "https://" + url.substr(at + 1, colon - at - 1) + "/" + url.substr(colon + 1);
  if (!url.empty() && url.front() == '/') return "file://" + uri_encode(url);
  return url;
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
  r["properties"] = {{"id", info.id},
                     {"tags", json::array({"security", "istio"})},
                     {"security-severity", security_severity(info.severity)},
                     {"precision", "high"}};
  return r;
}

json region_json(const SourceSet& sources, const Loc& loc) {
  json region = {{"startLine", loc.line}};
  if (loc.col) region["startColumn"] = loc.col;
  if (const uint32_t end = token_end_column(sources, loc)) region["endColumn"] = end;
  return region;
}

// Rendered Helm output on standard input points at its template (`# Source:`); the rendered line does not
// exist in the template, so it goes in the properties rather than a region.
json location_json(const SourceSet& sources, const Loc& loc, const ResourceRef& resource, const RunSummary& summary) {
  json phys;
  json l;
  if (const std::string helm = sources.helm_source(loc); !helm.empty()) {
    phys["artifactLocation"] = artifact_location(helm, RunSummary{});
    l["properties"] = {{"renderedLocation", sources.describe(loc)}};
  } else {
    phys["artifactLocation"] = artifact_location(sources.file(loc.file).display_name, summary);
    if (loc.known()) phys["region"] = region_json(sources, loc);
  }
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
    if (!f.help.empty()) r["message"]["markdown"] = f.message + "\n\n**Fix:** " + f.help;
    r["locations"] = json::array({location_json(sources, f.loc, f.resource, summary)});
    if (!f.related.empty()) {
      json rel = json::array();
      int id = 1;
      for (const RelatedLocation& rl : f.related) {
        json l = location_json(sources, rl.loc, rl.resource, summary);
        l["id"] = id++;
        l["message"] = {{"text", rl.message}};
        rel.push_back(std::move(l));
      }
      r["relatedLocations"] = std::move(rel);
    }
    r["partialFingerprints"] = {{"meshproofFingerprint/v1", f.fingerprint}};
    json props;
    props["id"] = f.id;
    props["resource"] = {{"kind", f.resource.kind}, {"namespace", f.resource.ns}, {"name", f.resource.name}};
    if (f.witness) props["witness"] = witness_to_json(*f.witness);
    for (const auto& [k, v] : f.properties) props[k] = v;
    r["properties"] = std::move(props);
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
    results.push_back(std::move(r));
  }

  json run;
  run["tool"] = {{"driver",
                  {{"name", "meshproof"},
                   {"version", MESHPROOF_VERSION},
                   {"semanticVersion", MESHPROOF_VERSION},
                   {"informationUri", "https://github.com/meshproof/meshproof"},
                   {"rules", rules}}}};
  run["columnKind"] = "unicodeCodePoints";
  run["originalUriBaseIds"] = {
      {kSrcRoot,
       {{"description", {{"text", summary.vcs ? "The root of the git checkout" : "The directory meshproof ran in"}}}}}};
  if (summary.vcs && !summary.vcs->remote_url.empty() && !summary.vcs->commit.empty()) {
    json vcs = {{"repositoryUri", repository_uri(summary.vcs->remote_url)},
                {"revisionId", summary.vcs->commit},
                {"mappedTo", {{"uriBaseId", kSrcRoot}}}};
    if (!summary.vcs->branch.empty()) vcs["branch"] = summary.vcs->branch;
    run["versionControlProvenance"] = json::array({vcs});
  }
  run["results"] = std::move(results);
  // A file left out unread: the run did not do all it was asked (SARIF 2.1.0 §3.20.14, §3.20.21).
  // A run whose only policies were not analyzed did not do what it was asked either.
  json invocation = {{"executionSuccessful", summary.skipped_files.empty() && !only_unanalyzed_policies(summary)}};
  json notes = json::array();
  for (const load::LoadError& e : summary.skipped_files)
    notes.push_back({{"level", "error"},
                     {"message", {{"text", e.message + (e.help.empty() ? "" : "\nhelp: " + e.help)}}},
                     {"locations", json::array({location_json(sources, e.loc, ResourceRef{}, summary)})}});
  // Objects of kinds meshproof does not model: a note each, a warning when nothing else was analyzed.
  const char* level = only_unanalyzed_policies(summary) ? "warning" : "note";
  for (const model::NotAnalyzed& n : summary.not_analyzed)
    notes.push_back(
        {{"level", level},
         {"message", {{"text", "not analyzed: meshproof does not model the policy of " + model::describe(n)}}},
         {"locations",
          json::array({location_json(sources, n.loc, ResourceRef{n.kind, n.ns, n.name, n.loc, ""}, summary)})}});
  if (!notes.empty()) invocation["toolExecutionNotifications"] = notes;
  run["invocations"] = json::array({invocation});
  run["properties"] = {{"regulatedNamespaces", summary.regulated_namespaces},
                       {"failOn", summary.fail_on_never ? "never" : to_string(summary.fail_on)}};
  if (const size_t n = count_inconclusive(findings)) run["properties"]["inconclusive"] = n;

  return sarif_log(std::move(run));
}

}  // namespace meshproof::report
