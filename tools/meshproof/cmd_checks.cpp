// `meshproof checks`: the checks this build has (names, ids, default severities, summaries).
#include "commands.h"
#include "common.h"
#include "report/run.h"

namespace meshproof::cli {

void register_checks(CLI::App& app, int& exit_code) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand("checks", "List the checks: names, ids, default severities, documentation");
  cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([format, &exit_code] { exit_code = write_stdout(report::format_check_list(*format)) ? 0 : 2; });
}

}  // namespace meshproof::cli
