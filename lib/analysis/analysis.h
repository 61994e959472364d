// One run of the analysis (DESIGN.md §1): input (load → model → validate → admission → mesh), then the
// profile, the assertions, the regulated namespaces, the checks and the suppressions. Every command
// (`check`, `report`, `query`, `explain`, `compile`, `verify-envoy`), the test harnesses and the benchmarks
// call run(), so they all see the same world: an object Istio's admission rejects does not exist for any of
// them (it is reported once, by invalid-resource).
//
// Error convention (DESIGN.md §10): problems with what the user gave (unreadable input, a bad profile or
// assertions file, a malformed flag value) are returned as data (`input errors`, `problems`) and the
// caller exits with 2; a bug in meshproof is an exception, which the CLI turns into exit code 3.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "base/finding.h"
#include "checks/check.h"
#include "engine/query.h"
#include "profile/profile.h"

namespace meshproof::checks {
struct AssertionSet;
}

namespace meshproof::analysis {

struct Options {
  app::InputOptions input;
  std::string profile_path;                      // "" = the built-in default profile (rules/default.yaml)
  bool namespaces_complete = false;              // --namespaces-complete: as the profile's `namespaces: complete`
  std::string assertions_path;                   // `--assert FILE`; "" = none (docs/assertions.md)
  std::vector<std::string> regulated;            // --regulated NAME
  std::vector<std::string> regulated_selectors;  // --regulated-selector k=v[,k=v]
  bool run_checks = true;                        // false: the world only (query, explain, compile)
  std::vector<std::string> only_checks;          // --check NAME; empty = all
  std::string today;                             // YYYY-MM-DD for exception expiry; "" = today (UTC)
  // Solver limits per check: Z3's deterministic resource budget, set for the whole process
  // (engine::set_solver_resource_limit; 0: none), and a wall-clock backstop far above it (0: none).
  unsigned solver_rlimit = engine::kDefaultSolverResourceLimit;
  unsigned query_timeout_ms = 60000;
  std::string baseline_path;  // --baseline FILE; "" = none
  // Progress of the checks (checks::Options::progress); unset: none.
  std::function<void(size_t done, size_t total, const std::string& check)> progress;
  std::function<void(size_t done, size_t total)> class_progress;  // checks::Options::class_progress
};

// A problem with something the user gave that is not YAML input (a flag value, the profile, the assertions
// file, the baseline): the run stops and the command exits with 2. `loc` is unknown for flag values.
struct Problem {
  Loc loc;
  std::string message;
  std::string help;
};

// The result of one run. Not movable: the mesh and the check context point into it.
struct Analysis {
  std::unique_ptr<app::Input> input;  // sources, admitted and rejected resources, mesh, load errors, stats
  std::vector<Problem> problems;      // non-empty: nothing was analyzed (exit 2)
  profile::Profile profile = profile::default_profile();
  uint32_t profile_file = 0;     // the profile's file id in input->sources; 0: the built-in profile
  uint32_t assertions_file = 0;  // the --assert file's id; 0: none
  std::shared_ptr<const checks::AssertionSet> assertions;
  checks::Options check_options;
  std::unique_ptr<checks::Context> context;  // set when the world was built (input and options are good)
  std::vector<std::string> regulated;        // regulated namespaces, sorted
  std::vector<Finding> findings;             // checks, profile, annotations and baseline applied; sorted
  bool baseline_applied = false;

  // The input could not be read, or a flag or side file is bad: the command exits with 2.
  bool failed() const { return !input || !input->errors.empty() || !problems.empty(); }

  Analysis() = default;
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;
};

// Runs the analysis. Never throws for bad user input (see failed()); throws for internal errors.
std::unique_ptr<Analysis> run(const Options& options);

// The checks, the profile's exceptions, the suppressions and the baseline on a world that run() built
// (with run_checks false): replaces analysis.context and analysis.findings. For benchmarks that time the
// analysis apart from the input.
void analyze(const Options& options, Analysis& analysis);

// The flag values that can be checked before any input is read (--regulated-selector, --check, --today):
// problems with them, so that a typo fails fast.
std::vector<Problem> check_options(const Options& options);

}  // namespace meshproof::analysis
