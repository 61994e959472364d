// The whole analysis in-process (load → checks → annotation suppressions), as `meshproof check` and
// `meshproof report` run it, for the report-layer tests.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/suppressions.h"
#include "checks/run.h"
#include "report/report.h"
#include "report/run.h"
#include "test_support.h"

namespace meshproof::test {

// One run of the analysis (analysis::run) with the fields the report tests read.
struct AnalysisRun {
  std::unique_ptr<analysis::Analysis> analysis;
  const app::Input* input = nullptr;     // analysis->input
  const checks::Context* ctx = nullptr;  // analysis->context
  checks::Options options;               // a copy of analysis->check_options
  uint32_t profile_file = 0;
  std::vector<Finding> findings;
  report::RunSummary summary;
};

// Not movable once made (the context points into it), hence the unique_ptr.
inline std::unique_ptr<AnalysisRun> analyze(const std::vector<std::string>& paths, const std::string& profile_path = "",
                                            const std::vector<std::string>& regulated = {},
                                            const std::string& today = "2026-06-01") {
  analysis::Options o;
  o.input.paths = paths;
  o.profile_path = profile_path;
  o.regulated = regulated;
  o.today = today;
  auto run = std::make_unique<AnalysisRun>();
  run->analysis = analysis::run(o);
  REQUIRE(run->analysis->input);
  REQUIRE(run->analysis->input->errors.empty());
  for (const auto& p : run->analysis->problems) FAIL_CHECK(p.message);
  REQUIRE_FALSE(run->analysis->failed());
  run->input = run->analysis->input.get();
  run->ctx = run->analysis->context.get();
  run->options = run->analysis->check_options;
  run->profile_file = run->analysis->profile_file;
  run->findings = run->analysis->findings;
  run->summary = report::summarize(*run->analysis, "error");
  return run;
}

inline const Finding* find_finding(const std::vector<Finding>& fs, const std::string& check, const std::string& kind,
                                   const std::string& ns, const std::string& name) {
  for (const Finding& f : fs)
    if (f.check == check && f.resource.kind == kind && f.resource.ns == ns && f.resource.name == name) return &f;
  return nullptr;
}

}  // namespace meshproof::test
