// meshproof compile PATHS... --out DIR [--workload NS/NAME]... [-o json|yaml]
// Emits Istio's Envoy RBAC filters per workload class and protocol, proves every table equivalent to the
// policies (docs/compile.md) and writes them only when every proof succeeded.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>  // Table::filters

#include "commands.h"
#include "common.h"
#include "compile/compile.h"

namespace meshproof::cli {

namespace fs = std::filesystem;

namespace {

struct CompileFlags {
  InputFlags input;
  std::string out;
  std::vector<std::string> workloads;
  std::string format = "json";
  unsigned timeout_ms = 10000;
  unsigned proof_threads = 0;
};

// Writes every file into a fresh sibling directory, then renames it into place. An existing DIR is
// replaced only when it is a previous meshproof output (it holds manifest.json) or empty.
bool write_output(const std::string& out, const compile::CompileResult& res, compile::OutputFormat format) {
  std::error_code ec;
  fs::path target = fs::absolute(out, ec);
  fs::path parent = target.parent_path();
  if (!fs::is_directory(parent, ec)) {
    std::cerr << "meshproof: error: cannot write '" << out << "': the parent directory does not exist\n";
    return false;
  }
  if (fs::exists(target, ec)) {
    bool replaceable = fs::is_directory(target, ec) &&
                       (fs::exists(target / "manifest.json", ec) || fs::is_empty(target, ec));
    if (!replaceable) {
      std::cerr << "meshproof: error: '" << out << "' exists and is not a meshproof output directory\n"
                << "  help: choose another --out, or remove it\n";
      return false;
    }
  }
  std::string suffix = std::to_string(getpid()) + "-" + std::to_string(std::random_device{}());
  fs::path tmp = parent / ("." + target.filename().string() + ".meshproof-tmp-" + suffix);
  fs::create_directories(tmp, ec);
  if (ec) {
    std::cerr << "meshproof: error: cannot create '" << tmp.string() << "': " << ec.message() << "\n";
    return false;
  }
  auto cleanup = [&] { fs::remove_all(tmp, ec); };
  auto write = [&](const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    return static_cast<bool>(f);
  };
  for (const auto& t : res.tables)
    if (!write(tmp / t.file, t.text)) {
      std::cerr << "meshproof: error: writing '" << (tmp / t.file).string() << "' failed\n";
      cleanup();
      return false;
    }
  if (!write(tmp / "manifest.json", compile::manifest_text(res, format))) {
    std::cerr << "meshproof: error: writing the manifest failed\n";
    cleanup();
    return false;
  }
  fs::path old;
  if (fs::exists(target, ec)) {
    old = parent / ("." + target.filename().string() + ".meshproof-old-" + suffix);
    fs::rename(target, old, ec);
    if (ec) {
      std::cerr << "meshproof: error: cannot replace '" << out << "': " << ec.message() << "\n";
      cleanup();
      return false;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::cerr << "meshproof: error: cannot move the output into '" << out << "': " << ec.message() << "\n";
    if (!old.empty()) fs::rename(old, target, ec);
    cleanup();
    return false;
  }
  if (!old.empty()) fs::remove_all(old, ec);
  return true;
}

std::string ports_text(const compile::Table& t) {
  std::string s;
  for (const auto& p : t.proofs) s += (s.empty() ? "" : ",") + (p.port ? std::to_string(p.port) : std::string("*"));
  return s;
}

int run(const CompileFlags& flags) {
  compile::OutputFormat format;
  if (flags.format == "json") format = compile::OutputFormat::Json;
  else if (flags.format == "yaml") format = compile::OutputFormat::Yaml;
  else {
    std::cerr << "meshproof: error: -o must be json or yaml, not '" << flags.format << "'\n";
    return 2;
  }
  auto input = load_or_report(flags.input);
  if (!input) return 2;
  compile::CompileOptions opts;
  opts.workloads = flags.workloads;
  opts.format = format;
  opts.proof.timeout_ms = flags.timeout_ms;
  opts.threads = flags.proof_threads;
  compile::CompileResult res = compile::compile_mesh(input->mesh, opts);
  if (!res.not_found.empty()) {
    for (const auto& w : res.not_found)
      std::cerr << "meshproof: error: --workload " << w << ": no such workload in the input\n";
    std::cerr << "  help: name a workload as NAMESPACE/NAME (see `meshproof explain` for the workloads)\n";
    return 2;
  }
  size_t proven = 0;
  for (const auto& t : res.tables) {
    bool ok = t.status == compile::TableStatus::Proven;
    if (ok) ++proven;
    std::cout << compile::to_string(t.status) << "  " << t.representative << " (class " << t.class_id << ", "
              << t.workloads.size() << (t.workloads.size() == 1 ? " workload) " : " workloads) ")
              << ir::to_string(t.protocol) << " ports " << ports_text(t) << ": " << t.filters.size()
              << (t.filters.size() == 1 ? " filter" : " filters") << " -> " << t.file << "\n";
    if (ok) continue;
    for (const auto& e : t.decode_errors) std::cout << "    " << e << "\n";
    for (const auto& v : t.proofs) {
      if (v.result.difference) {
        std::cout << "    port " << (v.port ? std::to_string(v.port) : std::string("*")) << ": "
                  << compile::describe_difference(*v.result.difference, t.protocol) << "\n";
        break;
      }
      if (v.result.status == engine::EquivalenceStatus::Unknown) {
        std::cout << "    port " << (v.port ? std::to_string(v.port) : std::string("*"))
                  << ": not proven (the solver could not decide): " << v.result.unknown_reason << "\n";
        break;
      }
    }
  }
  for (const auto& s : res.no_proxy) std::cout << "skipped  " << s << ": no Istio proxy, nothing is installed\n";
  if (!res.all_proven()) {
    std::cout << "meshproof: " << (res.tables.size() - proven) << " of " << res.tables.size()
              << " tables not proven equivalent; nothing was written\n";
    return 1;
  }
  if (!write_output(flags.out, res, format)) return 2;
  std::cout << "meshproof: " << proven << (proven == 1 ? " table" : " tables")
            << " proven equivalent to the policies; written to " << flags.out << "/ (manifest.json)\n";
  return 0;
}

}  // namespace

void register_compile(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CompileFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compile",
      "Compile the policies into the Envoy RBAC filters Istio installs, one file per workload class and "
      "protocol, each proven equivalent to the policies with Z3 (written only when all are proven)");
  add_input_flags(cmd, flags->input);
  cmd->add_option("--out", flags->out, "Output directory (created, or replaced if it holds a previous output)")
      ->required();
  cmd->add_option("--workload", flags->workloads, "Only the classes of these workloads (NAMESPACE/NAME; repeatable)");
  cmd->add_option("-o,--output", flags->format, "File format: json or yaml")->default_val("json");
  cmd->add_option("--timeout-ms", flags->timeout_ms, "Solver time limit per query (an expired limit is reported as not proven)")
      ->default_val(10000);
  cmd->add_option("--proof-threads", flags->proof_threads, "Parallel proofs (default: one per core, at most 4)");
  cmd->footer(
      "Exit codes: 0 every table proven; 1 a table decides some request differently (witness printed) or\n"
      "could not be proven (solver unknown); 2 unreadable input or output directory.\n"
      "Example: meshproof compile manifests/ --out rbac/ --workload bank/banking-api -o yaml");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace meshproof::cli
