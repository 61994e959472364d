// Issue #17: the man page and the bash, zsh and fish completions are written from the CLI definition
// (`meshproof __man`, `meshproof __complete SHELL`, tools/meshproof/cli_docs.cpp). Every command and flag
// the parser knows, read here from CLI11's own --help text, must appear in each of them.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "base/text.h"
#include "cli_helpers.h"

namespace meshproof::test {
namespace {

// The lines of `text` after the line `heading` up to the next empty line.
std::vector<std::string> section(const std::string& text, const std::string& heading) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : split(text, '\n')) {
    if (in && line.empty()) break;
    if (in) out.push_back(line);
    if (line == heading) in = true;
  }
  return out;
}

std::vector<std::string> commands() {
  std::vector<std::string> out;
  for (const std::string& line : section(run_cli({"--help"}).out, "Subcommands:"))
    out.push_back(std::string(trim(line.substr(0, line.find("  ", 2)))));
  return out;
}

// "-o,--output TEXT:{...}" → {"-o", "--output"} for each line of the Options section that starts a flag.
std::vector<std::string> flags(const std::string& command) {
  std::vector<std::string> out;
  for (const std::string& line : section(run_cli({"help", command}).out, "Options:")) {
    const std::string first = std::string(trim(line)).substr(0, std::string(trim(line)).find(' '));
    if (first.empty() || first[0] != '-') continue;
    for (const std::string& name : split(first, ',')) out.push_back(name);
  }
  return out;
}

// `word` in `text`, not as part of a longer flag or name.
bool has_word(const std::string& text, const std::string& word) {
  const std::regex re("(^|[^A-Za-z0-9_-])" + std::regex_replace(word, std::regex(R"([\\^$.|?*+()\[\]{}-])"), R"(\$&)") +
                      "($|[^A-Za-z0-9_-])");
  return std::regex_search(text, re);
}

std::string roff_escaped(const std::string& flag) { return std::regex_replace(flag, std::regex("-"), R"(\-)"); }

// fish names flags without dashes: `-s o -l output`.
std::string fish_flag(const std::string& flag) {
  return flag.rfind("--", 0) == 0 ? "-l " + flag.substr(2) : "-s " + flag.substr(1);
}

// A fish `complete` line for `flag` under `command`.
bool fish_completes(const std::string& script, const std::string& command, const std::string& flag) {
  const std::string prefix = "complete -c meshproof -n '__fish_seen_subcommand_from " + command + "' ";
  for (const std::string& line : split(script, '\n'))
    if (line.rfind(prefix, 0) == 0 && (line + " ").find(" " + fish_flag(flag) + " ") != std::string::npos) return true;
  return false;
}

TEST_CASE("cli docs: every command and flag is in the man page and the three completions", "[cli][docs]") {
  const std::vector<std::string> cmds = commands();
  REQUIRE(cmds.size() >= 7);
  const RunResult man = run_cli({"__man"});
  const RunResult bash = run_cli({"__complete", "bash"});
  const RunResult zsh = run_cli({"__complete", "zsh"});
  const RunResult fish = run_cli({"__complete", "fish"});
  for (const RunResult* r : {&man, &bash, &zsh, &fish}) REQUIRE(r->exit_code == 0);
  CHECK(has_word(man.out, ".TH MESHPROOF 1"));
  size_t checked = 0;
  for (const std::string& cmd : cmds) {
    INFO("command " << cmd);
    CHECK(man.out.find(".SS \"meshproof " + cmd) != std::string::npos);
    CHECK(has_word(bash.out, cmd + ")"));
    CHECK(has_word(zsh.out, cmd + ")"));
    CHECK(fish.out.find("-a " + cmd + " -d") != std::string::npos);
    const std::vector<std::string> fl = flags(cmd);
    CHECK(fl.size() >= 2);
    const std::string zsh_case = zsh.out.substr(zsh.out.find("        " + cmd + ") _arguments"));
    for (const std::string& f : fl) {
      INFO("flag " << f);
      CHECK(has_word(man.out, "\\fB" + roff_escaped(f) + "\\fR"));
      CHECK(has_word(bash.out, f));
      CHECK(has_word(zsh_case.substr(0, zsh_case.find(" ;;")), f));
      CHECK(fish_completes(fish.out, cmd, f));
      ++checked;
    }
  }
  CHECK(checked > 40);
}

TEST_CASE("cli docs: the value choices of a flag are completed, an unknown shell is a usage error", "[cli][docs]") {
  const RunResult bash = run_cli({"__complete", "bash"});
  CHECK(bash.out.find("-o|--output) COMPREPLY=($(compgen -W 'text json sarif junit md'") != std::string::npos);
  CHECK(run_cli({"__complete", "fish"}).out.find("-x -a 'error warning note never'") != std::string::npos);
  // A flag takes no value: nothing follows it in the man page, and bash completes no file after it.
  const RunResult man = run_cli({"__man"});
  CHECK(man.out.find("\\fB\\-\\-allow\\-empty\\fR\n") != std::string::npos);
  CHECK(man.out.find("\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n") != std::string::npos);
  CHECK(man.out.find("\\fB\\-\\-threads\\fR \\fIUINT\\fR\n") != std::string::npos);
  CHECK_FALSE(has_word(bash.out.substr(0, bash.out.find("      esac")), "--stats"));
  const RunResult bad = run_cli({"__complete", "tcsh"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bash|zsh|fish") != std::string::npos);
}

}  // namespace
}  // namespace meshproof::test
