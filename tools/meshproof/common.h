// Flags and steps shared by the subcommands that read manifests: the flags of the analysis, running it
// (errors printed, nullptr → exit 2), and writing results.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "analysis/analysis.h"

namespace meshproof::cli {

struct InputFlags {
  std::vector<std::string> paths;
  std::string root_namespace;
  std::string default_namespace = "default";
  bool namespaces_complete = false;
  std::string data_plane;  // --data-plane; "" = the profile's, else sidecar
  std::string linkerd_default_policy;  // --linkerd-default-policy; "" = Linkerd's all-unauthenticated
  size_t max_file_mb = 64;
  bool allow_empty = false;
  unsigned threads = 0;
  std::vector<std::string> exclude;  // --exclude GLOB
};

// The flags of commands that run the checks (`check`, `report`).
struct AnalysisFlags {
  InputFlags input;
  std::vector<std::string> regulated;
  std::vector<std::string> regulated_selectors;
  std::string profile;
  std::string assert_file;
  std::string today;
  unsigned timeout_ms = 60000;
  unsigned rlimit = engine::kDefaultSolverResourceLimit;
  std::vector<std::string> only;  // --check (check only)
  std::string baseline;           // --baseline (check only)
  bool quiet = false;             // -q (check only): no progress line
  std::string config;             // --config FILE; "" = the nearest .meshproof.yaml
  bool no_config = false;         // --no-config
};

// Adds PATHS... (required), --root-namespace, --max-file-size, --threads.
void add_input_flags(CLI::App* cmd, InputFlags& flags);
// Adds the input flags and --regulated, --regulated-selector, --profile, --assert, --today, --timeout-ms, --rlimit.
void add_analysis_flags(CLI::App* cmd, AnalysisFlags& flags);

// Applies the config file (--config, else the nearest .meshproof.yaml unless --no-config) to the settings
// the command line left unset; `fail_on` is "" when --fail-on was not given and is set here (default
// "error"). False, with the errors printed, when the file is unreadable or wrong: the caller exits with 2.
bool apply_config_file(AnalysisFlags& flags, std::string& fail_on, bool with_baseline);

// Adds --rlimit (the solver's deterministic budget per check) and --timeout-ms (a wall-clock backstop),
// showing the given defaults.
void add_solver_limit_flags(CLI::App* cmd, unsigned& rlimit, unsigned& timeout_ms);

// Runs the analysis: the world only (query, explain, compile, verify-envoy), or with the checks. On bad
// input or flags prints the errors (file:line:col, caret, help) to stderr and returns nullptr: the caller
// exits with 2.
// With `keep_going` (query, explain), a file that cannot be read is left out and the rest is analyzed, as
// `check` does, so that a witness found by `check` replays; finish_with_skipped then makes the exit code 2.
std::unique_ptr<analysis::Analysis> run_analysis(const InputFlags& flags, bool keep_going = false);
// Prints the files left out unread (stderr) and returns 2 when there are any, else `exit_code`.
int finish_with_skipped(const analysis::Analysis& analysis, int exit_code);
std::unique_ptr<analysis::Analysis> run_analysis(const AnalysisFlags& flags, bool checks);

// Writes `text` to `path` atomically (temporary file + rename), so that a failure never leaves a partially
// written output file. Returns false and prints an error on failure.
bool write_file_atomically(const std::string& path, const std::string& text);

// Writes `text` to standard output; false (with a message on stderr) when the write fails (closed pipe,
// full disk): the caller exits with 2, never 0 with lost results.
bool write_stdout(const std::string& text);

}  // namespace meshproof::cli
