#include <iostream>

#include "commands.h"

namespace meshproof::cli {

void register_version(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the meshproof version");
  cmd->callback([&exit_code] {
    std::cout << "meshproof " << MESHPROOF_VERSION << "\n";
    exit_code = 0;
  });
}

}  // namespace meshproof::cli
