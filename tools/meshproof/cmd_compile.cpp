// meshproof compile PATHS... --out DIR [--workload NS/NAME]... [-o json|yaml]
// Emits Istio's Envoy RBAC filters per workload class and protocol, proves every table equivalent to the
// policies (docs/compile.md) and writes them only when every proof succeeded.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "compile/compile.h"
#include "compile/output_dir.h"
#include "report/compile.h"

namespace meshproof::cli {

namespace {

struct CompileFlags {
  InputFlags input;
  std::string out;
  std::vector<std::string> workloads;
  std::string format = "json";
  unsigned timeout_ms = 60000;
  unsigned rlimit = engine::kDefaultSolverResourceLimit;
  unsigned proof_threads = 0;
};

int run(const CompileFlags& flags) {
  compile::OutputFormat format;
  if (flags.format == "json")
    format = compile::OutputFormat::Json;
  else if (flags.format == "yaml")
    format = compile::OutputFormat::Yaml;
  else {
    std::cerr << "meshproof: error: -o must be json or yaml, not '" << flags.format << "'\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(flags.input);
  if (!a) return 2;
  compile::CompileOptions opts;
  opts.workloads = flags.workloads;
  opts.format = format;
  opts.proof.timeout_ms = flags.timeout_ms;
  opts.proof.resource_limit = flags.rlimit;
  opts.threads = flags.proof_threads;
  compile::CompileResult res = compile::compile_mesh(a->input->mesh, opts);
  if (!res.not_found.empty()) {
    for (const auto& w : res.not_found)
      std::cerr << "meshproof: error: --workload " << w << ": no such workload in the input\n";
    std::cerr << "  help: name a workload as NAMESPACE/NAME (see `meshproof explain` for the workloads)\n";
    return 2;
  }
  if (!write_stdout(report::format_compile_result(res))) return 2;
  if (!res.all_proven()) return 1;
  std::string error;
  if (!compile::write_output_dir(flags.out, res, format, error)) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  return write_stdout(report::format_compile_written(res, flags.out)) ? 0 : 2;
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
  add_solver_limit_flags(cmd, flags->rlimit, flags->timeout_ms);
  cmd->add_option("--proof-threads", flags->proof_threads, "Parallel proofs (default: one per core, at most 4)");
  cmd->footer(
      "Exit codes: 0 every table proven; 1 a table decides some request differently (witness printed) or\n"
      "could not be proven (solver unknown); 2 unreadable input or output directory.\n"
      "Example: meshproof compile manifests/ --out rbac/ --workload bank/banking-api -o yaml");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace meshproof::cli
