// Flags and steps shared by the subcommands that read manifests.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/pipeline.h"

namespace meshproof::cli {

struct InputFlags {
  std::vector<std::string> paths;
  std::string root_namespace;
  size_t max_file_mb = 64;
  unsigned threads = 0;
};

// Adds PATHS... (required), --root-namespace, --max-file-size, --threads.
void add_input_flags(CLI::App* cmd, InputFlags& flags);

// Loads the input. On unreadable input prints the errors (file:line:col, caret, help) to stderr and
// returns nullptr: the caller exits with 2.
std::unique_ptr<app::Input> load_or_report(const InputFlags& flags, bool progress = false);

// Added (report engineer): a checks::Options::progress callback that keeps one status line on stderr
// ("meshproof: analyzing 120 workloads: check 3/9 no-default-deny") once the analysis has run for half
// a second, erased at the end; an empty function when stderr is not a terminal, so that redirected and
// machine-readable runs never carry progress text.
std::function<void(size_t, size_t, const std::string&)> analysis_progress(size_t workloads);

// Writes `text` to `path` atomically (temporary file + rename), so that a failure never leaves a partially
// written output file. Returns false and prints an error on failure.
bool write_file_atomically(const std::string& path, const std::string& text);

}  // namespace meshproof::cli
