// Baselines let a team adopt meshproof on an existing repo: known findings are recorded by fingerprint and
// stop failing the run, while anything new still does.
#include <algorithm>
#include <set>

#include "analysis/baseline.h"

#include <nlohmann/json.hpp>

namespace meshproof::analysis {

using nlohmann::json;

std::string format_baseline(const std::vector<Finding>& findings) {
  json list = json::array();
  std::set<std::string> seen;
  for (const Finding& f : findings) {
    if (f.suppression.rfind("annotation", 0) == 0 || f.suppression.rfind("exception", 0) == 0) continue;
    if (!seen.insert(f.fingerprint).second) continue;
    list.push_back({{"fingerprint", f.fingerprint},
                    {"check", f.check},
                    {"resource", f.resource.display()},
                    {"message", f.message}});
  }
  json out = {{"meshproof_baseline", 1}, {"version", MESHPROOF_VERSION}, {"findings", list}};
  return out.dump(2) + "\n";
}

bool read_baseline(const std::string& text, std::vector<std::string>& fingerprints, std::string& error) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  if (!j.is_object() || !j.contains("meshproof_baseline") || !j.contains("findings") || !j["findings"].is_array()) {
    error = "not a meshproof baseline (expected {\"meshproof_baseline\": 1, \"findings\": [...]})";
    return false;
  }
  for (const json& f : j["findings"]) {
    if (!f.is_object() || !f.contains("fingerprint") || !f["fingerprint"].is_string()) {
      error = "a baseline entry has no \"fingerprint\" string";
      return false;
    }
    fingerprints.push_back(f["fingerprint"].get<std::string>());
  }
  std::sort(fingerprints.begin(), fingerprints.end());
  return true;
}

size_t apply_baseline(std::vector<Finding>& findings, const std::vector<std::string>& fingerprints) {
  size_t n = 0;
  for (Finding& f : findings) {
    if (!f.suppression.empty()) continue;
    if (std::binary_search(fingerprints.begin(), fingerprints.end(), f.fingerprint)) {
      f.suppression = "baseline";
      ++n;
    }
  }
  return n;
}

}  // namespace meshproof::analysis
