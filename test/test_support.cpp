#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace meshproof::test {

std::string source_dir() { return MESHPROOF_SOURCE_DIR; }

std::string fixture(const std::string& rel) { return source_dir() + "/test/fixtures/" + rel; }

bool shared_available() { return fs::is_directory(std::string(MESHPROOF_SHARED_DIR) + "/corpus/istio"); }

std::string shared_path(const std::string& rel) {
  if (!shared_available()) return "";
  return std::string(MESHPROOF_SHARED_DIR) + "/" + rel;
}

std::unique_ptr<app::Input> load_paths(const std::vector<std::string>& paths, Admission admission) {
  app::InputOptions o;
  o.paths = paths;
  o.threads = 1;
  if (admission == Admission::Apply) return app::load_input(o);
  auto input = std::make_unique<app::Input>();
  app::load_files(o, *input);
  app::validate_input(*input);
  app::resolve_input(o, *input);
  return input;
}

std::unique_ptr<app::Input> load_yaml(const std::string& yaml, const std::string& name, Admission admission) {
  // Written to a real file so that positions and carets behave exactly as for user input.
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() / ("meshproof-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / (std::to_string(counter++) + "-" + name);
  {
    std::ofstream out(file, std::ios::binary);
    out << yaml;
  }
  return load_paths({file.string()}, admission);
}

namespace {
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}
}  // namespace

RunResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() / ("meshproof-cli-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string tag = std::to_string(counter++);
  fs::path in = dir / (tag + ".in"), out = dir / (tag + ".out"), err = dir / (tag + ".err");
  {
    std::ofstream f(in, std::ios::binary);
    f << stdin_text;
  }
  std::string cmd = shell_quote(MESHPROOF_BINARY);
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  cmd += " <" + shell_quote(in.string()) + " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace meshproof::test
