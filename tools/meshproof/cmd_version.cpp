#include "commands.h"
#include "common.h"

namespace meshproof::cli {

void register_version(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the meshproof version");
  cmd->callback(
      [&exit_code] { exit_code = write_stdout(std::string("meshproof ") + MESHPROOF_VERSION + "\n") ? 0 : 2; });
}

}  // namespace meshproof::cli
