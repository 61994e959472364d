// The man page and the bash, zsh and fish completions, written from the CLI11 app itself, so that they
// list exactly the commands and flags the parser accepts. Hidden commands, answered before parsing:
//   meshproof __man                       roff man page (section 1)
//   meshproof __complete bash|zsh|fish    the completion script for the shell
// The build writes them into the package (cmake/generate_cli_docs.cmake); users never type them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace meshproof::cli {

// The exit code when `args` asks for a man page or a completion script (written to stdout); nullopt
// when it does not.
std::optional<int> cli_docs_command(const CLI::App& app, const std::vector<std::string>& args);

std::string man_page(const CLI::App& app);
// "" for a shell it does not know.
std::string completion_script(const CLI::App& app, const std::string& shell);

}  // namespace meshproof::cli
