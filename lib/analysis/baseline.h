// Baselines let a team adopt meshproof on an existing repo: known findings are recorded by fingerprint and
// stop failing the run, while anything new still does (docs/output.md, "Baselines").
#pragma once

#include <string>
#include <vector>

#include "base/finding.h"

namespace meshproof::analysis {

// The baseline file of these findings (`--write-baseline`): JSON with one entry per fingerprint.
std::string format_baseline(const std::vector<Finding>& findings);
// Reads a baseline file; false with a message on a bad file.
bool read_baseline(const std::string& text, std::vector<std::string>& fingerprints, std::string& error);
// Marks findings whose fingerprint is in the (sorted) baseline (suppression = "baseline"); returns how many.
size_t apply_baseline(std::vector<Finding>& findings, const std::vector<std::string>& fingerprints);

}  // namespace meshproof::analysis
