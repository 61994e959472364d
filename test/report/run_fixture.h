// The whole analysis in-process (load → checks → annotation suppressions), as `meshproof check` and
// `meshproof report` run it, for the report-layer tests.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "checks/run.h"
#include "profile/profile.h"
#include "report/report.h"
#include "report/suppress.h"
#include "test_support.h"

namespace meshproof::test {

struct AnalysisRun {
  std::unique_ptr<app::Input> input;
  profile::Profile profile = profile::default_profile();
  uint32_t profile_file = 0;
  checks::Options options;
  std::unique_ptr<checks::Context> ctx;
  std::vector<Finding> findings;
  report::RunSummary summary;
};

// Not movable once made (the context points into it), hence the unique_ptr.
inline std::unique_ptr<AnalysisRun> analyze(const std::vector<std::string>& paths, const std::string& profile_path = "",
                                            const std::vector<std::string>& regulated = {},
                                            const std::string& today = "2026-06-01") {
  auto run = std::make_unique<AnalysisRun>();
  run->input = load_paths(paths);
  REQUIRE(run->input->errors.empty());
  if (!profile_path.empty()) {
    std::vector<profile::ProfileError> errors;
    size_t before = run->input->sources.files().size();
    auto loaded = profile::load_profile(profile_path, run->input->sources, errors);
    for (const auto& e : errors) FAIL_CHECK(run->input->sources.describe(e.loc) << ": " << e.message);
    REQUIRE(loaded);
    run->profile = std::move(*loaded);
    run->profile_file = static_cast<uint32_t>(before);
  }
  run->options.today = today;
  run->ctx = std::make_unique<checks::Context>(checks::Context{run->input->sources, run->input->resources,
                                                               run->input->mesh, run->profile, run->options, {}});
  run->ctx->regulated = checks::regulated_namespaces(run->input->mesh, run->profile, regulated, {});
  run->findings = checks::run_checks(*run->ctx);
  report::apply_annotation_suppressions(run->findings, run->input->resources, run->input->sources);
  run->summary.files = run->input->stats.files;
  run->summary.workloads = run->input->stats.workloads;
  run->summary.policies = run->input->stats.policies;
  run->summary.regulated_namespaces = run->ctx->regulated;
  return run;
}

inline const Finding* find_finding(const std::vector<Finding>& fs, const std::string& check, const std::string& kind,
                                   const std::string& ns, const std::string& name) {
  for (const Finding& f : fs)
    if (f.check == check && f.resource.kind == kind && f.resource.ns == ns && f.resource.name == name) return &f;
  return nullptr;
}

}  // namespace meshproof::test
