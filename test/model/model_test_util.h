// Helpers for the model tests: parse YAML text into a ResourceSet (loader + add_document + validate_all)
// without the rest of the pipeline, and look diagnostics up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "load/loader.h"
#include "model/network_policy.h"
#include "model/parse.h"
#include "model/validate.h"

namespace meshproof::test {

struct ModelRun {
  SourceSet sources;
  model::ResourceSet set;
  model::NetworkPolicySet network_policies;  // the L3/L4 layer's objects, read beside `set`
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
};

inline std::unique_ptr<ModelRun> model_from(const std::string& yaml, bool validate = true,
                                            const std::string& name = "t.yaml") {
  auto r = std::make_unique<ModelRun>();
  uint32_t id = r->sources.add(SourceFile{name, name, std::make_shared<const std::string>(yaml)});
  load::Loader loader(r->sources);
  model::ParseContext ctx{&r->sources, &loader};
  loader.parse_text(
      id, yaml,
      [&](load::Document&& d) {
        model::add_document(d, r->set, ctx);
        model::add_network_policy_document(d, r->network_policies);
      },
      r->errors, r->notes);
  if (validate) model::validate_all(r->set);
  return r;
}

// "field: message" of every error the model of `yaml` gets (parsed and validated).
inline std::vector<std::string> model_errors(const std::string& yaml) {
  const auto run = model_from(yaml);  // alive for the loop: a temporary in the range would not be
  std::vector<std::string> out;
  for (const auto& d : run->set.diagnostics)
    if (d.severity == Severity::Error) out.push_back(d.field + ": " + d.message);
  return out;
}

inline std::vector<const model::Diagnostic*> diags(const model::ResourceSet& s, Severity sev) {
  std::vector<const model::Diagnostic*> out;
  for (const auto& d : s.diagnostics)
    if (d.severity == sev) out.push_back(&d);
  return out;
}

inline size_t count(const model::ResourceSet& s, Severity sev) { return diags(s, sev).size(); }

// The first diagnostic whose message contains `text`, or nullptr.
inline const model::Diagnostic* find_diag(const model::ResourceSet& s, const std::string& text) {
  for (const auto& d : s.diagnostics)
    if (d.message.find(text) != std::string::npos) return &d;
  return nullptr;
}

// All messages, one per line, for failure output.
inline std::string dump(const model::ResourceSet& s) {
  std::string out;
  for (const auto& d : s.diagnostics)
    out += std::string(to_string(d.severity)) + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
           " [" + d.field + "] " + d.message + "\n";
  for (const auto& n : s.notes) out += "note " + std::to_string(n.first.line) + ": " + n.second + "\n";
  return out;
}

}  // namespace meshproof::test
