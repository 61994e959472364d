// "Did you mean" for the command line: unknown subcommands and flags get the nearest known name.
#include <algorithm>
#include <string>
#include <vector>

#include "base/text.h"
#include "commands.h"

namespace meshproof::cli {

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  // Beyond a third of the word (at least 2 edits), a guess would mislead more than help.
  const size_t max_distance = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = max_distance + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance || (d == best_distance && c < best)) {
      best_distance = d;
      best = c;
    }
  }
  return best_distance <= max_distance ? best : std::string();
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) out.push_back(sub->get_name());
  return out;
}

// The long flags of `cmd` ("--threads"), for suggestions.
std::vector<std::string> long_flags(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* o : cmd.get_options())
    for (const std::string& l : o->get_lnames()) out.push_back("--" + l);
  return out;
}

// The first `--flag` among args that `cmd` does not know, with its nearest known flag ("" when none is).
std::string unknown_flag_help(const CLI::App& cmd, const std::vector<std::string>& args) {
  const std::vector<std::string> known = long_flags(cmd);
  for (const std::string& a : args) {
    if (a.rfind("--", 0) != 0 || a == "--") continue;
    const std::string name = a.substr(0, a.find('='));
    bool found = false;
    for (const std::string& k : known) found = found || k == name;
    if (found) continue;
    const std::string guess = nearest(name, known);
    return "unknown flag " + name + " for `meshproof " + cmd.get_name() + "`" +
           (guess.empty() ? std::string() : "; did you mean " + guess + "?");
  }
  return "";
}

}  // namespace meshproof::cli
