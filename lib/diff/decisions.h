// The decision part of `meshproof diff` (diff.h): one workload present on both sides, port by port and
// view by view. PRIVATE to lib/diff.
#pragma once

#include <map>
#include <string>

#include "diff/diff.h"
#include "mesh/mesh.h"

namespace meshproof::diff::detail {

// One tree: its workload and what naming a rule needs.
struct Side {
  const mesh::Workload* workload = nullptr;
  const SourceSet* sources = nullptr;
  const mesh::Mesh* mesh = nullptr;
  const std::vector<std::string>* paths = nullptr;  // for the witnesses' reproduce commands
};

// The engine's answers by the pair of decision signatures (and port): workloads whose programs are
// equal on both sides share them, so a class of workloads is solved once (issue #14 item 5).
using DiffCache = std::map<std::string, engine::DecisionDiff>;

// Appends to result.ports the changed (or inconclusive) port views of one workload present on both sides.
void compare_decisions(const Side& before, const Side& after, const Options& options, DiffCache& cache, Result& result);

}  // namespace meshproof::diff::detail
