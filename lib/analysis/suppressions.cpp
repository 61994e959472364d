#include "analysis/suppressions.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "base/text.h"
#include "checks/describe.h"
#include "model/admission.h"

namespace meshproof::analysis {

namespace {

bool is_known_check(const std::string& name) {
  return name == kInvalidSuppression || checks::find_check(name) != nullptr;
}

std::vector<std::string> known_check_names() {
  std::vector<std::string> names{kInvalidSuppression};
  for (const auto& c : checks::all_checks()) names.push_back(c->info().name);
  std::sort(names.begin(), names.end());
  return names;
}

// Objects are compared as Kubernetes identifies them; a namespaced object written without a namespace
// lives in "default".
std::string effective_ns(const std::string& kind, const std::string& ns) {
  if (kind == "Namespace") return "";
  return ns.empty() ? "default" : ns;
}

using Key = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name

Key key_of(const ResourceRef& r) { return {r.kind, effective_ns(r.kind, r.ns), r.name}; }

struct Annotated {
  const model::ResourceBase* resource;
  ParsedIgnore parsed;
};

// Where the annotation is written: the line under `metadata` that holds the key, found in the source
// text (the model keeps positions of objects, not of every annotation); else the `metadata` key.
Loc annotation_loc(const SourceSet& sources, const model::ResourceBase& r) {
  Loc start = r.meta.loc.known() ? r.meta.loc : r.loc;
  if (!start.known() || start.file == 0) return start;
  for (uint32_t line = start.line; line < start.line + 500; ++line) {
    Loc l{start.file, line, 1};
    std::string text = sources.line_text(l);
    if (line > start.line && text.rfind("---", 0) == 0) break;  // next document
    size_t pos = text.find(kIgnoreAnnotation);
    if (pos != std::string::npos) {
      if (pos > 0 && (text[pos - 1] == '"' || text[pos - 1] == '\'')) --pos;
      return Loc{start.file, line, static_cast<uint32_t>(pos + 1)};
    }
    if (text.empty() && sources.line_text(Loc{start.file, line + 1, 1}).empty() &&
        sources.line_text(Loc{start.file, line + 2, 1}).empty())
      break;  // end of file (three empty lines in a row: give up)
  }
  return start;
}

template <class T>
void collect(const std::vector<T>& list, std::map<Key, Annotated>& out) {
  for (const T& r : list) {
    auto it = r.meta.annotations.find(kIgnoreAnnotation);
    if (it == r.meta.annotations.end()) continue;
    // Duplicates of an object (reported by validation) keep the first annotation.
    out.emplace(Key{r.kind, effective_ns(r.kind, r.meta.ns), r.meta.name},
                Annotated{&r, parse_ignore_annotation(it->second)});
  }
}

}  // namespace

const checks::CheckInfo& invalid_suppression_info() {
  static const checks::CheckInfo kInfo{
      kInvalidSuppression, "MP9001", Severity::Warning,
      "A meshproof.dev/ignore annotation entry is malformed or names an unknown check",
      "The meshproof.dev/ignore annotation takes entries of the form `check-name: reason`, separated by `;` "
      "or newlines. An entry without a reason, or one that names a check meshproof does not have, suppresses "
      "nothing; it is reported so that a typo is noticed instead of silently failing to suppress (or, after "
      "a check is renamed, silently suppressing nothing)."};
  return kInfo;
}

ParsedIgnore parse_ignore_annotation(const std::string& value) {
  ParsedIgnore out;
  std::string current;
  std::vector<std::string> raw;
  for (char c : value) {
    if (c == ';' || c == '\n') {
      raw.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  raw.push_back(current);
  for (const std::string& r : raw) {
    std::string entry = trim(r);
    if (entry.empty()) continue;
    size_t colon = entry.find(':');
    std::string check = trim(entry.substr(0, colon));
    std::string reason = colon == std::string::npos ? "" : trim(entry.substr(colon + 1));
    if (check.empty()) {
      out.problems.push_back("entry '" + entry + "' names no check (expected `check-name: reason`)");
      continue;
    }
    if (check == "*" || check == "all") {
      out.problems.push_back("entry '" + entry +
                             "' does not name a check; suppressions are per check, so that a new check's "
                             "findings are never hidden in advance");
      continue;
    }
    if (!is_known_check(check)) {
      std::string msg = "entry '" + entry + "' names unknown check '" + check + "'";
      std::string hint = checks::closest(check, known_check_names(), 3);
      if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
      out.problems.push_back(msg);
      continue;
    }
    if (reason.empty()) {
      out.problems.push_back("entry '" + entry + "' for check " + check + " has no reason (expected `" + check +
                             ": why this finding is acceptable`)");
      continue;
    }
    out.entries.push_back({check, reason});
  }
  return out;
}

SuppressionStats apply_annotation_suppressions(std::vector<Finding>& findings,
                                               const std::vector<const model::ResourceSet*>& resources,
                                               const SourceSet& sources) {
  std::map<Key, Annotated> annotated;
  for (const model::ResourceSet* set : resources)
    model::for_each_object_list(*set, [&](const auto& list) { collect(list, annotated); });

  SuppressionStats stats;
  const checks::CheckInfo& info = invalid_suppression_info();
  for (const auto& [key, a] : annotated) {
    if (a.parsed.problems.empty()) continue;
    Loc loc = annotation_loc(sources, *a.resource);
    for (const std::string& problem : a.parsed.problems) {
      Finding f;
      f.check = info.name;
      f.id = info.id;
      f.severity = info.severity;
      f.resource = a.resource->ref();
      f.resource.ns = effective_ns(f.resource.kind, f.resource.ns);
      f.loc = loc.known() ? loc : f.resource.loc;
      f.message = "annotation " + std::string(kIgnoreAnnotation) + " on " + f.resource.display() + ": " + problem +
                  "; it suppresses nothing";
      f.help = "write each entry as `check-name: reason`, separated by `;` (see docs/output.md, Suppressions)";
      f.properties["annotation"] = kIgnoreAnnotation;
      f.fingerprint = make_fingerprint(f.check, f.resource, problem);
      findings.push_back(std::move(f));
      ++stats.invalid;
    }
  }

  for (Finding& f : findings) {
    if (!f.suppression.empty()) continue;  // a profile exception (approved, with expiry) takes precedence
    Key key = key_of(f.resource);
    if (f.resource.kind == "Workload") key = Key{"Namespace", "", effective_ns("Workload", f.resource.ns)};
    auto it = annotated.find(key);
    if (it == annotated.end()) continue;
    for (const IgnoreEntry& e : it->second.parsed.entries) {
      if (e.check != f.check) continue;
      f.suppression = "annotation: " + e.reason;
      ++stats.suppressed;
      break;
    }
  }

  std::stable_sort(findings.begin(), findings.end(),
                   [&](const Finding& a, const Finding& b) { return finding_less(a, b, sources); });
  return stats;
}

}  // namespace meshproof::analysis
