// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the CLI11 app. The callback
// stores the process exit code in `exit_code` (0, 1 or 2; DESIGN.md §9).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace meshproof::cli {

void register_check(CLI::App& app, int& exit_code);
void register_version(CLI::App& app, int& exit_code);
void register_checks(CLI::App& app, int& exit_code);
void register_query(CLI::App& app, int& exit_code);
void register_explain(CLI::App& app, int& exit_code);
void register_report(CLI::App& app, int& exit_code);
void register_compile(CLI::App& app, int& exit_code);
void register_verify_envoy(CLI::App& app, int& exit_code);
void register_diff(CLI::App& app, int& exit_code);
void register_replay(CLI::App& app, int& exit_code);
void register_map(CLI::App& app, int& exit_code);

// suggest.cpp: "did you mean". The nearest candidate within a few edits ("" when none is close).
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);
std::vector<std::string> subcommand_names(const CLI::App& app);
// "unknown flag --thread for `meshproof check`; did you mean --threads?" for the first flag of `args`
// that `cmd` does not know ("" when it knows them all).
std::string unknown_flag_help(const CLI::App& cmd, const std::vector<std::string>& args);

}  // namespace meshproof::cli
