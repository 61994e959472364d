#include "common.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "report/report.h"

namespace meshproof::cli {

void add_input_flags(CLI::App* cmd, InputFlags& flags) {
  cmd->add_option("paths", flags.paths, "Manifest files or directories (recursive: .yaml, .yml, .json); '-' reads stdin")
      ->required();
  cmd->add_option("--root-namespace", flags.root_namespace,
                  "Istio root namespace (default: the mesh config's rootNamespace, else istio-system)");
  cmd->add_option("--max-file-size", flags.max_file_mb, "Refuse input files larger than this many MiB")
      ->default_val(64)
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--threads", flags.threads, "Worker threads for parsing and the symbolic analysis (default: one per core; output does not depend on it)");
}

std::unique_ptr<app::Input> load_or_report(const InputFlags& flags, bool progress) {
  app::InputOptions o;
  o.paths = flags.paths;
  if (!flags.root_namespace.empty()) o.root_namespace = flags.root_namespace;
  o.limits.max_file_bytes = flags.max_file_mb << 20;
  o.threads = flags.threads;
  o.progress = progress;
  std::unique_ptr<app::Input> input = app::load_input(o);
  if (!input->errors.empty()) {
    std::cerr << report::format_load_errors(input->errors, input->sources);
    std::cerr << "meshproof: " << input->errors.size() << (input->errors.size() == 1 ? " input error" : " input errors")
              << "; nothing was analyzed\n";
    return nullptr;
  }
  return input;
}

std::function<void(size_t, size_t, const std::string&)> analysis_progress(size_t workloads) {
  if (!isatty(STDERR_FILENO)) return {};
  // Quiet for quick runs: the line appears only once the analysis has taken half a second, and is
  // erased when it ends, so that a terminal shows progress for long runs and nothing left over.
  struct State {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    bool shown = false;
  };
  auto state = std::make_shared<State>();
  return [workloads, state](size_t done, size_t total, const std::string& check) {
    if (done >= total) {
      if (state->shown) std::fputs("\r\033[K", stderr);
    } else if (state->shown || std::chrono::steady_clock::now() - state->start > std::chrono::milliseconds(500)) {
      state->shown = true;
      std::fprintf(stderr, "\rmeshproof: analyzing %zu workloads: check %zu/%zu %s\033[K", workloads, done + 1, total,
                   check.c_str());
    }
    std::fflush(stderr);
  };
}

bool write_file_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path tmp = target;
  tmp += ".meshproof-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::cerr << "meshproof: error: cannot write '" << path << "'\n  help: check that the directory exists and is writable\n";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      std::cerr << "meshproof: error: writing '" << path << "' failed\n";
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::cerr << "meshproof: error: cannot write '" << path << "': " << ec.message() << "\n";
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace meshproof::cli
