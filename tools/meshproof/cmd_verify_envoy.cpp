// meshproof verify-envoy PATHS... --config-dump FILE --workload NS/NAME
// Proves that the RBAC filters a running proxy holds (an Envoy config dump) decide every request as the
// manifests say for that workload (docs/compile.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "compile/verify.h"
#include "report/compile.h"

namespace meshproof::cli {

namespace {

struct VerifyFlags {
  InputFlags input;
  std::string config_dump;
  std::string workload;
  unsigned timeout_ms = 60000;
  unsigned rlimit = engine::kDefaultSolverResourceLimit;
};

int run(const VerifyFlags& flags) {
  size_t slash = flags.workload.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == flags.workload.size()) {
    std::cerr << "meshproof: error: --workload must be NAMESPACE/NAME, not '" << flags.workload << "'\n";
    return 2;
  }
  std::ifstream in(flags.config_dump, std::ios::binary);
  if (!in) {
    std::cerr << "meshproof: error: cannot read the config dump '" << flags.config_dump << "'\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::unique_ptr<analysis::Analysis> a = run_analysis(flags.input);
  if (!a) return 2;
  const mesh::Mesh& mesh = a->input->mesh;
  const mesh::Workload* w = mesh.find(flags.workload.substr(0, slash), flags.workload.substr(slash + 1));
  if (!w) {
    std::cerr << "meshproof: error: --workload " << flags.workload << ": no such workload in the input\n";
    return 2;
  }
  engine::EquivalenceOptions eq;
  eq.timeout_ms = flags.timeout_ms;
  eq.resource_limit = flags.rlimit;
  compile::DumpVerification v =
      compile::verify_config_dump(text.str(), flags.config_dump, *w, ir::LowerContext::from(mesh.config), eq);
  if (!v.errors.empty()) {
    for (const auto& e : v.errors) std::cerr << e << "\n";
    std::cerr << "meshproof: the config dump could not be " << v.failed_step << "; nothing was verified\n";
    return 2;
  }
  if (!write_stdout(report::format_dump_verification(v, flags.workload))) return 2;
  return v.proven() == v.verdicts.size() ? 0 : 1;
}

}  // namespace

void register_verify_envoy(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify-envoy",
      "Prove that a proxy's RBAC filters (an Envoy config dump) decide every request as the manifests say");
  add_input_flags(cmd, flags->input);
  cmd->add_option("--config-dump", flags->config_dump,
                  "Envoy /config_dump JSON, or `istioctl proxy-config all POD -o json` output")
      ->required();
  cmd->add_option("--workload", flags->workload, "The workload the dump belongs to (NAMESPACE/NAME)")->required();
  add_solver_limit_flags(cmd, flags->rlimit, flags->timeout_ms);
  cmd->footer(
      "Exit codes: 0 every inbound chain proven equivalent; 1 a chain decides some request differently\n"
      "(witness printed) or could not be proven; 2 unreadable manifests or config dump.");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace meshproof::cli
