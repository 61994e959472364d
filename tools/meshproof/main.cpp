// meshproof: a policy compiler and static analyzer for Istio service-mesh security.
// This file only wires the subcommands; each lives in its own cmd_<name>.cpp.
#include <csignal>
#include <exception>
#include <iostream>
#include <system_error>

#include "commands.h"

namespace {

int internal_error(const std::exception& e) {
  std::cerr << "meshproof: internal error: " << e.what() << "\n"
            << "  help: this is a bug in meshproof; please report it with the input that caused it\n";
  return 3;
}

}  // namespace

int main(int argc, char** argv) {
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
      "Docs: docs/ in the meshproof repository (checks: docs/checks/).");
  int exit_code = 0;
  meshproof::cli::register_check(app, exit_code);
  meshproof::cli::register_version(app, exit_code);
  meshproof::cli::register_query(app, exit_code);
  meshproof::cli::register_explain(app, exit_code);
  meshproof::cli::register_report(app, exit_code);
  meshproof::cli::register_compile(app, exit_code);
  meshproof::cli::register_verify_envoy(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
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
