// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the CLI11 app. The callback
// stores the process exit code in `exit_code` (0, 1 or 2; DESIGN.md §9).
#pragma once

#include <CLI/CLI.hpp>

namespace meshproof::cli {

void register_check(CLI::App& app, int& exit_code);
void register_version(CLI::App& app, int& exit_code);
void register_query(CLI::App& app, int& exit_code);
void register_explain(CLI::App& app, int& exit_code);
void register_report(CLI::App& app, int& exit_code);
void register_compile(CLI::App& app, int& exit_code);
void register_verify_envoy(CLI::App& app, int& exit_code);

}  // namespace meshproof::cli
