// meshproof: a policy compiler and static analyzer for Istio service-mesh security.
// This file only wires the subcommands; each lives in its own cmd_<name>.cpp.
#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "base/text.h"
#include "cli_docs.h"
#include "commands.h"
#include "malloc_tuning.h"

namespace {

int internal_error(const std::exception& e) {
  std::cerr << "meshproof: internal error: " << e.what() << "\n"
            << "  help: this is a bug in meshproof; please report it with the input that caused it\n";
  return 3;
}

// An unknown command: a usage error that names the nearest command.
int unknown_command(const CLI::App& app, const std::string& word) {
  const std::vector<std::string> names = meshproof::cli::subcommand_names(app);
  const std::string guess = meshproof::cli::nearest(word, names);
  std::cerr << "meshproof: error: unknown command '" << word << "'"
            << (guess.empty() ? "" : "; did you mean '" + guess + "'?") << "\n"
            << "  help: the commands are " << meshproof::join(names, ", ") << " (meshproof --help)\n";
  return 2;
}

bool is_command(const CLI::App& app, const std::string& word) {
  const std::vector<std::string> names = meshproof::cli::subcommand_names(app);
  return std::find(names.begin(), names.end(), word) != names.end();
}

// What needs no parsing: no arguments, `help` and `help COMMAND` print the help (exit 0); an unknown
// command is a usage error. nullopt: parse as usual.
std::optional<int> before_parse(CLI::App& app, const std::vector<std::string>& args) {
  if (std::optional<int> docs = meshproof::cli::cli_docs_command(app, args)) return docs;
  if (args.empty() || (args[0] == "help" && args.size() == 1)) {
    std::cout << app.help();
    return 0;
  }
  if (args[0] == "help") {
    if (!is_command(app, args[1])) return unknown_command(app, args[1]);
    std::cout << app.get_subcommand(args[1])->help();
    return 0;
  }
  if (args[0].empty() || args[0][0] == '-' || is_command(app, args[0])) return std::nullopt;
  return unknown_command(app, args[0]);
}

// Arguments CLI11 did not expect: for an unknown flag, name the nearest flag of the command.
int usage_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  for (const CLI::App* sub : app.get_subcommands()) {
    const std::string help = meshproof::cli::unknown_flag_help(*sub, args);
    if (help.empty()) continue;
    std::cerr << "meshproof: error: " << help << "\n  help: meshproof " << sub->get_name() << " --help\n";
    return 2;
  }
  app.exit(e);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  meshproof::cli::tune_malloc(argc, argv);  // first: before anything is allocated
  // A closed pipe (`meshproof check . | head -1`) must make the write fail so that the command reports it
  // and exits 2 (common.h write_stdout), not kill the process silently with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "meshproof proves what Istio security configuration does before it is applied.\n"
      "Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage error or unreadable input;\n"
      "3 internal error (a bug: please report it); 4 inconclusive (a proof could not be finished: solver unknown).",
      "meshproof"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  meshproof check manifests/ --regulated payments\n"
      "  helm template chart | meshproof check - -o json\n"
      "  meshproof query manifests/ --to bank/banking-api --principal cluster.local/ns/web/sa/frontend --path "
      "/accounts\n"
      "  meshproof explain manifests/ --workload bank/banking-api\n"
      "  meshproof report manifests/ --profile rules/hipaa.yaml --out hipaa-report.html\n"
      "  meshproof diff --git-base origin/main manifests/ -o md\n"
      "Docs: docs/ in the meshproof repository (checks: docs/checks/).");
  int exit_code = 0;
  meshproof::cli::register_check(app, exit_code);
  meshproof::cli::register_version(app, exit_code);
  meshproof::cli::register_checks(app, exit_code);
  meshproof::cli::register_query(app, exit_code);
  meshproof::cli::register_explain(app, exit_code);
  meshproof::cli::register_report(app, exit_code);
  meshproof::cli::register_compile(app, exit_code);
  meshproof::cli::register_verify_envoy(app, exit_code);
  meshproof::cli::register_diff(app, exit_code);
  meshproof::cli::register_replay(app, exit_code);
  meshproof::cli::register_map(app, exit_code);
  app.set_version_flag("--version", std::string("meshproof ") + MESHPROOF_VERSION);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (auto early = before_parse(app, args)) return *early;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    return usage_error(app, e, args);
  } catch (const CLI::ParseError& e) {
    // Usage errors are exit code 2 (CLI11 would use its own codes).
    app.exit(e);
    return 2;
  } catch (const std::system_error& e) {
    // The system refused a resource meshproof cannot do without (the pools already fall back to fewer
    // threads; this is a thread Z3 needs for a time limit): not a bug in meshproof, nothing was analyzed.
    if (e.code() != std::errc::resource_unavailable_try_again) return internal_error(e);
    std::cerr << "meshproof: error: the system refused to create a thread (" << e.what() << "); nothing was analyzed\n"
              << "  help: lower --threads, or raise the limit on processes and threads (ulimit -u, a container's "
                 "pids limit)\n";
    return 2;
  } catch (const std::exception& e) {
    return internal_error(e);
  }
  return exit_code;
}
