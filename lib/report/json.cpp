#include <algorithm>
#include <stdexcept>
#include <utility>

#include "base/parallel.h"
#include "report/json_internal.h"
#include "report/report.h"

namespace meshproof::report {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

json witness_to_json(const Witness& w) {
  // Keys are sorted by nlohmann::json (std::map), which keeps the output deterministic.
  json j;
  j["mtls"] = w.mtls;
  j["source_principal"] = w.mtls ? json(w.source_principal) : json(nullptr);
  j["source_namespace"] = w.mtls ? json(w.source_namespace) : json(nullptr);
  j["source_ip"] = w.source_ip;
  if (!w.remote_ip.empty()) j["remote_ip"] = w.remote_ip;
  j["destination"] = w.destination;
  j["port"] = w.port;
  j["port_protocol"] = w.port_protocol;
  if (!w.destination_ip.empty()) j["destination_ip"] = w.destination_ip;
  if (!w.sni.empty()) j["sni"] = w.sni;
  if (w.port_protocol != "TCP") {
    j["method"] = w.method;
    j["path"] = w.path;
    j["host"] = w.host;
    json headers = json::object();
    for (const auto& [k, v] : w.headers) headers[k] = v;
    j["headers"] = std::move(headers);
  }
  if (w.has_token) {
    json jwt;
    jwt["issuer"] = w.jwt_issuer;
    jwt["subject"] = w.jwt_subject;
    jwt["audiences"] = w.audiences;
    jwt["presenters"] = w.presenters;
    json claims = json::object();
    for (const auto& [k, v] : w.claims) claims[k] = v;
    jwt["claims"] = std::move(claims);
    j["jwt"] = std::move(jwt);
  } else {
    j["jwt"] = nullptr;
  }
  j["decision"] = w.decision;
  j["decided_by"] = w.decided_by.empty() ? json(nullptr) : json(w.decided_by);
  j["reproduce"] = w.reproduce;
  return j;
}

// {"file", "line", "column"}, and "template" for rendered Helm output on standard input (its `# Source:`).
json location_to_json(const SourceSet& sources, const Loc& loc) {
  json j = {{"file", sources.file(loc.file).display_name}, {"line", loc.line}, {"column", loc.col}};
  if (std::string helm = sources.helm_source(loc); !helm.empty()) j["template"] = helm;
  return j;
}

json finding_to_json(const Finding& f, const SourceSet& sources) {
  json j;
  j["check"] = f.check;
  j["id"] = f.id;
  j["severity"] = to_string(f.severity);
  j["message"] = f.message;
  if (!f.help.empty()) j["help"] = f.help;
  j["resource"] = {{"kind", f.resource.kind}, {"namespace", f.resource.ns}, {"name", f.resource.name}};
  j["location"] = location_to_json(sources, f.loc);
  if (f.witness) j["witness"] = witness_to_json(*f.witness);
  if (!f.related.empty()) {
    json rel = json::array();
    for (const RelatedLocation& r : f.related)
      rel.push_back({{"message", r.message},
                     {"resource", {{"kind", r.resource.kind}, {"namespace", r.resource.ns}, {"name", r.resource.name}}},
                     {"location", location_to_json(sources, r.loc)}});
    j["related"] = std::move(rel);
  }
  if (!f.properties.empty()) j["properties"] = f.properties;
  if (!f.suppression.empty()) j["suppression"] = f.suppression;
  j["fingerprint"] = f.fingerprint;
  return j;
}

namespace {

// The findings array as `dump(2)` writes it for the document's first key: each element on its own lines,
// indented by four spaces. Each element is built and dumped alone, in chunks on the workers, and the texts
// are joined in order; a JSON string holds no raw newline, so indenting after every newline of an element's
// own dump gives the bytes of the whole document's dump (a test compares the two).
std::string findings_array_text(const std::vector<Finding>& findings, const SourceSet& sources, unsigned threads) {
  if (findings.empty()) return "[]";
  constexpr size_t kChunk = 256;  // findings per work item: a chunk costs well over the hand-out
  std::vector<std::string> texts((findings.size() + kChunk - 1) / kChunk);
  parallel_for(texts.size(), threads, [&](size_t c) {
    std::string& out = texts[c];
    for (size_t i = c * kChunk; i < std::min(findings.size(), (c + 1) * kChunk); ++i) {
      out += i == 0 ? "\n    " : ",\n    ";
      for (char ch : finding_to_json(findings[i], sources).dump(2)) {
        out += ch;
        if (ch == '\n') out += "    ";
      }
    }
  });
  std::string all = "[";
  for (const std::string& t : texts) all += t;
  return all + "\n  ]";
}

}  // namespace

std::string format_json(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                        unsigned threads) {
  json out;
  out["version"] = MESHPROOF_VERSION;
  size_t counts[3] = {0, 0, 0};
  size_t suppressed = 0;
  for (const Finding& f : findings) {
    if (!f.suppression.empty())
      ++suppressed;
    else
      ++counts[static_cast<int>(f.severity)];
  }
  out["findings"] = json::array();  // its text is spliced in below
  out["summary"] = {{"errors", counts[2]},
                    {"warnings", counts[1]},
                    {"notes", counts[0]},
                    {"suppressed", suppressed},
                    {"files", summary.files},
                    {"resources", summary.resources},
                    {"workloads", summary.workloads},
                    {"policies", summary.policies},
                    {"regulated_namespaces", summary.regulated_namespaces},
                    {"fail_on", summary.fail_on_never ? "never" : to_string(summary.fail_on)}};
  // Only when there is one, so that the output of a run without any stays as it was.
  if (const size_t n = count_inconclusive(findings)) out["summary"]["inconclusive"] = n;
  // Files left out unread: present only when there is one (the run's exit code is then 2).
  if (!summary.skipped_files.empty()) {
    json skipped = json::array();
    for (const load::LoadError& e : summary.skipped_files)
      skipped.push_back({{"message", e.message}, {"help", e.help}, {"location", location_to_json(sources, e.loc)}});
    out["input_errors"] = skipped;
  }
  // Objects whose policy meshproof does not model: present only when there is one (docs/output.md).
  if (!summary.not_analyzed.empty()) {
    json items = json::array();
    for (const model::NotAnalyzed& n : summary.not_analyzed)
      items.push_back({{"api_version", n.api_version},
                       {"kind", n.kind},
                       {"name", n.name},
                       {"namespace", n.ns},
                       {"system", n.system},
                       {"location", location_to_json(sources, n.loc)}});
    for (size_t i = 0; i < summary.not_analyzed.size(); ++i)  // only a partly modelled object has a part
      if (!summary.not_analyzed[i].part.empty()) items[i]["part"] = summary.not_analyzed[i].part;
    out["not_analyzed"] = items;
    if (only_unanalyzed_policies(summary)) out["summary"]["nothing_analyzed"] = not_analyzed_failure(summary);
  }
  // Keys are sorted: "findings" is the document's first, and its empty array the first "[]" in the text.
  std::string text = out.dump(2);
  const std::string empty = "{\n  \"findings\": []";
  if (text.compare(0, empty.size(), empty) != 0)
    throw std::logic_error("format_json: \"findings\" is not the first key");
  text.replace(empty.size() - 2, 2, findings_array_text(findings, sources, threads));
  return text + "\n";
}

}  // namespace meshproof::report
